// Prometheus metrics for /metrics. One registry per bot instance (tests build several).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { OutboxCounts } from './incidents/types.js';

export interface Metrics {
  readonly registry: Registry;
  readonly messagesReceived: Counter<'kind'>;
  readonly findings: Counter<'verdict'>;
  readonly matchSeconds: Histogram;
  readonly turnSeconds: Histogram<'type'>;
  readonly cardActions: Counter<'verb' | 'outcome'>;
  /** Store operations that failed (after their one retry), by operation (openOrRepeat, apply, probe, ...). */
  readonly storeFailures: Counter<'operation'>;
  /** Times a SQLite operation found the database locked by another process and waited (off the event loop) to try again. */
  readonly storeLockWaits: Counter;
  /** SQLite: transactions per COMMIT (group commit); its count is the commits, its sum the transactions. */
  readonly storeCommitTransactions: Histogram;
  /** Requests refused by authentication, by reason (signature, expired, keys-unavailable, ...). */
  readonly authRefusals: Counter<'reason'>;
  /** Pastes refused because the diagnosis queue was full. */
  readonly busyRefusals: Counter;
  /** Pastes the matcher failed on; the user got a `none` answer, the log says "matcher failed". */
  readonly matcherErrors: Counter;
  /** Alerts accepted (POST /api/alerts, the Defender for Cloud Apps poller), by source. */
  readonly alertsReceived: Counter<'source'>;
  /** Alerts that posted nothing new: the same alert, or another of an open incident's app and error. */
  readonly alertsDeduplicated: Counter;
  /** Alert cards posted in the alerts channel. */
  readonly alertsPosted: Counter;
  /** Alerts cleared at their source. */
  readonly alertsCleared: Counter;
  /** Alert cards the outbox gave up posting (Teams refused, or kept failing); the next alert of it posts again. */
  readonly alertPostsFailed: Counter;
  /** Alerts refused, by reason (unauthorized, rate-limited, invalid, unavailable). */
  readonly alertRefusals: Counter<'reason'>;
  /** Defender for Cloud Apps polls, by outcome (ok, unauthorized, throttled, failed, not-leader). */
  readonly alertPolls: Counter<'outcome'>;
  /** Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsOptions {
  /** Read at scrape time for the escalation gauges; failures leave the gauges unset. */
  outboxCounts?: () => Promise<OutboxCounts>;
  /** Read at scrape time: heavy pastes matching and waiting in the diagnosis pool. */
  diagnosisLoad?: () => { running: number; queued: number };
  defaultMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const messagesReceived = new Counter({
    name: 'connector_doctor_messages_received_total',
    help: 'Activities received from Teams, by kind (paste, command, submit, invoke, other).',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const findings = new Counter({
    name: 'connector_doctor_findings_total',
    help: 'Errors diagnosed in pastes, by verdict (match, ambiguous, none).',
    labelNames: ['verdict'] as const,
    registers: [registry],
  });
  const matchSeconds = new Histogram({
    name: 'connector_doctor_match_duration_seconds',
    help: 'Time spent matching one paste against the catalog.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const turnSeconds = new Histogram({
    name: 'connector_doctor_turn_duration_seconds',
    help: 'Time to handle one activity end to end, by activity type.',
    labelNames: ['type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const cardActions = new Counter({
    name: 'connector_doctor_card_actions_total',
    help: 'Card button presses, by verb and outcome.',
    labelNames: ['verb', 'outcome'] as const,
    registers: [registry],
  });
  const storeFailures = new Counter({
    name: 'connector_doctor_store_failures_total',
    help: 'Incident store operations that failed after their one retry, by operation.',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  const storeLockWaits = new Counter({
    name: 'connector_doctor_store_lock_waits_total',
    help: 'Times a SQLite operation found the database locked by another process and waited to try again.',
    registers: [registry],
  });
  const storeCommitTransactions = new Histogram({
    name: 'connector_doctor_store_commit_transactions',
    help: 'Transactions committed together by one SQLite COMMIT (group commit: transactions queued at the same moment share one).',
    buckets: [1, 2, 4, 8, 16, 32],
    registers: [registry],
  });
  const authRefusals = new Counter({
    name: 'connector_doctor_auth_refusals_total',
    help: 'Requests to /api/messages refused by authentication, by reason.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const busyRefusals = new Counter({
    name: 'connector_doctor_busy_refusals_total',
    help: 'Long pastes refused with "try again in a minute" because the diagnosis queue was full.',
    registers: [registry],
  });
  const alertsReceived = new Counter({
    name: 'connector_doctor_alerts_received_total',
    help: 'Alerts accepted from senders and the Defender for Cloud Apps poller, by source (generic, sentinel, mdca).',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const alertsDeduplicated = new Counter({
    name: 'connector_doctor_alerts_deduplicated_total',
    help: 'Alerts that posted nothing new (the same alert again, or another of an open incident with the same app and error).',
    registers: [registry],
  });
  const alertsPosted = new Counter({ name: 'connector_doctor_alerts_posted_total', help: 'Alert cards posted as new threads in the alerts channel.', registers: [registry] });
  const alertsCleared = new Counter({ name: 'connector_doctor_alerts_cleared_total', help: 'Alerts resolved or dismissed at their source.', registers: [registry] });
  const alertPostsFailed = new Counter({
    name: 'connector_doctor_alert_posts_failed_total',
    help: 'Alert cards the outbox gave up posting in the alerts channel (dead-lettered); the next alert of that incident posts it again.',
    registers: [registry],
  });
  const alertRefusals = new Counter({
    name: 'connector_doctor_alert_refusals_total',
    help: 'Requests to /api/alerts answered without a 202, by reason (unauthorized 401, rate-limited 429, invalid 400, unsupported-media-type 415, too-large 413, unavailable 503, failed 500).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const alertPolls = new Counter({
    name: 'connector_doctor_alert_polls_total',
    help: 'Polls of the Defender for Cloud Apps alerts API, by outcome (ok, unauthorized, throttled, failed, not-leader).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const load = options.diagnosisLoad;
  new Gauge({
    name: 'connector_doctor_diagnosis_queue',
    help: 'Long pastes matching in worker threads (state=running) and waiting for one (state=queued).',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      if (!load) return;
      const now = load();
      this.set({ state: 'running' }, now.running);
      this.set({ state: 'queued' }, now.queued);
    },
  });
  const matcherErrors = new Counter({
    name: 'connector_doctor_matcher_errors_total',
    help: 'Pastes the matcher failed on (answered "none"; each one is logged as "matcher failed").',
    registers: [registry],
  });
  const outbox = options.outboxCounts;
  const escalationGauge = (name: string, help: string, pick: (counts: OutboxCounts) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        if (!outbox) return;
        try {
          this.set(pick(await outbox()));
        } catch {
          // A store outage shows on /readyz; metrics keep serving the rest.
        }
      },
    });
  escalationGauge('connector_doctor_escalations_delivered', 'Escalations delivered to support.', (c) => c.delivered);
  escalationGauge('connector_doctor_escalations_pending', 'Escalations waiting in the outbox.', (c) => c.pending);
  escalationGauge('connector_doctor_escalations_dead_lettered', 'Escalations given up after the last attempt.', (c) => c.deadLettered);
  return {
    registry,
    messagesReceived,
    findings,
    matchSeconds,
    turnSeconds,
    cardActions,
    storeFailures,
    storeLockWaits,
    storeCommitTransactions,
    authRefusals,
    busyRefusals,
    matcherErrors,
    alertsReceived,
    alertsDeduplicated,
    alertsPosted,
    alertsCleared,
    alertPostsFailed,
    alertRefusals,
    alertPolls,
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
