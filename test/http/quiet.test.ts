// The frozen quiet set through the real bot (index.ts start(): the real matcher, adapter, store),
// spoken to as Teams would, in the scope each message was written for: chat, thanks, questions and
// agendas get one short line, no card and no incident; an error-shaped message still gets its card.
// (test/teams/bot.test.ts checks the bot's answer given no finding; this checks the whole path.)
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUIET_LINE } from '../../src/teams/paste.js';
import { quietMessages, type QuietMessage } from '../fixtures/pastes/quiet.js';
import { unescapeDisplay, visibleText } from '../helpers/adaptive-card-schema.js';
import { post, startApp, type RunningApp } from '../helpers/running-bot.js';
import { startTeamsStandIn, type TeamsStandIn } from '../helpers/teams-standin.js';

type ActivityJson = Record<string, unknown> & { conversation: Record<string, unknown> };
type Reply = { text?: string; attachments?: { content: unknown }[] };
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/activities/${name}.json`, import.meta.url), 'utf8')) as ActivityJson;

let app: RunningApp;
let teams: TeamsStandIn;
let sent = 0;

beforeAll(async () => {
  teams = await startTeamsStandIn();
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
  await teams?.close();
});

/** A message in its scope, from its own sender in its own conversation (clear of the rate limits). */
function activityFor(scope: QuietMessage['scope'], text: string): ActivityJson {
  const n = ++sent;
  const from = { id: `29:quiet-${n}`, name: 'Chatty Person', aadObjectId: `aad-quiet-${n}` };
  const base = { serviceUrl: teams.serviceUrl, from, id: `m-quiet-${n}`, deliveryMode: 'expectReplies' };
  if (scope === 'channel') {
    const channel = fixture('channel-mention');
    // The set's channel texts carry the bot's mention as Teams sends it.
    const withMention = text.includes('<at>') ? text : `<at>Connector Doctor</at> ${text}`;
    return { ...channel, ...base, text: withMention, attachments: [], conversation: { ...channel.conversation, id: `19:opsChannelExample@thread.tacv2;messageid=${n}` } };
  }
  const personal = fixture('personal-message');
  const conversation =
    scope === 'groupChat'
      ? { ...personal.conversation, id: `19:group-${n}@thread.v2`, conversationType: 'groupChat', isGroup: true }
      : { ...personal.conversation, id: `a:quiet-${n}` };
  return { ...personal, ...base, text, conversation };
}

async function say(scope: QuietMessage['scope'], text: string): Promise<Reply[]> {
  const res = await post(`${app.url}/api/messages`, activityFor(scope, text));
  expect(res.status).toBe(200);
  return (res.json() as { activities: Reply[] }).activities;
}

async function incidentsRecorded(): Promise<string> {
  const replies = await say('personal', 'stats');
  return unescapeDisplay(visibleText(replies[0]?.attachments?.[0]?.content));
}

describe(`the frozen quiet set (${quietMessages.length} messages) through the real bot`, () => {
  it.each(quietMessages.map((m) => [m.name, m] as const))('%s: one short line, no card', async (_name, message) => {
    const replies = await say(message.scope, message.text);
    expect(replies.map((r) => r.text)).toEqual([QUIET_LINE]);
    expect(replies.some((r) => (r.attachments ?? []).length > 0)).toBe(false);
  });

  it('recorded no incident and posted nothing to Teams for any of them', async () => {
    expect(await incidentsRecorded()).toContain('Last 7 and 30 days: 0 incidents');
    expect(teams.calls.filter((c) => c.method === 'POST' || c.method === 'PUT')).toEqual([]);
  });

  it('while an error-shaped message the catalog does not know still gets its card, in the same scopes', async () => {
    for (const scope of ['personal', 'groupChat', 'channel'] as const) {
      const replies = await say(scope, 'WGT40012: the widget quota is used up');
      expect(unescapeDisplay(visibleText(replies[0]?.attachments?.[0]?.content))).toContain("I don't know this error yet");
    }
    expect(await incidentsRecorded()).toContain('Last 7 and 30 days: 3 incidents');
  });
});
