// "Reopen": a resolved incident came back.
import { IN_CHAT, type CardVerb } from './types.js';

export const reopen: CardVerb = {
  verb: 'reopen',
  places: IN_CHAT,
  decide: () => ({ action: { kind: 'reopen' } }),
};
