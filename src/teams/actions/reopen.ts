// "Reopen": a resolved incident came back.
import type { CardVerb } from './types.js';

export const reopen: CardVerb = {
  verb: 'reopen',
  decide: () => ({ action: { kind: 'reopen' } }),
};
