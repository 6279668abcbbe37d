// The no-noise rules as a table: what an incoming alert does given what the store found.
import { describe, expect, it } from 'vitest';
import { decideAlert, dedupeKeyOf, sourceKeyOf } from '../../src/alerts/dedupe.js';
import type { AlertLookup, Incident } from '../../src/incidents/types.js';

const incident = (state: Incident['state'], id = 'i1') => ({ id, state }) as Incident;
const own = (over: Partial<NonNullable<AlertLookup['bySource']>> = {}): AlertLookup['bySource'] => ({ incident: incident('open'), cleared: false, humanActed: false, activeSources: 1, ...over });

describe('decideAlert', () => {
  it.each<[string, AlertLookup, 'active' | 'resolved', ReturnType<typeof decideAlert>]>([
    ['a new alert opens an incident', {}, 'active', { kind: 'open', resolved: false }],
    ['the same alert again is counted, whatever the state', { bySource: own({ incident: incident('resolved') }) }, 'active', { kind: 'repeat', incidentId: 'i1', attach: false }],
    ['another alert of an open app+error is counted there', { byKey: { incident: incident('escalated', 'i2') } }, 'active', { kind: 'repeat', incidentId: 'i2', attach: true }],
    ['cleared, nobody acted, last active alert: resolved', { bySource: own() }, 'resolved', { kind: 'clear', incidentId: 'i1', resolve: true }],
    ['cleared while another alert keeps it active', { bySource: own({ activeSources: 2 }) }, 'resolved', { kind: 'clear', incidentId: 'i1', resolve: false }],
    ['cleared after a person acted', { bySource: own({ humanActed: true }) }, 'resolved', { kind: 'clear', incidentId: 'i1', resolve: false }],
    ['cleared while escalated', { bySource: own({ incident: incident('escalated') }) }, 'resolved', { kind: 'clear', incidentId: 'i1', resolve: false }],
    ['cleared twice', { bySource: own({ cleared: true }) }, 'resolved', { kind: 'ignore', incidentId: 'i1' }],
    ['first heard of as cleared: kept, resolved', { byKey: { incident: incident('open', 'i2') } }, 'resolved', { kind: 'open', resolved: true }],
  ])('%s', (_what, found, status, expected) => {
    expect(decideAlert(found, { status })).toEqual(expected);
  });
});

describe('keys', () => {
  it('keeps apps apart for an error any app can show, and an id holding a secret only as a hash', () => {
    expect(dedupeKeyOf('box', 'match', ['all-timeout'], 'a')).not.toBe(dedupeKeyOf('okta', 'match', ['all-timeout'], 'a'));
    expect(dedupeKeyOf('Box', 'match', ['all-timeout'], 'a')).toBe(dedupeKeyOf('box', 'match', ['all-timeout'], 'b'));
    expect(sourceKeyOf('generic', 'flow-1')).toBe('generic:flow-1');
    const secretId = 'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
    expect(sourceKeyOf('generic', secretId)).toMatch(/^generic:sha256:[0-9a-f]{64}$/);
  });
});
