// Two bot processes (`node --import tsx src/index.ts`, as `npm start` runs it) started at the same
// moment on one fresh PostgreSQL database, as two replicas behind a load balancer. People press
// Escalate and Mark resolved on the same cards at once, on both processes: every incident ends in
// one state that its audit trail explains, is escalated at most once, and support receives each
// escalation exactly once (no key twice), whichever process's outbox picked it up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/incidents/index.js';
import { BOX_PASTE, buttonData, eventually, metric, pasteExpectingReplies, press, spawnBot, type BotProcess, type Who } from './fixtures/bot-http.js';
import { startReceiver, type Receiver } from './fixtures/receiver.js';
import { createPgRun, type PgRun } from './pg-harness.js';

const CARDS = 6;

let run: PgRun;
let databaseUrl: string;
let receiver: Receiver;
let bots: BotProcess[] = [];

beforeAll(async () => {
  run = await createPgRun();
  databaseUrl = await run.freshSchemaUrl();
  receiver = await startReceiver(() => ({ status: 200 }));
  const env = { DATABASE_URL: databaseUrl, SUPPORT_WEBHOOK_URL: receiver.url, SUPPORT_WEBHOOK_SECRET: 'two-processes' };
  // At the same moment on an empty database: both run the migrations, one after the other.
  bots = await Promise.all([spawnBot(env), spawnBot(env)]);
}, 120_000);

afterAll(async () => {
  await Promise.all(bots.map((bot) => bot.stop()));
  await receiver?.close();
  await run?.drop();
});

// A different person for each message keeps the test clear of the per-user rate limit.
let people = 0;
const someone = (name: string): Who => ({ id: `29:proc-${++people}`, name });

describe('two bot processes on one PostgreSQL database', () => {
  it('parallel Escalate and Mark resolved on both: one state per incident, at most one escalation, each delivered once', { timeout: 120_000 }, async () => {
    const [a, b] = bots as [BotProcess, BotProcess];
    const cards = await Promise.all(
      Array.from({ length: CARDS }, async (_, i) => {
        const where = { conversationId: `a:proc-chat-${i}` };
        const [card] = await pasteExpectingReplies((i % 2 === 0 ? a : b).url, BOX_PASTE, { ...where, from: someone('Ada Ops') });
        return { where, data: buttonData(card, 'escalate') };
      }),
    );

    // Every card gets four presses, two on each process. Even cards: Escalate on A and on B at the
    // same moment, then Mark resolved on both at once. Odd cards: all four at the same moment.
    const pressCard = async ({ where, data }: (typeof cards)[number], i: number) => {
      const escalateOn = (bot: BotProcess, name: string) => press(bot.url, 'escalate', { ...data, note: `${name} ${i}` }, { ...where, from: someone(name) });
      const resolveOn = (bot: BotProcess, name: string) => press(bot.url, 'resolve', data, { ...where, from: someone(name) });
      if (i % 2 === 1) return Promise.all([resolveOn(b, 'Carol Ops'), escalateOn(a, 'Bob Desk'), resolveOn(a, 'Erin Ops'), escalateOn(b, 'Dan Desk')]);
      const escalated = await Promise.all([escalateOn(a, 'Bob Desk'), escalateOn(b, 'Dan Desk')]);
      return [...escalated, ...(await Promise.all([resolveOn(a, 'Erin Ops'), resolveOn(b, 'Carol Ops')]))];
    };
    const answers = (await Promise.all(cards.map(pressCard))).flat();
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));

    const store = await openStore(databaseUrl, { skipMigrations: true });
    let escalations = 0;
    try {
      for (const { data } of cards) {
        const incidentId = String(data.incidentId);
        const incident = (await store.get(incidentId))!;
        const changes = (await store.events(incidentId)).filter((e) => e.kind === 'resolved' || e.kind === 'escalated');
        // Each applied press is one audited change; the last one is the state everybody now sees.
        expect(incident.version).toBe(1 + changes.length);
        expect(changes.at(-1)!.kind).toBe(incident.state);
        const escalated = changes.filter((e) => e.kind === 'escalated');
        expect(escalated.length).toBeLessThanOrEqual(1);
        // Resolve is final here (nobody reopened): nothing happens after it.
        expect(changes.findIndex((e) => e.kind === 'resolved')).toBe(changes.length - 1);
        escalations += escalated.length;
      }
      // The even cards were escalated (once each, though pressed on both processes).
      expect(escalations).toBeGreaterThanOrEqual(CARDS / 2);

      await eventually('every escalation delivered', async () => (await store.outboxCounts()).pending === 0 && receiver.requests.length >= escalations);
      expect(await store.outboxCounts()).toEqual({ pending: 0, delivered: escalations, deadLettered: 0 });
    } finally {
      await store.close();
    }
    const keys = receiver.requests.map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(escalations);
    expect(new Set(keys).size).toBe(escalations);
    // Both processes read the same counts from the shared database.
    expect(await metric(a.url, 'connector_doctor_escalations_delivered')).toBe(escalations);
    expect(await metric(b.url, 'connector_doctor_escalations_delivered')).toBe(escalations);
  });
});
