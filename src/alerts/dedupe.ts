// No noise: what an incoming alert means for the incidents already recorded. Pure functions of
// their inputs; the store runs decideAlert inside the transaction that found what it looks at.

import { createHash } from 'node:crypto';
import { redact } from '../core/redact.js';
import type { Verdict } from '../core/types.js';
import { repeatKey } from '../incidents/machine.js';
import type { AlertDecision, AlertLookup, NewAlert } from '../incidents/types.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The key of one alert: where it came from and its id there. An id that holds something redaction
 * removes is kept only as a hash, so no secret reaches the database through a key.
 */
export function sourceKeyOf(source: string, id: string): string {
  return redact(id).count > 0 ? `${source}:sha256:${sha256(id)}` : `${source}:${id}`;
}

/**
 * Alerts that may share one open incident: the same app and the same error (the catalog entries
 * for a known error, the redacted text for an unknown one). The app is part of it, so a timeout
 * of Box and a timeout of Okta (one "any app" catalog entry) stay apart.
 */
export function dedupeKeyOf(appKey: string, verdict: Verdict, entryIds: readonly string[], excerpt: string): string {
  return sha256(`${appKey.trim().toLowerCase()}\n${repeatKey(verdict, entryIds, excerpt)}`);
}

/**
 * - The same alert again (same source key): counted on its incident, whatever its state; a person
 *   who resolved it can reopen it, nothing new is posted.
 * - It cleared at the source: the incident says so; it is resolved too when nobody acted on it and
 *   no other alert of it is still active. Cleared twice: nothing new.
 * - A new alert of an app and error whose incident is open or escalated: counted there.
 * - Anything else opens an incident; one first heard of as already cleared is kept resolved (a
 *   late "active" then finds it) and never posted.
 */
export function decideAlert(found: AlertLookup, input: Pick<NewAlert, 'status'>): AlertDecision {
  const own = found.bySource;
  if (own) {
    if (input.status === 'resolved') {
      if (own.cleared) return { kind: 'ignore', incidentId: own.incident.id };
      const resolve = own.incident.state === 'open' && !own.humanActed && own.activeSources <= 1;
      return { kind: 'clear', incidentId: own.incident.id, resolve };
    }
    return { kind: 'repeat', incidentId: own.incident.id, attach: false };
  }
  if (input.status === 'resolved') return { kind: 'open', resolved: true };
  if (found.byKey) return { kind: 'repeat', incidentId: found.byKey.incident.id, attach: true };
  return { kind: 'open', resolved: false };
}
