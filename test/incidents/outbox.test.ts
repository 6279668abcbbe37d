// Escalation delivery end to end inside one process: the store's outbox, the worker with an
// injected clock, the webhook sink POSTing to a loopback receiver. Time only moves when the
// test moves it.

import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelayMs } from '../../src/core/retry-policy.js';
import { buildEscalationPayload, createOutboxWorker, createWebhookSink, openStore } from '../../src/incidents/index.js';
import type { EscalationSink, Incident, IncidentStore, OutboxMessage, Person } from '../../src/incidents/types.js';
import { startReceiver, type Receiver } from './fixtures/receiver.js';

const SECRET = 'test-webhook-secret';
const ada: Person = { id: '29:ada', name: 'Ada Ops' };
const T0 = new Date('2026-11-30T10:00:00.000Z');

let store: IncidentStore;
let receiver: Receiver;
let now: Date;
const clock = () => now;
const advance = (ms: number) => {
  now = new Date(now.getTime() + ms);
};

beforeEach(async () => {
  store = await openStore('sqlite::memory:');
  receiver = await startReceiver();
  now = T0;
});
afterEach(async () => {
  await receiver.close();
  await store.close();
});

async function escalate(conversationId = 'conv-a', targets = ['webhook'], note?: string): Promise<Incident> {
  const { incident } = await store.openOrRepeat({
    conversationId,
    reporter: ada,
    excerpt: 'Error: invalid_grant (Invalid refresh token)',
    verdict: 'match',
    entryIds: ['box-invalid-refresh-token'],
    appId: 'box',
    at: now,
  });
  const outcome = await store.apply(
    { incidentId: incident.id, conversationId, actor: ada, action: { kind: 'escalate', ...(note ? { note } : {}) }, at: now },
    targets,
    (i) => buildEscalationPayload(i),
  );
  if (outcome.status !== 'applied') throw new Error(`escalation not applied: ${outcome.status}`);
  return outcome.incident;
}

function worker(extra: Partial<Parameters<typeof createOutboxWorker>[0]> = {}) {
  const delivered: OutboxMessage[] = [];
  const dead: { message: OutboxMessage; error: string }[] = [];
  const w = createOutboxWorker({
    store,
    sinks: [createWebhookSink({ url: receiver.url, secret: SECRET, timeoutMs: 5_000, clock })],
    clock,
    random: () => 0.5,
    maxAttempts: 5,
    baseDelayMs: 2_000,
    maxDelayMs: 60_000,
    onDelivered: (m) => void delivered.push(m),
    onDeadLettered: (message, error) => void dead.push({ message, error }),
    ...extra,
  });
  return { w, delivered, dead };
}

const verify = (body: string, signature: unknown) =>
  signature === `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

describe('escalation delivery through the webhook', () => {
  it('retries a 503 within seconds, then delivers: signed, same Idempotency-Key and same body on every attempt', async () => {
    const incident = await escalate();
    receiver.answer = (_r, i) => (i === 0 ? { status: 503, body: 'upstream says: internal db host db-7.corp' } : { status: 200 });
    const { w, delivered } = worker();

    expect(await w.drainOnce()).toMatchObject({ claimed: 1, retrying: 1 });
    expect((await store.get(incident.id))?.escalationDelivery).toBe('pending');
    advance(999);
    expect((await w.drainOnce()).claimed).toBe(0);
    advance(1_001); // first retry: half to all of 2 s; random 0.5 -> 1.5 s
    expect(await w.drainOnce()).toMatchObject({ claimed: 1, delivered: 1 });

    expect(receiver.requests).toHaveLength(2);
    const [first, second] = receiver.requests;
    expect(first!.headers['idempotency-key']).toBe(second!.headers['idempotency-key']);
    expect(first!.headers['idempotency-key']).toMatch(/\S/);
    expect(second!.body).toBe(first!.body);
    for (const request of receiver.requests) {
      expect(request.method).toBe('POST');
      expect(request.headers['content-type']).toMatch(/^application\/json/);
      expect(verify(request.body, request.headers['x-connector-doctor-signature'])).toBe(true);
    }
    expect(verify(first!.body, `sha256=${createHmac('sha256', 'another-secret').update(first!.body).digest('hex')}`)).toBe(false);
    const body = JSON.parse(second!.body);
    expect(body).toMatchObject({ type: 'connector-doctor.escalation', incident: { id: incident.id, state: 'escalated' }, escalation: { by: { name: 'Ada Ops' } } });

    expect(delivered.map((m) => m.incidentId)).toEqual([incident.id]);
    expect((await store.get(incident.id))?.escalationDelivery).toBe('delivered');
    expect(await store.outboxCounts()).toEqual({ pending: 0, delivered: 1, deadLettered: 0 });
    expect((await w.drainOnce()).claimed).toBe(0);
    expect(receiver.requests).toHaveLength(2);
  });

  it('honours 429 with Retry-After in seconds and as an HTTP date', async () => {
    await escalate('conv-a');
    receiver.answer = (_r, i) =>
      i === 0
        ? { status: 429, headers: { 'retry-after': '120' } }
        : i === 1
          ? { status: 503, headers: { 'retry-after': new Date(now.getTime() + 300_000).toUTCString() } }
          : { status: 200 };
    const { w } = worker();
    await w.drainOnce();
    advance(119_000);
    expect((await w.drainOnce()).claimed).toBe(0);
    advance(1_000);
    expect(await w.drainOnce()).toMatchObject({ claimed: 1, retrying: 1 });
    advance(299_000);
    expect((await w.drainOnce()).claimed).toBe(0);
    advance(1_000);
    expect(await w.drainOnce()).toMatchObject({ delivered: 1 });
    expect(receiver.requests).toHaveLength(3);
  });

  it('dead-letters a 400 at once, without the receiver\'s body in the recorded error', async () => {
    const incident = await escalate();
    receiver.answer = () => ({ status: 400, body: 'invalid payload: field x; internal trace id 1234-secret' });
    const { w, dead } = worker();
    expect(await w.drainOnce()).toMatchObject({ claimed: 1, deadLettered: 1 });
    expect(dead).toHaveLength(1);
    expect(dead[0]!.error).toBe('HTTP 400');
    expect((await store.get(incident.id))?.escalationDelivery).toBe('dead-lettered');
    expect(await store.outboxCounts()).toEqual({ pending: 0, delivered: 0, deadLettered: 1 });
    advance(3_600_000);
    expect((await w.drainOnce()).claimed).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    const trail = await store.events(incident.id);
    expect(trail.map((e) => e.kind)).toContain('escalation-dead-lettered');
    expect(JSON.stringify(trail)).not.toContain('trace id');
  });

  it('retries with growing, capped, jittered backoff and dead-letters after the last attempt', async () => {
    await escalate();
    receiver.answer = () => ({ status: 500 });
    const { w, dead } = worker({ maxAttempts: 5, baseDelayMs: 2_000, maxDelayMs: 10_000, random: () => 0.5 });
    expect((await w.drainOnce()).retrying).toBe(1);
    // Half to all of 2 s, 4 s, 8 s, then the 10 s cap: with jitter 0.5 that is 75 % of each.
    for (const delay of [1_500, 3_000, 6_000, 7_500]) {
      advance(delay - 1);
      expect((await w.drainOnce()).claimed).toBe(0);
      advance(1);
      expect((await w.drainOnce()).claimed).toBe(1);
    }
    expect(dead).toHaveLength(1);
    expect(dead[0]!.message.attempts).toBe(5);
    expect(receiver.requests).toHaveLength(5);
    expect(await store.outboxCounts()).toEqual({ pending: 0, delivered: 0, deadLettered: 1 });
    expect(backoffDelayMs(1, 2_000, 300_000, () => 0)).toBe(1_000);
    expect(backoffDelayMs(1, 2_000, 300_000, () => 0.999)).toBeLessThanOrEqual(2_000);
    expect(backoffDelayMs(30, 2_000, 300_000, () => 0.999)).toBeLessThanOrEqual(300_000);
  });

  it('treats an unreachable receiver as retryable and never records the URL or its credentials', async () => {
    const incident = await escalate();
    const closed = await startReceiver();
    const deadUrl = closed.url.replace('http://', 'http://hook-user:hook-pass@');
    await closed.close();
    const { w } = worker({ sinks: [createWebhookSink({ url: deadUrl, secret: SECRET, clock })] });
    expect(await w.drainOnce()).toMatchObject({ retrying: 1 });
    advance(2_000);
    const [message] = await store.claimDue(now, 1, 1_000);
    expect(message?.lastError).toMatch(/^network error/);
    expect(message?.lastError).not.toContain('hook-pass');
    expect(message?.lastError).not.toContain('127.0.0.1');
    expect((await store.get(incident.id))?.escalationDelivery).toBe('pending');
  });

  it('gives up an attempt after the timeout and retries it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      await escalate();
      receiver.answer = () => 'hang';
      const { w } = worker({ sinks: [createWebhookSink({ url: receiver.url, secret: SECRET, timeoutMs: 3_000, clock })] });
      const drained = w.drainOnce();
      await receiver.waitForRequests(1);
      await vi.advanceTimersByTimeAsync(3_000);
      expect(await drained).toMatchObject({ retrying: 1 });
      advance(2_000);
      const [message] = await store.claimDue(now, 1, 1_000);
      expect(message?.lastError).toBe('timeout after 3000 ms');
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends the note and the excerpt redacted', async () => {
    const incident = await escalate('conv-a', ['webhook'], 'client secret is abc~Q~0123456789abcdefghijklmnopqrstuvwxyz01 please help');
    const { w } = worker();
    await w.drainOnce();
    const body = receiver.requests[0]!.body;
    expect(body).not.toContain('0123456789abcdefghijklmnopqrstuvwxyz01');
    expect(JSON.parse(body).escalation.note).toContain('[REDACTED]');
    expect((await store.get(incident.id))?.escalationNote).not.toContain('0123456789abcdefghijklmnopqrstuvwxyz01');
  });

  it('leaves messages for a target it has no sink for to the instance that has one', async () => {
    await escalate('conv-a', ['webhook', 'teams-channel']);
    const { w } = worker();
    expect(await w.drainOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    const channel: OutboxMessage[] = [];
    const teamsSink: EscalationSink = { target: 'teams-channel', deliver: async (m) => (channel.push(m), { ok: true }) };
    const other = createOutboxWorker({ store, sinks: [teamsSink], clock });
    expect(await other.drainOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(channel.map((m) => m.target)).toEqual(['teams-channel']);
    expect(receiver.requests).toHaveLength(1);
  });

  it('gives up, after a while, a message whose destination is set up nowhere any more: not "pending" for ever, and it can be sent again', async () => {
    // Escalated while a support channel existed; the configuration no longer has one (only the webhook).
    const incident = await escalate('conv-a', ['teams-channel']);
    const { w, dead } = worker({ unroutableAfterMs: 10 * 60_000 });
    advance(9 * 60_000);
    // Meanwhile an instance that still has the sink could take it: left alone.
    expect(await w.drainOnce()).toMatchObject({ claimed: 0, deadLettered: 0 });
    expect((await store.get(incident.id))?.escalationDelivery).toBe('pending');
    advance(60_000);
    expect(await w.drainOnce()).toMatchObject({ claimed: 0, deadLettered: 1 });
    expect(dead).toEqual([{ message: expect.objectContaining({ incidentId: incident.id, target: 'teams-channel' }), error: 'its destination is no longer set up' }]);
    const after = await store.get(incident.id);
    expect(after?.escalationDelivery).toBe('dead-lettered');
    expect(await store.outboxCounts()).toEqual({ pending: 0, delivered: 0, deadLettered: 1 });
    // Sent again to the destination that exists now, it is delivered.
    const again = await store.apply({ incidentId: incident.id, conversationId: 'conv-a', actor: ada, action: { kind: 'escalate' }, at: now }, ['webhook'], (i) => buildEscalationPayload(i));
    expect(again.status).toBe('applied');
    expect(await w.drainOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    expect((await store.get(incident.id))?.escalationDelivery).toBe('delivered');
  });

  it('never gives up a message one of its own sinks delivers, however old', async () => {
    await escalate();
    receiver.answer = () => ({ status: 503 });
    const { w } = worker({ unroutableAfterMs: 0 });
    advance(60 * 60_000);
    expect(await w.drainOnce()).toMatchObject({ claimed: 1, retrying: 1, deadLettered: 0 });
  });

  it('a sink with nowhere to deliver yet (no alerts channel) is never dead-lettered for it, however long it waits', async () => {
    await escalate('conv-a', ['teams-channel']);
    let channelSet = false;
    const attempts: number[] = [];
    const sink: EscalationSink = {
      target: 'teams-channel',
      deliver: async (m) => {
        attempts.push(m.attempts);
        if (!channelSet) return { ok: false, retryable: true, retryAfterMs: 60_000, error: 'no alerts channel is set', notAttempted: true };
        return { ok: false, retryable: true, error: 'Teams answered 503' };
      },
    };
    const { w, dead } = worker({ sinks: [sink], maxAttempts: 2 });
    for (let i = 0; i < 5; i += 1) {
      expect(await w.drainOnce()).toMatchObject({ claimed: 1, retrying: 1, deadLettered: 0 });
      advance(60_000);
    }
    // Once there is a channel, the real attempts count from the first.
    channelSet = true;
    expect(await w.drainOnce()).toMatchObject({ claimed: 1, retrying: 1 });
    advance(60_000);
    expect(await w.drainOnce()).toMatchObject({ claimed: 1, deadLettered: 1 });
    expect(attempts).toEqual([1, 1, 1, 1, 1, 1, 2]);
    expect(dead.map((d) => d.error)).toEqual(['Teams answered 503']);
  });

  it('keeps its claim while a delivery runs past the lease (Teams waiting out a long Retry-After), so no other worker delivers it again', async () => {
    await escalate();
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    let release: () => void = () => undefined;
    const slow: EscalationSink = { target: 'webhook', deliver: () => new Promise((resolve) => (release = () => resolve({ ok: true }))) };
    const first = worker({ sinks: [slow], leaseMs: 90 });
    const running = first.w.drainOnce();
    await sleep(30);
    // Longer than the lease passes while the delivery is still in flight.
    advance(200);
    await sleep(120);
    const second = worker({ sinks: [{ target: 'webhook', deliver: async () => ({ ok: true }) }], leaseMs: 90 });
    expect(await second.w.drainOnce()).toMatchObject({ claimed: 0 });
    release();
    expect(await running).toMatchObject({ claimed: 1, delivered: 1 });
    expect(await store.outboxCounts()).toEqual({ pending: 0, delivered: 1, deadLettered: 0 });
  });

  it('stop() waits for the delivery in flight, and start() picks up what is due', async () => {
    await escalate();
    receiver.answer = () => 'hang';
    const { w, delivered } = worker({ pollMs: 60_000 });
    w.start();
    await receiver.waitForRequests(1);
    let stopped = false;
    const stopping = w.stop().then(() => {
      stopped = true;
    });
    await Promise.resolve();
    expect(stopped).toBe(false);
    receiver.releaseHanging(200);
    await stopping;
    expect(stopped).toBe(true);
    expect(delivered).toHaveLength(1);
  });
});
