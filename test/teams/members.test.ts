// Who gets a card refreshed automatically: the conversation's members, asked of Teams once and
// remembered (bounded in time and size), none above 60, and the sender when Teams cannot say.
import { TurnContext, type Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { createMemberDirectory } from '../../src/teams/members.js';
import { RecordingAdapter, personalMessage, USER_ADA } from '../helpers/bot-harness.js';

/** A turn in a group chat: a personal chat is never looked up (see below). */
const contextIn = (conversationId: string, conversationType = 'groupChat') => {
  const activity = personalMessage('hi', USER_ADA, conversationId) as Activity;
  activity.conversation = { ...activity.conversation, conversationType };
  return new TurnContext(new RecordingAdapter(async () => undefined), activity);
};
const people = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `29:p${i}` }));

describe('the member directory', () => {
  it('lists the members, asks Teams once per conversation and remembers until the time is up', async () => {
    let now = 0;
    let asked = 0;
    const directory = createMemberDirectory({ now: () => now, ttlMs: 60_000, lookup: async () => ((asked += 1), { members: people(3), more: false }) });
    expect(await directory.idsFor(contextIn('a:1'))).toEqual(['29:p0', '29:p1', '29:p2']);
    expect(await directory.idsFor(contextIn('a:1'))).toEqual(['29:p0', '29:p1', '29:p2']);
    expect(directory.cached('a:1')).toEqual(['29:p0', '29:p1', '29:p2']);
    expect(asked).toBe(1);
    now += 60_001;
    expect(directory.cached('a:1')).toBeUndefined();
    await directory.idsFor(contextIn('a:1'));
    expect(asked).toBe(2);
  });

  it('lists nobody above 60 members (Teams would refresh none of them automatically)', async () => {
    const sixty = createMemberDirectory({ now: () => 0, lookup: async () => ({ members: people(60), more: false }) });
    expect(await sixty.idsFor(contextIn('19:team@thread.tacv2'))).toHaveLength(60);
    const many = createMemberDirectory({ now: () => 0, lookup: async () => ({ members: people(61), more: false }) });
    expect(await many.idsFor(contextIn('19:team@thread.tacv2'))).toBeUndefined();
    const paged = createMemberDirectory({ now: () => 0, lookup: async () => ({ members: people(10), more: true }) });
    expect(await paged.idsFor(contextIn('19:team@thread.tacv2'))).toBeUndefined();
  });

  it('when Teams cannot say (an error, or too slow), the sender stands in and Teams is not asked again at once', async () => {
    let asked = 0;
    const failing = createMemberDirectory({ now: () => 0, lookup: async () => ((asked += 1), Promise.reject(new Error('403'))) });
    expect(await failing.idsFor(contextIn('a:2'))).toEqual([USER_ADA.id]);
    await failing.idsFor(contextIn('a:2'));
    expect(asked).toBe(1);
    const slow = createMemberDirectory({ now: () => 0, lookupTimeoutMs: 5, lookup: () => new Promise(() => undefined) });
    expect(await slow.idsFor(contextIn('a:3'))).toEqual([USER_ADA.id]);
  });

  it('never asks Teams about a personal chat: its members are the sender (and the bot)', async () => {
    let asked = 0;
    const directory = createMemberDirectory({ now: () => 0, lookup: async () => ((asked += 1), { members: people(3), more: false }) });
    expect(await directory.idsFor(contextIn('a:p', 'personal'))).toEqual([USER_ADA.id]);
    expect(asked).toBe(0);
  });

  it('shares one lookup between turns of a conversation that arrive while it runs', async () => {
    let asked = 0;
    let answer: (page: { members: { id: string }[]; more: boolean }) => void = () => undefined;
    const directory = createMemberDirectory({ now: () => 0, lookup: () => ((asked += 1), new Promise((resolve) => (answer = resolve))) });
    const turns = [directory.idsFor(contextIn('a:4')), directory.idsFor(contextIn('a:4')), directory.idsFor(contextIn('a:4'))];
    answer({ members: people(2), more: false });
    expect(await Promise.all(turns)).toEqual([['29:p0', '29:p1'], ['29:p0', '29:p1'], ['29:p0', '29:p1']]);
    expect(asked).toBe(1);
  });

  it('remembers a bounded number of conversations, dropping the oldest', async () => {
    const directory = createMemberDirectory({ now: () => 0, maxConversations: 2, lookup: async () => ({ members: people(1), more: false }) });
    for (const id of ['a:1', 'a:2', 'a:3']) await directory.idsFor(contextIn(id));
    expect(directory.cached('a:1')).toBeUndefined();
    expect(directory.cached('a:2')).toEqual(['29:p0']);
    expect(directory.cached('a:3')).toEqual(['29:p0']);
  });
});
