// A paste and a press render their cards from what the store's own transaction handed back (the
// incident and its audit trail), not from a second read: the cards must be byte for byte the ones
// a fresh read of the trail gives, and the trail must not be read again.
import type { Activity } from 'botbuilder';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncidentStore } from '../../src/incidents/types.js';
import { actionsOf } from '../helpers/adaptive-card-schema.js';
import { USER_ADA, cardOf, executeInvoke, invokeAnswer, personalMessage, startHarness, startedHarnesses, type Harness } from '../helpers/bot-harness.js';
import { failOnLoggedErrors } from '../helpers/logged-errors.js';

const BOX_PASTE = 'AuthFatalFailureException: com.box.boxjavalibv2.exceptions.BoxServerException: invalid_grant';
const AMBIGUOUS_PASTE = 'NullPointerException';
const SECRET = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnopqrstuvwxyz123456';

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.close();
});
failOnLoggedErrors(startedHarnesses);

/** A store as it was before it handed the trail back: every card then reads it with events(). */
function withoutHandedBackTrails(store: IncidentStore): void {
  const openOrRepeat = store.openOrRepeat.bind(store);
  const apply = store.apply.bind(store);
  store.openOrRepeat = async (input) => {
    const { incident, repeated } = await openOrRepeat(input);
    return { incident, repeated };
  };
  store.apply = async (...args) => {
    const outcome = await apply(...args);
    return outcome.status === 'applied' ? { status: 'applied', incident: outcome.incident } : outcome;
  };
}

/**
 * Pastes (new, with a secret, repeated after an escalation) and presses (escalate, choose an app,
 * resolve); every card the bot sent, answered or updated, as JSON with incident ids numbered in order.
 */
async function scenario(h: Harness): Promise<{ cards: string[]; trailReads: { pastes: number; presses: number } }> {
  const events = h.store.events.bind(h.store);
  let trailReads = 0;
  h.store.events = (incidentId) => ((trailReads += 1), events(incidentId));
  const cards: unknown[] = [];
  const reads = { pastes: 0, presses: 0 };
  const turn = async (kind: 'pastes' | 'presses', activity: Partial<Activity>) => {
    const before = trailReads;
    h.adapter.updates.splice(0);
    const replies = await h.send(activity);
    reads[kind] += trailReads - before;
    for (const reply of replies) cards.push(reply.type === 'invokeResponse' ? invokeAnswer([reply]).body.value : cardOf(reply));
    for (const update of h.adapter.updates) cards.push(cardOf(update));
    return replies;
  };
  const dataOf = (replies: Partial<Activity>[], verb: string) => actionsOf(cardOf(replies[0])).find((a) => a.verb === verb)!.data as Record<string, unknown>;

  const box = await turn('pastes', personalMessage(BOX_PASTE));
  await turn('pastes', personalMessage(`${BOX_PASTE}\nAuthorization: Bearer ${SECRET}`, USER_ADA, 'a:personal-secret'));
  h.clock.now = new Date('2026-12-01T10:35:00Z');
  await turn('presses', executeInvoke('escalate', { ...dataOf(box, 'escalate'), note: 'Tried reconnecting twice' }, { replyToId: box[0]!.id }));
  h.clock.now = new Date('2026-12-01T10:40:00Z');
  // The same error again: a repeat on the escalated incident, whose card shows its whole trail.
  await turn('pastes', personalMessage(BOX_PASTE));
  const ambiguous = await turn('pastes', personalMessage(AMBIGUOUS_PASTE, USER_ADA, 'a:personal-ambiguous'));
  await turn('presses', executeInvoke('choose-app', dataOf(ambiguous, 'choose-app'), { replyToId: ambiguous[0]!.id, conversationId: 'a:personal-ambiguous' }));
  h.clock.now = new Date('2026-12-01T10:45:00Z');
  await turn('presses', executeInvoke('resolve', dataOf(box, 'resolve'), { replyToId: box[0]!.id }));

  const ids = new Map<string, string>();
  const json = cards.map((card) => JSON.stringify(card).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => {
    if (!ids.has(id)) ids.set(id, `incident-${ids.size + 1}`);
    return ids.get(id)!;
  }));
  return { cards: json, trailReads: reads };
}

describe('cards from what the store handed back', () => {
  it('are byte for byte the cards a fresh read of the audit trail renders', async () => {
    const reading = await startHarness();
    harnesses.push(reading);
    withoutHandedBackTrails(reading.store);
    const expected = await scenario(reading);

    const handed = await startHarness();
    harnesses.push(handed);
    const actual = await scenario(handed);

    expect(actual.cards).toHaveLength(expected.cards.length);
    // Cards of every kind were compared: the secrets note, the escalation, the repeat, the choice, the resolution.
    const all = actual.cards.join('\n');
    for (const shown of ['1 secret removed', '✉ Escalated to support', 'Tried reconnecting twice', 'Seen 2 times', 'chosen by', '✔ Resolved']) {
      expect(all.includes(shown), shown).toBe(true);
    }
    for (const [i, card] of actual.cards.entries()) expect(card, `card ${i + 1}`).toBe(expected.cards[i]);
  });

  it('a paste reads no audit trail; a press reads it once, before deciding, and not again for its cards', async () => {
    const reading = await startHarness();
    harnesses.push(reading);
    withoutHandedBackTrails(reading.store);
    // Before: one read per paste card, two per press (before deciding, then for the cards).
    expect((await scenario(reading)).trailReads).toEqual({ pastes: 4, presses: 6 });

    const handed = await startHarness();
    harnesses.push(handed);
    expect((await scenario(handed)).trailReads).toEqual({ pastes: 0, presses: 3 });
  });
});
