// "None of these": an ambiguous error is none of its candidate apps' errors; it becomes an error
// the bot does not know, with Escalate.
import { IN_CHAT, type CardVerb } from './types.js';

export const noneOfThese: CardVerb = {
  verb: 'none-of-these',
  places: IN_CHAT,
  decide: () => ({ action: { kind: 'none-of-these' } }),
};
