// The verb table: every card button the bot understands, one file per verb.
import { chooseAlternative } from './choose-alternative.js';
import { chooseApp } from './choose-app.js';
import { escalate } from './escalate.js';
import { noneOfThese } from './none-of-these.js';
import { refresh } from './refresh.js';
import { reopen } from './reopen.js';
import { resolve } from './resolve.js';
import { supportAcknowledge } from './support-acknowledge.js';
import { supportTake } from './support-take.js';
import type { CardVerb } from './types.js';

export type { CardPlace, CardVerb, VerbDecision, VerbInput } from './types.js';

export const cardVerbs: ReadonlyMap<string, CardVerb> = new Map(
  [resolve, escalate, reopen, chooseApp, chooseAlternative, noneOfThese, supportAcknowledge, supportTake, refresh].map((verb) => [verb.verb, verb]),
);
