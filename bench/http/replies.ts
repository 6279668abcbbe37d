// Reading what a server answered: did the reply carry an Adaptive Card at all, and which card buttons
// (Action.Execute with their data) can be pressed next. Parses the JSON; never trusts a status alone.

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function parse(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** The Adaptive Cards in an expectReplies answer ({activities: [...]}), in order. */
export function cardsInReplies(body: string): Json[] {
  const answer = parse(body);
  if (!isObject(answer) || !Array.isArray(answer.activities)) return [];
  const cards: Json[] = [];
  for (const activity of answer.activities) {
    if (!isObject(activity) || !Array.isArray(activity.attachments)) continue;
    for (const attachment of activity.attachments) {
      if (isObject(attachment) && attachment.contentType === ADAPTIVE_CARD && isObject(attachment.content)) cards.push(attachment.content);
    }
  }
  return cards;
}

/** The card of an invoke answer ({statusCode: 200, type: adaptive card, value: card}), if it is one. */
export function cardInInvokeAnswer(body: string): Json | undefined {
  const answer = parse(body);
  if (!isObject(answer) || answer.statusCode !== 200 || answer.type !== ADAPTIVE_CARD) return undefined;
  return isObject(answer.value) ? answer.value : undefined;
}

/** The data of the card's first top-level Action.Execute whose verb is one of `verbs`. */
export function buttonData(card: Json, verbs: readonly string[]): Json | undefined {
  const actions = Array.isArray(card.actions) ? card.actions : [];
  for (const action of actions) {
    if (isObject(action) && action.type === 'Action.Execute' && typeof action.verb === 'string' && verbs.includes(action.verb) && isObject(action.data)) {
      return { ...action.data, verb: action.verb };
    }
  }
  return undefined;
}
