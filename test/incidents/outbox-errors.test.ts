// What a background delivery throws reaches the structured log with the outbox message's and the
// incident's ids (never the error's text), and is never swallowed: a sink or hook with a bug
// (TypeError and kin) is logged as an error, Teams or the store failing as a warning; both retried.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/core/errors.js';
import { buildEscalationPayload, createOutboxWorker, openStore, type OutboxLogger } from '../../src/incidents/index.js';
import type { EscalationSink, IncidentStore } from '../../src/incidents/types.js';

const ada = { id: '29:ada', name: 'Ada Ops' };
const now = new Date('2026-11-30T10:00:00.000Z');
let store: IncidentStore;

beforeEach(async () => {
  store = await openStore('sqlite::memory:');
});
afterEach(async () => {
  await store.close();
});

async function escalated(): Promise<string> {
  const { incident } = await store.openOrRepeat({ conversationId: 'conv-a', reporter: ada, excerpt: 'Error: invalid_grant', verdict: 'match', entryIds: ['box-invalid-refresh-token'], appId: 'box', at: now });
  const outcome = await store.apply({ incidentId: incident.id, conversationId: 'conv-a', actor: ada, action: { kind: 'escalate' }, at: now }, ['webhook'], (i) => buildEscalationPayload(i));
  if (outcome.status !== 'applied') throw new Error(`escalation not applied: ${outcome.status}`);
  return incident.id;
}

function recordingLogger() {
  const lines: { level: 'info' | 'warn' | 'error'; fields: Record<string, unknown>; message: string }[] = [];
  const logger: OutboxLogger = {
    info: (fields, message) => void lines.push({ level: 'info', fields, message }),
    warn: (fields, message) => void lines.push({ level: 'warn', fields, message }),
    error: (fields, message) => void lines.push({ level: 'error', fields, message }),
  };
  return { logger, lines };
}

const sinkThrowing = (error: unknown): EscalationSink => ({ target: 'webhook', deliver: () => Promise.reject(error) });

describe('errors thrown inside the outbox worker', () => {
  it('a sink with a bug: an error line with the outbox and incident ids and the error name, not its text; retried', async () => {
    const incidentId = await escalated();
    const { logger, lines } = recordingLogger();
    const worker = createOutboxWorker({ store, sinks: [sinkThrowing(new TypeError('cannot read x of undefined (secret-ish detail)'))], clock: () => now, logger });
    expect(await worker.drainOnce()).toMatchObject({ claimed: 1, retrying: 1 });
    const line = lines.find((l) => l.message === 'outbox sink threw');
    expect(line).toMatchObject({ level: 'error', fields: { incidentId, target: 'webhook', err: 'TypeError', outboxId: expect.any(String) } });
    expect(JSON.stringify(lines)).not.toContain('secret-ish detail');
  });

  it('a sink meeting the store down: a warning with the ids and the error code; retried', async () => {
    const incidentId = await escalated();
    const { logger, lines } = recordingLogger();
    const worker = createOutboxWorker({ store, sinks: [sinkThrowing(new StoreError('unavailable', 'connection refused'))], clock: () => now, logger });
    expect(await worker.drainOnce()).toMatchObject({ retrying: 1 });
    expect(lines.find((l) => l.message === 'outbox sink threw')).toMatchObject({ level: 'warn', fields: { incidentId, err: 'StoreError', code: 'STORE_UNAVAILABLE' } });
  });

  it('a hook that throws after a delivery: logged with the ids, the delivery still counts', async () => {
    const incidentId = await escalated();
    const { logger, lines } = recordingLogger();
    const worker = createOutboxWorker({
      store,
      sinks: [{ target: 'webhook', deliver: async () => ({ ok: true }) }],
      clock: () => now,
      logger,
      onDelivered: () => {
        throw new RangeError('bad card');
      },
    });
    expect(await worker.drainOnce()).toMatchObject({ delivered: 1 });
    expect(lines.find((l) => l.message === 'outbox hook failed')).toMatchObject({ level: 'error', fields: { hook: 'onDelivered', incidentId, err: 'RangeError', outboxId: expect.any(String) } });
  });
});
