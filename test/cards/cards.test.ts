// Every card the bot can send: valid Adaptive Card 1.5, scannable (what happened and the state
// first, details folded), the right buttons for each state, pasted text shown literally, times in
// the reader's zone, and under Teams' size limit.
import { describe, expect, it } from 'vitest';
import { ALL_APPS_ID, loadCatalog } from '../../src/core/catalog.js';
import type { IncidentHistory } from '../../src/cards/history.js';
import { UNRECORDED_LINE, incidentCard } from '../../src/cards/incident-card.js';
import { CARD_BUDGET_BYTES, cardBytes } from '../../src/cards/render.js';
import { statsCard } from '../../src/cards/stats-card.js';
import { supportEscalationCard } from '../../src/cards/support-card.js';
import { appsCard, helpCard, searchCard, welcomeCard } from '../../src/cards/views.js';
import type { StatsWindow } from '../../src/incidents/types.js';
import { actionsOf, cardProblems, markdownFields, readingInUtc, refreshOf, unescapeDisplay, visibleText } from '../helpers/adaptive-card-schema.js';
import { ADA, BOB, incident } from '../helpers/incidents.js';

const catalog = loadCatalog();
const boxEntry = catalog.entry('box-invalid-refresh-token')!;
const boxOther = catalog.entries.find((e) => e.app === 'box' && e.id !== boxEntry.id)!;
const otherApp = catalog.entries.find((e) => e.app !== 'box' && e.app !== 'all-apps')!;
const at = new Date('2026-12-01T10:42:00Z');
const SAM = { id: 'user-sam', name: 'Sam Support' };
const BEA = { id: 'user-bea', name: 'Bea Ops' };

/** What a reader in UTC sees: escapes consumed, card times as "2026-12-01 10:42 UTC". */
const read = (card: unknown) => readingInUtc(unescapeDisplay(visibleText(card)));

function verbs(card: unknown): string[] {
  return actionsOf(card)
    .filter((a) => a.type === 'Action.Execute')
    .map((a) => String(a.verb));
}

type Element = Record<string, unknown> & { type?: string; items?: Element[]; id?: string; isVisible?: boolean };

function body(card: unknown): Element[] {
  return ((card as { body?: Element[] }).body ?? []) as Element[];
}

/** The text a reader sees without pressing anything: everything but the folded details. */
function atAGlance(card: unknown): string {
  return read({ body: body(card).filter((e) => e.id !== 'details') });
}

function details(card: unknown): Element | undefined {
  return body(card).find((e) => e.id === 'details');
}

/** The block a card starts with: what happened (its first element), then the state badge. */
function header(card: unknown): Element {
  const first = body(card)[0]!;
  expect(first.id).toBe('header');
  return first;
}

const titleOf = (card: unknown) => read(header(card).items![0]);

/** The badge: its style and what it says, line by line. */
function badgeOf(card: unknown): { style: unknown; text: string } {
  const h = header(card);
  return { style: h.style, text: read({ body: h.items!.slice(1) }) };
}

describe('incident cards', () => {
  const history = (h: IncidentHistory) => h;
  const variants = {
    'diagnosis open': incidentCard({ incident: incident({ entryIds: [boxEntry.id] }), catalog, score: 0.92, alternatives: [otherApp], refreshUserIds: ['29:ada'] }),
    'diagnosis resolved': incidentCard({ incident: incident({ state: 'resolved', resolvedBy: BOB, resolvedAt: at }), catalog }),
    'diagnosis escalated pending': incidentCard({
      incident: incident({ state: 'escalated', escalatedBy: ADA, escalatedAt: at, escalationDelivery: 'pending', escalationNote: 'tried twice' }),
      catalog,
    }),
    'diagnosis escalated, acknowledged and taken': incidentCard({
      incident: incident({ state: 'escalated', escalatedBy: ADA, escalatedAt: at, escalationDelivery: 'delivered' }),
      catalog,
      history: history({ acknowledged: { by: SAM, at }, taken: { by: SAM, at } }),
    }),
    'diagnosis escalated, not sent': incidentCard({ incident: incident({ state: 'escalated', escalatedBy: ADA, escalatedAt: at }), catalog, hasDestination: true }),
    'diagnosis with secrets and a choice': incidentCard({
      incident: incident(),
      catalog,
      history: history({ secrets: { count: 2, kinds: ['authorization-header', 'jwt'] }, choice: { kind: 'alternative', by: BEA, at } }),
    }),
    ambiguous: incidentCard({ incident: incident({ verdict: 'ambiguous', appId: undefined, entryIds: [boxEntry.id, otherApp.id] }), catalog }),
    'ambiguous, nowhere to escalate': incidentCard({ incident: incident({ verdict: 'ambiguous', appId: undefined, entryIds: [boxEntry.id, otherApp.id] }), catalog, hasDestination: false }),
    'no match': incidentCard({ incident: incident({ verdict: 'none', appId: undefined, entryIds: [otherApp.id], excerpt: 'Widget frobnication failed' }), catalog, understood: ['HTTP 418'] }),
    'no match without suggestions': incidentCard({ incident: incident({ verdict: 'none', appId: undefined, entryIds: [], excerpt: 'hello' }), catalog }),
    'none of these': incidentCard({ incident: incident({ verdict: 'none', appId: undefined, entryIds: [] }), catalog, history: history({ choice: { kind: 'none', by: BEA, at } }) }),
    'diagnosis not recorded': incidentCard({ incident: incident(), catalog, unrecorded: true, alternatives: [otherApp], history: history({ secrets: { count: 1, kinds: ['jwt'] } }) }),
    'ambiguous not recorded': incidentCard({ incident: incident({ verdict: 'ambiguous', appId: undefined, entryIds: [boxEntry.id, otherApp.id] }), catalog, unrecorded: true }),
  };

  it.each(['diagnosis not recorded', 'ambiguous not recorded'] as const)('%s: says so, keeps the diagnosis and Show details, and has no button that acts on an incident', (name) => {
    const card = variants[name];
    const text = unescapeDisplay(visibleText(card));
    expect(text).toContain(`Not recorded\n${UNRECORDED_LINE}`);
    expect(actionsOf(card).map((a) => a.type)).not.toContain('Action.Execute');
    expect(JSON.stringify(card)).not.toMatch(/Action\.(Execute|Submit)/);
    // Nor a form that could only be sent with one: Escalate's note would go nowhere.
    expect(actionsOf(card).map((a) => a.type)).not.toContain('Action.ShowCard');
    expect(refreshOf(card)).toBeUndefined();
    expect(actionsOf(card).map((a) => a.type)).toContain('Action.ToggleVisibility');
  });

  it.each(Object.entries(variants))('%s is a valid Adaptive Card 1.5 under 28 KB, without invisible characters', (_name, card) => {
    expect(cardProblems(card)).toEqual([]);
  });

  it('a diagnosis says first what happened (app and cause in one line), then the state, then who acts and the steps', () => {
    const card = variants['diagnosis open'];
    expect(titleOf(card)).toBe('Box connector: Box no longer accepts the refresh token Defender for Cloud Apps keeps for your Box enterprise');
    expect(badgeOf(card)).toEqual({ style: 'accent', text: '⚒ Open · reported by Ada Ops, 2026-12-01 10:30 UTC' });
    expect(body(card)[1]?.type).toBe('FactSet');
    const glance = atAGlance(card);
    expect(glance).toMatch(/Who acts: /);
    expect(glance).toMatch(/Does retrying help\?: (Yes|No)/);
    boxEntry.resolution.steps.forEach((step, i) => expect(glance).toContain(`${i + 1}. ${step.slice(0, 30)}`));
    const learnMore = actionsOf(card).find((a) => a.type === 'Action.OpenUrl');
    expect(learnMore?.url).toBe(boxEntry.learnMore);
    // The alternative's button is in the folded details (body), before the card's own buttons.
    expect(verbs(card)).toEqual(['choose-alternative', 'resolve', 'escalate']);
  });

  it('the paste, the full "why" and the alternatives are folded behind Show details', () => {
    const card = variants['diagnosis open'];
    const folded = details(card);
    expect(folded?.isVisible).toBe(false);
    const toggle = actionsOf(card).find((a) => a.type === 'Action.ToggleVisibility');
    expect(toggle).toMatchObject({ title: 'Show details', targetElements: ['details'] });
    const glance = atAGlance(card);
    expect(glance).not.toContain('What you pasted');
    expect(glance).not.toContain('boxjavalibv2');
    expect(glance).not.toContain('Why it happens');
    expect(glance).not.toContain('Also possible');
    const inside = read(folded);
    expect(inside).toContain('What you pasted');
    expect(inside).toContain(boxEntry.cause.replace(/\s+/g, ' ').slice(0, 60));
    expect(inside).toContain(`Also possible\n${catalog.app(otherApp.app)!.name}: `);
  });

  it('certainty is in words, never a percentage; a person\'s choice replaces it with who chose and when', () => {
    const exact = incidentCard({ incident: incident({ excerpt: boxEntry.message }), catalog, score: 0.99 });
    expect(read(exact)).toContain('How sure: Exact portal message\n');
    expect(read(incidentCard({ incident: incident(), catalog, score: 0.92 }))).toContain('How sure: Strong match\n');
    const likely = incidentCard({ incident: incident(), catalog, score: 0.6, alternatives: [otherApp] });
    expect(read(likely)).toContain('How sure: Likely match, but another cause is possible (Show details)');
    expect(read(incidentCard({ incident: incident(), catalog, score: 0.6 }))).toContain('How sure: Likely match\n');
    for (const card of [exact, likely, ...Object.values(variants)]) expect(JSON.stringify(card)).not.toMatch(/\d+ ?%/);
    const chosen = read(variants['diagnosis with secrets and a choice']);
    expect(chosen).toContain('☝ Box — chosen by Bea Ops, 2026-12-01 10:42 UTC');
    expect(chosen).not.toContain('How sure');
  });

  it.each([
    ['an exact portal message', { excerpt: boxEntry.message }, 0.99],
    ['a strong match', {}, 0.92],
    ['a likely match', {}, 0.6],
  ] as const)('%s with other causes offered never reads as certain: How sure names them', (_kind, over, score) => {
    const one = read(incidentCard({ incident: incident(over), catalog, score, alternatives: [otherApp] }));
    expect(one).toContain('Also possible');
    expect(one).toMatch(/How sure: [^\n]*, but another cause is possible \(Show details\)\n/);
    const two = read(incidentCard({ incident: incident(over), catalog, score, alternatives: [otherApp, boxOther] }));
    expect(two).toMatch(/How sure: [^\n]*, but 2 other causes are possible \(Show details\)\n/);
  });

  it('alternatives are buttons that say what they do; another error of the same app is "this one"', () => {
    const card = incidentCard({ incident: incident(), catalog, alternatives: [otherApp, boxOther] });
    const buttons = actionsOf(card).filter((a) => a.verb === 'choose-alternative');
    expect(buttons.map((a) => [a.title, (a.data as { entryId: string }).entryId])).toEqual([
      [`It's ${catalog.app(otherApp.app)!.name} instead`, otherApp.id],
      ["It's this one instead", boxOther.id],
    ]);
    // The cause tells two entries with the same portal message apart; it is whole, never cut mid-word.
    const also = read(details(card)).split('\n').find((l) => l.startsWith(`${catalog.app(otherApp.app)!.name}: `))!;
    expect(also.endsWith('.')).toBe(true);
  });

  it('every button carries the incident id and a Submit fallback with the same data and verb', () => {
    for (const [name, card] of Object.entries(variants)) {
      if (name.endsWith('not recorded')) continue;
      const executes = actionsOf(card).filter((a) => a.type === 'Action.Execute');
      expect(executes.length).toBeGreaterThan(0);
      for (const action of executes) {
        expect(action.data).toMatchObject({ verb: action.verb, incidentId: 'inc-1' });
        // An older client presses the fallback: it must do exactly what the Execute does.
        expect(action.fallback).toEqual({ type: 'Action.Submit', title: action.title, data: action.data });
      }
    }
  });

  it('refreshes itself for the conversation\'s members when someone opens the chat later', () => {
    expect(refreshOf(variants['diagnosis open'])).toEqual({
      action: { type: 'Action.Execute', title: 'Refresh', verb: 'refresh', data: { verb: 'refresh', incidentId: 'inc-1' } },
      userIds: ['29:ada'],
    });
    // Unknown members, or more than Teams lists: refresh on request only, no user list.
    expect(refreshOf(variants.ambiguous)?.userIds).toBeUndefined();
    const crowd = incidentCard({ incident: incident(), catalog, refreshUserIds: Array.from({ length: 61 }, (_, i) => `29:u${i}`) });
    expect(refreshOf(crowd)?.userIds).toBeUndefined();
    expect(cardProblems(crowd)).toEqual([]);
  });

  it('escalation takes an optional note when support can be reached', () => {
    const showCard = actionsOf(variants['diagnosis open']).find((a) => a.type === 'Action.ShowCard') as { title: string; card: { body: { type: string; id: string }[] } };
    expect(showCard.title).toBe('Escalate to support');
    expect(showCard.card.body).toEqual([expect.objectContaining({ type: 'Input.Text', id: 'note' })]);
  });

  it('with nowhere to send escalations, Escalate explains how to set one up before anyone types a note', () => {
    const card = variants['ambiguous, nowhere to escalate'];
    const showCard = actionsOf(card).find((a) => a.type === 'Action.ShowCard') as { card: unknown };
    const inside = read(showCard.card);
    expect(inside).toContain('set support channel');
    expect(inside).toContain('SUPPORT_WEBHOOK_URL');
    expect(JSON.stringify(showCard.card)).not.toContain('Input.Text');
    expect(verbs(showCard.card)).toEqual(['refresh']);
  });

  it('the badge names the state in words and an icon, and changes with it', () => {
    const badges = Object.fromEntries(
      ['diagnosis open', 'diagnosis resolved', 'diagnosis escalated pending', 'diagnosis escalated, not sent'].map((name) => {
        const badge = badgeOf(variants[name as keyof typeof variants]);
        return [name, { style: badge.style, first: badge.text.split('\n')[0] }];
      }),
    );
    expect(badges).toEqual({
      'diagnosis open': { style: 'accent', first: '⚒ Open · reported by Ada Ops, 2026-12-01 10:30 UTC' },
      'diagnosis resolved': { style: 'good', first: '✔ Resolved by Bob Desk, 2026-12-01 10:42 UTC' },
      'diagnosis escalated pending': { style: 'warning', first: '✉ Escalated to support by Ada Ops, 2026-12-01 10:42 UTC · delivery pending' },
      'diagnosis escalated, not sent': { style: 'attention', first: '⚠ Escalation not sent by Ada Ops, 2026-12-01 10:42 UTC' },
    });
    // Never colour alone: the text of the badge is in the card's default colour, the words carry the state.
    for (const card of Object.values(variants)) expect(JSON.stringify(header(card))).not.toMatch(/"color"/);
  });

  it('resolved: says who resolved it when, and offers Reopen only', () => {
    expect(verbs(variants['diagnosis resolved'])).toEqual(['reopen']);
  });

  it('escalated: delivery, support\'s acknowledgement and who took it, and the note, as plain text', () => {
    const pending = read(variants['diagnosis escalated pending']);
    expect(pending).toContain('Note for support: tried twice');
    expect(verbs(variants['diagnosis escalated pending'])).toEqual(['resolve']);
    const handled = badgeOf(variants['diagnosis escalated, acknowledged and taken']).text;
    expect(handled).toBe(
      '✉ Escalated to support by Ada Ops, 2026-12-01 10:42 UTC · delivered\n☑ Acknowledged by support: Sam Support, 2026-12-01 10:42 UTC\n⚑ Taken by support: Sam Support, 2026-12-01 10:42 UTC',
    );
    // The note is a TextRun: shown exactly, never read as Markdown.
    const hostile = incidentCard({ incident: incident({ state: 'escalated', escalatedBy: ADA, escalatedAt: at, escalationDelivery: 'pending', escalationNote: 'see [portal](https://evil.example) **now**' }), catalog });
    expect(read(hostile)).toContain('Note for support: see [portal](https://evil.example) **now**');
    expect(markdownFields(hostile).join('\n')).not.toContain('evil');
    // Once resolved, the note belongs to the escalation's history, not to the card.
    const resolved = incidentCard({ incident: incident({ state: 'resolved', resolvedBy: BOB, resolvedAt: at, escalationNote: 'tried twice' }), catalog });
    expect(read(resolved)).not.toContain('Note for support');
  });

  it('an escalation nobody received says so, and can be sent again once support can be reached', () => {
    const card = variants['diagnosis escalated, not sent'];
    expect(read(card)).toContain('No support channel or webhook was set up, so nobody was told.');
    const again = actionsOf(card).find((a) => a.title === 'Send to support again');
    expect(again).toMatchObject({ type: 'Action.Execute', verb: 'escalate', data: { verb: 'escalate', incidentId: 'inc-1' } });
    const failed = incidentCard({ incident: incident({ state: 'escalated', escalatedBy: ADA, escalatedAt: at, escalationDelivery: 'dead-lettered' }), catalog });
    expect(read(failed)).toContain("Support's channel or webhook refused it, or is no longer set up. Contact support directly, or press Send to support again.");
    expect(actionsOf(failed).map((a) => a.title)).toContain('Send to support again');
    // Failed, and nowhere to send it now: no promise of a button that is not there; Escalate explains.
    const failedNowhere = incidentCard({ incident: incident({ state: 'escalated', escalatedBy: ADA, escalatedAt: at, escalationDelivery: 'dead-lettered' }), catalog, hasDestination: false });
    expect(read(failedNowhere)).not.toContain('press Send to support again');
    expect(actionsOf(failedNowhere).map((a) => a.title)).not.toContain('Send to support again');
    expect(read(failedNowhere)).toContain('Escalate to support says how to set a destination up');
    expect(read(actionsOf(failedNowhere).find((a) => a.type === 'Action.ShowCard'))).toContain('set support channel');
    // Still nowhere to send: the button explains instead.
    const stuck = incidentCard({ incident: incident({ state: 'escalated', escalatedBy: ADA, escalatedAt: at }), catalog, hasDestination: false });
    expect(actionsOf(stuck).map((a) => a.title)).not.toContain('Send to support again');
    expect(read(actionsOf(stuck).find((a) => a.type === 'Action.ShowCard'))).toContain('set support channel');
  });

  it('says which secrets were removed and what to do, never what they were', () => {
    const card = variants['diagnosis with secrets and a choice'];
    expect(atAGlance(card)).toContain(
      '⚠ 2 secrets removed (an Authorization header and a JSON Web Token). Your message above still shows them: delete it and rotate those credentials.',
    );
    expect(read(incidentCard({ incident: incident(), catalog, history: { secrets: { count: 1, kinds: ['secret-pair'] } } }))).toContain(
      '1 secret removed (a secret value). Your message above still shows it: delete it and rotate that credential.',
    );
  });

  it('ambiguous: one "It\'s <app>" button per candidate and "None of these", next to what each app\'s version means', () => {
    const card = variants.ambiguous;
    const choices = actionsOf(card).filter((a) => a.verb === 'choose-app' || a.verb === 'none-of-these');
    expect(choices.map((a) => a.title)).toEqual([`It's ${catalog.app('box')!.name}`, `It's ${catalog.app(otherApp.app)!.name}`, 'None of these']);
    expect(choices[1]!.data).toEqual({ verb: 'choose-app', incidentId: 'inc-1', appId: otherApp.app });
    expect(choices[2]!.data).toEqual({ verb: 'none-of-these', incidentId: 'inc-1' });
    expect(titleOf(card)).toBe('This error comes from several apps: which one is yours?');
    expect(atAGlance(card)).toContain(`${catalog.app(otherApp.app)!.name}: ${otherApp.cause.slice(0, 20)}`);
    expect(atAGlance(card)).toContain(`${catalog.app('box')!.name} and ${catalog.app(otherApp.app)!.name} both show this message.`);
    const third = catalog.entries.find((e) => e.app !== 'box' && e.app !== otherApp.app && e.app !== ALL_APPS_ID)!;
    const three = incidentCard({ incident: incident({ verdict: 'ambiguous', appId: undefined, entryIds: [boxEntry.id, otherApp.id, third.id] }), catalog });
    expect(atAGlance(three)).toMatch(/, .+ and .+ all show this message\./);
  });

  it('button titles show app names as they are (titles render no Markdown)', () => {
    const dotted = { ...catalog, app: (id: string) => (id === 'box' ? { ...catalog.app('box')!, name: 'Box.com (EU)' } : catalog.app(id)) };
    const card = incidentCard({ incident: incident({ verdict: 'ambiguous', appId: undefined, entryIds: [boxEntry.id, otherApp.id] }), catalog: dotted });
    expect(actionsOf(card).map((a) => a.title)).toContain("It's Box.com (EU)");
  });

  it('a chosen app turns the ambiguous incident into that app\'s diagnosis', () => {
    const card = incidentCard({ incident: incident({ verdict: 'ambiguous', appId: otherApp.app, entryIds: [boxEntry.id, otherApp.id] }), catalog });
    expect(titleOf(card)).toMatch(new RegExp(`^${catalog.app(otherApp.app)!.name} connector: `));
    expect(verbs(card)).toEqual(['resolve', 'escalate']);
  });

  it('no-match card is honest, shows what was recognised and offers escalation; look-alikes are folded', () => {
    const card = variants['no match'];
    expect(titleOf(card)).toBe("I don't know this error yet");
    expect(atAGlance(card)).toContain('What I recognised: HTTP 418');
    expect(read(details(card))).toContain('Known errors that look a little like it (not a diagnosis)');
    expect(verbs(card)).toContain('escalate');
    expect(read(variants['no match without suggestions'])).not.toContain('look a little like it');
    expect(atAGlance(variants['none of these'])).toContain('☝ None of these — chosen by Bea Ops, 2026-12-01 10:42 UTC');
  });

  it('does not repeat the portal message when the paste already shows it', () => {
    const entry = catalog.entries.find((e) => e.ref === 'mda-09')!; // Box: "Cannot authorize with this service"
    const pasted = incidentCard({ incident: incident({ entryIds: [entry.id], excerpt: `Box connector:   ${entry.message.toUpperCase()}` }), catalog });
    expect(read(pasted)).not.toContain('The portal calls it');
    // A paste in other words still learns the name the portal gives the error.
    const reworded = incidentCard({ incident: incident({ entryIds: [entry.id], excerpt: 'Box: Unauthorized, cannot authorize' }), catalog });
    expect(read(reworded)).toContain(`The portal calls it: ${entry.message}`);
  });

  it('an error any app can show is named after the app the paste names, never "All apps"', () => {
    const entry = catalog.entries.find((e) => e.app === 'all-apps' && e.resolution.actor === 'app-admin')!;
    const named = read(incidentCard({ incident: incident({ entryIds: [entry.id], appId: 'all-apps', excerpt: `ServiceNow connector: ${entry.message}` }), catalog, appHint: 'servicenow' }));
    expect(named.split('\n')[0]).toMatch(/^ServiceNow connector: /);
    expect(named).toContain('Who acts: An admin of ServiceNow');
    const unnamed = read(incidentCard({ incident: incident({ entryIds: [entry.id], appId: 'all-apps', excerpt: entry.message }), catalog }));
    expect(unnamed.split('\n')[0]).toMatch(/^Any connector: /);
    expect(unnamed).toContain('Who acts: An admin of the app');
    expect(`${named}\n${unnamed}`).not.toMatch(/All apps/);
  });

  it('a long cause makes a one-line title that ends at a clause, not mid-word', () => {
    const salesforce = catalog.entry('salesforce-bad-request')!;
    expect(titleOf(incidentCard({ incident: incident({ entryIds: [salesforce.id], appId: 'salesforce' }), catalog }))).toBe(
      "Salesforce connector: Salesforce rejects the connector's session",
    );
    for (const entry of catalog.entries) {
      const title = titleOf(incidentCard({ incident: incident({ entryIds: [entry.id], appId: entry.app }), catalog }));
      expect(title.length, entry.id).toBeLessThanOrEqual(200);
      // What the title keeps of the cause ends where a word ends.
      const kept = title.slice(title.indexOf(': ') + 2).replace(/…$/, '');
      const cause = entry.cause.replace(/\s+/g, ' ');
      expect(cause.startsWith(kept), entry.id).toBe(true);
      expect(cause.charAt(kept.length), entry.id).toMatch(/^[\s.,;:(]?$/);
    }
  });

  it('an error cut short by the matcher says only its start is shown', () => {
    const card = incidentCard({ incident: incident({ excerpt: `${boxEntry.message}\n\tat com.box.Call(Box.java:1)\n…` }), catalog });
    expect(read(card)).toContain('Only the start of what you pasted is shown and kept.');
    expect(read(variants['diagnosis open'])).not.toContain('Only the start');
  });

  it('a repeat says how often the error was seen', () => {
    expect(read(incidentCard({ incident: incident({ repeatCount: 2 }), catalog }))).toContain('↻ Seen 3 times in this conversation');
  });

  it('every time is a date/time function on an ISO-8601 UTC instant, shown in each reader\'s zone', () => {
    const all = [...Object.values(variants), supportEscalationCard({ incident: incident({ state: 'escalated', escalatedBy: BOB, escalatedAt: at }), catalog })];
    for (const card of all) {
      const json = JSON.stringify(card);
      expect(json).not.toMatch(/\d\d:\d\d UTC/);
      for (const [, fn, iso] of json.matchAll(/\{\{(DATE|TIME)\(([^),]+)/g)) {
        expect(fn).toMatch(/^(DATE|TIME)$/);
        expect(iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      }
    }
    expect(JSON.stringify(variants['diagnosis resolved'])).toContain('{{DATE(2026-12-01T10:42:00Z, SHORT)}} {{TIME(2026-12-01T10:42:00Z)}}');
  });
});

describe('pasted text renders as plain text', () => {
  const hostile = [
    'Click [here](https://evil.example/login) now',
    '**bold** _it_ `code` # heading ~~strike~~',
    '- bullet\n1. numbered\n> quote',
    '<at>Ada Ops</at> please look',
    'see https://evil.example/reset and www.evil.example or mail ops@evil.example',
    '${$root.incidentId} ${status}',
  ].join('\n');
  const card = incidentCard({ incident: incident({ verdict: 'none', entryIds: [], excerpt: hostile }), catalog });
  const named = incidentCard({ incident: incident({ reporter: { id: 'u', name: '[Admin](https://evil.example) <at>Boss</at>' } }), catalog });

  it('is never in a field a client reads as Markdown, so no link, emphasis, heading, list or mention can form', () => {
    for (const field of [...markdownFields(card), ...markdownFields(named)]) {
      expect(field).not.toContain('evil');
      expect(field).not.toContain('<at>');
    }
  });

  it('the reader sees the original words, line by line, and copies exactly them', () => {
    const shown = visibleText(details(card));
    for (const line of hostile.split('\n')) expect(shown).toContain(line);
    expect(visibleText(named)).toContain('reported by [Admin](https://evil.example) <at>Boss</at>');
  });

  it('template expressions in a paste stay text', () => {
    expect(visibleText(card)).toContain('${$root.incidentId} ${status}');
    expect(cardProblems(card).filter((p) => p.includes('unexpanded'))).toEqual([]);
  });
});

describe('excerpt layout', () => {
  it('keeps each pasted line on its own line', () => {
    const card = incidentCard({ incident: incident({ excerpt: 'first line\nsecond line\n\nthird line' }), catalog });
    expect(visibleText(card)).toMatch(/first line\nsecond line\nthird line/);
  });

  it('an excerpt with no visible text still makes a valid card', () => {
    for (const excerpt of ['', '   \n  ']) {
      expect(cardProblems(incidentCard({ incident: incident({ verdict: 'none', entryIds: [], excerpt }), catalog }))).toEqual([]);
    }
  });

  it('thousands of short lines still fit the budget', () => {
    const card = incidentCard({ incident: incident({ excerpt: 'x\n'.repeat(5000) }), catalog });
    expect(cardBytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    expect(visibleText(card)).toMatch(/Showing the first/);
  });
});

describe('size budget', () => {
  it('a 60 KB paste is trimmed, the card says so and stays under 28 KB', () => {
    const paste = `${boxEntry.message}\n${'x'.repeat(60 * 1024)}`;
    const card = incidentCard({ incident: incident({ excerpt: paste }), catalog, refreshUserIds: Array.from({ length: 60 }, (_, i) => `29:${'u'.repeat(60)}${i}`) });
    expect(cardBytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    expect(visibleText(card)).toMatch(/Showing the first [\d,]+ of 61,[\d]{3} characters\./);
    expect(cardProblems(card)).toEqual([]);
  });

  it('a paste of characters that escape to several bytes still fits', () => {
    const card = incidentCard({ incident: incident({ excerpt: '*_<'.repeat(20_000) }), catalog });
    expect(cardBytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
  });
});

describe('the support channel post', () => {
  const escalated = incident({ state: 'escalated', escalatedBy: BOB, escalatedAt: at, escalationNote: 'urgent *please*' });

  it('names the app and the error in words, who escalated and reported it when, and their note', () => {
    const card = supportEscalationCard({ incident: escalated, catalog, link: 'https://teams.microsoft.com/l/message/19%3Aops/17' });
    expect(cardProblems(card)).toEqual([]);
    const text = read(card);
    expect(text.split('\n')[0]).toBe(`Escalated: Box: ${boxEntry.message}`);
    expect(text).toContain('Escalated by Bob Desk, 2026-12-01 10:42 UTC');
    expect(text).toContain('Reported by Ada Ops, 2026-12-01 10:30 UTC');
    expect(text).toContain('Note: urgent *please*');
    expect(text).toContain('Diagnosis: a known error the bot recognised.');
    // Support reads words, never the catalog's internal ids.
    expect(JSON.stringify(card)).not.toContain(boxEntry.id);
    expect(actionsOf(card).find((a) => a.type === 'Action.OpenUrl')).toMatchObject({ title: 'Open the original card', url: 'https://teams.microsoft.com/l/message/19%3Aops/17' });
    expect(verbs(card)).toEqual(['support-acknowledge', 'support-take']);
    expect(read(details(card))).toContain('What the reporter pasted');
  });

  it('says why there is no link back when Teams gives none (a personal chat)', () => {
    const card = supportEscalationCard({ incident: { ...escalated, conversationId: 'a:1xyz' }, catalog });
    expect(actionsOf(card).some((a) => a.type === 'Action.OpenUrl')).toBe(false);
    expect(read(card)).toContain("No link back: the card is in the reporter's personal chat with me, which only they can open.");
  });

  it('shows who acknowledged and who took it, and drops the buttons that no longer apply', () => {
    const acknowledged = supportEscalationCard({ incident: escalated, catalog, history: { acknowledged: { by: SAM, at } } });
    expect(badgeOf(acknowledged).text).toBe('☑ Acknowledged by Sam Support, 2026-12-01 10:42 UTC');
    expect(verbs(acknowledged)).toEqual(['support-take']);
    const taken = supportEscalationCard({ incident: escalated, catalog, history: { acknowledged: { by: SAM, at }, taken: { by: SAM, at } } });
    expect(badgeOf(taken).text).toBe('⚑ Taken by Sam Support, 2026-12-01 10:42 UTC');
    expect(verbs(taken)).toEqual([]);
    const waiting = supportEscalationCard({ incident: escalated, catalog });
    expect(badgeOf(waiting).text).toBe('✉ Waiting for support: nobody has acknowledged it yet');
    const resolved = supportEscalationCard({ incident: { ...escalated, state: 'resolved', resolvedBy: ADA, resolvedAt: at }, catalog });
    expect(badgeOf(resolved).text).toBe('✔ Resolved in the chat by Ada Ops, 2026-12-01 10:42 UTC');
    expect(verbs(resolved)).toEqual([]);
  });

  it('an error the catalog does not know, or several apps know, is described as such', () => {
    const unknown = read(supportEscalationCard({ incident: { ...escalated, verdict: 'none', appId: undefined, entryIds: [] }, catalog }));
    expect(unknown.split('\n')[0]).toBe('Escalated: an error the catalog does not know');
    expect(unknown).toContain('Diagnosis: not in the catalog.');
    expect(unknown).not.toContain('Likely cause');
    const several = read(supportEscalationCard({ incident: { ...escalated, verdict: 'ambiguous', appId: undefined, entryIds: [boxEntry.id, otherApp.id] }, catalog }));
    expect(several).toContain(`Diagnosis: a known message of several apps (Box and ${catalog.app(otherApp.app)!.name}); the app is not settled.`);
  });
});

describe('stats', () => {
  const window = (days: number, total = 4): StatsWindow => ({
    days,
    total,
    byState: { open: 1, resolved: total - 2, escalated: 1 },
    byApp: [{ appId: 'box', count: total - 1 }, { appId: 'unknown', count: 1 }],
    topErrors: [{ entryId: boxEntry.id, count: total - 1 }, { entryId: otherApp.id, count: 1 }],
    medianTimeToResolveMs: 90 * 60_000,
  });

  it('one block when both periods hold the same incidents, with a chart of top errors and a text fallback', () => {
    const card = statsCard([window(7), window(30)], catalog, { pending: 1, delivered: 2, deadLettered: 0 });
    expect(cardProblems(card)).toEqual([]);
    const text = visibleText(card);
    expect(text).toContain('Last 7 and 30 days: 4 incidents');
    expect(text).not.toContain('Last 30 days');
    expect(text.match(/Median time to resolve/g)).toHaveLength(1);
    expect(text).toContain('Median time to resolve: 1 h 30 min');
    expect(text).toContain('Box 3, App not identified 1');
    expect(text).toContain('Escalations: 2 delivered, 1 pending, 0 failed');
    const chart = JSON.stringify(card).match(/"type":"Chart\.HorizontalBar"/g);
    expect(chart).toHaveLength(1);
    const bars = body(card)[1]!.items!.find((e) => e.type === 'Chart.HorizontalBar') as unknown as { data: { x: string; y: number }[]; fallback: unknown };
    expect(bars.data).toEqual([
      // The cause says the app already: no "Box: Box ...".
      { x: 'Box no longer accepts the refresh token…', y: 3 },
      { x: expect.stringMatching(new RegExp(`^${catalog.app(otherApp.app)!.name}`)), y: 1 },
    ]);
    // Clients without charts read the same ranking as lines.
    expect(unescapeDisplay(visibleText(bars.fallback))).toContain(`1. Box: ${boxEntry.message} (3)`);
  });

  it('two blocks when the longer period holds more', () => {
    const text = visibleText(statsCard([window(7, 2), window(30, 5)], catalog));
    expect(text).toContain('Last 7 days: 2 incidents');
    expect(text).toContain('Last 30 days: 5 incidents');
  });

  it('an empty period says so, without a chart', () => {
    const empty: StatsWindow = { days: 7, total: 0, byState: { open: 0, resolved: 0, escalated: 0 }, byApp: [], topErrors: [] };
    const card = statsCard([empty, { ...empty, days: 30 }], catalog);
    expect(cardProblems(card)).toEqual([]);
    expect(visibleText(card)).toContain('Last 7 and 30 days: 0 incidents');
    expect(visibleText(card)).toContain('No incidents in this period.');
    expect(JSON.stringify(card)).not.toContain('Chart.');
  });
});

describe('command cards', () => {
  it('help and welcome list the commands', () => {
    for (const card of [helpCard(), welcomeCard()]) {
      expect(cardProblems(card)).toEqual([]);
      const text = visibleText(card);
      for (const command of ['help', 'apps', 'search words', 'stats', 'set support channel']) expect(text).toContain(`${command}:`);
      expect(text).toContain('search okta token');
    }
  });

  it('our own texts hold nothing a client would take for an HTML tag and swallow ("search <words>" showed as "search")', () => {
    for (const card of [helpCard(), welcomeCard(), appsCard(catalog), searchCard(catalog, 'zzzz-nothing')]) {
      expect(visibleText(card)).not.toMatch(/<[a-z][^>]*>/i);
    }
  });

  it('apps lists every app with its number of known errors', () => {
    const card = appsCard(catalog);
    expect(cardProblems(card)).toEqual([]);
    const count = catalog.entries.filter((e) => e.app === 'box').length;
    expect(visibleText(card)).toContain(`Box: ${count} known error${count === 1 ? '' : 's'}`);
    // Errors any connector can show come last, as "Any app", and are not counted as an app.
    const apps = catalog.apps.filter((app) => app.id !== 'all-apps').length;
    expect(visibleText(card)).toContain(`Apps I know (${apps}) with ${catalog.entries.length} known errors`);
    expect(visibleText(card)).not.toContain('All apps');
    expect(visibleText(card).trim().split('\n').at(-2)).toMatch(/^Any app: \d+ known errors?$/);
  });

  it('search lists matching entries, says so when nothing matches, and echoes the words literally', () => {
    const card = searchCard(catalog, 'box refresh');
    expect(cardProblems(card)).toEqual([]);
    expect(visibleText(card).split('\n')[0]).toBe('Catalog search: box refresh');
    // The Box refresh-token entry, under its app's name, not just the echoed words.
    expect(unescapeDisplay(visibleText(card))).toContain(`Box\n${catalog.entry('box-invalid-refresh-token')!.message}`);
    const empty = searchCard(catalog, '[x](https://evil.example)');
    expect(cardProblems(empty)).toEqual([]);
    expect(visibleText(empty)).toContain('Nothing in the catalog matches');
    expect(markdownFields(empty).join('\n')).not.toContain('evil');
  });
});
