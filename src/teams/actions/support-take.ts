// "Take it", on support's channel post: the presser owns the escalation now.
import { IN_SUPPORT, type CardVerb } from './types.js';

export const supportTake: CardVerb = {
  verb: 'support-take',
  places: IN_SUPPORT,
  decide: () => ({ action: { kind: 'support-take' } }),
};
