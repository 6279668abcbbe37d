// The incident model and the store contract every implementation (SQLite, PostgreSQL) fulfils.
// An incident is one diagnosed error posted as a card in one conversation; its buttons move it
// through a small state machine and every move is audited.

import type { Verdict } from '../core/types.js';

export type IncidentState = 'open' | 'resolved' | 'escalated';

/** A person in Teams, always taken from the activity, never from card data. */
export interface Person {
  id: string;
  name: string;
  aadObjectId?: string;
}

export type EscalationDelivery = 'pending' | 'delivered' | 'dead-lettered';

export interface Incident {
  id: string;
  conversationId: string;
  tenantId?: string;
  /** Id of the activity holding this incident's card, once posted (to update it in place). */
  activityId?: string;
  serviceUrl?: string;
  reporter: Person;
  /** Redacted excerpt of the error. */
  excerpt: string;
  verdict: Verdict;
  /** Catalog entry ids: the match, or the ambiguous candidates, or the weak suggestions. */
  entryIds: string[];
  /** App id once known (matched or chosen). */
  appId?: string;
  state: IncidentState;
  /** Incremented on every state change; used for optimistic concurrency. */
  version: number;
  /** How many times the same error was pasted again in this conversation while open. */
  repeatCount: number;
  createdAt: Date;
  updatedAt: Date;
  resolvedAt?: Date;
  resolvedBy?: Person;
  escalatedAt?: Date;
  escalatedBy?: Person;
  escalationNote?: string;
  escalationDelivery?: EscalationDelivery;
  /** Set for an incident opened by an alert (POST /api/alerts, the Defender for Cloud Apps poller); absent for a paste. */
  origin?: 'alert';
}

export type IncidentEventKind =
  | 'opened'
  | 'repeated'
  | 'app-chosen'
  | 'resolved'
  | 'escalated'
  | 'reopened'
  | 'escalation-delivered'
  | 'escalation-dead-lettered'
  /** A person swapped a diagnosis for one of its alternatives ("It's Box instead"). */
  | 'alternative-chosen'
  /** A person said none of an ambiguous error's candidate apps is right. */
  | 'none-chosen'
  | 'support-acknowledged'
  | 'support-taken'
  /** Where the support channel post of the current escalation is (detail: JSON SupportPost). */
  | 'support-posted'
  /** Secrets were removed from the paste behind the card (detail: JSON { count, kinds }). */
  | 'secrets-removed'
  /** An alert opened the incident (detail: JSON AlertOrigin: where it came from, its title and link). */
  | 'alert-received'
  /** The same alert (or another of the same app and error) arrived again while the incident was open. */
  | 'alert-repeated'
  /** The alert was resolved or dismissed where it came from (detail: the source key). */
  | 'alert-cleared'
  /** The bot posted the incident's card itself (an alert's thread); detail: the outbox target. */
  | 'card-posted'
  /** The bot gave up posting the incident's card; detail: the outbox target. */
  | 'card-post-failed'
  /**
   * Teams refused the card this record was for: detail `incident` (the incident is withdrawn,
   * counted nowhere) or `repeat` (the repeat it counted is taken back).
   */
  | 'withdrawn';

export interface IncidentEvent {
  incidentId: string;
  kind: IncidentEventKind;
  at: Date;
  actor?: Person;
  detail?: string;
}

export interface NewIncident {
  conversationId: string;
  tenantId?: string;
  serviceUrl?: string;
  reporter: Person;
  excerpt: string;
  verdict: Verdict;
  entryIds: string[];
  appId?: string;
  at: Date;
}

/** The support channel's post about an escalation, to update it and to know presses on it. */
export interface SupportPost {
  conversationId: string;
  activityId: string;
  serviceUrl?: string;
}

/**
 * What a button press (or the bot itself, for the `record-` actions) asks for. `choose-app`
 * settles an ambiguous incident; `choose-alternative` swaps a diagnosis for another entry.
 */
export type IncidentAction =
  | { kind: 'resolve' }
  | { kind: 'reopen' }
  | { kind: 'escalate'; note?: string }
  | { kind: 'choose-app'; appId: string; entryIds: string[] }
  | { kind: 'choose-alternative'; appId: string; entryId: string }
  | { kind: 'none-of-these' }
  | { kind: 'support-acknowledge' }
  | { kind: 'support-take' }
  | { kind: 'record-support-post'; post: SupportPost }
  | { kind: 'record-secrets'; count: number; kinds: string[]; from?: 'message' };

export interface ActionRequest {
  incidentId: string;
  /** The conversation the press came from; must own the incident. */
  conversationId: string;
  actor: Person;
  action: IncidentAction;
  at: Date;
}

export type ActionOutcome =
  /**
   * The action changed the incident. `events`: its audit trail with this change in it, read in
   * the same transaction (what `events()` would answer just after), so the cards need no second read.
   */
  | { status: 'applied'; incident: Incident; events?: IncidentEvent[] }
  /** The incident already was in the asked-for state (double click, a colleague was faster). */
  | { status: 'unchanged'; incident: Incident }
  /** Not allowed from the current state (e.g. escalate a resolved incident, reopen an escalated one). */
  | { status: 'rejected'; incident: Incident; reason: string }
  /** No such incident in that conversation. */
  | { status: 'not-found' };

/** Escalation payloads waiting in the durable outbox. */
export interface OutboxMessage {
  id: string;
  incidentId: string;
  /** Which sink delivers it: `webhook` or `teams-channel`. */
  target: string;
  /** Stable per escalation and target, sent as Idempotency-Key on every attempt. */
  idempotencyKey: string;
  payload: unknown;
  attempts: number;
  nextAttemptAt: Date;
  lastError?: string;
}

export interface StatsWindow {
  days: number;
  total: number;
  byState: Record<IncidentState, number>;
  byApp: { appId: string; count: number }[];
  /** Every matched (or chosen) catalog entry with its incident count, most frequent first. */
  byError?: { entryId: string; count: number }[];
  /** The first five of `byError`. */
  topErrors: { entryId: string; count: number }[];
  medianTimeToResolveMs?: number;
}

export interface OutboxCounts {
  pending: number;
  delivered: number;
  deadLettered: number;
}

/** Where an alert came from, as its card shows it (stored as the detail of `alert-received`). */
export interface AlertOrigin {
  /** `generic`, `sentinel` or `mdca`. */
  source: string;
  /** "Microsoft Sentinel", "Defender for Cloud Apps", "an alert". */
  sourceName: string;
  /** The alert's title, redacted. */
  title: string;
  /** https link to the alert or incident at its source, when it gave one. */
  link?: string;
}

/** One alert as the store records it: already parsed, redacted and diagnosed. */
export interface NewAlert {
  /** `<source>:<id at the source>`: the same alert sent twice has the same key. */
  sourceKey: string;
  /** Same app and same error (see alerts/dedupe.ts): alerts that may share one open incident. */
  dedupeKey: string;
  status: 'active' | 'resolved';
  origin: AlertOrigin;
  /** The source system as the audit trail names it ("Microsoft Sentinel"). */
  reporter: Person;
  excerpt: string;
  verdict: Verdict;
  entryIds: string[];
  appId?: string;
  /** Secrets removed from the alert's text before it was diagnosed. */
  secrets?: { count: number; kinds: string[] };
  at: Date;
}

/** What the store found for an incoming alert, handed to the (pure) dedupe decision. */
export interface AlertLookup {
  /** The incident that already holds this very alert (same source key), whatever its state. */
  bySource?: { incident: Incident; cleared: boolean; humanActed: boolean; activeSources: number };
  /** An open or escalated alert incident with the same app and error. */
  byKey?: { incident: Incident };
}

export type AlertDecision =
  /** A new incident (already resolved when the first news of the alert is that it cleared). */
  | { kind: 'open'; resolved: boolean }
  /** Count a sighting on an incident; `attach` links this alert's source key to it. */
  | { kind: 'repeat'; incidentId: string; attach: boolean }
  /** The alert cleared at its source; `resolve` when nobody acted and no other alert keeps it open. */
  | { kind: 'clear'; incidentId: string; resolve: boolean }
  /** Nothing to record: an alert already cleared said so again. */
  | { kind: 'ignore'; incidentId: string };

export interface AlertOutcome {
  decision: AlertDecision;
  incident: Incident;
}

/** Where the bot posted an alert's card: the thread it started, to update it and accept its buttons. */
export interface AlertPost {
  conversationId: string;
  activityId: string;
  serviceUrl: string;
  tenantId?: string;
}

export interface AlertCounts {
  received: number;
  deduplicated: number;
  posted: number;
  cleared: number;
}

export interface IncidentStore {
  /** Run pending migrations; idempotent. */
  migrate(): Promise<void>;
  /** Throws a StoreError if the database cannot be read. */
  ping(): Promise<void>;
  /**
   * A real, small write (a settings row), for /readyz and start-up: throws a StoreError when the
   * store cannot record anything (read-only, disk full, file replaced, database gone). Answers
   * within a second are reused, so a flood of probes is not a flood of writes.
   */
  probe(): Promise<void>;
  /**
   * Record a diagnosed error. If the same entry (same verdict and entry ids) is already open in
   * this conversation, count a repeat on that incident instead of opening a twin. `events`: the
   * incident's audit trail as of this record (what `events()` would answer just after), for its card.
   */
  openOrRepeat(input: NewIncident): Promise<{ incident: Incident; repeated: boolean; events?: IncidentEvent[] }>;
  /** Remember which activity shows the incident's card. */
  attachCard(incidentId: string, activityId: string): Promise<void>;
  /**
   * Take back what openOrRepeat recorded for a card Teams then refused to post: a new incident is
   * withdrawn (kept with its audit trail, but left out of stats and never repeated on), a repeat
   * is uncounted. Either way a `withdrawn` event says who and when.
   */
  withdraw(incidentId: string, opened: { repeated: boolean }, actor: Person, at: Date): Promise<void>;
  get(incidentId: string): Promise<Incident | undefined>;
  /**
   * Apply a button press atomically. Escalation enqueues one outbox message per target in the
   * same transaction; a second escalation of the same incident enqueues nothing.
   */
  apply(request: ActionRequest, escalationTargets: string[], buildPayload: (incident: Incident) => unknown): Promise<ActionOutcome>;
  events(incidentId: string): Promise<IncidentEvent[]>;
  stats(now: Date, days: number): Promise<StatsWindow>;

  /**
   * Lease up to `limit` due outbox messages (other instances skip leased rows). Each claim counts
   * as an attempt. With `targets`, only messages for those targets are claimed (an instance never
   * takes messages it has no sink for).
   */
  claimDue(now: Date, limit: number, leaseMs: number, targets?: string[]): Promise<OutboxMessage[]>;
  /** Keep a claim exclusive until `until` while its delivery is still running (a slow or throttled destination). */
  extendClaim(messageId: string, until: Date): Promise<void>;
  markDelivered(messageId: string, at: Date): Promise<void>;
  /** `notAttempted`: nothing was tried (nowhere to deliver yet), so the claim does not count as an attempt. */
  markFailed(messageId: string, error: string, retryAt: Date, notAttempted?: boolean): Promise<void>;
  markDeadLettered(messageId: string, error: string, at: Date): Promise<void>;
  /**
   * Pending messages for none of `targets` (no sink here can deliver them: a destination removed
   * from the configuration), recorded at or before `olderThan` and leased by nobody now.
   */
  unroutable(now: Date, targets: string[], olderThan: Date, limit: number): Promise<OutboxMessage[]>;
  outboxCounts(): Promise<OutboxCounts>;

  /** Small durable key/value settings, e.g. the support channel's conversation reference. */
  getSetting(key: string): Promise<unknown | undefined>;
  putSetting(key: string, value: unknown): Promise<void>;

  /**
   * Record an alert in one transaction: look up the incident holding it (by source key) or one of
   * the same app and error, let `decide` (pure) say what that means, and persist it. A new incident
   * enqueues one outbox message per `postTargets` (the card to post), in the same transaction.
   */
  recordAlert(input: NewAlert, decide: (lookup: AlertLookup, input: NewAlert) => AlertDecision, postTargets: string[]): Promise<AlertOutcome>;
  /** The card of an alert incident was posted: its thread becomes the incident's conversation. */
  attachAlertPost(incidentId: string, post: AlertPost): Promise<void>;
  /** Alerts received, deduplicated, posted and cleared in the window ending at `now`. */
  alertCounts(now: Date, days: number): Promise<AlertCounts>;

  /**
   * Take (or renew) a named lease for `holder` until now + leaseMs, unless another holder's lease
   * is still running. Returns the lease's stored cursor when taken, undefined when not.
   */
  acquireLease(name: string, holder: string, now: Date, leaseMs: number): Promise<{ cursor: unknown } | undefined>;
  /** Save the cursor, only while `holder` still holds the lease (false: lost it; the cursor is not written). */
  saveLeaseCursor(name: string, holder: string, cursor: unknown, now: Date): Promise<boolean>;
  /** Give the lease up (shutdown), so another instance takes over at once. */
  releaseLease(name: string, holder: string): Promise<void>;

  /** Delete incidents, events and delivered/dead outbox rows older than `before`. Returns incidents removed. */
  purge(before: Date): Promise<number>;
  close(): Promise<void>;
}

/** Result of one delivery attempt of an outbox message. */
export type DeliveryResult =
  | { ok: true }
  /**
   * `notAttempted`: the sink had nowhere to deliver yet (no alerts channel set): the message waits
   * without using up an attempt, so it is never dead-lettered for that.
   */
  | { ok: false; retryable: boolean; retryAfterMs?: number; error: string; notAttempted?: boolean };

/** Somewhere escalations go: the support webhook, the support channel in Teams. */
export interface EscalationSink {
  /** Matches OutboxMessage.target. */
  readonly target: string;
  deliver(message: OutboxMessage): Promise<DeliveryResult>;
}
