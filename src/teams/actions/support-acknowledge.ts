// "Acknowledge", on support's channel post: support has seen the escalation.
import { IN_SUPPORT, type CardVerb } from './types.js';

export const supportAcknowledge: CardVerb = {
  verb: 'support-acknowledge',
  places: IN_SUPPORT,
  decide: () => ({ action: { kind: 'support-acknowledge' } }),
};
