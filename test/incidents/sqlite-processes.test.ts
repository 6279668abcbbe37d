// Two processes on one SQLite file (two bot instances sharing a volume): presses race on every
// incident, then both claim the outbox. BEGIN IMMEDIATE and busy_timeout must give one state per
// incident, at most one escalation per target, and each outbox message to one process only.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/incidents/index.js';

const CHILD = fileURLToPath(new URL('./fixtures/press-child.ts', import.meta.url));
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function startPresser(dbPath: string, name: string, ids: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dbPath, name, ids.join(',')], { stdio: 'pipe' });
  let out = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const ready = new Promise<void>((resolve) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.startsWith('ready\n')) resolve();
    });
  });
  const result = new Promise<{ outcomes: string[]; claimed: string[] }>((resolve, reject) => {
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code === 0 && line) resolve(JSON.parse(line));
      else reject(new Error(`presser ${name} exited ${code}: ${stderr.slice(0, 500)}`));
    });
  });
  return { child, ready, result, go: () => child.stdin.write('go\n') };
}

describe('two processes on one SQLite file', () => {
  it('keep one consistent state per incident and deliver each escalation message to one process', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cd-race-'));
    const dbPath = join(dir, 'incidents.db');
    const store = await openStore(`sqlite:${dbPath}`);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const { incident } = await store.openOrRepeat({
        conversationId: 'conv-race',
        reporter: { id: 'u', name: 'U' },
        excerpt: `distinct unknown error ${i}`,
        verdict: 'none',
        entryIds: [],
        at: new Date('2026-11-30T10:00:00Z'),
      });
      ids.push(incident.id);
    }
    const a = startPresser(dbPath, 'a', ids);
    const b = startPresser(dbPath, 'b', ids);
    await Promise.all([a.ready, b.ready]);
    a.go();
    b.go();
    const [ra, rb] = await Promise.all([a.result, b.result]);

    expect([...ra.outcomes, ...rb.outcomes].every((s) => ['applied', 'unchanged', 'rejected'].includes(s))).toBe(true);
    let escalations = 0;
    for (const id of ids) {
      const incident = (await store.get(id))!;
      const changes = (await store.events(id)).filter((e) => e.kind !== 'opened');
      expect(changes.length).toBeGreaterThanOrEqual(1);
      expect(incident.version).toBe(1 + changes.length);
      expect(changes[changes.length - 1]!.kind).toBe(incident.state);
      const escalated = changes.filter((e) => e.kind === 'escalated').length;
      expect(escalated).toBeLessThanOrEqual(1);
      escalations += escalated;
    }
    // One message per target per escalation, and each claimed by exactly one of the processes.
    const claimed = [...ra.claimed, ...rb.claimed];
    expect(claimed).toHaveLength(escalations * 2);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(await store.outboxCounts()).toEqual({ pending: escalations * 2, delivered: 0, deadLettered: 0 });
    await store.close();
  });
});
