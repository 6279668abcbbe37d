// The message extension through the real server and adapter (index.ts start(), local mode,
// SQLite), with Teams' own invoke activities: search (opened, typed, paged, nothing found),
// Diagnose with Connector Doctor on a message in Teams HTML (a catalogued error, a secret, chat),
// and the botMessagePreview send posting the live card to a loopback Teams service, where Mark
// resolved then closes its incident. Requests the bot cannot use get 4xx answers, never a 500.
// Prints the invoke answer times it saw (figures, not assertions).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NOT_A_MEMBER, NOT_IN_PERSONAL_CHAT, STILL_POSTING, partlyPosted } from '../../src/teams/message-extension/post.js';
import { actionsOf, cardProblems, readingInUtc, unescapeDisplay, visibleText } from '../helpers/adaptive-card-schema.js';
import { failOnLoggedErrors } from '../helpers/logged-errors.js';
import { post, startApp, type RunningApp } from '../helpers/running-bot.js';
import { startTeamsStandIn, type TeamsStandIn } from '../helpers/teams-standin.js';

type Json = Record<string, unknown>;
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/activities/${name}.json`, import.meta.url), 'utf8')) as Json & { value: Json; conversation: { id: string } };
const INTERNALS = /\bat \w+ \(|node:|ECONN|SyntaxError|Unexpected token|\/work\/|node_modules|stack/i;
const OKTA_HEADLINE = 'Okta connector: Okta rejects the API token the connector uses';
const TOKEN = 'Zq8xWv3Lp0Rt6Yu2Io9Pa5Sd7Fg1Hj4Kl';
const read = (card: unknown) => readingInUtc(unescapeDisplay(visibleText(card)));

let app: RunningApp;
let teams: TeamsStandIn;
const apps: RunningApp[] = [];

beforeAll(async () => {
  teams = await startTeamsStandIn();
  app = await startApp();
  apps.push(app);
});

afterAll(async () => {
  printAnswerTimes();
  await Promise.all(apps.map((a) => a.stop()));
  await teams?.close();
});
// Invokes that throw are answered in the invoke's format; a logged error fails the test instead.
failOnLoggedErrors(() => apps);

let sender = 0;
/** A fresh person per request keeps these tests clear of the per-user rate budgets. */
function person(): { id: string; name: string } {
  sender += 1;
  return { id: `29:me-user-${sender}`, name: 'Bob Desk' };
}

function query(value: Json, to = app): Promise<{ status: number; json: () => unknown; text: string }> {
  const activity = fixture('compose-extension-query');
  return post(`${to.url}/api/messages`, { ...activity, from: person(), serviceUrl: teams.serviceUrl, value: { ...activity.value, ...value } });
}

function messageAction(name: string, value: Json, extra: Json = {}, to = app) {
  const activity = fixture('compose-extension-fetch-task');
  return post(`${to.url}/api/messages`, { ...activity, name, from: person(), serviceUrl: teams.serviceUrl, value: { ...activity.value, ...value }, ...extra });
}

function withBody(html: string): Json {
  const activity = fixture('compose-extension-fetch-task');
  return { messagePayload: { ...(activity.value.messagePayload as Json), body: { contentType: 'html', content: html } } };
}

function send(card: unknown, extra: Json = {}, serviceUrl = teams.serviceUrl, to = app) {
  const activity = fixture('compose-extension-send');
  const [preview] = activity.value.botActivityPreview as Json[];
  const value = { ...activity.value, botActivityPreview: [{ ...preview, attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] }] };
  return post(`${to.url}/api/messages`, { ...activity, from: person(), serviceUrl, value, ...extra });
}

/** Incidents in the last 30 days, as the `stats` command tells anyone who asks. */
async function incidentCount(): Promise<number> {
  const message = { ...fixture('personal-message'), from: person(), text: 'stats', deliveryMode: 'expectReplies', serviceUrl: teams.serviceUrl };
  const res = await post(`${app.url}/api/messages`, message);
  const text = read((res.json() as { activities: { attachments: { content: unknown }[] }[] }).activities[0]!.attachments[0]!.content);
  return Number(/days: ([\d,]+) incidents?/.exec(text.split('\n').filter((l) => l.includes('30 days')).at(-1) ?? '')?.[1]?.replace(',', '') ?? NaN);
}

/** Resolves once `done()` holds (checked every 20 ms, for at most 10 s). */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done(); waited += 20) {
    if (waited > 10_000) throw new Error('waited 10 s in vain');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** "Seen N times in the last 30 days" on Okta's token error, as Search known errors opens. */
async function oktaSeen(): Promise<number> {
  const opened = (await query({ parameters: [{ name: 'initialRun', value: 'true' }] })).json() as Answer;
  const okta = opened.composeExtension?.attachments?.find((a) => read(a.content).split('\n')[0] === OKTA_HEADLINE);
  return Number(/^Seen (\d+) times?/.exec(String(okta?.preview.content.text ?? ''))?.[1] ?? 0);
}

type Answer = { composeExtension?: { type: string; text?: string; attachments?: { preview: { content: Json }; content: Json }[]; activityPreview?: { attachments: { content: Json }[] } }; task?: { type: string; value: unknown } };

describe('Search known errors (composeExtension/query)', () => {
  it('opened with nothing typed: a page of known errors, each the app, its message and the cause in a line', async () => {
    const res = await query({ parameters: [{ name: 'initialRun', value: 'true' }] });
    expect(res.status).toBe(200);
    const answer = res.json() as Answer;
    expect(answer.composeExtension?.type).toBe('result');
    expect(answer.composeExtension?.attachments).toHaveLength(25);
    for (const result of answer.composeExtension!.attachments!) {
      expect(Object.keys(result.preview.content).sort()).toEqual(['subtitle', 'text', 'title']);
      expect(cardProblems(result.content)).toEqual([]);
    }
  });

  it('typed words, with a typo: the matching entries; the next page; and nothing for words nothing matches', async () => {
    const okta = (await query({ parameters: [{ name: 'query', value: 'okat token' }] })).json() as Answer;
    expect(okta.composeExtension?.attachments?.map((a) => a.preview.content.title)).toEqual(['Okta']);
    expect(read(okta.composeExtension!.attachments![0]!.content).split('\n')[0]).toBe(OKTA_HEADLINE);

    const all = (await query({ parameters: [{ name: 'query', value: 'http' }] })).json() as Answer;
    const second = (await query({ parameters: [{ name: 'query', value: 'http' }], queryOptions: { skip: 2, count: 2 } })).json() as Answer;
    expect(second.composeExtension?.attachments).toEqual(all.composeExtension?.attachments?.slice(2, 4));

    const nothing = await query({ parameters: [{ name: 'query', value: 'kubernetes pod evicted' }] });
    expect(nothing.status).toBe(200);
    expect(nothing.json()).toEqual({ composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [] } });
  });
});

describe('Diagnose with Connector Doctor (fetchTask, submitAction)', () => {
  it('a message holding a catalogued error in Teams HTML: the preview in a dialog, then in Teams\' send preview; nothing recorded yet', async () => {
    const before = await incidentCount();
    const res = await messageAction('composeExtension/fetchTask', {});
    expect(res.status).toBe(200);
    const dialog = (res.json() as { task: { type: string; value: { title: string; card: { content: Json } } } }).task;
    expect(dialog.type).toBe('continue');
    const card = dialog.value.card.content;
    expect(cardProblems(card)).toEqual([]);
    expect(read(card).split('\n').slice(0, 2)).toEqual([OKTA_HEADLINE, '✎ Preview · not posted yet']);

    // The same message submitted straight away (a client without the dialog): Teams' send preview.
    const submitted = await messageAction('composeExtension/submitAction', {});
    expect(submitted.status).toBe(200);
    const preview = (submitted.json() as Answer).composeExtension!;
    expect(preview.type).toBe('botMessagePreview');
    expect(read(preview.activityPreview!.attachments[0]!.content).split('\n')[0]).toBe(OKTA_HEADLINE);
    expect(await incidentCount()).toBe(before);
  });

  it('a message holding a secret: the preview says it was removed; the secret is in no answer and no log', async () => {
    const html = `<div>HttpRequestFailure: Server returned: 401 Unauthorized on acme.okta.com</div><div>curl -H "Authorization: Bearer ${TOKEN}" https://acme.okta.com/api/v1/logs</div>`;
    for (const name of ['composeExtension/fetchTask', 'composeExtension/submitAction'] as const) {
      const res = await messageAction(name, withBody(html));
      expect(res.status).toBe(200);
      expect(res.text).toContain('secret removed');
      expect(res.text).not.toContain(TOKEN);
    }
    expect(app.logs()).not.toContain(TOKEN);
  });

  it('chat: the answer says there is no error, and nothing is recorded (the real matcher, through the real adapter)', async () => {
    const postsBefore = teams.calls.filter((c) => c.method === 'POST').length;
    const before = await incidentCount();
    const chatter = [
      '<p>thanks, that fixed it! lunch at 12?</p>',
      '<p>Anyone free for a quick call about the Okta rollout tomorrow?</p>',
      '<p>The Box connector is green again, great work everyone 🎉</p>',
    ];
    for (const html of chatter) {
      const res = await messageAction('composeExtension/submitAction', withBody(html));
      expect(res.status, html).toBe(200);
      expect(res.json(), html).toEqual({ task: { type: 'message', value: 'No connector error in this message. Nothing in it looks like an app connector error from Defender for Cloud Apps, so there is nothing to post.' } });
    }
    expect(await incidentCount()).toBe(before);
    // A message with nothing to read (a mention and an emoji) says the same with the real matcher.
    const empty = await messageAction('composeExtension/fetchTask', withBody('<p><at id="0">Bea Ops</at> <emoji id="like" alt="👍" title="Like"></emoji></p>'));
    expect(read((empty.json() as { task: { value: { card: { content: Json } } } }).task.value.card.content)).toMatch(/^No connector error in this message/);
    expect(teams.calls.filter((c) => c.method === 'POST')).toHaveLength(postsBefore);
  });
});

describe('Send (botMessagePreview send) to a loopback Teams', () => {
  it('posts the live card in the conversation, opens the incident, and Mark resolved closes it in place', async () => {
    const before = await incidentCount();
    const dialog = ((await messageAction('composeExtension/fetchTask', {})).json() as { task: { value: { card: { content: Json } } } }).task.value.card.content;
    const postButton = actionsOf(dialog).find((a) => a.title === 'Post to this chat')!;
    const carried = (dialog.body as Json[]).find((e) => e.id === 'connectorDoctorPreview')!.value;
    const previewed = (await messageAction('composeExtension/submitAction', { data: { ...(postButton.data as Json), connectorDoctorPreview: carried } })).json() as Answer;
    const card = previewed.composeExtension!.activityPreview!.attachments[0]!.content;

    const sent = await send(card);
    expect(sent.status).toBe(200);
    expect(sent.json()).toEqual({});
    const thread = fixture('compose-extension-send').conversation.id;
    const posted = await teams.next((c) => c.method === 'POST' && c.conversationId === thread);
    const live = (posted.body.attachments as { content: Json }[])[0]!.content;
    expect(read(live).split('\n')[0]).toBe(OKTA_HEADLINE);
    expect(read(live).split('\n')[1]).toMatch(/^⚒ Open · reported by Bob Desk, /);
    expect(posted.body.channelData).toMatchObject({ onBehalfOf: [{ itemId: 0, mentionType: 'person', displayName: 'Bob Desk' }] });
    expect(await incidentCount()).toBe(before + 1);

    const postedId = `posted-${teams.calls.filter((c) => c.method === 'POST').indexOf(posted) + 1}`;
    const resolve = actionsOf(live).find((a) => a.verb === 'resolve')!;
    const press = { ...fixture('invoke-action-execute'), conversation: fixture('compose-extension-send').conversation, serviceUrl: teams.serviceUrl, replyToId: postedId, value: { action: { type: 'Action.Execute', verb: 'resolve', data: resolve.data } } };
    const answer = await post(`${app.url}/api/messages`, press);
    expect(answer.status).toBe(200);
    expect(read((answer.json() as { value: Json }).value)).toMatch(/✔ Resolved by Bob Desk/);
    const put = await teams.next((c) => c.method === 'PUT' && c.activityId === postedId);
    expect(read((put.body.attachments as { content: Json }[])[0]!.content)).toMatch(/✔ Resolved by Bob Desk/);
  });

  it('where Teams refuses the bot (403): the reason in the dialog, no card, no incident', async () => {
    const refusing = await startTeamsStandIn({ alwaysAnswer: 403 });
    try {
      const dialog = ((await messageAction('composeExtension/fetchTask', {})).json() as { task: { value: { card: { content: Json } } } }).task.value.card.content;
      const before = await incidentCount();
      const channel = await send(dialog, {}, refusing.serviceUrl);
      expect(channel.json()).toEqual({ task: { type: 'message', value: NOT_A_MEMBER } });
      const personal = await send(dialog, { conversation: { id: '19:ada_bob@unq.gbl.spaces', conversationType: 'personal', tenantId: 't' }, channelData: {} }, refusing.serviceUrl);
      expect(personal.json()).toEqual({ task: { type: 'message', value: NOT_IN_PERSONAL_CHAT } });
      expect(refusing.calls.filter((c) => c.method === 'POST')).toEqual([]);
      expect(await incidentCount()).toBe(before);
    } finally {
      await refusing.close();
    }
  });
});

describe('rate limits: Diagnose and Send cost a paste, search keeps its own budget', () => {
  it('one person: pastes, Diagnose and Send share the paste budget (5 at once); searching still works', async () => {
    const me = { id: '29:me-in-a-hurry', name: 'Bob Desk' };
    const where = { ...fixture('compose-extension-send').conversation, id: '19:hurry@thread.tacv2;messageid=1' };
    const dialog = ((await messageAction('composeExtension/fetchTask', {}, { from: me, conversation: where })).json() as { task: { value: { card: { content: Json } } } }).task.value.card.content;
    // Two pastes in the personal chat with the bot.
    for (let k = 0; k < 2; k++) {
      const paste = { ...fixture('personal-message'), from: me, text: 'Server returned: 401 Unauthorized on acme.okta.com', deliveryMode: 'expectReplies', serviceUrl: teams.serviceUrl };
      expect((await post(`${app.url}/api/messages`, paste)).status).toBe(200);
    }
    // Diagnose once more, then two Sends of the preview: the fifth of five, then one too many.
    expect((await messageAction('composeExtension/fetchTask', {}, { from: me, conversation: where })).status).toBe(200);
    expect((await send(dialog, { from: me, conversation: where })).status).toBe(200);
    const refused = await send(dialog, { from: me, conversation: where });
    expect(refused.status).toBe(200);
    expect((refused.json() as Answer).task?.value).toMatch(/^You're sending messages faster than I can diagnose them\. Please wait about \d+ seconds? and try again\.$/);
    const diagnose = await messageAction('composeExtension/fetchTask', {}, { from: me, conversation: where });
    expect(diagnose.status).toBe(200);
    // Searching is not a paste: its own budget is untouched.
    const search = await post(`${app.url}/api/messages`, { ...fixture('compose-extension-query'), from: me, serviceUrl: teams.serviceUrl, value: { ...fixture('compose-extension-query').value, parameters: [{ name: 'query', value: 'okta token' }] } });
    expect(search.status).toBe(200);
    expect((search.json() as Answer).composeExtension?.attachments?.length).toBeGreaterThan(0);
  });
});

describe('Send where the roster answers but Teams refuses the post itself (read-only channel, archived team)', () => {
  // Each test in a thread of its own, so nothing one leaves behind is repeated on by the next.
  let where: Json;
  beforeEach(() => {
    where = { ...fixture('compose-extension-send').conversation, id: `19:readonly@thread.tacv2;messageid=${++sender}` };
  });
  const dialogFor = async (extra: Json = {}) =>
    ((await messageAction('composeExtension/fetchTask', extra, { conversation: where })).json() as { task: { value: { card: { content: Json } } } }).task.value.card.content;

  it('one card refused: the dialog says nothing was recorded, and it is true (no incident in stats or in "Seen N times")', async () => {
    const refusing = await startTeamsStandIn({ refusePosts: { status: 403 } });
    try {
      const dialog = await dialogFor();
      const [before, seenBefore] = [await incidentCount(), await oktaSeen()];
      const sent = await send(dialog, { conversation: where }, refusing.serviceUrl);
      expect(sent.json()).toEqual({ task: { type: 'message', value: NOT_A_MEMBER } });
      // The roster was asked and answered: it was the post Teams refused.
      expect(refusing.calls.some((c) => c.method === 'GET' && c.path.endsWith('/pagedmembers'))).toBe(true);
      expect(refusing.calls.filter((c) => c.method === 'POST')).toEqual([]);
      expect(await incidentCount()).toBe(before);
      expect(await oktaSeen()).toBe(seenBefore);
      expect(app.logs()).toContain('its incident record withdrawn');
    } finally {
      await refusing.close();
    }
  });

  it('two errors, Teams takes the first card and refuses the second: the dialog says 1 of 2 was posted, only that one is recorded', async () => {
    const refusing = await startTeamsStandIn({ refusePosts: { status: 403, after: 1 } });
    try {
      const html = '<div>Okta:</div><div><code>HttpRequestFailure: Server returned: 401 Unauthorized<br>Okta org: acme.okta.com</code></div>' +
        '<div>and Box:</div><div><code>Error: invalid_grant (Invalid refresh token) from api.box.com</code></div>';
      const dialog = await dialogFor(withBody(html));
      const before = await incidentCount();
      const sent = await send(dialog, { conversation: where }, refusing.serviceUrl);
      expect(sent.json()).toEqual({ task: { type: 'message', value: partlyPosted(1, 2, true) } });
      expect(partlyPosted(1, 2, true)).toMatch(/^I posted 1 of the 2 cards here, then Teams refused the next one: the other 1 was neither posted nor recorded\./);
      const posted = refusing.calls.filter((c) => c.method === 'POST');
      expect(posted).toHaveLength(1);
      expect(read((posted[0]!.body.attachments as { content: Json }[])[0]!.content).split('\n')[0]).toBe(OKTA_HEADLINE);
      expect(await incidentCount()).toBe(before + 1);
    } finally {
      await refusing.close();
    }
  });
});

describe('Send when Teams is slow to take the card', () => {
  it('answers within its time saying the card is still being posted; Send pressed again on the preview never posts it twice', async () => {
    const slow = await startTeamsStandIn({ delayPostsMs: 1_500 });
    // Send's time limit shortened so that a post Teams answers later is surely past it.
    const hurried = await startApp({}, { messageExtension: { sendBudgetMs: 100 } });
    apps.push(hurried);
    try {
      const me = person();
      const where = { ...fixture('compose-extension-send').conversation, id: '19:throttled@thread.tacv2;messageid=1' };
      const dialog = ((await messageAction('composeExtension/fetchTask', {}, { from: me, conversation: where }, hurried)).json() as { task: { value: { card: { content: Json } } } }).task.value.card.content;
      const again = () => send(dialog, { from: me, conversation: where }, slow.serviceUrl, hurried);
      const first = await again();
      expect(first.json()).toEqual({ task: { type: 'message', value: STILL_POSTING } });
      // Pressed again while Teams still holds the first post: the same answer, no second post.
      expect((await again()).json()).toEqual({ task: { type: 'message', value: STILL_POSTING } });
      await slow.next((c) => c.method === 'POST' && c.conversationId === where.id);
      await until(() => hurried.logs().includes('the post finished after the answer'));
      // Pressed once more after it landed: done, nothing posted again.
      expect((await again()).json()).toEqual({});
      expect(slow.calls.filter((c) => c.method === 'POST')).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });
});

describe('requests the bot cannot use: 4xx in the invoke\'s format, never a 500', () => {
  it('an unknown command, a malformed value, an undeclared invoke, a preview that is not ours', async () => {
    const answers = [
      await query({ commandId: 'searchEverything' }),
      await query({ parameters: 'okta' }),
      await messageAction('composeExtension/fetchTask', { commandId: 'createTicket' }),
      await messageAction('composeExtension/fetchTask', { messagePayload: 'not a message' }),
      await messageAction('composeExtension/submitAction', { botMessagePreviewAction: 'publish' }),
      await messageAction('composeExtension/selectItem', {}),
      await send({ type: 'AdaptiveCard', body: [] }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(400);
      expect(res.text).not.toMatch(INTERNALS);
      const body = res.json() as Answer;
      expect(body.composeExtension?.text ?? body.task?.value).toEqual(expect.any(String));
    }
    expect(app.logs()).not.toContain('"level":50');
    const unnamed = await messageAction('composeExtension/fetchTask', { commandId: undefined });
    expect((unnamed.json() as Answer).task?.value).toBe('That request names no command. Its commands are Search known errors and Diagnose with Connector Doctor.');
  });
});

/** Invoke answer times from the bot's log lines ("message extension answered", ms), per invoke. */
function printAnswerTimes(): void {
  const byName = new Map<string, number[]>();
  for (const running of apps) {
    for (const line of running.logs().split('\n')) {
      if (!line.includes('"message extension answered"')) continue;
      const entry = JSON.parse(line) as { invokeName: string; previewAction?: string; ms: number };
      const name = entry.previewAction ? `${entry.invokeName} (${entry.previewAction})` : entry.invokeName;
      byName.set(name, [...(byName.get(name) ?? []), entry.ms]);
    }
  }
  const rows = [...byName].map(([name, ms]) => {
    const sorted = [...ms].sort((a, b) => a - b);
    return `${name}: n=${sorted.length} median=${sorted[Math.floor(sorted.length / 2)]} ms max=${sorted.at(-1)} ms`;
  });
  console.info(`message extension invoke answer times (this run, loopback):\n  ${rows.join('\n  ')}`);
}
