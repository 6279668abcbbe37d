// Every card the bot can send: valid Adaptive Card 1.5, the right buttons for each state,
// pasted text shown literally, and under Teams' size limit.
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/core/catalog.js';
import { plainText } from '../../src/cards/plain-text.js';
import { CARD_BUDGET_BYTES, cardBytes } from '../../src/cards/render.js';
import {
  appsCard,
  helpCard,
  incidentCard,
  searchCard,
  statsCard,
  supportEscalationCard,
  welcomeCard,
} from '../../src/cards/views.js';
import { actionsOf, cardProblems, unescapeDisplay, visibleText } from '../helpers/adaptive-card-schema.js';
import { ADA, BOB, incident } from '../helpers/incidents.js';

const catalog = loadCatalog();
const boxEntry = catalog.entries.find((e) => e.app === 'box')!;
const otherApp = catalog.entries.find((e) => e.app !== 'box' && e.app !== 'all-apps')!;
const at = new Date('2026-12-01T10:42:00Z');

function verbs(card: unknown): string[] {
  return actionsOf(card)
    .filter((a) => a.type === 'Action.Execute')
    .map((a) => String(a.verb));
}

describe('incident cards', () => {
  const variants = {
    'diagnosis open': incidentCard({ incident: incident({ entryIds: [boxEntry.id] }), catalog, confidence: 0.92, runnerUp: otherApp }),
    'diagnosis resolved': incidentCard({ incident: incident({ entryIds: [boxEntry.id], state: 'resolved', resolvedBy: BOB, resolvedAt: at }), catalog }),
    'diagnosis escalated pending': incidentCard({
      incident: incident({ entryIds: [boxEntry.id], state: 'escalated', escalatedBy: ADA, escalatedAt: at, escalationDelivery: 'pending', escalationNote: 'tried twice' }),
      catalog,
    }),
    ambiguous: incidentCard({ incident: incident({ verdict: 'ambiguous', appId: undefined, entryIds: [boxEntry.id, otherApp.id] }), catalog }),
    'no match': incidentCard({ incident: incident({ verdict: 'none', appId: undefined, entryIds: [otherApp.id], excerpt: 'Widget frobnication failed' }), catalog, understood: ['HTTP 418'] }),
    'no match without suggestions': incidentCard({ incident: incident({ verdict: 'none', appId: undefined, entryIds: [], excerpt: 'hello' }), catalog }),
  };

  it.each(Object.entries(variants))('%s is a valid Adaptive Card 1.5 under 28 KB', (_name, card) => {
    expect(cardProblems(card)).toEqual([]);
  });

  it('diagnosis shows app, cause, numbered steps, who acts, retry, confidence, runner-up and learn more', () => {
    const card = variants['diagnosis open'];
    const text = unescapeDisplay(visibleText(card));
    expect(text).toContain('Box');
    expect(text).toContain(boxEntry.cause.slice(0, 40));
    boxEntry.resolution.steps.forEach((step, i) => expect(text).toContain(`${i + 1}. ${step.slice(0, 30)}`));
    expect(text).toMatch(/Who acts: /);
    expect(text).toMatch(/Does retrying help\?: (Yes|No)/);
    expect(text).toContain('Confidence: 92%');
    expect(text).toContain('Also possible:');
    expect(text).toContain('Open — reported by Ada Ops at 10:30 UTC');
    const learnMore = actionsOf(card).find((a) => a.type === 'Action.OpenUrl');
    expect(learnMore?.url).toBe(boxEntry.learnMore);
    expect(verbs(card)).toEqual(['resolve', 'escalate']);
  });

  it('every button carries the incident id and a Submit fallback with the same data and verb', () => {
    for (const card of Object.values(variants)) {
      const executes = actionsOf(card).filter((a) => a.type === 'Action.Execute');
      expect(executes.length).toBeGreaterThan(0);
      for (const action of executes) {
        expect(action.data).toMatchObject({ verb: action.verb, incidentId: 'inc-1' });
        // An older client presses the fallback: it must do exactly what the Execute does.
        expect(action.fallback).toEqual({ type: 'Action.Submit', title: action.title, data: action.data });
      }
    }
  });

  it('escalation takes an optional note in a show-card', () => {
    const showCard = actionsOf(variants['diagnosis open']).find((a) => a.type === 'Action.ShowCard') as { card: { body: { type: string; id: string }[] } };
    expect(showCard.card.body[0]).toMatchObject({ type: 'Input.Text', id: 'note' });
  });

  it('resolved card says who resolved it when, and offers Reopen only', () => {
    const card = variants['diagnosis resolved'];
    expect(visibleText(card)).toContain('Resolved by Bob Desk at 10:42 UTC');
    expect(verbs(card)).toEqual(['reopen']);
  });

  it('escalated card says delivery is pending and offers Mark resolved', () => {
    const card = variants['diagnosis escalated pending'];
    expect(visibleText(card)).toContain('Escalated by Ada Ops at 10:42 UTC — delivery pending');
    expect(verbs(card)).toEqual(['resolve']);
    const delivered = incidentCard({ incident: incident({ state: 'escalated', escalatedBy: ADA, escalatedAt: at, escalationDelivery: 'delivered' }), catalog });
    expect(visibleText(delivered)).toContain('— delivered to support');
  });

  it('escalated card shows everyone the note sent to support, as plain text', () => {
    const card = variants['diagnosis escalated pending'];
    expect(visibleText(card)).toContain('Note for support: tried twice');
    const hostile = incidentCard({
      incident: incident({ state: 'escalated', escalatedBy: ADA, escalatedAt: at, escalationDelivery: 'pending', escalationNote: 'see [portal](https://evil.example) **now**' }),
      catalog,
    });
    expect(visibleText(hostile)).toContain(plainText('Note for support: see [portal](https://evil.example) **now**'));
    expect(cardProblems(hostile)).toEqual([]);
    // Once resolved, the note belongs to the escalation's history, not to the card.
    const resolved = incidentCard({ incident: incident({ state: 'resolved', resolvedBy: BOB, resolvedAt: at, escalationNote: 'tried twice' }), catalog });
    expect(visibleText(resolved)).not.toContain('Note for support');
  });

  it('an escalation with nowhere to go says nobody was told', () => {
    const card = incidentCard({ incident: incident({ state: 'escalated', escalatedBy: ADA, escalatedAt: at }), catalog });
    expect(visibleText(card)).toContain('Escalated by Ada Ops at 10:42 UTC — not sent: no support destination is set up, please contact support directly');
  });

  it('ambiguous card has one "It\'s <app>" button per candidate app', () => {
    const card = variants.ambiguous;
    const choices = actionsOf(card).filter((a) => a.verb === 'choose-app');
    expect(choices.map((a) => a.title)).toEqual([`It's ${catalog.app('box')!.name}`, `It's ${catalog.app(otherApp.app)!.name}`]);
    expect(choices[1]!.data).toEqual({ verb: 'choose-app', incidentId: 'inc-1', appId: otherApp.app });
    expect(visibleText(card)).toContain('This error comes from several apps');
    // What tells the candidates apart is the cause, so each app's cause is shown next to its name.
    expect(unescapeDisplay(visibleText(card))).toContain(`${catalog.app(otherApp.app)!.name}: ${otherApp.cause.slice(0, 20)}`);
  });

  it('button titles show app names as they are (titles render no Markdown)', () => {
    const dotted = { ...catalog, app: (id: string) => (id === 'box' ? { ...catalog.app('box')!, name: 'Box.com (EU)' } : catalog.app(id)) };
    const card = incidentCard({ incident: incident({ verdict: 'ambiguous', appId: undefined, entryIds: [boxEntry.id, otherApp.id] }), catalog: dotted });
    expect(actionsOf(card).map((a) => a.title)).toContain("It's Box.com (EU)");
  });

  it('a chosen app turns the ambiguous incident into that app\'s diagnosis', () => {
    const card = incidentCard({ incident: incident({ verdict: 'ambiguous', appId: otherApp.app, entryIds: [boxEntry.id, otherApp.id] }), catalog });
    expect(unescapeDisplay(visibleText(card))).toContain(otherApp.cause.slice(0, 40));
    expect(verbs(card)).toEqual(['resolve', 'escalate']);
  });

  it('no-match card is honest, shows what was understood and offers escalation', () => {
    const card = variants['no match'];
    const text = unescapeDisplay(visibleText(card));
    expect(text).toContain("I don't know this error yet");
    expect(text).toContain('HTTP 418');
    expect(text).toContain('Known errors that look a little like it (not a diagnosis)');
    expect(verbs(card)).toContain('escalate');
    expect(visibleText(variants['no match without suggestions'])).not.toContain('look a little like it');
  });

  it('does not repeat the portal message when the paste already shows it', () => {
    const entry = catalog.entries.find((e) => e.ref === 'mda-09')!; // Box: "Cannot authorize with this service"
    const pasted = incidentCard({ incident: incident({ entryIds: [entry.id], excerpt: `Box connector:   ${entry.message.toUpperCase()}` }), catalog });
    const text = unescapeDisplay(visibleText(pasted));
    expect(text.split(entry.message.toUpperCase()).length - 1).toBe(1);
    expect(text).not.toContain('Known as:');
    // A paste in other words still learns the name the portal gives the error.
    const reworded = incidentCard({ incident: incident({ entryIds: [entry.id], excerpt: 'Box: Unauthorized, cannot authorize' }), catalog });
    expect(unescapeDisplay(visibleText(reworded))).toContain(`Known as: ${entry.message}`);
  });

  it('an error any app can show is named after the app the paste names, never "All apps"', () => {
    const entry = catalog.entries.find((e) => e.app === 'all-apps' && e.resolution.actor === 'app-admin')!;
    const named = incidentCard({ incident: incident({ entryIds: [entry.id], appId: 'all-apps', excerpt: `ServiceNow connector: ${entry.message}` }), catalog, appHint: 'servicenow' });
    const text = unescapeDisplay(visibleText(named));
    expect(text.split('\n')[0]).toBe('ServiceNow connector error');
    expect(text).toContain('Who acts: An admin of ServiceNow');
    const unnamed = unescapeDisplay(visibleText(incidentCard({ incident: incident({ entryIds: [entry.id], appId: 'all-apps', excerpt: entry.message }), catalog })));
    expect(unnamed.split('\n')[0]).toBe('Connector error (any app can show it)');
    expect(unnamed).toContain('Who acts: An admin of the app');
    expect(`${text}\n${unnamed}`).not.toMatch(/All apps/);
  });

  it('the runner-up says why it would be different, not the same portal message again', () => {
    const okta = catalog.entries.find((e) => e.ref === 'mda-15')!;
    const exchange = catalog.entries.find((e) => e.app === 'exchange-online' && e.message === okta.message)!;
    const card = incidentCard({ incident: incident({ entryIds: [okta.id], appId: 'okta', excerpt: okta.message }), catalog, confidence: 0.97, runnerUp: exchange });
    const also = unescapeDisplay(visibleText(card)).split('\n').find((line) => line.startsWith('Also possible'));
    expect(also).toMatch(/^Also possible: Exchange Online\. Exchange Online rejects the account /);
    expect(also).not.toContain(okta.message);
  });

  it('an error cut short by the matcher says only its start is shown', () => {
    const card = incidentCard({ incident: incident({ excerpt: `${boxEntry.message}\n\tat com.box.Call(Box.java:1)\n…` }), catalog });
    expect(visibleText(card)).toContain('Only the start of what you pasted is shown and kept.');
    expect(visibleText(variants['diagnosis open'])).not.toContain('Only the start');
  });

  it('a repeat says how often the error was seen', () => {
    const card = incidentCard({ incident: incident({ repeatCount: 2 }), catalog });
    expect(visibleText(card)).toContain('Seen 3 times in this conversation');
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

  it('no Markdown link, emphasis, code, heading, list or mention survives', () => {
    const excerpt = plainText(hostile);
    expect(excerpt).not.toMatch(/(?<!\\)\[here(?<!\\)\]/);
    expect(excerpt).not.toMatch(/(?<!\\)\*\*/);
    expect(excerpt).not.toMatch(/(?<!\\)`/);
    expect(excerpt).not.toMatch(/^#/m);
    expect(excerpt).not.toMatch(/^[-+>] /m);
    expect(excerpt).not.toMatch(/^\d+\. /m);
    expect(excerpt).not.toMatch(/(?<!\\)<at>/);
  });

  it('bare URLs and domains cannot become links', () => {
    const excerpt = plainText(hostile);
    expect(excerpt).not.toContain('://');
    expect(excerpt).not.toMatch(/[a-z]\.[a-z]/i);
  });

  it('the reader still sees the original words', () => {
    expect(unescapeDisplay(visibleText(card))).toContain('Click [here](https://evil.example/login) now');
  });

  it('template expressions in a paste stay text', () => {
    expect(unescapeDisplay(visibleText(card))).toContain('${$root.incidentId} ${status}');
    expect(cardProblems(card).filter((p) => p.includes('unexpanded'))).toEqual([]);
  });

  it('display names are escaped too', () => {
    const sneaky = { id: 'u', name: '[Admin](https://evil.example)' };
    const resolved = incidentCard({ incident: incident({ state: 'resolved', resolvedBy: sneaky, resolvedAt: at }), catalog });
    expect(JSON.stringify(resolved)).not.toContain('](https');
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
    const card = incidentCard({ incident: incident({ excerpt: paste }), catalog });
    expect(cardBytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    expect(visibleText(card)).toMatch(/Showing the first [\d,]+ of 61,[\d]{3} characters\./);
    expect(cardProblems(card)).toEqual([]);
  });

  it('a paste of characters that escape to several bytes still fits', () => {
    const card = incidentCard({ incident: incident({ excerpt: '*_<'.repeat(20_000) }), catalog });
    expect(cardBytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
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

  it('search lists matching entries, and says so when nothing matches', () => {
    const card = searchCard(catalog, 'box refresh');
    expect(cardProblems(card)).toEqual([]);
    expect(visibleText(card)).toContain('Box');
    const empty = searchCard(catalog, 'zzzz-nothing');
    expect(cardProblems(empty)).toEqual([]);
    expect(visibleText(empty)).toContain('Nothing in the catalog matches');
  });

  it('stats shows both windows with states, median and top errors', () => {
    const window = (days: number) => ({
      days,
      total: 4,
      byState: { open: 1, resolved: 2, escalated: 1 },
      byApp: [{ appId: 'box', count: 3 }, { appId: otherApp.app, count: 1 }],
      topErrors: [{ entryId: boxEntry.id, count: 3 }],
      medianTimeToResolveMs: 90 * 60_000,
    });
    const card = statsCard([window(7), window(30)], catalog, { pending: 1, delivered: 2, deadLettered: 0 });
    expect(cardProblems(card)).toEqual([]);
    const text = visibleText(card);
    expect(text).toContain('Last 7 days: 4 incidents');
    expect(text).toContain('Last 30 days: 4 incidents');
    expect(text).toContain('Median time to resolve: 1 h 30 min');
    expect(text).toContain('Box 3');
    expect(text).toContain('Escalations: 2 delivered, 1 pending, 0 failed');
  });

  it('the support channel card names who escalated and their note', () => {
    const card = supportEscalationCard(incident({ state: 'escalated', escalatedBy: BOB, escalatedAt: at, escalationNote: 'urgent *please*' }), catalog, 'https://bot.example/incidents/inc-1');
    expect(cardProblems(card)).toEqual([]);
    const text = unescapeDisplay(visibleText(card));
    expect(text).toContain('Escalated by: Bob Desk');
    expect(text).toContain('Note: urgent *please*');
    // Support reads it later and elsewhere: the date, the diagnosis in words, whose paste it is.
    expect(text).toContain('Escalated at: 2026-12-01 10:42 UTC');
    expect(text).toContain('Diagnosis: Known error: box-invalid-refresh-token');
    expect(text).toContain('What the reporter pasted');
    const unknown = unescapeDisplay(visibleText(supportEscalationCard(incident({ verdict: 'none', appId: undefined, entryIds: [], state: 'escalated', escalatedBy: BOB, escalatedAt: at }), catalog)));
    expect(unknown).toContain('Diagnosis: Not in the catalog');
    expect(unknown).not.toContain('Likely cause');
  });
});
