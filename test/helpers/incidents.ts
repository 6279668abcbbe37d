// Hand-made incidents in each state, for card tests that do not need a store.
import type { Incident } from '../../src/incidents/types.js';

export const ADA = { id: 'user-ada', name: 'Ada Ops', aadObjectId: 'aad-ada' };
export const BOB = { id: 'user-bob', name: 'Bob Desk' };

export function incident(overrides: Partial<Incident> = {}): Incident {
  const createdAt = new Date('2026-12-01T10:30:00Z');
  return {
    id: 'inc-1',
    conversationId: 'conv-1',
    reporter: ADA,
    excerpt: 'AuthFatalFailureException: com.box.boxjavalibv2.exceptions.BoxServerException: invalid_grant - Invalid refresh token',
    verdict: 'match',
    entryIds: ['box-invalid-refresh-token'],
    appId: 'box',
    state: 'open',
    version: 1,
    repeatCount: 0,
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}
