// The matcher's answers for recent excerpts are remembered (a press does not match the excerpt
// again), the card is the same either way, and the memory is bounded.
import { describe, expect, it } from 'vitest';
import type { Finding, Matcher } from '../../src/core/types.js';
import type { Incident } from '../../src/incidents/types.js';
import { FINDING_CACHE_ENTRIES, FindingCache, findingCacheOf, incidentCardFor } from '../../src/teams/incident-view.js';
import { realMatcher } from '../helpers/bot-harness.js';
import { incident as handMade } from '../helpers/incidents.js';

const T0 = new Date('2026-12-01T10:00:00Z');
const incident = (over: Partial<Incident> = {}): Incident => handMade({ id: 'i1', conversationId: 'a:personal-ada', createdAt: T0, updatedAt: T0, ...over });

/** The real matcher behind a new identity (so a cache of its own), counting its diagnoses. */
function countingMatcher(): { matcher: Matcher; calls: () => number } {
  const real = realMatcher();
  let calls = 0;
  const matcher: Matcher = {
    ...real,
    catalog: real.catalog,
    diagnose: (text, options) => {
      calls += 1;
      return real.diagnose(text, options);
    },
  };
  return { matcher, calls: () => calls };
}

const noEvents = { events: async () => [] };

describe('the finding cache of incident cards', () => {
  it('renders the same card from a remembered answer as from a fresh one, matching the excerpt once', async () => {
    const { matcher, calls } = countingMatcher();
    const first = await incidentCardFor({ matcher, store: noEvents }, incident());
    const again = await incidentCardFor({ matcher, store: noEvents }, incident({ state: 'resolved', version: 2 }));
    expect(calls()).toBe(1);
    const fresh = await incidentCardFor({ matcher: countingMatcher().matcher, store: noEvents }, incident({ state: 'resolved', version: 2 }));
    expect(again).toEqual(fresh);
    // The answer shows on the card (its certainty): a matcher that fails gives another card.
    const failing: Matcher = { ...realMatcher(), diagnose: () => { throw new Error('crash'); } };
    expect(first).not.toEqual(await incidentCardFor({ matcher: failing, store: noEvents }, incident()));
  });

  it('keeps at most its bound, dropping the least recently used excerpt', () => {
    const cache = new FindingCache(3);
    const computed: string[] = [];
    const get = (excerpt: string) => cache.get(excerpt, () => (computed.push(excerpt), undefined as Finding | undefined));
    for (const e of ['a', 'b', 'c']) get(e);
    get('a'); // a is now the most recent
    get('d'); // drops b
    expect(cache.size).toBe(3);
    get('a');
    get('b');
    expect(computed).toEqual(['a', 'b', 'c', 'd', 'b']);
  });

  it('stays within FINDING_CACHE_ENTRIES however many pastes come by', () => {
    const { matcher } = countingMatcher();
    const cache = findingCacheOf(matcher);
    for (let i = 0; i < FINDING_CACHE_ENTRIES + 500; i += 1) cache.get(`excerpt ${i}`, () => undefined);
    expect(cache.size).toBe(FINDING_CACHE_ENTRIES);
  });

  it('does not remember a matcher that threw', () => {
    const cache = new FindingCache(10);
    expect(() => cache.get('x', () => {
      throw new Error('crash');
    })).toThrow('crash');
    expect(cache.size).toBe(0);
  });
});
