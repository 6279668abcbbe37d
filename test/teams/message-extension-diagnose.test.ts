// "Diagnose with Connector Doctor" on a message, as Teams drives it (fetchTask, submitAction, then
// botMessagePreview edit or send) through botbuilder's TestAdapter: the preview in a dialog, Teams'
// send preview, the post through the paste's own path, what is never trusted from the client, and
// what the person is told when nothing can be shown or posted.
import { readFileSync } from 'node:fs';
import type { Activity } from 'botbuilder';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BusyError } from '../../src/core/errors.js';
import { MAX_EXCERPT_CHARS } from '../../src/core/index.js';
import type { Matcher } from '../../src/core/types.js';
import { BUSY_MESSAGE } from '../../src/diagnosis/pool.js';
import { carryOf, findingsFromCarry } from '../../src/teams/message-extension/carry.js';
import { NOT_A_MEMBER, NOT_IN_PERSONAL_CHAT } from '../../src/teams/message-extension/post.js';
import { findingsToPost } from '../../src/teams/paste.js';
import { EXPIRED_LINE, SLOW_LINE } from '../../src/teams/message-extension/preview.js';
import { fieldPastes } from '../fixtures/pastes/field.js';
import { actionsOf, cardProblems, readingInUtc, unescapeDisplay, visibleText } from '../helpers/adaptive-card-schema.js';
import { USER_ADA, cardOf, executeInvoke, invokeAnswer, realMatcher, startHarness, startedHarnesses, type Harness, type HarnessOptions } from '../helpers/bot-harness.js';
import { failOnLoggedErrors } from '../helpers/logged-errors.js';

const fetchFixture = JSON.parse(readFileSync(new URL('../fixtures/activities/compose-extension-fetch-task.json', import.meta.url), 'utf8')) as Partial<Activity> & { value: Record<string, unknown> };
const sendFixture = JSON.parse(readFileSync(new URL('../fixtures/activities/compose-extension-send.json', import.meta.url), 'utf8')) as Partial<Activity> & { value: Record<string, unknown> };
const CONVERSATION = fetchFixture.conversation!.id;
const OKTA_HEADLINE = 'Okta connector: Okta rejects the API token the connector uses';
const TOKEN = 'Zq8xWv3Lp0Rt6Yu2Io9Pa5Sd7Fg1Hj4Kl';

type Card = Record<string, unknown>;
interface Answer {
  status: number;
  body: {
    task?: { type: 'continue'; value: { title: string; card: { contentType: string; content: Card } } } | { type: 'message'; value: string };
    composeExtension?: { type: string; activityPreview?: { type: string; attachments: { contentType: string; content: Card }[] } };
  };
}

const read = (card: unknown) => readingInUtc(unescapeDisplay(visibleText(card)));

/** A matcher that finds no error in anything: chat, given the matcher says so (as the bot's own quiet tests do). */
function quietMatcher(): Matcher {
  const real = realMatcher();
  return { catalog: real.catalog, diagnose: (text, options) => ({ ...real.diagnose(text, options), findings: [] }) };
}

/** Seven portal messages no two apps share, one paragraph each: seven errors the matcher tells apart. */
function sevenErrors(): string {
  const catalog = realMatcher().catalog;
  const unique = catalog.entries.filter((e) => e.app !== 'all-apps' && catalog.entries.filter((o) => o.message === e.message).length === 1);
  const apps = new Set<string>();
  const picked = unique.filter((e) => !apps.has(e.app) && apps.add(e.app)).slice(0, 7);
  expect(picked).toHaveLength(7);
  return picked.map((e) => `<p>${e.message.split('\n')[0]}</p>`).join('');
}

/** The fixture's channel message with another body (Teams HTML) and, optionally, cards. */
function payload(html: string, attachments: unknown[] = []): Record<string, unknown> {
  return { ...(fetchFixture.value.messagePayload as object), body: { contentType: 'html', content: html }, attachments };
}

function fetchTask(html: string, extra: Record<string, unknown> = {}): Partial<Activity> {
  return { ...fetchFixture, value: { ...fetchFixture.value, messagePayload: payload(html), ...extra } };
}

function submit(value: Record<string, unknown>, over: Partial<Activity> = {}): Partial<Activity> {
  return { ...fetchFixture, name: 'composeExtension/submitAction', value: { commandId: 'diagnoseMessage', commandContext: 'message', ...value }, ...over };
}

/** Teams hands the previewed card back with edit and send. */
function previewAction(action: 'send' | 'edit', card: Card, over: Partial<Activity> = {}): Partial<Activity> {
  const [preview] = sendFixture.value.botActivityPreview as { attachments: object[] }[];
  return {
    ...sendFixture,
    value: { ...sendFixture.value, botMessagePreviewAction: action, botActivityPreview: [{ ...preview, attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] }] },
    ...over,
  };
}

let h: Harness;
async function harness(options: HarnessOptions = {}): Promise<Harness> {
  h = await startHarness({ ...options, messageExtension: { probeRoster: async () => 'member', ...options.messageExtension } });
  return h;
}
beforeEach(async () => {
  await harness();
});
afterEach(async () => {
  await h.close();
});
// A card press or an invoke that throws is answered with an error, not thrown: fail on its log line.
failOnLoggedErrors(startedHarnesses);

async function ask(activity: Partial<Activity>): Promise<{ answer: Answer; posted: Partial<Activity>[] }> {
  const replies = await h.send(activity);
  return { answer: invokeAnswer(replies) as unknown as Answer, posted: replies.filter((r) => r.type === 'message') };
}

function dialogCard(answer: Answer): Card {
  const task = answer.body.task;
  if (task?.type !== 'continue') throw new Error(`no dialog card: ${JSON.stringify(answer)}`);
  expect(task.value.card.contentType).toBe('application/vnd.microsoft.card.adaptive');
  return task.value.card.content;
}

function sendPreviewCard(answer: Answer): Card {
  const preview = answer.body.composeExtension;
  expect(preview?.type).toBe('botMessagePreview');
  expect(preview?.activityPreview?.type).toBe('message');
  expect(preview?.activityPreview?.attachments).toHaveLength(1);
  return preview!.activityPreview!.attachments[0]!.content;
}

async function incidentsCount(): Promise<number> {
  return (await h.store.stats(h.clock(), 30)).total;
}

/** Diagnose the fixture's message, press Post to this chat, then Send: what Teams would see. */
async function throughToSend(html = (fetchFixture.value.messagePayload as { body: { content: string } }).body.content) {
  const dialog = dialogCard((await ask(fetchTask(html))).answer);
  const post = actionsOf(dialog).find((a) => a.title === 'Post to this chat')!;
  const hidden = (dialog.body as Card[]).find((e) => e.id === 'connectorDoctorPreview')!;
  // A dialog's Submit sends its data and the card's inputs.
  const preview = sendPreviewCard((await ask(submit({ data: { ...(post.data as object), connectorDoctorPreview: hidden.value } }))).answer);
  return { dialog, preview, sent: await ask(previewAction('send', preview)) };
}

describe('choosing Diagnose with Connector Doctor on a message (fetchTask)', () => {
  it('shows the diagnosis of the Teams HTML as the card the bot would post, in a dialog with Post to this chat, and records nothing', async () => {
    const { answer } = await ask(fetchFixture);
    expect(answer.status).toBe(200);
    const task = answer.body.task as { type: string; value: { title: string } };
    expect(task.type).toBe('continue');
    expect(task.value.title).toBe('Diagnose with Connector Doctor');
    const card = dialogCard(answer);
    expect(cardProblems(card)).toEqual([]);
    const lines = read(card).split('\n');
    // The mention of Bea and the code block are normalised like a paste; acme.okta.com settles Okta.
    expect(lines[0]).toBe(OKTA_HEADLINE);
    expect(lines[1]).toBe('✎ Preview · not posted yet');
    expect(read(card)).toContain('Post to this chat posts this card here as Connector Doctor and opens an incident');
    expect(read(card)).not.toContain('Bea Ops');
    expect(actionsOf(card).filter((a) => a.type === 'Action.Execute')).toEqual([]);
    expect(actionsOf(card).filter((a) => a.type === 'Action.Submit').map((a) => a.title)).toEqual(['Post to this chat']);
    expect(await incidentsCount()).toBe(0);
  });

  it('reads the text of a card in the message: an alert a workflow posted', async () => {
    const alert = {
      contentType: 'application/vnd.microsoft.card.adaptive',
      // Teams sends a card attachment's content as a JSON string.
      content: JSON.stringify({
        type: 'AdaptiveCard',
        version: '1.4',
        body: [
          { type: 'TextBlock', text: 'Defender for Cloud Apps: app connector error', weight: 'Bolder' },
          { type: 'FactSet', facts: [{ title: 'App', value: 'Box' }, { title: 'Error', value: 'AuthFatalFailureException: com.box.boxjavalibv2.exceptions.BoxServerException: invalid_grant' }] },
        ],
        actions: [{ type: 'Action.OpenUrl', title: 'Open the portal', url: 'https://security.microsoft.com' }],
      }),
    };
    const { answer } = await ask({ ...fetchFixture, value: { ...fetchFixture.value, messagePayload: payload('<attachment id="1"></attachment>', [alert]) } });
    expect(read(dialogCard(answer)).split('\n')[0]).toMatch(/^Box connector: Box no longer accepts the refresh token/);
  });

  it('removes a secret before anything: the preview says so, and neither the dialog nor the logs hold it', async () => {
    const { answer } = await ask(fetchTask(`<p>HttpRequestFailure: Server returned: 401 Unauthorized on acme.okta.com</p><p>Authorization: Bearer ${TOKEN}</p>`));
    const card = dialogCard(answer);
    expect(read(card)).toContain('1 secret removed (an Authorization header)');
    expect(JSON.stringify(answer)).not.toContain(TOKEN);
    expect(h.logs()).not.toContain(TOKEN);
    expect(await incidentsCount()).toBe(0);
  });

  it('says so when the message holds no error (chat, through the real matcher): a note in the dialog, nothing recorded', async () => {
    const { answer } = await ask(fetchTask('<p>thanks, that fixed it! lunch at 12?</p>'));
    expect(answer.status).toBe(200);
    const card = dialogCard(answer);
    expect(read(card)).toBe('No connector error in this message\nNothing in it looks like an app connector error from Defender for Cloud Apps, so there is nothing to post.');
    expect(actionsOf(card)).toEqual([]);
    expect(await incidentsCount()).toBe(0);
  });

  it('says a message with nothing to read holds no error, whatever the matcher: only a mention and an image', async () => {
    const { answer } = await ask(fetchTask('<p><at id="0">Bea Ops</at></p><p><img src="https://example.com/x.png"></p>'));
    expect(read(dialogCard(answer)).split('\n')[0]).toBe('No connector error in this message');
  });

  it('in chat holding a secret, still names what was removed, never its value', async () => {
    const { answer } = await ask(fetchTask(`<p>try again with password=${TOKEN} please</p>`));
    expect(read(dialogCard(answer))).toContain('1 secret removed (a password)');
    expect(JSON.stringify(answer)).not.toContain(TOKEN);
  });

  it('says how many errors a message holds when there are several, and that the first 5 get a card each', async () => {
    const card = dialogCard((await ask(fetchTask(sevenErrors()))).answer);
    expect(read(card)).toContain('This message holds 7 errors: the first 5 get a card each, and a line names the others.');
  });

  it('is answered within Teams\' time even when the diagnosis does not finish, saying to try again', async () => {
    await h.close();
    await harness({ diagnose: () => new Promise(() => undefined), messageExtension: { deadlineMs: 1 } });
    const { answer } = await ask(fetchFixture);
    expect(answer).toEqual({ status: 200, body: { task: { type: 'message', value: SLOW_LINE } } });
  });

  it('tells a person to try again when the matcher threads are busy', async () => {
    await h.close();
    await harness({ diagnose: () => Promise.reject(new BusyError('queue full', BUSY_MESSAGE)) });
    const { answer } = await ask(fetchFixture);
    expect(answer).toEqual({ status: 200, body: { task: { type: 'message', value: BUSY_MESSAGE } } });
  });

  it('refuses what is not a message action: another context, no message, another command', async () => {
    const compose = await ask({ ...fetchFixture, value: { commandId: 'diagnoseMessage', commandContext: 'compose' } });
    expect(compose.answer.status).toBe(400);
    expect(compose.answer.body.task).toEqual({ type: 'message', value: 'Diagnose with Connector Doctor works on a message: choose it from the message\'s "..." menu (More actions).' });
    const other = await ask({ ...fetchFixture, value: { ...fetchFixture.value, commandId: 'createTicket' } });
    expect(other.answer.status).toBe(400);
    expect((other.answer.body.task as { value: string }).value).toContain('no command "createTicket"');
    const malformed = await ask({ ...fetchFixture, value: { commandId: 'diagnoseMessage', messagePayload: 'HttpRequestFailure' } });
    expect(malformed.answer.status).toBe(400);
  });
});

describe('Post to this chat, then Teams\' preview (submitAction -> botMessagePreview)', () => {
  it('answers with the card to post for Teams to preview with Send and Edit, still without buttons, still recording nothing', async () => {
    const { preview } = await throughToSend();
    expect(cardProblems(preview)).toEqual([]);
    expect(read(preview).split('\n')[0]).toBe(OKTA_HEADLINE);
    expect(read(preview)).toContain('Send posts this card here as Connector Doctor');
    expect(actionsOf(preview).filter((a) => a.type === 'Action.Submit' || a.type === 'Action.Execute')).toEqual([]);
  });

  it('from a client that submits the message straight away: the send preview, or a line when there is no error', async () => {
    const { answer } = await ask(submit({ messagePayload: payload('<p>HttpRequestFailure: Server returned: 401 Unauthorized on acme.okta.com</p>') }));
    expect(read(sendPreviewCard(answer)).split('\n')[0]).toBe(OKTA_HEADLINE);
    await h.close();
    await harness({ matcher: quietMatcher() });
    const chatter = await ask(submit({ messagePayload: payload('<p>see you tomorrow</p>') }));
    expect(chatter.answer.status).toBe(200);
    expect(chatter.answer.body.task).toEqual({ type: 'message', value: 'No connector error in this message. Nothing in it looks like an app connector error from Defender for Cloud Apps, so there is nothing to post.' });
    expect(await incidentsCount()).toBe(0);
  });

  it('Edit goes back to the dialog with the same diagnosis', async () => {
    const { preview } = await throughToSend();
    await h.close();
    await harness();
    const { answer } = await ask(previewAction('edit', preview));
    const card = dialogCard(answer);
    expect(read(card).split('\n')[0]).toBe(OKTA_HEADLINE);
    expect(actionsOf(card).map((a) => a.title)).toContain('Post to this chat');
  });
});

describe('Send: the live card in the conversation (botMessagePreview send)', () => {
  it('posts the card through the paste\'s path, opens the incident with the asker as reporter, and Mark resolved closes it in place', async () => {
    const { sent } = await throughToSend();
    expect(sent.answer).toEqual({ status: 200, body: {} });
    expect(sent.posted).toHaveLength(1);
    const posted = sent.posted[0]!;
    const card = cardOf(posted)!;
    expect(read(card).split('\n')[0]).toBe(OKTA_HEADLINE);
    // The invoke's sender asked for it (Bob), not the message's author (Ada): Teams shows "Bob Desk via Connector Doctor".
    expect(read(card).split('\n')[1]).toMatch(/^⚒ Open · reported by Bob Desk, /);
    expect(posted.channelData).toEqual({ onBehalfOf: [{ itemId: 0, mentionType: 'person', mri: fetchFixture.from!.id, displayName: 'Bob Desk' }] });
    const resolve = actionsOf(card).find((a) => a.verb === 'resolve')!;
    const incidentId = (resolve.data as { incidentId: string }).incidentId;
    expect(await h.store.get(incidentId)).toMatchObject({ state: 'open', conversationId: CONVERSATION, activityId: posted.id, appId: 'okta', reporter: { name: 'Bob Desk' } });

    const press = await h.send(executeInvoke('resolve', resolve.data as Record<string, unknown>, { from: USER_ADA, conversationId: CONVERSATION, replyToId: posted.id }));
    expect(invokeAnswer(press).status).toBe(200);
    expect(read(invokeAnswer(press).body.value)).toMatch(/✔ Resolved by Ada Ops/);
    expect(h.adapter.updates.at(-1)?.id).toBe(posted.id);
    expect(await h.store.get(incidentId)).toMatchObject({ state: 'resolved', resolvedBy: { name: 'Ada Ops' } });
  });

  it('posts each error of a message (up to the paste limit) and a line naming the rest, like a paste', async () => {
    const { sent } = await throughToSend(sevenErrors());
    const cards = sent.posted.filter((p) => cardOf(p));
    expect(cards).toHaveLength(5);
    expect(await incidentsCount()).toBe(5);
    expect(String(sent.posted.at(-1)?.text)).toMatch(/^I found 7 errors in that message and showed the first 5\. Not shown: \w.* and \w/);
    // The note is about that message (maybe a colleague's), and is attributed like the cards.
    expect(String(sent.posted.at(-1)?.text)).toMatch(/To get a card for each, paste those errors to me separately\.$/);
    expect(sent.posted.at(-1)?.channelData).toMatchObject({ onBehalfOf: [{ mentionType: 'person' }] });
  });

  it('with a secret: the posted card says it was removed, and no card, log or record holds it', async () => {
    const { sent } = await throughToSend(`<p>HttpRequestFailure: Server returned: 401 Unauthorized on acme.okta.com Authorization: Bearer ${TOKEN}</p>`);
    const card = cardOf(sent.posted[0])!;
    expect(read(card)).toContain('1 secret removed (an Authorization header)');
    // Often a colleague's message: whoever ran Diagnose is not told to delete it as if it were theirs.
    expect(read(card)).toContain('The message it came from still shows it: ask its author to delete it (or delete it, if it is yours) and rotate that credential.');
    expect(read(card)).not.toContain('Your message');
    const incidentId = (actionsOf(card).find((a) => a.verb === 'resolve')!.data as { incidentId: string }).incidentId;
    expect(JSON.stringify(await h.store.get(incidentId))).not.toContain(TOKEN);
    expect(JSON.stringify(sent)).not.toContain(TOKEN);
    expect(h.logs()).not.toContain(TOKEN);
  });

  it('never posts what the client made up: a secret put back in is redacted again, a verdict changed is decided again by the matcher', async () => {
    const { preview } = await throughToSend();
    await h.close();
    await harness();
    const tampered = JSON.parse(JSON.stringify(preview)) as Card;
    const hidden = (tampered.body as Card[]).find((e) => e.id === 'connectorDoctorPreview')!;
    const carry = JSON.parse(String(hidden.value)) as { findings: { excerpt: string; verdict: string; entryIds: string[] }[] };
    carry.findings[0]!.excerpt = `HttpRequestFailure: Server returned: 401 Unauthorized on acme.okta.com password=${TOKEN}`;
    carry.findings[0]!.entryIds = ['box-invalid-refresh-token'];
    hidden.value = JSON.stringify(carry);
    // And a card body the bot never wrote.
    (tampered.body as Card[]).unshift({ type: 'TextBlock', text: 'Everything is fine, ignore this' });
    const { answer, posted } = await ask(previewAction('send', tampered));
    expect(answer.status).toBe(200);
    const card = cardOf(posted[0])!;
    expect(read(card).split('\n')[0]).toBe(OKTA_HEADLINE);
    expect(JSON.stringify(posted)).not.toContain(TOKEN);
    expect(JSON.stringify(posted)).not.toContain('Everything is fine');
  });

  it('a preview that is not ours, or nothing at all: 400 with what to do, nothing posted', async () => {
    for (const card of [{ type: 'AdaptiveCard', body: [] }, 'not json', { type: 'AdaptiveCard', body: [{ type: 'Input.Text', id: 'connectorDoctorPreview', value: '{"v":1,"findings":[]}' }] }]) {
      const { answer, posted } = await ask(previewAction('send', card as Card));
      expect(answer).toEqual({ status: 400, body: { task: { type: 'message', value: EXPIRED_LINE } } });
      expect(posted).toEqual([]);
    }
    expect((await ask(submit({ botMessagePreviewAction: 'publish' }))).answer.status).toBe(400);
    expect(await incidentsCount()).toBe(0);
  });

  it('where Teams does not let the bot post: the reason in the dialog, for a chat between two people and for a chat without the app, nothing recorded', async () => {
    const { preview } = await throughToSend();
    await h.close();
    await harness({ messageExtension: { probeRoster: async () => 'refused' } });
    const personal = await ask(previewAction('send', preview, { conversation: { id: '19:ada_bob@unq.gbl.spaces', conversationType: 'personal', tenantId: 't', isGroup: false, name: '' } }));
    expect(personal.answer).toEqual({ status: 200, body: { task: { type: 'message', value: NOT_IN_PERSONAL_CHAT } } });
    const group = await ask(previewAction('send', preview, { conversation: { id: '19:group@thread.v2', conversationType: 'groupChat', tenantId: 't', isGroup: true, name: '' } }));
    expect(group.answer).toEqual({ status: 200, body: { task: { type: 'message', value: NOT_A_MEMBER } } });
    expect([...personal.posted, ...group.posted]).toEqual([]);
    expect(await incidentsCount()).toBe(0);
  });
});

describe('what a preview carries', () => {
  it('is posted as the preview showed it, for every field paste: the same errors, the same entries', () => {
    // The preview's carry goes through the client and is matched again before posting.
    let compared = 0;
    for (const paste of fieldPastes) {
      const diagnosis = h.matcher.diagnose(paste.text);
      if (diagnosis.findings.length === 0) continue;
      const post = findingsToPost(diagnosis, paste.text.length);
      const { shown } = post;
      const again = findingsFromCarry(carryOf(post), h.matcher)!;
      expect(again.shown.map((f) => [f.verdict, f.matches.map((m) => m.entry.id)]), paste.name).toEqual(shown.map((f) => [f.verdict, f.matches.map((m) => m.entry.id)]));
      expect(again.rest, paste.name).toEqual(post.rest);
      compared += shown.length;
    }
    expect(compared).toBeGreaterThan(50);
  });

  it('fits the largest preview the matcher can make: 5 excerpts at its cut, JSON-heavy, and 45 more errors', () => {
    const excerpt = `{"error":"invalid_grant","error_description":${'"\\"x\\"",'.repeat(200)}}`.slice(0, MAX_EXCERPT_CHARS);
    expect(excerpt).toHaveLength(MAX_EXCERPT_CHARS);
    const finding = { ...h.matcher.diagnose('HttpRequestFailure: Server returned: 401 Unauthorized on acme.okta.com').findings[0]!, excerpt };
    const post = { shown: Array.from({ length: 5 }, () => finding), rest: Array.from({ length: 45 }, () => ({ verdict: 'match' as const, appId: 'google-workspace' })), redactions: 3, redactedKinds: ['authorization-header', 'password'], truncated: true, textLength: 65_536 };
    const again = findingsFromCarry(carryOf(post), h.matcher);
    expect(again?.shown).toHaveLength(5);
    expect(again?.rest).toEqual(post.rest);
    expect(again).toMatchObject({ redactions: 3, redactedKinds: ['authorization-header', 'password'], truncated: true, textLength: 65_536 });
  });
});
