// The matcher threads: the same answers as the main thread (with the main thread's own catalog
// entries), a bounded queue that refuses with a message people can act on, and a paste that never
// finishes costs its thread, not the pool.
import { afterEach, describe, expect, it } from 'vitest';
import { buildCatalog, loadCatalog } from '../../src/core/catalog.js';
import { BusyError, isCodedError } from '../../src/core/errors.js';
import { createMatcher } from '../../src/core/match.js';
import { BUSY_MESSAGE, createDiagnosisPool, type DiagnosisPool } from '../../src/diagnosis/pool.js';

const catalog = loadCatalog();
const matcher = createMatcher(catalog);
const BOX = 'AuthFatalFailureException: com.box.boxjavalibv2.exceptions.BoxServerException: invalid_grant';
const heavy = (n = 0) => {
  let text = '';
  for (let i = 0; text.length < 48 * 1024; i++) text += `2026-11-30T10:00:00Z INFO sync ${n} batch ${i} done in ${i % 97} ms\n`;
  return `${text}${BOX}\nHttpRequestFailure: Server returned: 401 Unauthorized okta.com\n`;
};

const pools: DiagnosisPool[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
});
const open = (options: Partial<Parameters<typeof createDiagnosisPool>[0]> = {}) => {
  const pool = createDiagnosisPool({ matcher, threads: 1, ...options });
  pools.push(pool);
  return pool;
};

describe('diagnosis pool', () => {
  it('answers a long paste in a thread exactly as the main thread would, with the same catalog entries', async () => {
    const pool = open();
    await pool.ready();
    const text = heavy();
    const fromThread = await pool.diagnose(text);
    const inline = matcher.diagnose(text);
    expect(fromThread).toEqual(inline);
    expect(fromThread.findings.length).toBeGreaterThan(0);
    for (const finding of fromThread.findings) for (const m of finding.matches) expect(m.entry).toBe(catalog.entry(m.entry.id));
    expect(await pool.diagnose(heavy(), { app: 'okta' })).toEqual(matcher.diagnose(heavy(), { app: 'okta' }));
  });

  it('refuses past the queue bound at once, with a message a person can act on', async () => {
    const pool = open({ queueLimit: 1 });
    await pool.ready();
    const running = pool.diagnose(heavy(1));
    const waiting = pool.diagnose(heavy(2));
    const refused = await pool.diagnose(heavy(3)).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(BusyError);
    expect((refused as BusyError).userMessage).toBe(BUSY_MESSAGE);
    expect(pool.load()).toEqual({ running: 1, queued: 1 });
    await Promise.all([running, waiting]);
    expect(pool.load()).toEqual({ running: 0, queued: 0 });
  });

  it('a paste past its time limit fails alone; the thread is replaced and the pool goes on', async () => {
    const errors: string[] = [];
    const pool = open({ jobTimeoutMs: 1, onThreadError: (e) => errors.push(e.message) });
    await pool.ready();
    const failure = await pool.diagnose(heavy()).then(() => undefined, (e: unknown) => e);
    expect(isCodedError(failure) && failure.code).toBe('MATCHER_FAILED');
    expect(errors.join('\n')).toMatch(/starting another/);
    await pool.ready();
    // Short pastes never needed a thread.
    expect((await pool.diagnose(BOX)).findings[0]?.matches[0]?.entry.id).toBe('box-invalid-refresh-token');
  });
});

describe('diagnosis pool threads start on first need', () => {
  it('starts no thread for short pastes; the first long paste starts them and is answered as inline', async () => {
    const pool = open();
    expect(pool.threadCount()).toBe(0);
    expect(await pool.diagnose(BOX)).toEqual(matcher.diagnose(BOX));
    expect(pool.threadCount()).toBe(0);
    const text = heavy(7);
    expect(await pool.diagnose(text)).toEqual(matcher.diagnose(text));
    expect(pool.threadCount()).toBe(1);
  });

  it('a thread matches with the main thread\'s catalog as it was handed over, never the files on disk', async () => {
    // The main thread's catalog lacks Box's entry (as if the files had changed since start-up).
    const withoutBox = buildCatalog(catalog.apps, catalog.entries.filter((e) => e.id !== 'box-invalid-refresh-token'));
    const narrowed = createMatcher(withoutBox);
    const pool = open({ matcher: narrowed });
    const fromThread = await pool.diagnose(heavy());
    expect(fromThread).toEqual(narrowed.diagnose(heavy()));
    expect(fromThread.findings.flatMap((f) => f.matches.map((m) => m.entry.id))).not.toContain('box-invalid-refresh-token');
  });

  it('a thread that cannot load its catalog fails the long pastes waiting for it, once, without a restart loop', async () => {
    const errors: string[] = [];
    const pool = open({ catalog: { apps: [], entries: catalog.entries }, onThreadError: (e) => errors.push(e.message) });
    const failure = await pool.diagnose(heavy()).then(() => undefined, (e: unknown) => e);
    expect(isCodedError(failure) && failure.code).toBe('MATCHER_FAILED');
    expect(errors.join('\n')).toMatch(/before it was ready/);
    expect(errors.join('\n')).not.toMatch(/starting another/);
    expect(pool.threadCount()).toBe(0);
    // Short pastes are still answered on the main thread.
    expect((await pool.diagnose(BOX)).findings[0]?.matches[0]?.entry.id).toBe('box-invalid-refresh-token');
  });
});
