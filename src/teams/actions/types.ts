// What a card verb is: it turns the button's (client-controlled) data into an incident action, or
// says why the data is unusable, or (refresh) asks only for the current card. The actor and the
// conversation never come from this data.
import type { IncidentHistory } from '../../cards/history.js';
import type { Catalog, Matcher } from '../../core/types.js';
import type { Incident, IncidentAction } from '../../incidents/types.js';

/** Where a card is: the chat the error was pasted in, or support's channel post about it. */
export type CardPlace = 'chat' | 'support';

export interface VerbInput {
  /** The button's data, minus the incident id (already checked). */
  data: Record<string, unknown>;
  /** The incident as stored, found in the pressing conversation (its chat or its support post). */
  incident: Incident;
  history: IncidentHistory;
  catalog: Catalog;
  matcher: Matcher;
}

export type VerbDecision =
  | { action: IncidentAction }
  | { error: { code: string; message: string } }
  /** Change nothing; answer with the card as it is now. */
  | { show: true };

export interface CardVerb {
  readonly verb: string;
  /** Where its button is; a press from anywhere else is treated like an unknown incident. */
  readonly places: readonly CardPlace[];
  decide(input: VerbInput): VerbDecision;
}

export const IN_CHAT: readonly CardPlace[] = ['chat'];
export const IN_SUPPORT: readonly CardPlace[] = ['support'];

/** The optional escalation note: trimmed, bounded; anything else is ignored. */
export const MAX_NOTE_LENGTH = 500;
