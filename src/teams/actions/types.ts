// What a card verb is: it turns the button's (client-controlled) data into an incident action, or
// says why the data is unusable. The actor and conversation never come from this data.
import type { Catalog } from '../../core/types.js';
import type { Incident, IncidentAction } from '../../incidents/types.js';

export interface VerbInput {
  /** The button's data, minus the incident id (already checked). */
  data: Record<string, unknown>;
  /** The incident as stored, looked up in the pressing conversation. */
  incident: Incident;
  catalog: Catalog;
}

export type VerbDecision = { action: IncidentAction } | { error: { code: string; message: string } };

export interface CardVerb {
  readonly verb: string;
  decide(input: VerbInput): VerbDecision;
}

/** The optional escalation note: trimmed, bounded; anything else is ignored. */
export const MAX_NOTE_LENGTH = 500;
