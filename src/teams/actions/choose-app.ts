// "It's Okta": settle an ambiguous incident on one of its candidate apps.
import { IN_CHAT, type CardVerb } from './types.js';

export const chooseApp: CardVerb = {
  verb: 'choose-app',
  places: IN_CHAT,
  decide: ({ data, incident, catalog }) => {
    const appId = data.appId;
    if (typeof appId !== 'string' || appId.length === 0 || appId.length > 100) {
      return { error: { code: 'BadApp', message: 'The button did not say which app.' } };
    }
    // Only the incident's own candidates can be chosen; card data is client-controlled.
    const entryIds = incident.entryIds.filter((id) => catalog.entry(id)?.app === appId);
    if (entryIds.length === 0) {
      return { error: { code: 'BadApp', message: 'That app is not one of the candidates for this error.' } };
    }
    return { action: { kind: 'choose-app', appId, entryIds } };
  },
};
