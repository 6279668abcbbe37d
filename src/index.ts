// Entry point: config -> catalog -> store -> matcher pool (its threads start with the first long
// paste, not here) -> bot -> server.listen, plus the
// escalation outbox worker, the alerts (alert-wiring.ts) and the retention purge; graceful shutdown
// on SIGINT/SIGTERM. A start-up failure closes whatever was already opened and ends with one line, never a stack trace.
import type { AddressInfo } from 'node:net';
import { wireAlerts } from './alert-wiring.js';
import { loadConfig, type Config } from './config.js';
import { CatalogError, ConfigError, isCodedError, toCodedError } from './core/errors.js';
import { createMatcher, inspectCatalog, type LoadCatalogOptions, type Matcher, type MatcherOptions } from './core/index.js';
import { refuseCapturingEntries } from './core/catalog-guard.js';
import { DEFAULT_PRESS_RATE_LIMITS, DEFAULT_RATE_LIMITS, createRateLimiter } from './core/ratelimit.js';
import { createDiagnosisPool } from './diagnosis/pool.js';
import { isEntryPoint } from './entry-point.js';
import { SETTINGS_MAX_AGE_MS, buildEscalationPayload, createOutboxWorker, createRetentionJob, createWebhookSink, openStore } from './incidents/index.js';
import type { EscalationSink, IncidentStore } from './incidents/types.js';
import type { INetworkModule } from '@azure/msal-node';
import { createLogThrottle, createLogger, type Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createServer } from './server.js';
import { createAdapter, createMessageEndpoint } from './teams/adapter.js';
import { createBotFrameworkAuthentication } from './teams/auth.js';
import { ConnectorDoctorBot, type BotDeps } from './teams/bot.js';
import { SUPPORT_CHANNEL_SETTING, TEAMS_CHANNEL_TARGET, createSupportChannelSink, refreshIncidentCard } from './teams/support-channel.js';

const SHUTDOWN_GRACE_MS = 10_000;

/** Seams for fault tests: how the store is opened, how many matcher threads run and how much may wait. */
export interface StartOptions {
  openStore?: typeof openStore;
  diagnosis?: { threads?: number; queueLimit?: number; heavyChars?: number };
  /** How MSAL reaches the Entra token endpoint (tests point it at a loopback stand-in). */
  entraNetworkClient?: INetworkModule;
  /** Stands in for the matcher on the main thread (tests that need what it finds held fixed). */
  matcher?: (built: Matcher) => Matcher;
  /** At most one store-failure log line per operation and kind in this many ms (default 60 s). */
  storeLogIntervalMs?: number;
  /** The message extension's time limits (tests shorten Send's to see its "still posting" answer). */
  messageExtension?: BotDeps['messageExtension'];
}

export async function start(config: Config, logger: Logger, options: StartOptions = {}) {
  if (config.localMode) {
    logger.warn(
      'LOCAL MODE: MicrosoftAppId is empty, so /api/messages accepts requests WITHOUT authentication. ' +
        'Use this only on your machine (Playground, tests); set MicrosoftAppId and MicrosoftAppPassword to deploy.',
    );
  }
  // Whatever is opened is closed again, newest first, if a later step fails.
  const opened: { name: string; close: () => Promise<void> | void }[] = [];
  const closeAll = async () => {
    for (const { name, close } of opened.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        logger.warn({ part: name, err: toCodedError(error).code }, 'could not close cleanly');
      }
    }
  };

  try {
    // Metrics exist before the store (they count its failures); the escalation gauges read it once open.
    const late: { store?: IncidentStore } = {};
    let diagnosisLoad = () => ({ running: 0, queued: 0 });
    const metrics = createMetrics({
      outboxCounts: () => (late.store ? late.store.outboxCounts() : Promise.reject(new Error('no store yet'))),
      diagnosisLoad: () => diagnosisLoad(),
      defaultMetrics: true,
    });

    // The catalog first: a bad organisation file refuses start-up before the database is touched.
    const catalogOptions: LoadCatalogOptions = config.catalogExtraDir ? { extraDir: config.catalogExtraDir } : {};
    const inspection = inspectCatalog(catalogOptions);
    if (inspection.problems.length > 0) throw new CatalogError(inspection.problems);
    const { catalog } = inspection;
    const built = createMatcher(catalog, { onError: reportMatcherErrors(logger, metrics) });
    const matcher = options.matcher ? options.matcher(built) : built;
    // The lint's matching checks: an organisation's entry that hides another or answers unrelated
    // pastes is refused here, not found in production. The built-in catalog alone is held to them
    // by its tests, so a start without an organisation folder skips them (the largest catalog step).
    if (config.catalogExtraDir) refuseCapturingEntries(catalog, built, inspection);
    logger.info({ apps: catalog.apps.length, entries: catalog.entries.length }, 'catalog loaded');

    const storeLog = createLogThrottle(options.storeLogIntervalMs);
    let storeFailing = false;
    const store = await (options.openStore ?? openStore)(config.databaseUrl, {
      settingsMaxAgeMs: SETTINGS_MAX_AGE_MS,
      onLockWait: () => metrics.storeLockWaits.inc(),
      onCommit: (transactions) => metrics.storeCommitTransactions.observe(transactions),
      onFailure: (operation, error) => {
        metrics.storeFailures.inc({ operation });
        storeFailing = true;
        // Every failure is counted; the log gets one line per operation and kind a minute, saying how many it held back.
        const { log, heldBack } = storeLog.admit(`${operation}:${error.kind}`);
        if (log) logger.error({ operation, code: error.code, kind: error.kind, heldBack }, `store operation failed: ${error.message}`);
      },
      onFault: (error) => {
        const code = isCodedError(error) ? error.code : String((error as { code?: unknown }).code ?? error.name);
        const { log, heldBack } = storeLog.admit(`fault:${code}`);
        if (!log) return;
        if (isCodedError(error)) logger.error({ code: error.code, heldBack }, error.message);
        else logger.warn({ err: { name: error.name, code: (error as { code?: unknown }).code }, heldBack }, 'database connection lost; the pool reconnects');
      },
    });
    late.store = store;
    opened.push({ name: 'store', close: () => store.close() });

    const pool = createDiagnosisPool({
      matcher,
      catalog,
      ...options.diagnosis,
      onBusy: () => metrics.busyRefusals.inc(),
      onThreadError: (error) => logger.error({ err: { name: error.name, message: error.message } }, 'matcher thread failed'),
    });
    opened.push({ name: 'matcher threads', close: () => pool.close() });
    diagnosisLoad = () => pool.load();

    const auth = createBotFrameworkAuthentication(config.botFramework, {
      onRefusal: (reason) => {
        metrics.authRefusals.inc({ reason });
        logger.warn({ reason }, 'request refused by authentication');
      },
    });
    const adapter = createAdapter({ auth, logger });
    const escalationTargets = async () => {
      const targets: string[] = [];
      if (config.supportWebhookUrl) targets.push('webhook');
      if (config.supportChannelId || (await store.getSetting(SUPPORT_CHANNEL_SETTING)) !== undefined) targets.push(TEAMS_CHANNEL_TARGET);
      return targets;
    };
    const hasDestination = async () => (await escalationTargets()).length > 0;
    // One set of view dependencies for every card the bot re-renders outside a turn (after a
    // delivery, a dead letter, an alert repeat), so those cards offer Escalate as a fresh one would.
    const channelDeps = {
      adapter,
      botAppId: config.microsoftAppId ?? '',
      store,
      matcher,
      logger,
      configuredChannelId: config.supportChannelId,
      hasDestination,
    };
    const refresh = async (incidentId: string) => {
      await refreshIncidentCard(channelDeps, incidentId);
    };
    const outbox: { worker?: ReturnType<typeof createOutboxWorker> } = {};
    const alerts = wireAlerts({
      config,
      store,
      matcher,
      diagnose: (text, diagnoseOptions) => pool.diagnose(text, diagnoseOptions),
      metrics,
      logger,
      adapter,
      audience: auth.getOriginatingAudience(),
      hasDestination,
      refresh,
      wake: () => outbox.worker?.wake(),
      ...(options.entraNetworkClient ? { entraNetworkClient: options.entraNetworkClient } : {}),
    });
    const sinks: EscalationSink[] = [createSupportChannelSink(channelDeps), alerts.sink];
    if (config.supportWebhookUrl && config.supportWebhookSecret) {
      sinks.push(createWebhookSink({ url: config.supportWebhookUrl, secret: config.supportWebhookSecret }));
    }
    const worker = createOutboxWorker({
      store,
      sinks,
      maxAttempts: config.escalationMaxAttempts,
      baseDelayMs: config.escalationRetryBaseMs,
      maxDelayMs: config.escalationRetryMaxMs,
      logger,
      // The card says "delivered to support" (or that delivery failed) as soon as the outbox knows.
      // An alert's card was just posted as it is: nothing to refresh.
      onDelivered: (message) => (alerts.delivered(message) ? undefined : refresh(message.incidentId)),
      onDeadLettered: (message, error) => (alerts.deadLettered(message, error) ? undefined : refresh(message.incidentId)),
    });
    outbox.worker = worker;

    const bot = new ConnectorDoctorBot({
      store,
      matcher,
      diagnose: (text, diagnoseOptions) => pool.diagnose(text, diagnoseOptions),
      metrics,
      logger,
      clock: () => new Date(),
      rateLimiter: createRateLimiter({ ...DEFAULT_RATE_LIMITS, clock: Date.now }),
      pressLimiter: createRateLimiter({ ...DEFAULT_PRESS_RATE_LIMITS, clock: Date.now }),
      ...(options.messageExtension ? { messageExtension: options.messageExtension } : {}),
      escalation: {
        targets: escalationTargets,
        buildPayload: (incident) => buildEscalationPayload(incident, { catalog }),
        onEscalated: () => worker.wake(),
      },
    });

    const readiness: Record<string, () => Promise<boolean> | boolean> = {
      // A real write: a read-only, full or replaced store is not ready even if it still answers reads.
      store: async () => {
        await store.probe();
        // The failures were logged (once a minute); say once when it works again, so the log tells the whole story.
        if (storeFailing) logger.info({}, 'incident store is writable again');
        storeFailing = false;
        return true;
      },
      catalog: () => catalog.entries.length > 0,
    };
    // Outside local mode every Teams request needs the signing keys: without them the instance refuses all.
    if (!config.localMode) readiness['teams-keys'] = () => auth.warmUp();
    // Not a failing check (the instance serves everything else): said in /readyz and at start-up.
    const notices = async (): Promise<Record<string, string>> => {
      const missing = await alerts.missing();
      return missing ? { alerts: `${missing}: alert cards wait until someone types "set alerts channel" in a channel or ALERTS_CHANNEL_ID is set` } : {};
    };
    const server = createServer({ messages: createMessageEndpoint({ adapter, bot, metrics, logger }), readiness, notices, metrics, logger, ...(alerts.endpoint ? { alerts: alerts.endpoint } : {}) });

    await listen(server, config.port, config.host);
    opened.push({ name: 'server', close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const { port } = server.address() as AddressInfo;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}/api/messages`;
    logger.info({ port, host: config.host, localMode: config.localMode }, `Connector Doctor listening on ${url}`);
    worker.start();
    opened.push({ name: 'outbox', close: () => worker.stop() });
    const waiting = await alerts.missing();
    if (waiting) logger.warn({ alerts: waiting }, 'alerts are accepted but no alerts channel is set: their cards wait until someone types "set alerts channel" in a channel, or ALERTS_CHANNEL_ID is set');
    // Fetch Teams' signing keys now (time-boxed, 5 s) so the first message does not wait for them.
    void auth.warmUp().then((ok) => {
      if (!ok) logger.warn({ reason: auth.keys?.lastError }, 'could not fetch the Bot Framework signing keys; Teams requests are refused (401) and /readyz says not ready until they can be fetched');
    });

    // The optional pull from the Defender for Cloud Apps API (off unless configured).
    const { poller } = alerts;
    if (poller) {
      poller.start();
      opened.push({ name: 'alerts poller', close: () => poller.stop() });
    }

    const retention = createRetentionJob({ store, retentionDays: config.retentionDays, logger });
    retention.start();
    opened.push({ name: 'retention', close: () => retention.stop() });

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= closeAll();
      return stopping;
    };
    return { server, port, host: config.host, url, stop };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** One plain line for people reading the terminal; the JSON log line says the same for machines. */
function banner(config: Config, url: string): string {
  const where = config.host === '0.0.0.0' || config.host === '::' ? 'on every network interface' : `on ${config.host} only`;
  const mode = config.localMode ? 'LOCAL MODE, no authentication' : 'Teams authentication on';
  return `Connector Doctor is listening on ${url} (${where}; ${mode})\n`;
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
    process.stderr.write(`${toCodedError(error, 'Invalid configuration.').message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  let running: Awaited<ReturnType<typeof start>>;
  try {
    running = await start(config, logger);
  } catch (error) {
    // Coded errors (config, catalog, store) carry an operator-safe message: one line, no stack.
    const coded = toCodedError(error, 'Connector Doctor could not start; the log line before this one says why.');
    if (isCodedError(error)) logger.fatal({ code: coded.code }, coded.message);
    else logger.fatal({ err: error }, 'could not start');
    process.stderr.write(`${coded.message}\n`);
    process.exit(1);
  }
  process.stderr.write(banner(config, running.url));
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
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(new ConfigError(`HOST ${host} is not an address of this machine. Set HOST to one (127.0.0.1, 0.0.0.0).`, { cause: error }));
      else reject(error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.removeListener('error', onError);
      resolve();
    });
  });
}

if (isEntryPoint(import.meta.url)) void main();
