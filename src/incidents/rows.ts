// Helpers shared by the SQLite and PostgreSQL stores: how delivery status is summarised, how
// stats are computed from plain rows, and how a newer schema is refused.

import { StoreError } from '../core/errors.js';
import type { Verdict } from '../core/types.js';
import type { EscalationDelivery, Incident, IncidentEvent, IncidentEventKind, OutboxCounts, Person, StatsWindow } from './types.js';

/**
 * A database already migrated past what this build knows (the bot was rolled back after an
 * upgrade) is refused at start: running old code on a newer schema could corrupt incidents.
 */
export function refuseNewerSchema(applied: Set<number>, known: { version: number }[]): void {
  const newest = Math.max(0, ...applied);
  const latest = Math.max(0, ...known.map((m) => m.version));
  if (newest > latest) {
    throw new StoreError(
      'migration',
      `The database was set up by a newer Connector Doctor (schema version ${newest}; this version knows up to ${latest}). ` +
        'Run the newer version, or restore the backup taken before the upgrade.',
    );
  }
}

export type OutboxStatus = 'pending' | 'delivered' | 'dead-lettered';

/**
 * One line for the card: support has it as soon as one target delivered; it is lost only when
 * every target gave up.
 */
export function summariseDelivery(statuses: OutboxStatus[]): EscalationDelivery | undefined {
  if (statuses.length === 0) return undefined;
  if (statuses.includes('delivered')) return 'delivered';
  if (statuses.includes('pending')) return 'pending';
  return 'dead-lettered';
}

export function emptyCounts(): OutboxCounts {
  return { pending: 0, delivered: 0, deadLettered: 0 };
}

export function addCount(counts: OutboxCounts, status: string, n: number): void {
  if (status === 'pending') counts.pending += n;
  else if (status === 'delivered') counts.delivered += n;
  else if (status === 'dead-lettered') counts.deadLettered += n;
}

export interface StatsRow {
  state: string;
  verdict: string;
  appId: string | null;
  entryIds: string[];
  createdAtMs: number;
  resolvedAtMs: number | null;
}

/** Aggregate one window of incidents (rows created within it). */
export function computeStats(rows: StatsRow[], days: number): StatsWindow {
  const byState = { open: 0, resolved: 0, escalated: 0 };
  const apps = new Map<string, number>();
  const errors = new Map<string, number>();
  const durations: number[] = [];
  for (const row of rows) {
    if (row.state === 'open' || row.state === 'resolved' || row.state === 'escalated') byState[row.state] += 1;
    const app = row.appId ?? 'unknown';
    apps.set(app, (apps.get(app) ?? 0) + 1);
    // An error is counted by the entry that was matched (or chosen); ambiguous and unknown
    // pastes have no single error to count.
    const entry = row.verdict === 'match' ? row.entryIds[0] : undefined;
    if (entry) errors.set(entry, (errors.get(entry) ?? 0) + 1);
    if (row.state === 'resolved' && row.resolvedAtMs !== null) durations.push(row.resolvedAtMs - row.createdAtMs);
  }
  const ranked = <K extends string>(m: Map<string, number>, key: K) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([id, count]) => ({ [key]: id, count }) as { [P in K]: string } & { count: number });
  const byError = ranked(errors, 'entryId');
  return {
    days,
    total: rows.length,
    byState,
    byApp: ranked(apps, 'appId'),
    byError,
    topErrors: byError.slice(0, 5),
    ...(durations.length > 0 ? { medianTimeToResolveMs: median(durations) } : {}),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/** An incident row as both databases can hand it over once JSON and times are decoded. */
export interface IncidentColumns {
  id: string;
  conversationId: string;
  tenantId: string | null;
  activityId: string | null;
  serviceUrl: string | null;
  reporter: Person;
  excerpt: string;
  verdict: string;
  entryIds: string[];
  appId: string | null;
  state: string;
  version: number;
  repeatCount: number;
  createdAt: Date;
  updatedAt: Date;
  resolvedAt: Date | null;
  resolvedBy: Person | null;
  escalatedAt: Date | null;
  escalatedBy: Person | null;
  escalationNote: string | null;
  /** 'chat' (a paste) or 'alert'. */
  origin?: string | null;
}

/** Absent columns become absent properties (not `undefined` values), so incidents compare equal. */
export function incidentFromColumns(c: IncidentColumns, delivery: EscalationDelivery | undefined): Incident {
  const incident: Incident = {
    id: c.id,
    conversationId: c.conversationId,
    reporter: c.reporter,
    excerpt: c.excerpt,
    verdict: c.verdict as Verdict,
    entryIds: c.entryIds,
    state: c.state as Incident['state'],
    version: c.version,
    repeatCount: c.repeatCount,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
  if (c.tenantId !== null) incident.tenantId = c.tenantId;
  if (c.activityId !== null) incident.activityId = c.activityId;
  if (c.serviceUrl !== null) incident.serviceUrl = c.serviceUrl;
  if (c.appId !== null) incident.appId = c.appId;
  if (c.resolvedAt !== null) incident.resolvedAt = c.resolvedAt;
  if (c.resolvedBy !== null) incident.resolvedBy = c.resolvedBy;
  if (c.escalatedAt !== null) incident.escalatedAt = c.escalatedAt;
  if (c.escalatedBy !== null) incident.escalatedBy = c.escalatedBy;
  if (c.escalationNote !== null) incident.escalationNote = c.escalationNote;
  if (delivery !== undefined) incident.escalationDelivery = delivery;
  if (c.origin === 'alert') incident.origin = 'alert';
  return incident;
}

export function eventFromColumns(incidentId: string, kind: IncidentEventKind, at: Date, actor: Person | null, detail: string | null): IncidentEvent {
  const event: IncidentEvent = { incidentId, kind, at };
  if (actor !== null) event.actor = actor;
  if (detail !== null) event.detail = detail;
  return event;
}
