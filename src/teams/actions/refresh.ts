// The card's automatic refresh (Teams asks when someone opens the chat) and "Check again": the
// card as it is now, wherever it is. Changes nothing.
import { REFRESH_VERB } from '../../cards/render.js';
import type { CardVerb } from './types.js';

export const refresh: CardVerb = {
  verb: REFRESH_VERB,
  places: ['chat', 'support'],
  decide: () => ({ show: true }),
};
