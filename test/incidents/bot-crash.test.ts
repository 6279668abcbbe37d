// The whole bot survives `kill -9` with an escalation in flight: the real bot (src/index.ts) in a
// child process on an SQLite file, support's webhook answering 503; a user pastes an error and
// presses Escalate ("delivery pending"); the bot is SIGKILLed and started again on the same file
// while support is back: the escalation arrives, signed, with the same Idempotency-Key, once.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BOX_PASTE, INTERNALS, buttonData, metric, pasteExpectingReplies, press, shown, spawnBot, statsEscalations, type BotProcess } from './fixtures/bot-http.js';
import { startReceiver, type Receiver } from './fixtures/receiver.js';

const SECRET = 'bot-crash-secret';
const bots: BotProcess[] = [];
let receiver: Receiver | undefined;
let dir: string | undefined;

afterEach(async () => {
  for (const bot of bots.splice(0)) await bot.kill9();
  await receiver?.close();
  receiver = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('the bot killed with SIGKILL while support is down', () => {
  it('delivers the escalation after a restart on the same database: signed, same key, once', { timeout: 120_000 }, async () => {
    dir = mkdtempSync(join(tmpdir(), 'cd-bot-crash-'));
    receiver = await startReceiver(() => ({ status: 503 }));
    const env = {
      DATABASE_URL: `sqlite:${join(dir, 'bot.db')}`,
      SUPPORT_WEBHOOK_URL: receiver.url,
      SUPPORT_WEBHOOK_SECRET: SECRET,
      // Retries within a second or two instead of minutes.
      ESCALATION_RETRY_BASE_MS: '1000',
      ESCALATION_RETRY_MAX_MS: '2000',
    };
    const where = { conversationId: 'a:crash-test-chat' };

    const first = await spawnBot(env);
    bots.push(first);
    const [card] = await pasteExpectingReplies(first.url, BOX_PASTE, where);
    expect(shown(card)).toContain('Box connector: ');
    const data = buttonData(card, 'escalate');
    const answer = await press(first.url, 'escalate', { ...data, note: 'finance sync blocked' }, where);
    expect(answer.status).toBe(200);
    expect(shown(answer.card)).toMatch(/✉ Escalated to support by Bob Desk, .* · delivery pending/);

    // Support answered 503 and the bot scheduled a retry: now it dies without any shutdown.
    await first.waitForLog(/will retry/);
    expect(receiver.requests.length).toBeGreaterThanOrEqual(1);
    await first.kill9();
    expect(first.child.signalCode).toBe('SIGKILL');
    const beforeRestart = receiver.requests.length;

    // Support is back; the bot starts again on the same database file.
    receiver.answer = () => ({ status: 200 });
    const second = await spawnBot(env);
    bots.push(second);
    await second.waitForLog(/escalation delivered/);
    expect(receiver.requests.length).toBe(beforeRestart + 1);

    const requests = receiver.requests;
    expect(new Set(requests.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    for (const r of requests) {
      expect(r.headers['x-connector-doctor-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`);
    }
    const delivered = JSON.parse(requests.at(-1)!.body) as { incident: { id: string; app: { name: string }; excerpt: string }; escalation: { by: { name: string }; note: string } };
    expect(delivered.incident.id).toBe(data.incidentId);
    expect(delivered.incident.app.name).toBe('Box');
    expect(delivered.escalation).toMatchObject({ by: { name: 'Bob Desk' }, note: 'finance sync blocked' });

    // The restarted bot knows: the card, `stats` and /metrics say delivered, nothing pending.
    const again = await press(second.url, 'escalate', data, where);
    expect(shown(again.card)).toMatch(/✉ Escalated to support by Bob Desk, .* · delivered/);
    expect(await statsEscalations(second.url, where)).toBe('1 delivered, 0 pending, 0 failed');
    expect(await metric(second.url, 'connector_doctor_escalations_delivered')).toBe(1);
    expect(await metric(second.url, 'connector_doctor_escalations_pending')).toBe(0);
    // Pressing Escalate again on the escalated card recorded nothing new to send.
    expect(await metric(second.url, 'connector_doctor_escalations_pending')).toBe(0);
    expect(receiver.requests.length).toBe(beforeRestart + 1);
    expect(JSON.stringify(second.logs)).not.toContain('boxjavalibv2');
    expect(answer.raw).not.toMatch(INTERNALS);
  });
});
