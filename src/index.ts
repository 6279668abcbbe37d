// Entry point: config -> store -> catalog -> matcher -> bot -> server.listen, plus the escalation
// outbox worker and retention purge; graceful shutdown on SIGINT/SIGTERM.
import { realpathSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from './config.js';
import { ConfigError, isCodedError } from './core/errors.js';
import { createMatcher, loadCatalog, type MatcherOptions } from './core/index.js';
import { DEFAULT_PRESS_RATE_LIMITS, DEFAULT_RATE_LIMITS, createRateLimiter } from './core/ratelimit.js';
import { buildEscalationPayload, createOutboxWorker, createRetentionJob, createWebhookSink, openStore } from './incidents/index.js';
import type { EscalationSink, IncidentStore } from './incidents/types.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createServer } from './server.js';
import { createAdapter, createMessageEndpoint } from './teams/adapter.js';
import { createBotFrameworkAuthentication } from './teams/auth.js';
import { ConnectorDoctorBot } from './teams/bot.js';
import { SUPPORT_CHANNEL_SETTING, TEAMS_CHANNEL_TARGET, createSupportChannelSink, refreshIncidentCard } from './teams/support-channel.js';

const SHUTDOWN_GRACE_MS = 10_000;

export async function start(config: Config, logger: Logger) {
  if (config.localMode) {
    logger.warn(
      'LOCAL MODE: MicrosoftAppId is empty, so /api/messages accepts requests WITHOUT authentication. ' +
        'Use this only on your machine (Playground, tests); set MicrosoftAppId and MicrosoftAppPassword to deploy.',
    );
  }
  const store: IncidentStore = await openStore(config.databaseUrl);
  const catalog = loadCatalog(config.catalogExtraDir ? { extraDir: config.catalogExtraDir } : {});
  const metrics = createMetrics({ outboxCounts: () => store.outboxCounts(), defaultMetrics: true });
  const matcher = createMatcher(catalog, { onError: reportMatcherErrors(logger, metrics) });
  logger.info({ apps: catalog.apps.length, entries: catalog.entries.length }, 'catalog loaded');

  const auth = createBotFrameworkAuthentication(config.botFramework);
  const adapter = createAdapter({ auth, logger });
  const channelDeps = {
    adapter,
    botAppId: config.microsoftAppId ?? '',
    store,
    matcher,
    logger,
    configuredChannelId: config.supportChannelId,
  };
  const sinks: EscalationSink[] = [createSupportChannelSink(channelDeps)];
  if (config.supportWebhookUrl && config.supportWebhookSecret) {
    sinks.push(createWebhookSink({ url: config.supportWebhookUrl, secret: config.supportWebhookSecret }));
  }
  const refresh = async (incidentId: string) => {
    await refreshIncidentCard(channelDeps, incidentId);
  };
  const worker = createOutboxWorker({
    store,
    sinks,
    maxAttempts: config.escalationMaxAttempts,
    baseDelayMs: config.escalationRetryBaseMs,
    maxDelayMs: config.escalationRetryMaxMs,
    logger,
    // The card says "delivered to support" (or that delivery failed) as soon as the outbox knows.
    onDelivered: (message) => refresh(message.incidentId),
    onDeadLettered: (message) => refresh(message.incidentId),
  });

  const bot = new ConnectorDoctorBot({
    store,
    matcher,
    metrics,
    logger,
    clock: () => new Date(),
    rateLimiter: createRateLimiter({ ...DEFAULT_RATE_LIMITS, clock: Date.now }),
    pressLimiter: createRateLimiter({ ...DEFAULT_PRESS_RATE_LIMITS, clock: Date.now }),
    escalation: {
      async targets() {
        const targets: string[] = [];
        if (config.supportWebhookUrl) targets.push('webhook');
        if (config.supportChannelId || (await store.getSetting(SUPPORT_CHANNEL_SETTING)) !== undefined) targets.push(TEAMS_CHANNEL_TARGET);
        return targets;
      },
      buildPayload: (incident) => buildEscalationPayload(incident, { catalog }),
      onEscalated: () => worker.wake(),
    },
  });

  const server = createServer({
    messages: createMessageEndpoint({ adapter, bot, metrics }),
    readiness: {
      catalog: () => catalog.entries.length > 0,
      store: async () => {
        await store.ping();
        return true;
      },
    },
    metrics,
    logger,
  });

  try {
    await listen(server, config.port, config.host);
  } catch (error) {
    await store.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  logger.info({ port, host: config.host, localMode: config.localMode }, `Connector Doctor listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}/api/messages`);
  worker.start();
  // Fetch Teams' signing keys now (time-boxed, 5 s) so the first message does not wait for them.
  void auth.warmUp().then((ok) => {
    if (!ok) logger.warn({ reason: auth.keys?.lastError }, 'could not fetch the Bot Framework signing keys; Teams requests are refused (401) until they can be fetched');
  });

  const retention = createRetentionJob({ store, retentionDays: config.retentionDays, logger });
  retention.start();

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      retention.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker.stop();
      await store.close();
    })();
    return stopping;
  };
  return { server, port, stop };
}

/**
 * A matcher crash must not hide: the user still gets an answer (`none`), the operator gets a log
 * line and a count on /metrics. Logged: the error's type and stack frames, the paste's length and
 * how many errors were found before the crash; never the error message or the paste, which can
 * quote what was pasted.
 */
export function reportMatcherErrors(logger: Logger, metrics: Metrics): NonNullable<MatcherOptions['onError']> {
  return (error, facts) => {
    metrics.matcherErrors.inc();
    const frames = error instanceof Error ? (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).slice(0, 10).map((line) => line.trim()) : [];
    logger.error({ errorType: error instanceof Error ? error.name : typeof error, frames, inputChars: facts.inputChars, findingsBeforeError: facts.findings }, 'matcher failed');
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`${isCodedError(error) ? error.message : 'Invalid configuration.'}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  let running: Awaited<ReturnType<typeof start>>;
  try {
    running = await start(config, logger);
  } catch (error) {
    // Coded errors (catalog, store URL) carry an operator-safe message; anything else is logged whole.
    if (isCodedError(error)) logger.fatal({ code: error.code }, error.message);
    else logger.fatal({ err: error }, 'could not start');
    process.exit(1);
  }
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
    force.unref();
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

/** Listen, turning a taken port into an operator-facing message instead of an unhandled error event. */
function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new ConfigError(`Port ${port} on ${host} is already in use. Stop the other process or set PORT to a free port.`, { cause: error }));
      else if (error.code === 'EACCES') reject(new ConfigError(`Not allowed to listen on port ${port}. Set PORT to a port above 1024.`, { cause: error }));
      else reject(error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.removeListener('error', onError);
      resolve();
    });
  });
}

/** Run only when this file is the program (node dist/src/index.js, tsx src/index.ts), not when imported by tests. */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) void main();
