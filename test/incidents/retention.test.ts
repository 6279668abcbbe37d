// RETENTION_DAYS: what is older goes, with its audit trail; what is recent stays.

import { describe, expect, it } from 'vitest';
import { createRetentionJob, openStore } from '../../src/incidents/index.js';

describe('retention job', () => {
  it('purges incidents last touched before the retention period and keeps the rest', async () => {
    const store = await openStore('sqlite::memory:');
    const now = new Date('2026-11-30T10:00:00Z');
    const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
    const open = (conversationId: string, at: Date) =>
      store.openOrRepeat({ conversationId, reporter: { id: 'u', name: 'U' }, excerpt: 'e', verdict: 'none', entryIds: [], at });
    const old = (await open('c-old', daysAgo(31))).incident;
    const kept = (await open('c-kept', daysAgo(29))).incident;
    // A repeat yesterday keeps an old incident alive: it was touched within the period.
    const touched = (await open('c-touched', daysAgo(45))).incident;
    await open('c-touched', daysAgo(1));

    const job = createRetentionJob({ store, retentionDays: 30, clock: () => now });
    expect(await job.runOnce()).toBe(1);
    expect(await store.get(old.id)).toBeUndefined();
    expect(await store.events(old.id)).toEqual([]);
    expect(await store.get(kept.id)).toBeDefined();
    expect(await store.get(touched.id)).toBeDefined();
    expect(await job.runOnce()).toBe(0);
    await store.close();
  });
});
