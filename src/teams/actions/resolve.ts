// "Mark resolved": close an open or escalated incident.
import { IN_CHAT, type CardVerb } from './types.js';

export const resolve: CardVerb = {
  verb: 'resolve',
  places: IN_CHAT,
  decide: () => ({ action: { kind: 'resolve' } }),
};
