// An alert's card: where it came from and the way back to it, "seen N times, last <time>" instead
// of the chat's "in this conversation", "cleared at the source at <time>", the no-error title, and
// the secrets notice pointing at the alert instead of a message above.
import { describe, expect, it } from 'vitest';
import { historyOf } from '../../src/cards/history.js';
import { ALERT_WITHOUT_ERROR, incidentCard } from '../../src/cards/incident-card.js';
import { loadCatalog } from '../../src/core/catalog.js';
import type { Incident, IncidentEvent } from '../../src/incidents/types.js';
import { actionsOf, cardProblems, unescapeDisplay, visibleText } from '../helpers/adaptive-card-schema.js';
import { incident as handMade } from '../helpers/incidents.js';

const catalog = loadCatalog();
const SENTINEL = { id: 'alert-source:sentinel', name: 'Microsoft Sentinel' };
const T0 = new Date('2026-12-01T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const origin = JSON.stringify({ source: 'sentinel', sourceName: 'Microsoft Sentinel', title: 'System alert app connector error', link: 'https://portal.azure.com/#incident/1' });
const event = (kind: IncidentEvent['kind'], minutes: number, detail?: string): IncidentEvent => ({ incidentId: 'i1', kind, at: at(minutes), actor: SENTINEL, ...(detail ? { detail } : {}) });

const incident = (over: Partial<Incident> = {}): Incident =>
  handMade({
    id: 'i1',
    conversationId: '19:alerts@thread.tacv2;messageid=1',
    reporter: SENTINEL,
    excerpt: 'AuthFatalFailureException: com.box.boxjavalibv2.exceptions.BoxServerException: invalid_grant',
    createdAt: T0,
    updatedAt: T0,
    origin: 'alert',
    ...over,
  });
const text = (card: unknown) => unescapeDisplay(visibleText(card));

describe('the card of an alert incident', () => {
  it('names the source and its title, links back to it, and says how often and when it was last seen', () => {
    const history = historyOf([event('opened', 0), event('alert-received', 0, origin), event('alert-repeated', 5, 'sentinel:1'), event('alert-repeated', 42, 'sentinel:2')]);
    const card = incidentCard({ incident: incident({ repeatCount: 2 }), catalog, history });
    expect(cardProblems(card)).toEqual([]);
    const shown = text(card);
    expect(shown).toContain('Box connector: ');
    expect(shown).toContain('⚐ Alert from Microsoft Sentinel: System alert app connector error');
    expect(shown).toContain('reported by Microsoft Sentinel');
    expect(shown).toContain(`↻ Seen 3 times, last {{DATE(2026-12-01T10:42:00Z, SHORT)}} {{TIME(2026-12-01T10:42:00Z)}}`);
    expect(shown).not.toContain('in this conversation');
    const link = actionsOf(card).find((a) => a.type === 'Action.OpenUrl' && a.title === 'Open in Microsoft Sentinel');
    expect(link?.url).toBe('https://portal.azure.com/#incident/1');
    expect(actionsOf(card).map((a) => a.verb)).toContain('resolve');
  });

  it('heads the alert text "What the alert said" (nobody pasted it); a paste keeps "What you pasted"', () => {
    const alertCard = incidentCard({ incident: incident(), catalog, history: historyOf([event('alert-received', 0, origin)]) });
    expect(text(alertCard)).toContain('What the alert said');
    expect(text(alertCard)).not.toContain('What you pasted');
    for (const verdict of ['match', 'none'] as const) {
      const paste = incidentCard({ incident: incident({ verdict, ...(verdict === 'none' ? { entryIds: [] } : {}), origin: undefined }), catalog, history: {} });
      expect(text(paste), verdict).toContain('What you pasted');
    }
  });

  it('says when the alert cleared at the source, until it is seen active again', () => {
    const cleared = historyOf([event('alert-received', 0, origin), event('alert-cleared', 7), event('resolved', 7, 'Cleared at the source')]);
    const card = incidentCard({ incident: incident({ state: 'resolved', resolvedBy: SENTINEL, resolvedAt: at(7) }), catalog, history: cleared });
    expect(text(card)).toContain('✓ Cleared at the source at {{DATE(2026-12-01T10:07:00Z, SHORT)}}');
    expect(text(card)).toContain('✔ Resolved by Microsoft Sentinel');
    const back = historyOf([event('alert-received', 0, origin), event('alert-cleared', 7), event('alert-repeated', 9, 'sentinel:1')]);
    expect(back.cleared).toBeUndefined();
  });

  it('titles an alert with no known error "alert without a recognisable connector error", and a paste as before', () => {
    const history = historyOf([event('alert-received', 0, origin)]);
    const card = incidentCard({ incident: incident({ verdict: 'none', entryIds: [], excerpt: 'Test alert from the Logic App' }), catalog, history });
    expect(cardProblems(card)).toEqual([]);
    expect(text(card)).toContain(ALERT_WITHOUT_ERROR);
    const paste = incidentCard({ incident: incident({ verdict: 'none', entryIds: [], origin: undefined }), catalog, history: {} });
    expect(text(paste)).toContain("I don't know this error yet");
    expect(actionsOf(paste).some((a) => a.type === 'Action.OpenUrl' && String(a.title).startsWith('Open'))).toBe(false);
  });

  it('tells that the secret is still in the alert where it came from, not in a message above', () => {
    const history = historyOf([event('alert-received', 0, origin), event('secrets-removed', 0, JSON.stringify({ count: 1, kinds: ['password'] }))]);
    const shown = text(incidentCard({ incident: incident(), catalog, history }));
    expect(shown).toContain('The alert where it came from still shows it: rotate that credential.');
    expect(shown).not.toContain('Your message above');
  });
});
