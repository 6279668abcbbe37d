// The incident state machine as a pure function, shared by every store: given the incident as
// read inside a transaction and a button press, say what changes, what is audited and whether
// an escalation must be enqueued. Stores only persist the decision.

import { createHash } from 'node:crypto';
import type { Verdict } from '../core/types.js';
import { redact } from '../core/redact.js';
import type { ActionRequest, Incident, IncidentEventKind, Person } from './types.js';

export interface Transition {
  status: 'applied' | 'unchanged' | 'rejected';
  reason?: string;
  /** The incident after the press (same object as the input when nothing changed). */
  incident: Incident;
  event?: { kind: IncidentEventKind; actor: Person; detail?: string };
  /** Set when this press starts a new escalation: the escalation's sequence number (1, 2, ...). */
  escalationSeq?: number;
}

/**
 * What makes two pastes "the same error" for repeat detection. Known errors are keyed by their
 * entries; an unknown error (verdict `none`) by its redacted text, so two different unknown
 * errors never collapse into one incident.
 */
export function repeatKey(verdict: Verdict, entryIds: readonly string[], excerpt: string): string {
  const basis = verdict === 'none' ? `none\n${excerpt.trim().replace(/\s+/g, ' ')}` : `${verdict}\n${[...entryIds].sort().join('\n')}`;
  return createHash('sha256').update(basis).digest('hex');
}

/** Idempotency key of one escalation to one target: stable across every retry. */
export function idempotencyKey(incidentId: string, escalationSeq: number, target: string): string {
  return `${incidentId}.e${escalationSeq}.${target}`;
}

/** The incident state machine: what one button press does to the incident as it is now. */
export function transition(incident: Incident, request: ActionRequest, escalationCount: number): Transition {
  const { action, actor, at } = request;
  const unchanged = (): Transition => ({ status: 'unchanged', incident });
  const rejected = (reason: string): Transition => ({ status: 'rejected', incident, reason });
  const bump = (patch: Partial<Incident>): Incident => ({ ...incident, ...patch, version: incident.version + 1, updatedAt: at });

  switch (action.kind) {
    case 'resolve':
      if (incident.state === 'resolved') return unchanged();
      return {
        status: 'applied',
        incident: bump({ state: 'resolved', resolvedAt: at, resolvedBy: actor }),
        event: { kind: 'resolved', actor },
      };
    case 'reopen':
      // A second Reopen click finds the incident open already: that is the asked-for state.
      if (incident.state === 'open') return unchanged();
      if (incident.state === 'escalated') return rejected('The incident is escalated, not resolved; there is nothing to reopen.');
      return {
        status: 'applied',
        incident: bump({ state: 'open', resolvedAt: undefined, resolvedBy: undefined }),
        event: { kind: 'reopened', actor },
      };
    case 'escalate': {
      // An escalation nobody received (no destination then, or every delivery refused) may be sent again.
      const unsent = incident.escalationDelivery === undefined || incident.escalationDelivery === 'dead-lettered';
      if (incident.state === 'escalated' && !unsent) return unchanged();
      if (incident.state === 'resolved') return rejected('The incident is resolved; reopen it before escalating.');
      const typed = action.note?.trim() ? redact(action.note.trim()).text : undefined;
      const note = typed ?? (incident.state === 'escalated' ? incident.escalationNote : undefined);
      return {
        status: 'applied',
        incident: bump({ state: 'escalated', escalatedAt: at, escalatedBy: actor, escalationNote: note }),
        event: { kind: 'escalated', actor, ...(note ? { detail: note } : {}) },
        escalationSeq: escalationCount + 1,
      };
    }
    case 'choose-app': {
      const chosen = [...new Set(action.entryIds)];
      if (incident.appId !== undefined && incident.verdict !== 'ambiguous') {
        const same = incident.appId === action.appId && chosen.every((id) => incident.entryIds.includes(id));
        return same ? unchanged() : rejected('The app was already chosen for this incident.');
      }
      if (incident.verdict !== 'ambiguous') return rejected('Only an ambiguous incident asks which app it is.');
      // Card data is client-controlled: only the candidates the matcher offered can be chosen.
      if (chosen.length === 0 || !chosen.every((id) => incident.entryIds.includes(id))) {
        return rejected('That app was not one of the candidates for this error.');
      }
      return {
        status: 'applied',
        incident: bump({ verdict: 'match', appId: action.appId, entryIds: chosen }),
        event: { kind: 'app-chosen', actor, detail: `${action.appId}: ${chosen.join(', ')}` },
      };
    }
    case 'choose-alternative': {
      if (incident.verdict !== 'match') return rejected('Only a diagnosed error has alternatives to choose from.');
      if (incident.entryIds.length === 1 && incident.entryIds[0] === action.entryId) return unchanged();
      return {
        status: 'applied',
        incident: bump({ appId: action.appId, entryIds: [action.entryId] }),
        event: { kind: 'alternative-chosen', actor, detail: `${incident.entryIds[0] ?? '?'} -> ${action.entryId}` },
      };
    }
    case 'none-of-these':
      if (incident.verdict === 'none') return unchanged();
      if (incident.verdict !== 'ambiguous' || incident.appId !== undefined) return rejected('The app was already chosen for this incident.');
      return {
        status: 'applied',
        incident: bump({ verdict: 'none', appId: undefined, entryIds: [] }),
        event: { kind: 'none-chosen', actor, detail: incident.entryIds.join(', ') },
      };
    case 'support-acknowledge':
    case 'support-take':
      // Support acts on an escalation; once the reporter's side resolved it there is nothing to take.
      if (incident.state !== 'escalated') return rejected('The incident is no longer escalated: it was resolved in the chat.');
      return { status: 'applied', incident: bump({}), event: { kind: action.kind === 'support-take' ? 'support-taken' : 'support-acknowledged', actor } };
    case 'record-support-post':
      return { status: 'applied', incident: bump({}), event: { kind: 'support-posted', actor, detail: JSON.stringify(action.post) } };
    case 'record-secrets':
      return {
        status: 'applied',
        incident: bump({}),
        event: { kind: 'secrets-removed', actor, detail: JSON.stringify({ count: action.count, kinds: action.kinds, ...(action.from ? { from: action.from } : {}) }) },
      };
  }
}
