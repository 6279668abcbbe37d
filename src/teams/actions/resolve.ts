// "Mark resolved": close an open or escalated incident.
import type { CardVerb } from './types.js';

export const resolve: CardVerb = {
  verb: 'resolve',
  decide: () => ({ action: { kind: 'resolve' } }),
};
