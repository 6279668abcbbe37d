// kill -9 in the middle of delivering an escalation: a separate process runs the outbox against
// an SQLite file while the support webhook answers 503, is killed with SIGKILL while an attempt
// is in flight, and a fresh process delivers once the webhook is back: signed, same key, once.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildEscalationPayload, openStore } from '../../src/incidents/index.js';
import { startReceiver, type Receiver } from './fixtures/receiver.js';

const CHILD = fileURLToPath(new URL('./fixtures/outbox-child.ts', import.meta.url));
const SECRET = 'crash-test-secret';

const children: ChildProcessWithoutNullStreams[] = [];
let receiver: Receiver | undefined;
let dir: string | undefined;

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await receiver?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function startChild(dbPath: string, url: string): { child: ChildProcessWithoutNullStreams; lines: Record<string, unknown>[]; waitFor(event: string): Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dbPath, url, SECRET], {
    env: { ...process.env, LEASE_MS: '1500' },
    stdio: 'pipe',
  });
  children.push(child);
  const lines: Record<string, unknown>[] = [];
  const waiters: { event: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  let buffer = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>;
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      for (const w of waiters.filter((w) => w.event === line.event)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  child.on('exit', (code, signal) => {
    for (const w of waiters.splice(0)) w.reject(new Error(`outbox child exited (${code ?? signal}) before "${w.event}": ${stderr.slice(0, 500)}`));
  });
  return {
    child,
    lines,
    waitFor(event: string) {
      if (lines.some((l) => l.event === event)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => waiters.push({ event, resolve, reject }));
    },
  };
}

describe('outbox crash and restart', () => {
  it('delivers after a SIGKILL mid-delivery: once, signed, with the same Idempotency-Key', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cd-crash-'));
    const dbPath = join(dir, 'incidents.db');
    const T0 = new Date();

    // The bot recorded an escalation (in the same transaction as the press) and is gone.
    const store = await openStore(`sqlite:${dbPath}`);
    const { incident } = await store.openOrRepeat({
      conversationId: 'conv-crash',
      reporter: { id: '29:ada', name: 'Ada Ops' },
      excerpt: 'AADSTS70008: The refresh token has expired',
      verdict: 'match',
      entryIds: ['microsoft-365-refresh-token-expired'],
      appId: 'microsoft-365',
      at: T0,
    });
    await store.apply(
      { incidentId: incident.id, conversationId: 'conv-crash', actor: { id: '29:bob', name: 'Bob Admin' }, action: { kind: 'escalate', note: 'urgent' }, at: T0 },
      ['webhook'],
      (i) => buildEscalationPayload(i),
    );
    await store.close();

    // Support is down: 503 twice, then the third attempt hangs and the process is killed during it.
    receiver = await startReceiver((_r, i) => (i < 2 ? { status: 503 } : 'hang'));
    const first = startChild(dbPath, receiver.url);
    await receiver.waitForRequests(3);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(first.lines.some((l) => l.event === 'delivered')).toBe(false);

    // Support is back; a new process picks the message up once the dead process's lease expires.
    receiver.answer = () => ({ status: 200 });
    const second = startChild(dbPath, receiver.url);
    await second.waitFor('delivered');
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));

    const requests = receiver.requests;
    expect(requests.length).toBeGreaterThanOrEqual(4);
    const keys = new Set(requests.map((r) => r.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    for (const r of requests) {
      expect(r.headers['x-connector-doctor-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`);
    }
    expect(JSON.parse(requests[0]!.body)).toMatchObject({ incident: { id: incident.id }, escalation: { note: 'urgent' } });
    expect(second.lines.filter((l) => l.event === 'delivered')).toHaveLength(1);

    const after = await openStore(`sqlite:${dbPath}`);
    expect(await after.outboxCounts()).toEqual({ pending: 0, delivered: 1, deadLettered: 0 });
    expect((await after.get(incident.id))?.escalationDelivery).toBe('delivered');
    expect((await after.events(incident.id)).filter((e) => e.kind === 'escalation-delivered')).toHaveLength(1);
    await after.close();
  });
});
