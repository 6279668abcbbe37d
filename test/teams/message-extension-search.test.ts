// "Search known errors" as Teams drives it (composeExtension/query through botbuilder's TestAdapter):
// the most frequent errors of the last 30 days when opened, then the catalog; typed words like the
// search command, one typo forgiven; nothing for a query nothing matches; pages; refusals in the
// search's own format; a budget of its own that leaves card presses alone.
import { readFileSync } from 'node:fs';
import type { Activity } from 'botbuilder';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/core/errors.js';
import { createRateLimiter } from '../../src/core/ratelimit.js';
import { actionsOf, cardProblems } from '../helpers/adaptive-card-schema.js';
import { USER_ADA, USER_BOB, cardOf, executeInvoke, invokeAnswer, personalMessage, startHarness, startedHarnesses, type Harness } from '../helpers/bot-harness.js';
import { failOnLoggedErrors } from '../helpers/logged-errors.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/activities/compose-extension-query.json', import.meta.url), 'utf8')) as Partial<Activity>;

interface Result {
  contentType: string;
  content: Record<string, unknown>;
  preview: { contentType: string; content: { title: string; subtitle: string; text: string } };
}
interface SearchAnswer {
  status: number;
  body: { composeExtension: { type: string; attachmentLayout?: string; attachments?: Result[]; text?: string } };
}

function query(value: Record<string, unknown>, from = USER_ADA): Partial<Activity> {
  return { ...fixture, from, value: { ...(fixture.value as object), ...value } };
}

const typed = (words: string, queryOptions = { skip: 0, count: 25 }) => query({ parameters: [{ name: 'query', value: words }], queryOptions });
const opened = (queryOptions = { skip: 0, count: 25 }) => query({ parameters: [{ name: 'initialRun', value: 'true' }], queryOptions });

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});
// A card press or an invoke that throws is answered with an error, not thrown: fail on its log line.
failOnLoggedErrors(startedHarnesses);

async function search(activity: Partial<Activity>, harness = h): Promise<SearchAnswer> {
  return invokeAnswer(await harness.send(activity)) as unknown as SearchAnswer;
}

const titles = (answer: SearchAnswer) => (answer.body.composeExtension.attachments ?? []).map((a) => a.preview.content.title);

describe('opened with nothing typed (initialRun)', () => {
  it('lists the errors of the last 30 days, most frequent first with how often, then the rest of the catalog', async () => {
    // Okta's 401 twice (two chats), Box's refresh token once; an old incident does not count.
    h.clock.now = new Date('2026-10-01T10:00:00Z');
    await h.send(personalMessage('AuthFatalFailureException: com.box.boxjavalibv2.exceptions.BoxServerException: invalid_grant', USER_ADA, 'a:old'));
    h.clock.now = new Date('2026-12-01T10:30:00Z');
    await h.send(personalMessage('HttpRequestFailure: Server returned: 401 Unauthorized on acme.okta.com', USER_ADA, 'a:one'));
    await h.send(personalMessage('HttpRequestFailure: Server returned: 401 Unauthorized on acme.okta.com', USER_BOB, 'a:two'));
    await h.send(personalMessage('Salesforce says INVALID_SESSION_ID: Session expired or invalid', USER_BOB, 'a:two'));

    const answer = await search(opened());
    expect(answer.status).toBe(200);
    expect(answer.body.composeExtension).toMatchObject({ type: 'result', attachmentLayout: 'list' });
    const results = answer.body.composeExtension.attachments!;
    expect(results).toHaveLength(25);
    expect(results[0]!.preview.content).toMatchObject({ title: 'Okta', subtitle: 'HttpRequestFailure: Server returned: 401…' });
    expect(results[0]!.preview.content.text).toMatch(/^Seen 2 times in the last 30 days\. Okta rejects the API token/);
    expect(results[1]!.preview.content).toMatchObject({ title: 'Salesforce' });
    expect(results[1]!.preview.content.text).toMatch(/^Seen 1 time in the last 30 days\./);
    // The Box incident is two months old: Box is listed with the catalog, without a count.
    expect(results.slice(2).every((r) => !r.preview.content.text.startsWith('Seen'))).toBe(true);
  });

  it('pages through the whole catalog with skip and count, each entry once', async () => {
    const seen: string[] = [];
    for (let skip = 0; skip < 60; skip += 10) {
      const page = await search(opened({ skip, count: 10 }));
      seen.push(...(page.body.composeExtension.attachments ?? []).map((a) => JSON.stringify(a.content)));
    }
    expect(seen).toHaveLength(h.matcher.catalog.entries.length);
    expect(new Set(seen).size).toBe(seen.length);
    // Past the end: an empty page, not an error.
    expect((await search(opened({ skip: 500, count: 10 }))).body.composeExtension.attachments).toEqual([]);
  });

  it('still lists the catalog when the incident store cannot say what is frequent', async () => {
    h.store.stats = async () => {
      throw new StoreError('unavailable', 'database unreachable');
    };
    const answer = await search(opened());
    expect(answer.status).toBe(200);
    expect(answer.body.composeExtension.attachments).toHaveLength(25);
    expect(h.logs()).toContain('search: no incident statistics');
  });
});

describe('typed words', () => {
  it('find entries like the search command, app names and one typo included; choosing one inserts the read-only card', async () => {
    const answer = await search(typed('okat token'));
    expect(answer.status).toBe(200);
    expect(titles(answer)).toEqual(['Okta']);
    const [result] = answer.body.composeExtension.attachments!;
    expect(result!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(result!.preview.contentType).toBe('application/vnd.microsoft.card.thumbnail');
    expect(result!.preview.content).toEqual({
      title: 'Okta',
      subtitle: 'HttpRequestFailure: Server returned: 401…',
      text: 'Okta rejects the API token the connector uses.',
    });
    expect(cardProblems(result!.content)).toEqual([]);
    // Read-only: nothing on the inserted card acts on the bot, only Learn more.
    expect(actionsOf(result!.content).map((a) => a.type)).toEqual(['Action.OpenUrl']);
    expect(JSON.stringify(result!.content)).toContain('Okta connector: Okta rejects the API token the connector uses');
  });

  it('find the same as the typed words in the search command would, aliases included', async () => {
    const answer = await search(typed('gsuite'));
    expect(new Set(titles(answer))).toEqual(new Set(['Google Workspace']));
    expect(titles(answer).length).toBe(h.matcher.catalog.entries.filter((e) => e.app === 'google-workspace').length);
  });

  it('that match nothing get no results at all, not the nearest noise', async () => {
    for (const words of ['zzzz', 'okta zzzz-nothing', 'kubernetes pod evicted', '[REDACTED]']) {
      const answer = await search(typed(words));
      expect(answer.status, words).toBe(200);
      expect(answer.body.composeExtension, words).toEqual({ type: 'result', attachmentLayout: 'list', attachments: [] });
    }
  });

  it('page too', async () => {
    const all = await search(typed('http'));
    const total = all.body.composeExtension.attachments!.length;
    expect(total).toBeGreaterThan(4);
    const first = await search(typed('http', { skip: 0, count: 3 }));
    const second = await search(typed('http', { skip: 3, count: 3 }));
    expect(first.body.composeExtension.attachments).toHaveLength(3);
    expect([...first.body.composeExtension.attachments!, ...second.body.composeExtension.attachments!]).toEqual(all.body.composeExtension.attachments!.slice(0, 6));
  });

  it('holding a token never bring it back, nor put it in the logs', async () => {
    const token = 'ghp_Zq8xWv3Lp0Rt6Yu2Io9Pa5Sd7Fg1Hj4KlMnBv';
    const answer = await search(typed(`okta ${token}`));
    // The token is gone, so "okta [REDACTED]" matches nothing rather than failing.
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer)).not.toContain(token);
    expect(h.logs()).not.toContain(token);
    expect(h.logs()).not.toContain('okta ghp');
  });
});

describe('a chosen result, sent', () => {
  it('to the bot\'s own chat is not answered (the card says it all); a message with nothing at all still gets the hint', async () => {
    const [result] = (await search(typed('okta token'))).body.composeExtension.attachments!;
    // What Teams delivers when the person sends the inserted card: the card, and no words.
    const shared = { ...personalMessage(''), text: '<span class="inline-compose-card" itemid="0" itemtype="http://schema.skype.com/InputExtension"></span>', attachments: [{ contentType: result!.contentType, content: result!.content }] };
    expect(await h.send(shared)).toEqual([]);
    const empty = await h.send({ ...personalMessage(''), attachments: [{ contentType: 'image/png', contentUrl: 'https://example.com/screenshot.png' }] });
    expect(empty.map((r) => r.text)).toEqual(['Paste a connector error from Defender for Cloud Apps and I will explain it. Type help to see what else I can do.']);
  });
});

describe('requests the search cannot use', () => {
  it('an unknown command, a malformed value or an invoke the app does not declare: 400 in the search\'s format, never a turn error', async () => {
    const unknown = await search(query({ commandId: 'searchEverything' }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.composeExtension.type).toBe('message');
    expect(unknown.body.composeExtension.text).toContain('no command "searchEverything"');

    const malformed = await search({ ...fixture, value: { commandId: 'searchKnownErrors', parameters: 'okta' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.composeExtension.text).toMatch(/malformed/);
    expect((await search({ ...fixture, value: 'okta' })).status).toBe(400);

    for (const name of ['composeExtension/selectItem', 'composeExtension/queryLink', 'composeExtension/setting']) {
      const answer = invokeAnswer(await h.send({ ...fixture, name, value: { url: 'https://example.com' } }));
      expect(answer.status, name).toBe(400);
    }
    expect(h.logs()).not.toContain('"level":50');
  });
});

describe('rate limits', () => {
  it('a person searching too fast gets a polite line (a 200: Teams shows no other status\'s words) in the search\'s format, and card presses keep their own budget', async () => {
    const budget = (capacity: number) => createRateLimiter({ user: { capacity, refillPerSecond: 1 }, conversation: { capacity: 100, refillPerSecond: 1 }, maxTrackedKeys: 100, clock: () => 0 });
    // One press allowed, three searches: a search that spent a press would leave none for Mark resolved.
    const limited = await startHarness({ pressLimiter: budget(1), messageExtension: { limiter: budget(3) } });
    try {
      const replies = await limited.send(personalMessage('HttpRequestFailure: Server returned: 401 Unauthorized on acme.okta.com'));
      const card = cardOf(replies[0])!;
      const resolve = actionsOf(card).find((a) => a.verb === 'resolve')!;
      for (const letters of ['o', 'ok', 'okt']) expect((await search(typed(letters), limited)).status).toBe(200);
      const refused = await search(typed('okta'), limited);
      expect(refused.status).toBe(200);
      expect(refused.body.composeExtension).toEqual({ type: 'message', text: 'Too many requests at once. Please wait about 1 second and try again.' });
      // Searching used up the search budget only: Mark resolved still works.
      const press = invokeAnswer(await limited.send(executeInvoke('resolve', resolve.data as Record<string, unknown>, { from: USER_ADA, replyToId: replies[0]!.id })));
      expect(press.status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
