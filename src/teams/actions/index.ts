// The verb table: every card button the bot understands, one file per verb.
import { chooseApp } from './choose-app.js';
import { escalate } from './escalate.js';
import { reopen } from './reopen.js';
import { resolve } from './resolve.js';
import type { CardVerb } from './types.js';

export type { CardVerb, VerbDecision, VerbInput } from './types.js';

export const cardVerbs: ReadonlyMap<string, CardVerb> = new Map(
  [resolve, escalate, reopen, chooseApp].map((verb) => [verb.verb, verb]),
);
