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
      if (incident.state === 'escalated') return unchanged();
      if (incident.state === 'resolved') return rejected('The incident is resolved; reopen it before escalating.');
      const note = action.note?.trim() ? redact(action.note.trim()).text : undefined;
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
  }
}
