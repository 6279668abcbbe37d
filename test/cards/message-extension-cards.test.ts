// The message extension's cards: the diagnosis preview (no incident yet, so nothing to press but
// what posting does), the read-only catalog card search inserts and its one-line preview, and the
// note a dialog shows when there is nothing to diagnose.
import { describe, expect, it } from 'vitest';
import { catalogEntryCard, catalogResultPreview } from '../../src/cards/catalog-card.js';
import { incidentCard } from '../../src/cards/incident-card.js';
import { noteCard } from '../../src/cards/note-card.js';
import { CARD_BUDGET_BYTES, cardBytes } from '../../src/cards/render.js';
import { loadCatalog } from '../../src/core/catalog.js';
import { actionsOf, cardProblems, markdownFields, readingInUtc, refreshOf, unescapeDisplay, visibleText } from '../helpers/adaptive-card-schema.js';
import { incident } from '../helpers/incidents.js';

const catalog = loadCatalog();
const read = (card: unknown) => readingInUtc(unescapeDisplay(visibleText(card)));
type Element = Record<string, unknown> & { type?: string; id?: string };
/** Markdown a client would act on: what is left of a field once its backslash escapes are taken out. */
/** What Adaptive Cards would render as Markdown (emphasis, links, Teams tags), left unescaped. */
const unescapedMarkdown = (card: unknown) =>
  markdownFields(card).filter((field) => /[*[\]]|<[A-Za-z/]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/u.test(field.replace(/\\./g, '')));
const bodyOf = (card: unknown) => ((card as { body?: Element[] }).body ?? []) as Element[];

const preview = {
  notes: ['Post to this chat posts this card as Connector Doctor and opens the incident.', '1 more error in this message gets its own card.'],
  carry: { inputId: 'connectorDoctorPreview', value: JSON.stringify({ v: 1, findings: [] }) },
  submit: { title: 'Post to this chat', data: { connectorDoctor: 'post' } },
};

describe('the diagnosis preview', () => {
  it('is the diagnosis as it would be posted, badged as a preview, with nothing that acts on an incident', () => {
    const card = incidentCard({ incident: incident({ id: 'preview-0' }), catalog, preview, history: { secrets: { count: 1, kinds: ['authorization-header'] } } });
    expect(cardProblems(card)).toEqual([]);
    const text = read(card);
    expect(text.split('\n')[0]).toMatch(/^Box connector: Box no longer accepts the refresh token/);
    expect(text.split('\n')[1]).toBe('✎ Preview · not posted yet');
    expect(text).toContain('Post to this chat posts this card as Connector Doctor and opens the incident.');
    expect(text).toContain('1 more error in this message gets its own card.');
    expect(text).toContain('1 secret removed (an Authorization header)');
    expect(text).not.toContain('reported by');
    expect(refreshOf(card)).toBeUndefined();
    const buttons = actionsOf(card);
    expect(buttons.filter((a) => a.type === 'Action.Execute')).toEqual([]);
    // The one Submit is the preview's own; Show details and Learn more still work.
    expect(buttons.filter((a) => a.type === 'Action.Submit').map((a) => [a.title, a.data])).toEqual([['Post to this chat', { connectorDoctor: 'post' }]]);
    expect(buttons.map((a) => a.type)).toEqual(expect.arrayContaining(['Action.ToggleVisibility', 'Action.OpenUrl']));
    // Escalate's note form could only be sent with an incident: it is not offered either.
    expect(buttons.map((a) => a.title)).not.toContain('Escalate to support');
    expect(buttons.map((a) => a.type)).not.toContain('Action.ShowCard');
  });

  it('carries the next step in an input nobody sees, and without a submit has no button of its own', () => {
    const card = incidentCard({ incident: incident(), catalog, preview: { notes: ['Send posts it.'], carry: preview.carry } });
    expect(cardProblems(card)).toEqual([]);
    const hidden = bodyOf(card).find((e) => e.id === 'connectorDoctorPreview');
    expect(hidden).toEqual({ type: 'Input.Text', id: 'connectorDoctorPreview', isVisible: false, value: preview.carry.value });
    expect(read(card)).not.toContain('"findings"');
    expect(actionsOf(card).filter((a) => a.type === 'Action.Submit')).toEqual([]);
  });

  it('previews ambiguous and unknown errors too, without their choice buttons', () => {
    const ambiguous = incidentCard({ incident: incident({ verdict: 'ambiguous', appId: undefined, entryIds: ['okta-invalid-token', 'microsoft-365-unauthorized'] }), catalog, preview });
    const unknown = incidentCard({ incident: incident({ verdict: 'none', appId: undefined, entryIds: [], excerpt: 'Widget frobnication failed' }), catalog, preview });
    for (const card of [ambiguous, unknown]) {
      expect(cardProblems(card)).toEqual([]);
      expect(read(card)).toContain('✎ Preview · not posted yet');
      expect(actionsOf(card).filter((a) => a.type === 'Action.Execute' || a.type === 'Action.ShowCard' || (a.type === 'Action.Submit' && a.title !== 'Post to this chat'))).toEqual([]);
    }
  });

  it('stays under Teams\' size limit with a long excerpt and a full carry, cutting the excerpt shown', () => {
    const excerpt = `AuthFatalFailureException: invalid_grant ${'x'.repeat(30_000)}`;
    const carry = { inputId: 'connectorDoctorPreview', value: 'y'.repeat(8_000) };
    const card = incidentCard({ incident: incident({ excerpt }), catalog, preview: { ...preview, carry } });
    expect(cardBytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    expect(bodyOf(card).find((e) => e.id === 'connectorDoctorPreview')?.value).toBe(carry.value);
  });
});

describe('the catalog card search inserts', () => {
  const okta = catalog.entry('okta-invalid-token')!;

  it('holds the cause, the numbered steps and Learn more, and nothing to press that acts', () => {
    const card = catalogEntryCard(catalog, okta);
    expect(cardProblems(card)).toEqual([]);
    const text = read(card);
    expect(text.split('\n')[0]).toBe('Okta connector: Okta rejects the API token the connector uses');
    expect(text).toContain('The portal says: HttpRequestFailure: Server returned: 401 Unauthorized');
    expect(text).toContain('Who acts: An admin of Okta');
    expect(text).toContain(okta.cause.replace(/\s+/g, ' '));
    expect(text).toContain(`1. ${okta.resolution.steps[0]}`);
    expect(text).toContain('From the Connector Doctor catalog. Paste the whole error');
    expect(actionsOf(card).map((a) => [a.type, a.title, a.url])).toEqual([['Action.OpenUrl', 'Learn more', okta.learnMore]]);
  });

  it('escapes Markdown in the catalog\'s words, for every entry, and fits the size limit', () => {
    for (const entry of catalog.entries) {
      const card = catalogEntryCard(catalog, entry);
      expect(cardProblems(card), entry.id).toEqual([]);
      expect(unescapedMarkdown(card), entry.id).toEqual([]);
      expect(cardBytes(card)).toBeLessThan(CARD_BUDGET_BYTES);
    }
  });

  it('shows no internal reference (the catalog ref or entry id) on any inserted card or result', () => {
    for (const entry of catalog.entries) {
      const shown = [read(catalogEntryCard(catalog, entry)), ...Object.values(catalogResultPreview(catalog, entry, 2))].join('\n');
      for (const internal of [entry.id, entry.ref].filter((v): v is string => v !== undefined)) {
        expect(shown, entry.id).not.toMatch(new RegExp(`(^|[^\\w-])${internal}($|[^\\w-])`));
      }
    }
  });

  it('names errors any connector can show after no app', () => {
    const timeout = catalog.entries.find((e) => e.app === 'all-apps')!;
    expect(read(catalogEntryCard(catalog, timeout)).split('\n')[0]).toMatch(/^Any connector: /);
    expect(catalogResultPreview(catalog, timeout).title).toBe('Any app');
  });

  it('is listed as the app, the portal message and the cause in a line, with how often it was seen', () => {
    expect(catalogResultPreview(catalog, okta)).toEqual({
      title: 'Okta',
      subtitle: 'HttpRequestFailure: Server returned: 401…',
      text: 'Okta rejects the API token the connector uses.',
    });
    expect(catalogResultPreview(catalog, okta, 3).text).toBe('Seen 3 times in the last 30 days. Okta rejects the API token the connector uses.');
    expect(catalogResultPreview(catalog, okta, 1).text).toMatch(/^Seen 1 time in the last 30 days\. /);
    // One line each in Teams' narrow list: cut at a word, with an ellipsis.
    for (const entry of catalog.entries) {
      const { subtitle, text } = catalogResultPreview(catalog, entry);
      expect(subtitle.length, entry.id).toBeLessThanOrEqual(44);
      expect(text.length, entry.id).toBeLessThanOrEqual(140);
      if (subtitle !== entry.message.split('\n')[0]) expect(subtitle, entry.id).toMatch(/\S…$/);
    }
  });
});

describe('the dialog note', () => {
  it('is a title and lines of our own words, Markdown escaped', () => {
    const card = noteCard('No connector error in this message', ['Nothing here looks like an app connector error.', '', '1 secret removed (a *password*).']);
    expect(cardProblems(card)).toEqual([]);
    expect(unescapedMarkdown(card)).toEqual([]);
    expect(read(card)).toBe('No connector error in this message\nNothing here looks like an app connector error.\n1 secret removed (a *password*).');
  });
});
