// PostgreSQL faults under load, as an operator meets them (a restart, a failover, an admin's
// pg_terminate_backend): the real bot process on PostgreSQL while the test kills the bot's own
// backends (found by application_name) every 250 ms. The process stays up, every paste and every
// press is answered, and no incident or escalation is lost or doubled.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post } from '../helpers/running-bot.js';
import { actionsOf } from '../helpers/adaptive-card-schema.js';
import { BOX_PASTE, eventually, press, shown, spawnBot, type BotProcess, type Card } from './fixtures/bot-http.js';
import { startReceiver, type Receiver } from './fixtures/receiver.js';
import { createPgRun, type PgRun } from './pg-harness.js';

const PASTES = 40;
const KILL_EVERY_MS = 250;

let run: PgRun;
let url: string;
let receiver: Receiver;
let bot: BotProcess;
let admin: pg.Client;

beforeAll(async () => {
  run = await createPgRun();
  url = await run.freshSchemaUrl();
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
  receiver = await startReceiver(() => ({ status: 200 }));
  bot = await spawnBot({
    DATABASE_URL: url,
    SUPPORT_WEBHOOK_URL: receiver.url,
    SUPPORT_WEBHOOK_SECRET: 'chaos',
    ESCALATION_RETRY_BASE_MS: '50',
    ESCALATION_RETRY_MAX_MS: '200',
  });
}, 60_000);

afterAll(async () => {
  await bot?.stop();
  await admin?.end();
  await receiver?.close();
  await run?.drop();
});

/** Terminate every backend of the bot (its application_name) in this run's database, again and again. */
function startKilling(): { stop: () => Promise<number> } {
  let killed = 0;
  let busy: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    busy = admin
      .query<{ n: string }>(
        `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'connector-doctor' AND pid <> pg_backend_pid()`,
      )
      .then(
        (r) => void (killed += Number(r.rows[0]?.n ?? 0)),
        () => undefined,
      );
  }, KILL_EVERY_MS);
  return {
    async stop() {
      clearInterval(timer);
      await busy;
      return killed;
    },
  };
}

type Reply = { text?: string; attachments?: { content: Card }[] };

/** Paste as a person would: an answer every time; a card, or an apology after which they paste again. */
async function pasteUntilCard(conversationId: string, answers: string[]): Promise<Card> {
  for (let attempt = 1; attempt <= 8; attempt++) {
    const res = await post(`${bot.url}/api/messages`, {
      type: 'message',
      id: `m-${conversationId}-${attempt}`,
      channelId: 'msteams',
      text: BOX_PASTE,
      // One person per conversation: the per-person rate limit is not what this test is about.
      from: { id: `29:${conversationId}`, name: 'Ada Ops' },
      recipient: { id: '28:bot', name: 'Connector Doctor' },
      conversation: { id: conversationId, conversationType: 'personal', tenantId: 'tenant-chaos' },
      serviceUrl: 'http://127.0.0.1:9/',
      deliveryMode: 'expectReplies',
    });
    expect(res.status).toBe(200);
    const { activities } = res.json() as { activities: Reply[] };
    expect(activities.length).toBeGreaterThan(0);
    const card = activities.flatMap((a) => a.attachments ?? []).map((a) => a.content)[0];
    answers.push(card ? 'card' : (activities[0]?.text ?? 'empty'));
    if (card && actionsOf(card).some((a) => a.verb === 'escalate')) return card;
  }
  throw new Error(`no card for ${conversationId} after 8 pastes: ${answers.join(' | ')}`);
}

/** Press Escalate until it is recorded; "busy, try again" is an answer too. */
async function escalateUntilDone(conversationId: string, card: Card, answers: string[]): Promise<void> {
  const data = { ...(actionsOf(card).find((a) => a.verb === 'escalate')!.data as Record<string, unknown>), note: 'chaos' };
  for (let attempt = 1; attempt <= 8; attempt++) {
    const answer = await press(bot.url, 'escalate', data, { conversationId, from: { id: `29:desk-${conversationId}`, name: 'Bob Desk' } });
    expect(answer.status).toBe(200);
    if (answer.card && /Escalated/.test(shown(answer.card))) {
      answers.push('escalated');
      return;
    }
    answers.push(String(answer.body.value ?? answer.raw));
  }
  throw new Error(`Escalate was never recorded for ${conversationId}: ${answers.join(' | ')}`);
}

describe('PostgreSQL backends killed every 250 ms under pastes and presses', () => {
  it('stays up, answers every request, and loses or doubles no incident and no escalation', async () => {
    const killer = startKilling();
    const answers: string[] = [];
    const conversations = Array.from({ length: PASTES }, (_, i) => `a:chaos-${i}`);
    let killed: number;
    try {
      // Eight people at a time, each pasting and then escalating.
      for (let i = 0; i < conversations.length; i += 8) {
        await Promise.all(
          conversations.slice(i, i + 8).map(async (conversationId) => {
            const card = await pasteUntilCard(conversationId, answers);
            await escalateUntilDone(conversationId, card, answers);
          }),
        );
      }
    } finally {
      killed = await killer.stop();
    }

    // The fault really happened, often, and the process lived through it.
    expect(killed).toBeGreaterThan(10);
    expect(bot.child.exitCode).toBeNull();
    expect(bot.stderr()).not.toMatch(/Unhandled 'error' event|terminating connection/);
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);

    // One incident per conversation, escalated once, one outbox message each.
    const incidents = await admin.query<{ conversation_id: string; state: string; escalations: number }>('SELECT conversation_id, state, escalations FROM incidents');
    expect(incidents.rows.map((r) => r.conversation_id).sort()).toEqual([...conversations].sort());
    expect(incidents.rows.every((r) => r.state === 'escalated' && r.escalations === 1)).toBe(true);
    const outbox = await admin.query<{ incident_id: string }>('SELECT incident_id FROM outbox');
    expect(outbox.rows).toHaveLength(PASTES);
    expect(new Set(outbox.rows.map((r) => r.incident_id)).size).toBe(PASTES);
    const escalatedEvents = await admin.query<{ n: string }>("SELECT count(*) AS n FROM incident_events WHERE kind = 'escalated'");
    expect(Number(escalatedEvents.rows[0]!.n)).toBe(PASTES);

    // Support hears of each escalation (at least once; the key lets it drop a repeat).
    // Up to a lease (60 s) when a kill landed between a claim's commit and its answer.
    await eventually('every escalation delivered', async () => {
      const keys = new Set(receiver.requests.map((r) => String(r.headers['idempotency-key'])));
      return keys.size === PASTES;
    }, 75_000);
    // None given up: each message is delivered or, when the kill hit the write that records the
    // delivery, still pending under its lease and sent again (same key) once the lease expires.
    const statuses = await admin.query<{ status: string }>('SELECT status FROM outbox');
    expect(statuses.rows.every((r) => r.status === 'delivered' || r.status === 'pending')).toBe(true);
    // What people saw when a statement died under them: an answer, never a stack or SQL.
    expect(answers.join('\n')).not.toMatch(/terminating connection|SQLSTATE|at \w+ \(|pg_/);
  }, 180_000);
});
