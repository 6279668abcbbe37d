// The bot as a Teams user meets it: paste -> card, buttons -> the card changes for everyone,
// chat -> one short line and nothing kept, commands, welcome, and refusals that never crash.
// Driven through botbuilder's TestAdapter.
import { TurnContext, type Activity } from 'botbuilder';
import { createRateLimiter } from '../../src/core/ratelimit.js';
import type { Matcher } from '../../src/core/types.js';
import { PRESS_BUDGET_MS, QUIET_LINE, parseCommand } from '../../src/teams/bot.js';
import type { MemberDirectory } from '../../src/teams/members.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quietMessages, type QuietMessage } from '../fixtures/pastes/quiet.js';
import { actionsOf, cardProblems, readingInUtc, refreshOf, unescapeDisplay, visibleText } from '../helpers/adaptive-card-schema.js';
import {
  BOT,
  USER_ADA,
  USER_BOB,
  cardOf,
  channelMention,
  executeInvoke,
  invokeAnswer,
  personalMessage,
  realMatcher,
  startHarness,
  startedHarnesses,
  submitMessage,
  type Harness,
  type HarnessOptions,
} from '../helpers/bot-harness.js';
import { failOnLoggedErrors } from '../helpers/logged-errors.js';

const BOX_PASTE = 'AuthFatalFailureException: com.box.boxjavalibv2.exceptions.BoxServerException: invalid_grant';
const AMBIGUOUS_PASTE = 'NullPointerException';
const BOX_HEADLINE = 'Box connector: Box no longer accepts the refresh token Defender for Cloud Apps keeps for your Box enterprise';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});
// A card press or an invoke that throws is answered with an error, not thrown: fail on its log line.
failOnLoggedErrors(startedHarnesses);

async function withHarness(options: HarnessOptions, run: (harness: Harness) => Promise<void>): Promise<void> {
  const harness = await startHarness(options);
  try {
    await run(harness);
  } finally {
    await harness.close();
  }
}

/** What a reader in UTC sees on a card. */
function text(card: unknown): string {
  return readingInUtc(unescapeDisplay(visibleText(card)));
}

const titleOf = (card: unknown) => text(card).split('\n')[0] ?? '';

/** The verbs of the card's own buttons (not those in its folded details). */
const cardButtons = (card: unknown) => actionsOf({ actions: (card as { actions?: unknown }).actions }).filter((a) => a.type === 'Action.Execute').map((a) => a.verb);

/** Paste the Box error; returns the posted card's activity id and the incident id on it. */
async function pasteBox(harness = h): Promise<{ activityId: string; incidentId: string; card: Record<string, unknown> }> {
  const replies = await harness.send(personalMessage(BOX_PASTE));
  const card = cardOf(replies[0])!;
  const resolve = actionsOf(card).find((a) => a.verb === 'resolve')!;
  return { activityId: replies[0]!.id!, incidentId: (resolve.data as { incidentId: string }).incidentId, card };
}

describe('a paste', () => {
  it('gets a diagnosis card with app and cause first, the state, steps and buttons, recorded as an incident', async () => {
    const { card, incidentId, activityId } = await pasteBox();
    expect(cardProblems(card)).toEqual([]);
    const entry = h.matcher.catalog.entry('box-invalid-refresh-token')!;
    expect(titleOf(card)).toBe(BOX_HEADLINE);
    expect(text(card).split('\n')[1]).toBe('⚒ Open · reported by Ada Ops, 2026-12-01 10:30 UTC');
    expect(text(card)).toContain(`1. ${entry.resolution.steps[0]!.slice(0, 30)}`);
    expect(text(card)).toMatch(/How sure: (Exact message|Strong|Likely)/);
    expect(cardButtons(card)).toEqual(['resolve', 'escalate']);
    const incident = await h.store.get(incidentId);
    expect(incident).toMatchObject({ state: 'open', verdict: 'match', appId: 'box', activityId, reporter: { name: 'Ada Ops' } });
  });

  it('pasted again, counts the repeat on the same incident', async () => {
    const first = await pasteBox();
    const second = await pasteBox();
    expect(second.incidentId).toBe(first.incidentId);
    expect(text(second.card)).toContain('Seen 2 times in this conversation');
  });

  it('with several errors gets one card each, at most 5, then a summary line', async () => {
    const messages = h.matcher.catalog.entries.filter((e) => e.message !== AMBIGUOUS_PASTE).slice(0, 7).map((e) => e.message);
    const replies = await h.send(personalMessage(messages.join('\n\n')));
    const cards = replies.filter((r) => cardOf(r));
    expect(cards).toHaveLength(5);
    expect(replies.at(-1)?.text).toMatch(/I found 7 errors in that message and showed the first 5/);
  });

  it('with several errors, the summary names the ones left without a card', async () => {
    const pastes = [
      'Box: BoxServerException: Unauthorized - Cannot authorize with this service',
      'Okta: IOException: connection reset',
      'GoogleJsonResponseException: 403 Forbidden',
      'Slack: team_not_authorized',
      'Smartsheet: Operation you are attempting to perform is not supported by your plan',
      'Salesforce: Get Permissions: NoHttpResponseException: contoso.salesforce.com:443 failed to respond',
      'Zendesk: Get user: Success Get events: Request failed with status code 403',
    ];
    const replies = await h.send(personalMessage(pastes.join('\n\n')));
    expect(replies.filter((r) => cardOf(r)).map((r) => titleOf(cardOf(r)).split(':')[0])).toEqual([
      'Box connector', 'Okta connector', 'Google Workspace connector', 'Slack connector', 'Smartsheet connector',
    ]);
    expect(replies.at(-1)?.text).toBe(
      'I found 7 errors in that message and showed the first 5. Not shown: Salesforce and Zendesk. Paste those separately to get a card for each.',
    );
  });

  it('an error any app can show is named after the app in the paste, without a far-fetched alternative', async () => {
    const replies = await h.send(personalMessage('ServiceNow connector: HttpRequestFailure: Server returned: 500 Internal server error'));
    const card = cardOf(replies[0]);
    expect(titleOf(card)).toMatch(/^ServiceNow connector: /);
    expect(text(card)).toContain('Who acts: An admin of ServiceNow');
    // The matcher's 28% guesses (a 401 for a 500) are not offered as an alternative.
    expect(text(card)).not.toContain('Also possible');
    expect(actionsOf(card).some((a) => a.verb === 'choose-alternative')).toBe(false);
  });

  it('longer than the bot reads says how much it read', async () => {
    const replies = await h.send(personalMessage(`${BOX_PASTE}\n${'y'.repeat(70_000)}`));
    expect(cardOf(replies[0])).toBeDefined();
    expect(replies.at(-1)?.text).toMatch(/Your message was long \(70,\d{3} characters\), so I only read the first 65,536\./);
  });

  it('that is error-shaped but not a known error gets the honest no-match card with Escalate', async () => {
    const replies = await h.send(personalMessage('Widget frobnication failed with HTTP 418 on widgets.example'));
    const card = cardOf(replies[0]);
    expect(titleOf(card)).toBe("I don't know this error yet");
    expect(actionsOf(card).map((a) => a.verb)).toContain('escalate');
  });

  it('never reaches the logs as text; secrets never reach the card, which says what was removed and what to do', async () => {
    const secret = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnopqrstuvwxyz123456';
    const replies = await h.send(personalMessage(`${BOX_PASTE}\nAuthorization: Bearer ${secret}`));
    expect(JSON.stringify(replies)).not.toContain(secret);
    expect(h.logs()).not.toContain(secret);
    expect(h.logs()).not.toContain('boxjavalibv2');
    expect(h.logs()).toContain('paste diagnosed');
    // The log line says how many secrets of which kinds were removed.
    expect(h.logs()).toMatch(/"redactions":1,"redactedKinds":\["authorization-header"\]/);
    // Said on the card, not in a separate message after it.
    expect(replies).toHaveLength(1);
    const card = cardOf(replies[0]);
    expect(text(card)).toContain('⚠ 1 secret removed (an Authorization header). Your message above still shows it: delete it and rotate that credential.');
    // Still said when someone opens the chat later and the card refreshes.
    const incidentId = (refreshOf(card)?.action?.data as { incidentId: string }).incidentId;
    const refreshed = invokeAnswer(await h.send(executeInvoke('refresh', { incidentId })));
    expect(text(refreshed.body.value)).toContain('1 secret removed (an Authorization header)');
    expect(JSON.stringify(refreshed)).not.toContain(secret);
  });
});

/** The matcher of the quiet-chat work: text with no error evidence has no finding (secrets still counted). */
function quietMatcher(): Matcher {
  const real = realMatcher();
  return { catalog: real.catalog, diagnose: (text, options) => ({ ...real.diagnose(text, options), findings: [] }) };
}

function quietActivity(message: QuietMessage, index: number): Partial<Activity> {
  const from = { id: `29:chatter-${index}`, name: 'Chatty Person', aadObjectId: `aad-chatter-${index}` };
  if (message.scope === 'channel') return { ...channelMention('', from), text: message.text };
  const activity = personalMessage(message.text, from, message.scope === 'groupChat' ? '19:group@thread.v2' : 'a:personal-chatter');
  if (message.scope === 'groupChat') activity.conversation = { ...activity.conversation!, conversationType: 'groupChat', isGroup: true };
  return activity;
}

describe('chat that is not an error (given the matcher finds none in it)', () => {
  it.each(quietMessages.map((m, i) => [m.name, m, i] as const))('%s: one short line, no card, no incident', async (_name, message, index) => {
    await withHarness({ matcher: quietMatcher() }, async (quiet) => {
      const replies = await quiet.send(quietActivity(message, index));
      expect(replies.map((r) => r.text)).toEqual([QUIET_LINE]);
      expect(replies.some((r) => cardOf(r))).toBe(false);
      expect((await quiet.store.stats(quiet.clock(), 30)).total).toBe(0);
    });
  });

  it('in a channel, an @mention that is only a question gets the same line, in its thread', async () => {
    await withHarness({ matcher: quietMatcher() }, async (quiet) => {
      const replies = await quiet.send(channelMention('can you check the Box connector? it looks red since Monday'));
      expect(replies.map((r) => r.text)).toEqual([QUIET_LINE]);
      expect(replies[0]!.conversation?.id).toBe('19:ops@thread.tacv2;messageid=1700000000000');
    });
  });

  it('a secret in chat is still named, with what to do, and never echoed', async () => {
    await withHarness({ matcher: quietMatcher() }, async (quiet) => {
      const replies = await quiet.send(personalMessage('hey can you try with password=Sup3rS3cretValue! thanks'));
      expect(replies).toHaveLength(1);
      expect(replies[0]!.text).toBe(
        `${QUIET_LINE}\n\n1 secret removed (a password). Your message above still shows it: delete it and rotate that credential.`,
      );
      expect(JSON.stringify(replies)).not.toContain('Sup3rS3cretValue');
    });
  });

  it('stats counts nothing for chat', async () => {
    await withHarness({ matcher: quietMatcher() }, async (quiet) => {
      await quiet.send(personalMessage('thanks, that fixed it!'));
      const stats = text(cardOf((await quiet.send(personalMessage('stats')))[0]));
      expect(stats).toContain('Last 7 and 30 days: 0 incidents');
      expect(stats).not.toContain('App not identified');
    });
  });
});

describe('channels and chats', () => {
  it('strips the bot mention in a channel and answers in the same thread', async () => {
    const replies = await h.send(channelMention('help'));
    expect(text(cardOf(replies[0]))).toContain('Connector Doctor: how to use me');
    expect(replies[0]!.conversation?.id).toBe('19:ops@thread.tacv2;messageid=1700000000000');
  });

  it('replies to the very message in the thread, and the mention is not taken as part of a paste', async () => {
    const replies = await h.send({ ...channelMention('BoxServerException: Unauthorized - Cannot authorize with this service'), id: '1700000000123' });
    expect(replies[0]!.replyToId).toBe('1700000000123');
    const pasted = cardOf(replies[0]);
    expect(titleOf(pasted)).toMatch(/^Box connector: /);
    expect(text(pasted)).not.toContain('Connector Doctor');
  });

  it('diagnoses a paste after the mention', async () => {
    const replies = await h.send(channelMention(BOX_PASTE));
    expect(titleOf(cardOf(replies[0]))).toBe(BOX_HEADLINE);
  });

  it('survives an activity without a recipient', async () => {
    const activity = { ...channelMention('help'), recipient: undefined } as unknown as Activity;
    const context = new TurnContext(h.adapter, activity);
    await h.bot.run(context);
    const replies = h.adapter.activeQueue.splice(0);
    expect(text(cardOf(replies[0]))).toContain('how to use me');
  });

  it('welcomes people when the bot is added, not when someone else joins', async () => {
    const update = (memberId: string): Partial<Activity> => ({
      type: 'conversationUpdate',
      channelId: 'msteams',
      recipient: BOT,
      from: USER_ADA,
      conversation: { id: '19:ops@thread.tacv2', conversationType: 'channel', isGroup: true, name: '' },
      membersAdded: [{ id: memberId, name: 'x' }],
    });
    const added = await h.send(update(BOT.id));
    expect(text(cardOf(added[0]))).toContain("Hi, I'm Connector Doctor");
    const other = await h.send(update('29:someone-else'));
    expect(other).toHaveLength(0);
  });

  it.each([
    ['a personal chat', { id: 'a:personal-new', conversationType: 'personal', isGroup: false }],
    ['a group chat', { id: '19:group@thread.v2', conversationType: 'groupChat', isGroup: true }],
    ['a team', { id: '19:general@thread.tacv2', conversationType: 'channel', isGroup: true }],
  ])('installed in %s, posts the welcome card there', async (_scope, conversation) => {
    const replies = await h.send({
      type: 'conversationUpdate', channelId: 'msteams', recipient: BOT, from: USER_ADA,
      conversation: { ...conversation, name: '' }, membersAdded: [{ id: BOT.id, name: BOT.name }],
    });
    expect(replies).toHaveLength(1);
    expect(replies[0]!.conversation?.id).toBe(conversation.id);
    expect(text(cardOf(replies[0]))).toContain("Hi, I'm Connector Doctor");
  });
});

describe('commands', () => {
  it('apps lists the supported apps with their error counts', async () => {
    const replies = await h.send(personalMessage('apps'));
    const count = h.matcher.catalog.entries.filter((e) => e.app === 'okta').length;
    expect(text(cardOf(replies[0]))).toContain(`Okta: ${count} known error`);
  });

  it('search browses the catalog', async () => {
    const replies = await h.send(personalMessage('search refresh token'));
    expect(replies).toHaveLength(1);
    const shown = text(cardOf(replies[0]));
    expect(shown.split('\n')[0]).toBe('Catalog search: refresh token');
    // The Box refresh-token entry is listed under its app (a card echoing the words would not be).
    const box = h.matcher.catalog.entry('box-invalid-refresh-token')!;
    expect(shown).toContain(`Box\n${box.message}`);
  });

  it('stats shows one block when the last 7 and 30 days hold the same incidents', async () => {
    await pasteBox();
    const replies = await h.send(personalMessage('stats'));
    const shown = text(cardOf(replies[0]));
    expect(shown).toContain('Last 7 and 30 days: 1 incident');
    expect(shown).not.toContain('Last 30 days');
    expect(shown).toContain('Box 1');
  });

  it('stats shows two blocks when the 30 days hold more', async () => {
    await pasteBox();
    h.clock.now = new Date('2026-12-20T10:30:00Z');
    await h.send(personalMessage('Widget frobnication failed with HTTP 418 on widgets.example'));
    const shown = text(cardOf((await h.send(personalMessage('stats')))[0]));
    expect(shown).toContain('Last 7 days: 1 incident');
    expect(shown).toContain('Last 30 days: 2 incidents');
  });

  it('set support channel stores the channel (not the thread) for escalations, and echoes no name', async () => {
    const replies = await h.send(channelMention('set support channel'));
    expect(replies[0]!.text).toBe('Done: escalations will be posted in this channel from now on. Cards that could not be sent can be sent again now.');
    const stored = (await h.store.getSetting('support-channel')) as { conversation: { id: string }; serviceUrl: string };
    expect(stored.conversation.id).toBe('19:ops@thread.tacv2');
    expect(stored.serviceUrl).toBeTruthy();
  });

  it('set support channel in a personal chat explains where to run it', async () => {
    const replies = await h.send(personalMessage('set support channel'));
    expect(replies[0]!.text).toMatch(/team channel/);
    expect(await h.store.getSetting('support-channel')).toBeUndefined();
  });
});

describe('card buttons (Action.Execute)', () => {
  it('Mark resolved answers with the resolved card and updates the posted card for everyone', async () => {
    const { incidentId, activityId } = await pasteBox();
    h.clock.now = new Date('2026-12-01T10:42:00Z');
    const replies = await h.send(executeInvoke('resolve', { incidentId }, { replyToId: activityId }));
    const answer = invokeAnswer(replies);
    expect(answer.status).toBe(200);
    expect(answer.body.statusCode).toBe(200);
    expect(answer.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(text(answer.body.value).split('\n')[1]).toBe('✔ Resolved by Bob Desk, 2026-12-01 10:42 UTC');
    expect(cardButtons(answer.body.value)).toEqual(['reopen']);
    expect(h.adapter.updates).toHaveLength(1);
    expect(h.adapter.updates[0]!.id).toBe(activityId);
    expect(text(cardOf(h.adapter.updates[0]))).toContain('✔ Resolved by Bob Desk, 2026-12-01 10:42 UTC');
  });

  it('an Escalate pressed on a stale card after a colleague resolved says it was not sent, to the presser only', async () => {
    const { incidentId, activityId } = await pasteBox();
    h.clock.now = new Date('2026-12-01T10:42:00Z');
    await h.send(executeInvoke('resolve', { incidentId }, { replyToId: activityId, from: USER_BOB }));
    const late = invokeAnswer(await h.send(executeInvoke('escalate', { incidentId, note: 'still broken?' }, { replyToId: activityId, from: USER_ADA })));
    expect(late.status).toBe(200);
    expect(text(late.body.value)).toContain('✔ Resolved by Bob Desk, 2026-12-01 10:42 UTC');
    expect(text(late.body.value)).toMatch(/✖ Not done: .*resolved.*reopen/i);
    expect(cardProblems(late.body.value)).toEqual([]);
    // Everyone else keeps the plain resolved card; nothing went to support.
    expect(text(cardOf(h.adapter.updates.at(-1)))).not.toMatch(/Not done/);
    expect(await h.store.get(incidentId)).toMatchObject({ state: 'resolved' });
    expect((await h.store.outboxCounts()).pending).toBe(0);
  });

  it('Reopen brings a resolved incident back', async () => {
    const { incidentId, activityId } = await pasteBox();
    await h.send(executeInvoke('resolve', { incidentId }, { replyToId: activityId }));
    const answer = invokeAnswer(await h.send(executeInvoke('reopen', { incidentId }, { replyToId: activityId })));
    expect(text(answer.body.value)).toContain('⚒ Open · reported by Ada Ops');
    expect((await h.store.get(incidentId))?.state).toBe('open');
  });

  it('Escalate with a note records it, queues delivery and shows "delivery pending"', async () => {
    const { incidentId, activityId } = await pasteBox();
    const answer = invokeAnswer(await h.send(executeInvoke('escalate', { incidentId, note: 'Tried reconnecting twice' }, { replyToId: activityId })));
    expect(text(answer.body.value)).toContain('✉ Escalated to support by Bob Desk, 2026-12-01 10:30 UTC · delivery pending');
    expect(text(answer.body.value)).toContain('Note for support: Tried reconnecting twice');
    expect(await h.store.get(incidentId)).toMatchObject({ state: 'escalated', escalationNote: 'Tried reconnecting twice', escalatedBy: { id: USER_BOB.id } });
    expect((await h.store.outboxCounts()).pending).toBe(1);
  });

  it('waits for the other viewers\' update only for what is left of the press budget after the store\'s work', async () => {
    const { incidentId, activityId } = await pasteBox();
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // The store takes the whole budget (a lock waited out); Teams would take the update in 100 ms.
    const apply = h.store.apply.bind(h.store);
    h.store.apply = async (...args: Parameters<typeof apply>) => (await sleep(PRESS_BUDGET_MS + 50), apply(...args));
    const update = h.adapter.updateActivity.bind(h.adapter);
    h.adapter.updateActivity = async (...args: Parameters<typeof update>) => (await sleep(100), update(...args));
    const answer = invokeAnswer(await h.send(executeInvoke('resolve', { incidentId }, { replyToId: activityId })));
    expect(answer.status).toBe(200);
    expect(titleOf(answer.body.value)).toMatch(/^Box connector: /);
    // Nothing was left to wait: the press is answered at once, the update carries on behind it.
    expect(h.logs()).toContain('card update still in flight; answering the press first');
  }, 15_000);

  it('a double press changes nothing twice', async () => {
    const { incidentId, activityId } = await pasteBox();
    await h.send(executeInvoke('escalate', { incidentId }, { replyToId: activityId }));
    const again = invokeAnswer(await h.send(executeInvoke('escalate', { incidentId }, { replyToId: activityId })));
    expect(again.status).toBe(200);
    expect((await h.store.outboxCounts()).pending).toBe(1);
  });

  it('ambiguous error: "It\'s <app>" turns the card into that app\'s diagnosis and says who chose', async () => {
    const replies = await h.send(personalMessage(AMBIGUOUS_PASTE));
    const card = cardOf(replies[0]);
    expect(titleOf(card)).toBe('This error comes from several apps: which one is yours?');
    const choice = actionsOf(card).find((a) => a.verb === 'choose-app' && a.title === "It's Amazon Web Services") ?? actionsOf(card).find((a) => a.verb === 'choose-app')!;
    h.clock.now = new Date('2026-12-01T10:42:00Z');
    const answer = invokeAnswer(await h.send(executeInvoke('choose-app', choice.data as Record<string, unknown>, { replyToId: replies[0]!.id })));
    const appId = (choice.data as { appId: string }).appId;
    const appName = h.matcher.catalog.app(appId)!.name;
    expect(answer.status).toBe(200);
    expect(titleOf(answer.body.value)).toMatch(new RegExp(`^${appName} connector: `));
    expect(text(answer.body.value)).toContain(`☝ ${appName} — chosen by Bob Desk, 2026-12-01 10:42 UTC`);
    expect(text(answer.body.value)).not.toContain('How sure');
    expect(actionsOf(answer.body.value).map((a) => a.verb)).toContain('resolve');
    expect(text(cardOf(h.adapter.updates[0]))).toContain('chosen by Bob Desk');
  });

  it('"None of these" turns an ambiguous card into the unknown-error card with Escalate, recorded with who', async () => {
    const replies = await h.send(personalMessage(AMBIGUOUS_PASTE));
    const none = actionsOf(cardOf(replies[0])).find((a) => a.verb === 'none-of-these')!;
    expect(none.title).toBe('None of these');
    const answer = invokeAnswer(await h.send(executeInvoke('none-of-these', none.data as Record<string, unknown>, { replyToId: replies[0]!.id })));
    expect(answer.status).toBe(200);
    expect(titleOf(answer.body.value)).toBe("I don't know this error yet");
    expect(text(answer.body.value)).toContain('☝ None of these — chosen by Bob Desk');
    expect(actionsOf(answer.body.value).map((a) => a.verb)).toContain('escalate');
    const incidentId = (none.data as { incidentId: string }).incidentId;
    expect(await h.store.get(incidentId)).toMatchObject({ verdict: 'none', entryIds: [] });
    expect((await h.store.events(incidentId)).at(-1)).toMatchObject({ kind: 'none-chosen', actor: { id: USER_BOB.id } });
  });

  it('an alternative is a button that turns the card into that diagnosis, and offers the first answer back', async () => {
    const replies = await h.send(personalMessage('Box connector: BoxServerException: Unauthorized - Cannot authorize with this service'));
    const card = cardOf(replies[0]);
    const first = text(card);
    const alternative = actionsOf(card).find((a) => a.verb === 'choose-alternative')!;
    expect(alternative.title).toMatch(/^It's (this one|.+) instead$/);
    const { entryId, incidentId } = alternative.data as { entryId: string; incidentId: string };
    const entry = h.matcher.catalog.entry(entryId)!;
    expect(first).toContain(`Also possible\n${h.matcher.catalog.app(entry.app)!.name}: ${entry.cause.split('. ')[0]}`);
    const answer = invokeAnswer(await h.send(executeInvoke('choose-alternative', { incidentId, entryId }, { replyToId: replies[0]!.id })));
    expect(answer.status).toBe(200);
    expect(titleOf(answer.body.value)).not.toBe(titleOf(card));
    expect(text(answer.body.value)).toContain('— chosen by Bob Desk');
    expect((await h.store.get(incidentId))?.entryIds).toEqual([entryId]);
    // The matcher's first answer is now the alternative.
    const firstEntryId = (await h.store.events(incidentId)).at(-1)?.detail?.split(' -> ')[0];
    expect(actionsOf(answer.body.value).filter((a) => a.verb === 'choose-alternative').map((a) => (a.data as { entryId: string }).entryId)).toContain(firstEntryId);
    // An entry the card does not offer is refused.
    const forged = invokeAnswer(await h.send(executeInvoke('choose-alternative', { incidentId, entryId: 'okta-invalid-token' })));
    expect(forged.status).toBe(400);
    expect(forged.body.value).toMatchObject({ code: 'BadEntry' });
  });

  it('an unknown verb gets a 400 error answer, not a crash', async () => {
    const { incidentId } = await pasteBox();
    const answer = invokeAnswer(await h.send(executeInvoke('delete-everything', { incidentId })));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'UnknownVerb' } });
  });

  it('bad data gets 400: no incident id, wrong app, no action at all', async () => {
    const { incidentId } = await pasteBox();
    expect(invokeAnswer(await h.send(executeInvoke('resolve', {}))).status).toBe(400);
    expect(invokeAnswer(await h.send(executeInvoke('choose-app', { incidentId, appId: 'okta' }))).status).toBe(400);
    const noAction = await h.send({ ...executeInvoke('resolve', { incidentId }), value: {} });
    expect(invokeAnswer(noAction).body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error' });
    expect((await h.store.get(incidentId))?.state).toBe('open');
  });

  it('a press replayed from another conversation changes nothing', async () => {
    const { incidentId } = await pasteBox();
    const answer = invokeAnswer(await h.send(executeInvoke('resolve', { incidentId }, { conversationId: 'a:someone-else' })));
    expect(answer.status).toBe(400);
    expect(answer.body.value).toMatchObject({ code: 'IncidentNotFound' });
    expect((await h.store.get(incidentId))?.state).toBe('open');
  });

  it('the actor comes from the activity, not from card data', async () => {
    const { incidentId, activityId } = await pasteBox();
    await h.send(executeInvoke('resolve', { incidentId, actor: { id: 'x', name: 'Mallory' } }, { replyToId: activityId }));
    expect((await h.store.get(incidentId))?.resolvedBy?.name).toBe('Bob Desk');
  });

  it('other invokes get a proper 400, never 501', async () => {
    const replies = await h.send({ ...executeInvoke('resolve', {}), name: 'composeExtension/unknownThing', value: {} });
    expect(invokeAnswer(replies).status).toBe(400);
  });
});

describe('escalation with nowhere to go', () => {
  it('the card explains how to set a destination up instead of taking a note; a stray Escalate records nothing', async () => {
    await withHarness({ targets: [] }, async (lonely) => {
      const { incidentId, activityId, card } = await pasteBox(lonely);
      const escalate = actionsOf(card).find((a) => a.type === 'Action.ShowCard') as { card: unknown };
      expect(text(escalate.card)).toContain('There is nowhere to send this yet');
      expect(JSON.stringify(escalate.card)).not.toContain('Input.Text');
      // An old card (or an older client) still sends escalate: refused with the reason, nothing recorded.
      const answer = invokeAnswer(await lonely.send(executeInvoke('escalate', { incidentId, note: 'help' }, { replyToId: activityId })));
      expect(answer.status).toBe(200);
      expect(text(answer.body.value)).toContain('✖ Not sent: there is nowhere to send escalations yet.');
      expect(await lonely.store.get(incidentId)).toMatchObject({ state: 'open' });
      expect((await lonely.store.events(incidentId)).map((e) => e.kind)).toEqual(['opened']);
      // Once a destination exists, "Check again" shows the note form.
      lonely.targets.push('webhook');
      const checked = invokeAnswer(await lonely.send(executeInvoke('refresh', { incidentId }, { replyToId: activityId })));
      const form = actionsOf(checked.body.value).find((a) => a.type === 'Action.ShowCard') as { card: unknown };
      expect(JSON.stringify(form.card)).toContain('"id":"note"');
    });
  });

  it('an escalation recorded before a destination existed can be sent again once one does', async () => {
    await withHarness({ targets: ['webhook'] }, async (later) => {
      const { incidentId, activityId } = await pasteBox(later);
      // As an older version recorded it: escalated, nothing queued.
      await later.store.apply({ incidentId, conversationId: 'a:personal-ada', actor: USER_ADA, action: { kind: 'escalate', note: 'first try' }, at: later.clock() }, [], () => null);
      const refreshed = invokeAnswer(await later.send(executeInvoke('refresh', { incidentId })));
      expect(text(refreshed.body.value)).toContain('⚠ Escalation not sent by Ada Ops');
      const again = actionsOf(refreshed.body.value).find((a) => a.title === 'Send to support again')!;
      const answer = invokeAnswer(await later.send(executeInvoke('escalate', again.data as Record<string, unknown>, { replyToId: activityId })));
      expect(text(answer.body.value)).toContain('✉ Escalated to support by Bob Desk');
      expect(text(answer.body.value)).toContain('Note for support: first try');
      expect((await later.store.outboxCounts()).pending).toBe(1);
    });
  });
});

describe('live cards: the refresh Teams asks for when someone opens the chat', () => {
  it('answers the current card without changing anything or updating anyone else', async () => {
    const { incidentId, activityId, card } = await pasteBox();
    const refresh = refreshOf(card)!;
    expect(refresh.action).toMatchObject({ type: 'Action.Execute', verb: 'refresh', data: { verb: 'refresh', incidentId } });
    await h.send(executeInvoke('resolve', { incidentId }, { replyToId: activityId }));
    const updates = h.adapter.updates.length;
    const version = (await h.store.get(incidentId))!.version;
    const answer = invokeAnswer(await h.send({ ...executeInvoke('refresh', refresh.action!.data as Record<string, unknown>, { from: USER_ADA }), value: { action: refresh.action, trigger: 'automatic' } }));
    expect(answer.status).toBe(200);
    expect(text(answer.body.value)).toContain('✔ Resolved by Bob Desk');
    expect(h.adapter.updates).toHaveLength(updates);
    expect((await h.store.get(incidentId))!.version).toBe(version);
    expect(await h.store.events(incidentId)).toHaveLength(2);
  });

  it('lists the conversation\'s members for the automatic refresh, asked of Teams once and remembered', async () => {
    let lookups = 0;
    const members: MemberDirectory = {
      idsFor: async () => {
        lookups += 1;
        return ['29:ada', '29:bob', '29:cy'];
      },
      cached: () => ['29:ada', '29:bob', '29:cy'],
    };
    await withHarness({ members }, async (listed) => {
      const { card } = await pasteBox(listed);
      expect(refreshOf(card)?.userIds).toEqual(['29:ada', '29:bob', '29:cy']);
      expect(lookups).toBe(1);
    });
  });

  it('without a member list from Teams (local mode), refreshes for the person the bot saw', async () => {
    const { card } = await pasteBox();
    expect(refreshOf(card)?.userIds).toEqual([USER_ADA.id]);
  });

  it('a refresh from another conversation finds nothing', async () => {
    const { incidentId } = await pasteBox();
    const answer = invokeAnswer(await h.send(executeInvoke('refresh', { incidentId }, { conversationId: 'a:someone-else' })));
    expect(answer.status).toBe(400);
    expect(answer.body.value).toMatchObject({ code: 'IncidentNotFound' });
  });

  it('refreshes have their own budget: a flood of them never blocks a press', async () => {
    // Time stands still: nothing refills during the test.
    const clock = () => 0;
    await withHarness(
      {
        pressLimiter: createRateLimiter({ user: { capacity: 2, refillPerSecond: 0.1 }, conversation: { capacity: 50, refillPerSecond: 1 }, maxTrackedKeys: 100, clock }),
        refreshLimiter: createRateLimiter({ user: { capacity: 3, refillPerSecond: 0.1 }, conversation: { capacity: 50, refillPerSecond: 1 }, maxTrackedKeys: 100, clock }),
      },
      async (limited) => {
        const { incidentId } = await pasteBox(limited);
        const statuses = [];
        for (let i = 0; i < 5; i++) statuses.push(invokeAnswer(await limited.send(executeInvoke('refresh', { incidentId }))).status);
        expect(statuses).toEqual([200, 200, 200, 429, 429]);
        expect(invokeAnswer(await limited.send(executeInvoke('resolve', { incidentId }))).status).toBe(200);
      },
    );
  });
});

describe('support\'s buttons on the channel post', () => {
  const SUPPORT_THREAD = '19:support@thread.tacv2;messageid=post-1';

  /** An escalated Box incident whose support post is recorded as the sink records it. */
  async function escalatedWithPost() {
    const { incidentId, activityId } = await pasteBox();
    await h.send(executeInvoke('escalate', { incidentId, note: 'customer blocked' }, { replyToId: activityId }));
    await h.store.apply(
      { incidentId, conversationId: 'a:personal-ada', actor: { id: 'connector-doctor', name: 'Connector Doctor' }, action: { kind: 'record-support-post', post: { conversationId: SUPPORT_THREAD, activityId: 'post-1', serviceUrl: 'https://smba.example/' } }, at: h.clock() },
      [],
      () => null,
    );
    h.adapter.updates.length = 0;
    return { incidentId, activityId };
  }

  it('Acknowledge and Take it record who, and update both the support post and the original card', async () => {
    const { incidentId, activityId } = await escalatedWithPost();
    const sam = { id: '29:sam', name: 'Sam Support', aadObjectId: 'aad-sam' };
    h.clock.now = new Date('2026-12-01T10:50:00Z');
    const ack = invokeAnswer(await h.send(executeInvoke('support-acknowledge', { incidentId }, { conversationId: SUPPORT_THREAD, replyToId: 'post-1', from: sam })));
    expect(ack.status).toBe(200);
    expect(text(ack.body.value).split('\n')[1]).toBe('☑ Acknowledged by Sam Support, 2026-12-01 10:50 UTC');
    // The post for everyone in the support channel, and the card in Ada's chat.
    expect(h.adapter.updates.map((u) => [u.conversation?.id, u.id])).toEqual(expect.arrayContaining([[SUPPORT_THREAD, 'post-1'], ['a:personal-ada', activityId]]));
    const original = h.adapter.updates.find((u) => u.id === activityId);
    expect(text(cardOf(original))).toContain('☑ Acknowledged by support: Sam Support, 2026-12-01 10:50 UTC');
    const take = invokeAnswer(await h.send(executeInvoke('support-take', { incidentId }, { conversationId: SUPPORT_THREAD, replyToId: 'post-1', from: sam })));
    expect(text(take.body.value).split('\n')[1]).toBe('⚑ Taken by Sam Support, 2026-12-01 10:50 UTC');
    expect(actionsOf(take.body.value).filter((a) => a.type === 'Action.Execute')).toEqual([]);
    expect((await h.store.events(incidentId)).slice(-2).map((e) => [e.kind, e.actor?.name])).toEqual([['support-acknowledged', 'Sam Support'], ['support-taken', 'Sam Support']]);
  });

  it('Mark resolved in the chat shows on the support post too', async () => {
    const { incidentId, activityId } = await escalatedWithPost();
    await h.send(executeInvoke('resolve', { incidentId }, { replyToId: activityId, from: USER_ADA }));
    const post = h.adapter.updates.find((u) => u.id === 'post-1');
    expect(text(cardOf(post)).split('\n')[1]).toBe('✔ Resolved in the chat by Ada Ops, 2026-12-01 10:30 UTC');
  });

  it('support buttons work only on the support post, and the chat\'s buttons not from the support channel', async () => {
    const { incidentId } = await escalatedWithPost();
    expect(invokeAnswer(await h.send(executeInvoke('support-take', { incidentId }))).body.value).toMatchObject({ code: 'IncidentNotFound' });
    expect(invokeAnswer(await h.send(executeInvoke('resolve', { incidentId }, { conversationId: SUPPORT_THREAD }))).body.value).toMatchObject({ code: 'IncidentNotFound' });
    expect(invokeAnswer(await h.send(executeInvoke('support-take', { incidentId }, { conversationId: '19:elsewhere@thread.tacv2;messageid=1' }))).body.value).toMatchObject({ code: 'IncidentNotFound' });
    expect((await h.store.get(incidentId))?.state).toBe('escalated');
  });

  it('after the chat resolved it, Acknowledge says so to the presser and changes nothing', async () => {
    const { incidentId, activityId } = await escalatedWithPost();
    await h.send(executeInvoke('resolve', { incidentId }, { replyToId: activityId, from: USER_ADA }));
    const late = invokeAnswer(await h.send(executeInvoke('support-acknowledge', { incidentId }, { conversationId: SUPPORT_THREAD, replyToId: 'post-1' })));
    expect(late.status).toBe(200);
    expect(text(late.body.value)).toContain('✖ Not done: The incident is no longer escalated: it was resolved in the chat.');
  });
});

describe('card buttons (Action.Submit fallback)', () => {
  it('Mark resolved from an older client updates the card in place', async () => {
    const { incidentId, activityId } = await pasteBox();
    const replies = await h.send(submitMessage({ verb: 'resolve', incidentId }, { replyToId: activityId }));
    expect(replies.filter((r) => r.type === 'message')).toHaveLength(0);
    expect(h.adapter.updates[0]!.id).toBe(activityId);
    expect(text(cardOf(h.adapter.updates[0]))).toContain('Resolved by Bob Desk');
    expect((await h.store.get(incidentId))?.state).toBe('resolved');
  });

  it('escalate with a note from the show-card works the same', async () => {
    const { incidentId, activityId } = await pasteBox();
    await h.send(submitMessage({ verb: 'escalate', incidentId, note: 'from desktop' }, { replyToId: activityId }));
    expect(await h.store.get(incidentId)).toMatchObject({ state: 'escalated', escalationNote: 'from desktop' });
  });

  it('a bad Submit says the button did not work', async () => {
    const replies = await h.send(submitMessage({ verb: 'nope', incidentId: 'x' }));
    expect(replies[0]!.text).toMatch(/That button did not work/);
  });
});

describe('rate limits', () => {
  it('a flood from one person gets one friendly "slow down", then silence, and no incidents', async () => {
    let now = 0;
    await withHarness(
      { rateLimiter: createRateLimiter({ user: { capacity: 2, refillPerSecond: 0.1 }, conversation: { capacity: 50, refillPerSecond: 1 }, maxTrackedKeys: 100, clock: () => now }) },
      async (limited) => {
        await limited.send(personalMessage('help'));
        await limited.send(personalMessage('help'));
        const refused = await limited.send(personalMessage(BOX_PASTE));
        expect(refused[0]!.text).toMatch(/faster than I can diagnose them/);
        expect(await limited.send(personalMessage(BOX_PASTE))).toHaveLength(0);
        now += 10_000;
        expect(cardOf((await limited.send(personalMessage(BOX_PASTE)))[0])).toBeDefined();
      },
    );
  });
});

describe('rate limits on button presses', () => {
  it('a flood of presses gets a 429 with a friendly message; pastes and presses have separate budgets', async () => {
    let now = 0;
    const clock = () => now;
    await withHarness(
      {
        rateLimiter: createRateLimiter({ user: { capacity: 1, refillPerSecond: 0.1 }, conversation: { capacity: 50, refillPerSecond: 1 }, maxTrackedKeys: 100, clock }),
        pressLimiter: createRateLimiter({ user: { capacity: 2, refillPerSecond: 0.5 }, conversation: { capacity: 50, refillPerSecond: 1 }, maxTrackedKeys: 100, clock }),
      },
      async (limited) => {
        // Ada's one paste spends her message budget; Bob's presses draw on the press budget only.
        const card = cardOf((await limited.send(personalMessage(BOX_PASTE)))[0])!;
        const incidentId = (actionsOf(card).find((a) => a.verb === 'resolve')!.data as { incidentId: string }).incidentId;
        expect(invokeAnswer(await limited.send(executeInvoke('resolve', { incidentId }))).status).toBe(200);
        expect(invokeAnswer(await limited.send(executeInvoke('reopen', { incidentId }))).status).toBe(200);
        const refused = invokeAnswer(await limited.send(executeInvoke('resolve', { incidentId })));
        expect(refused.status).toBe(429);
        expect(refused.body).toMatchObject({ statusCode: 429, type: 'application/vnd.microsoft.error' });
        expect(JSON.stringify(refused.body.value)).toMatch(/Too many button presses at once\. Please wait about 2 seconds/);
        expect(await limited.store.get(incidentId)).toMatchObject({ state: 'open' });
        // The Submit fallback (older clients) is a press too: Ada's third press in a row gets one friendly line.
        for (let i = 0; i < 2; i++) await limited.send(submitMessage({ verb: 'nope', incidentId }, { from: USER_ADA }));
        const submitRefused = await limited.send(submitMessage({ verb: 'resolve', incidentId }, { from: USER_ADA }));
        expect(submitRefused[0]!.text).toMatch(/Too many button presses/);
        now += 2_000;
        expect(invokeAnswer(await limited.send(executeInvoke('resolve', { incidentId }))).status).toBe(200);
        expect(await limited.store.get(incidentId)).toMatchObject({ state: 'resolved' });
      },
    );
  });
});

describe('what counts as a command', () => {
  it('commands are exact and case-insensitive; longer text starting with a command word is a paste', () => {
    expect(parseCommand('Help')).toEqual({ kind: 'help' });
    expect(parseCommand('/apps')).toEqual({ kind: 'apps' });
    expect(parseCommand('search okta token')).toEqual({ kind: 'search', words: 'okta token' });
    expect(parseCommand('Set Support Channel.')).toEqual({ kind: 'set-support-channel' });
    expect(parseCommand('help me: HttpRequestFailure: Server returned: 401 Unauthorized')).toBeUndefined();
    expect(parseCommand('search failed\nHttpRequestFailure: Server returned: 500 Internal server error')).toBeUndefined();
  });
});
