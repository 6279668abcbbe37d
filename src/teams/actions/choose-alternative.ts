// "It's Box instead": swap a diagnosis for one of the alternatives its card offers.
import { alternativesOf } from '../incident-view.js';
import { IN_CHAT, type CardVerb } from './types.js';

export const chooseAlternative: CardVerb = {
  verb: 'choose-alternative',
  places: IN_CHAT,
  decide: ({ data, incident, matcher }) => {
    const entryId = data.entryId;
    if (typeof entryId !== 'string' || entryId.length === 0 || entryId.length > 200) {
      return { error: { code: 'BadEntry', message: 'The button did not say which explanation.' } };
    }
    // Card data is client-controlled: only what the card offers (the same computation) is accepted.
    const entry = alternativesOf(incident, matcher).find((e) => e.id === entryId);
    if (!entry) return { error: { code: 'BadEntry', message: 'That is not one of the alternatives for this error.' } };
    return { action: { kind: 'choose-alternative', appId: entry.app, entryId: entry.id } };
  },
};
