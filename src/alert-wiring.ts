// The alerts feature put together (issue 13): the Teams sink that posts alert cards, POST
// /api/alerts when ALERTS_TOKEN is set, the Defender for Cloud Apps poller when configured, and
// what happens after each alert is recorded (metrics, the outbox woken, the card updated).
import { randomUUID } from 'node:crypto';
import type { CloudAdapter } from 'botbuilder';
import type { INetworkModule } from '@azure/msal-node';
import { createAlertEndpoint, DEFAULT_ALERT_RATE_LIMITS, type AlertEndpoint } from './alerts/endpoint.js';
import { createEntraTokenSource } from './alerts/entra-token.js';
import { recordParsedAlert, type AlertIngestDeps } from './alerts/ingest.js';
import { createMdcaClient } from './alerts/mdca-client.js';
import { createPoller, type Poller } from './alerts/poller.js';
import type { Config } from './config.js';
import { createRateLimiter } from './core/ratelimit.js';
import type { DiagnoseOptions, Diagnosis, Matcher } from './core/types.js';
import type { AlertOutcome, EscalationSink, IncidentStore, OutboxMessage } from './incidents/types.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { ALERTS_CHANNEL_TARGET, alertsChannel, createAlertsChannelSink } from './teams/alerts-channel.js';

export interface AlertWiringDeps {
  config: Config;
  store: IncidentStore;
  matcher: Matcher;
  diagnose: (text: string, options?: DiagnoseOptions) => Promise<Diagnosis>;
  metrics: Metrics;
  logger: Logger;
  adapter: CloudAdapter;
  audience: string;
  /** Whether escalations have somewhere to go (alert cards offer Escalate like any other). */
  hasDestination: () => Promise<boolean>;
  /** Re-render an incident's card where it stands (best effort). */
  refresh: (incidentId: string) => Promise<void>;
  /** Wake the outbox worker: a new alert's card is due now. */
  wake: () => void;
  entraNetworkClient?: INetworkModule;
}

export interface AlertWiring {
  sink: EscalationSink;
  endpoint?: AlertEndpoint;
  /** The poller, when MDCA_API_URL is configured (not started). */
  poller?: Poller;
  /** The outbox delivered `message`: true when it was an alert card (counted; nothing to refresh). */
  delivered(message: OutboxMessage): boolean;
  /** The outbox gave up on `message`: true when it was an alert card (counted and logged; no card to refresh). */
  deadLettered(message: OutboxMessage, error: string): boolean;
  /** What is missing for alerts to reach Teams (no alerts channel known), for start-up and /readyz; undefined when nothing is. */
  missing(): Promise<string | undefined>;
}

export function wireAlerts(deps: AlertWiringDeps): AlertWiring {
  const { config, store, metrics, logger } = deps;
  const sinkConfigured = config.alertsChannelId ? { channelId: config.alertsChannelId, serviceUrl: config.alertsServiceUrl, tenantId: config.alertsTenantId } : undefined;
  const sink = createAlertsChannelSink({
    adapter: deps.adapter,
    botAppId: config.microsoftAppId ?? '',
    audience: deps.audience,
    store,
    matcher: deps.matcher,
    logger,
    ...(sinkConfigured ? { configured: sinkConfigured } : {}),
    hasDestination: deps.hasDestination,
  });

  const ingest: AlertIngestDeps = { store, matcher: deps.matcher, diagnose: deps.diagnose, clock: () => new Date(), postTargets: [ALERTS_CHANNEL_TARGET] };

  // Every new alert queues its card (the worker posts it now); a repeat or a clear updates the card
  // where it stands, best effort: the store has the truth and the next update carries it.
  const onRecorded = (outcome: AlertOutcome, source: string) => {
    metrics.alertsReceived.inc({ source });
    const { decision } = outcome;
    if (decision.kind === 'open') {
      if (!decision.resolved) deps.wake();
      return;
    }
    if (decision.kind === 'repeat' || decision.kind === 'ignore') metrics.alertsDeduplicated.inc();
    // A repeat of an incident whose card never went out re-queued its post (alert-store.ts): now.
    if (decision.kind === 'repeat' && !outcome.incident.activityId) deps.wake();
    if (decision.kind === 'clear') metrics.alertsCleared.inc();
    if (decision.kind !== 'ignore') {
      void deps.refresh(outcome.incident.id).catch((error: unknown) => logger.warn({ incidentId: outcome.incident.id, err: { name: (error as Error)?.name } }, 'could not update an alert card'));
    }
  };

  const endpoint =
    config.alertsTokens.length > 0
      ? createAlertEndpoint({
          tokens: config.alertsTokens,
          ingest,
          limiter: createRateLimiter({ ...DEFAULT_ALERT_RATE_LIMITS, clock: Date.now }),
          onRecorded,
          onRefused: (reason) => metrics.alertRefusals.inc({ reason }),
          logger,
        })
      : undefined;

  let poller: Poller | undefined;
  if (config.mdca) {
    const { credential } = config.mdca;
    const tokens = credential.kind === 'entra-app' ? createEntraTokenSource(credential, deps.entraNetworkClient ? { networkClient: deps.entraNetworkClient } : {}) : undefined;
    poller = createPoller({
      client: createMdcaClient({ apiUrl: config.mdca.apiUrl, auth: tokens ? { kind: 'bearer', tokens } : { kind: 'api-token', token: (credential as { token: string }).token } }),
      store,
      record: (alert) => recordParsedAlert(ingest, alert),
      onRecorded,
      onPoll: (outcome) => metrics.alertPolls.inc({ outcome }),
      holder: randomUUID(),
      clock: () => new Date(),
      intervalMs: config.mdca.pollIntervalMs,
      logger,
    });
    logger.info({ intervalMs: config.mdca.pollIntervalMs, credential: credential.kind }, 'polling Defender for Cloud Apps for app connector alerts');
  }

  return {
    sink,
    ...(endpoint ? { endpoint } : {}),
    ...(poller ? { poller } : {}),
    delivered(message) {
      if (message.target !== ALERTS_CHANNEL_TARGET) return false;
      metrics.alertsPosted.inc();
      return true;
    },
    deadLettered(message, error) {
      if (message.target !== ALERTS_CHANNEL_TARGET) return false;
      metrics.alertPostsFailed.inc();
      logger.warn({ incidentId: message.incidentId, error }, 'an alert card could not be posted in the alerts channel; the next alert of the same app and error posts it again');
      return true;
    },
    async missing() {
      if (config.alertsTokens.length === 0 && !config.mdca) return undefined;
      return (await alertsChannel({ store, ...(sinkConfigured ? { configured: sinkConfigured } : {}) })) ? undefined : 'no alerts channel is set';
    },
  };
}
