// Builds card data from the domain (incident, catalog entries, stats) and renders it within the
// size budget. Everything a user or a paste controls goes through plainText() here.
import { ALL_APPS_ID, type Actor, type Catalog, type CatalogEntry } from '../core/index.js';
import type { Incident, OutboxCounts, Person, StatsWindow } from '../incidents/types.js';
import type {
  AmbiguousCardData,
  DiagnosisCardData,
  IncidentCardCommon,
  NoMatchCardData,
  StatsCardData,
  SupportEscalationCardData,
} from './data.js';
import { plainText, truncateText } from './plain-text.js';
import { CARD_BUDGET_BYTES, cardBytes, renderCard, type AdaptiveCard } from './render.js';

/** The excerpt shown on a card is cut to this many characters first, then halved until it fits. */
export const EXCERPT_DISPLAY_CHARS = 2000;
const MIN_EXCERPT_CHARS = 200;
const MAX_SUGGESTIONS = 3;

export function formatTime(at: Date): string {
  return `${at.toISOString().slice(11, 16)} UTC`;
}

function personName(person: Person | undefined): string {
  return plainText(person?.name?.trim() || 'someone');
}

export function appName(catalog: Catalog, appId: string | undefined): string {
  if (!appId) return 'Unknown app';
  // "All apps: Service timeout" reads as if every app failed; these errors belong to any one app.
  if (appId === ALL_APPS_ID) return 'Any app';
  return catalog.app(appId)?.name ?? appId;
}

function actorText(actor: Actor, app: string): string {
  switch (actor) {
    case 'app-admin':
      return `An admin of ${app}`;
    case 'mda-admin':
      return 'Your Defender for Cloud Apps admin';
    case 'microsoft-support':
      return 'Microsoft support (open a case)';
    case 'anyone':
      return 'Anyone who can open the connector settings';
  }
}

/** The catalog entry an incident's card explains, once the app is known. */
export function shownEntry(incident: Incident, catalog: Catalog): CatalogEntry | undefined {
  const entries = incident.entryIds.map((id) => catalog.entry(id)).filter((e): e is CatalogEntry => e !== undefined);
  if (incident.verdict === 'match') return entries[0];
  if (incident.verdict === 'ambiguous' && incident.appId) {
    return entries.find((e) => e.app === incident.appId) ?? entries[0];
  }
  return undefined;
}

export interface IncidentCardInput {
  incident: Incident;
  catalog: Catalog;
  /** The matcher's score (0..1) for the shown entry, when known. */
  confidence?: number;
  /** The best other explanation the matcher saw, shown as "also possible". */
  runnerUp?: CatalogEntry;
  /** The app the paste itself names ("ServiceNow connector: ..."), for errors any app can show. */
  appHint?: string;
  /** No-match cards: what the bot recognised in the paste (codes, hosts, app names). */
  understood?: string[];
  /** For the person whose press came too late: why nothing changed. Never on the card everyone sees. */
  pressNotice?: string;
}

/** While escalated, everyone in the chat sees what was told to support. */
function statusNoteOf(incident: Incident): string {
  return incident.state === 'escalated' && incident.escalationNote ? plainText(`Note for support: ${incident.escalationNote}`) : '';
}

function statusOf(incident: Incident): Pick<IncidentCardCommon, 'status' | 'statusColor' | 'showResolve' | 'showEscalate' | 'showReopen'> {
  switch (incident.state) {
    case 'resolved':
      return {
        status: `Resolved by ${personName(incident.resolvedBy)} at ${formatTime(incident.resolvedAt ?? incident.updatedAt)}`,
        statusColor: 'Good',
        showResolve: false,
        showEscalate: false,
        showReopen: true,
      };
    case 'escalated': {
      const delivery =
        incident.escalationDelivery === 'delivered'
          ? ' — delivered to support'
          : incident.escalationDelivery === 'pending'
            ? ' — delivery pending'
            : incident.escalationDelivery === 'dead-lettered'
              ? ' — delivery failed, please contact support directly'
              : // Nobody was told: say so, or a tired reader waits for an answer that never comes.
                ' — not sent: no support destination is set up, please contact support directly';
      return {
        status: `Escalated by ${personName(incident.escalatedBy)} at ${formatTime(incident.escalatedAt ?? incident.updatedAt)}${delivery}`,
        statusColor: incident.escalationDelivery === 'dead-lettered' || incident.escalationDelivery === undefined ? 'Attention' : 'Warning',
        showResolve: true,
        showEscalate: false,
        showReopen: false,
      };
    }
    case 'open':
      return {
        status: `Open — reported by ${personName(incident.reporter)} at ${formatTime(incident.createdAt)}`,
        statusColor: 'Accent',
        showResolve: true,
        showEscalate: true,
        showReopen: false,
      };
  }
}

function lines(text: string): { text: string }[] {
  return text
    .split(/\r\n?|\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => ({ text: plainText(line) }));
}

function excerptFields(excerpt: string, limit: number): Pick<IncidentCardCommon, 'excerptLines' | 'excerptNote'> {
  const length = Array.from(excerpt).length;
  if (length <= limit) {
    // The matcher keeps only the start of a long error and marks the cut with an ellipsis.
    const cut = excerpt.trimEnd().endsWith('…');
    return { excerptLines: lines(excerpt), excerptNote: cut ? 'Only the start of what you pasted is shown and kept.' : '' };
  }
  const shown = lines(truncateText(excerpt, limit));
  const last = shown.at(-1);
  if (last) last.text += ' …';
  return {
    excerptLines: shown,
    excerptNote: `Showing the first ${limit.toLocaleString('en-US')} of ${length.toLocaleString('en-US')} characters.`,
  };
}

/** Render, halving the excerpt until the card fits Teams' size limit. */
function withinBudget(render: (excerptLimit: number) => AdaptiveCard): AdaptiveCard {
  let limit = EXCERPT_DISPLAY_CHARS;
  let card = render(limit);
  while (cardBytes(card) > CARD_BUDGET_BYTES && limit > MIN_EXCERPT_CHARS) {
    limit = Math.max(MIN_EXCERPT_CHARS, Math.floor(limit / 2));
    card = render(limit);
  }
  return card;
}

/** The card for an incident in its current state: diagnosis, ambiguous or no-match. */
export function incidentCard(input: IncidentCardInput): AdaptiveCard {
  const { incident, catalog } = input;
  const repeatLine = incident.repeatCount > 0 ? `Seen ${incident.repeatCount + 1} times in this conversation` : '';
  const common = (limit: number): IncidentCardCommon => ({
    incidentId: incident.id,
    ...excerptFields(incident.excerpt, limit),
    ...statusOf(incident),
    statusNote: statusNoteOf(incident),
    repeatLine,
    pressNotice: input.pressNotice ? plainText(input.pressNotice) : '',
  });
  const entry = shownEntry(incident, catalog);
  if (entry) {
    // An error any app can show is about the app the paste names, when it names one.
    const hinted = entry.app === ALL_APPS_ID && input.appHint && input.appHint !== ALL_APPS_ID ? catalog.app(input.appHint)?.name : undefined;
    const app = entry.app === ALL_APPS_ID ? (hinted ?? 'the app') : appName(catalog, entry.app);
    const confidence = input.confidence === undefined ? 'not measured' : `${Math.round(input.confidence * 100)}%`;
    // The runner-up often has the very same portal message; what tells the two apart is the cause.
    const runnerUp = input.runnerUp && input.runnerUp.id !== entry.id
      ? plainText(`Also possible: ${appName(catalog, input.runnerUp.app)}. ${firstSentence(input.runnerUp.cause)}`)
      : '';
    const data = (limit: number): DiagnosisCardData => ({
      ...common(limit),
      title: plainText(entry.app === ALL_APPS_ID && !hinted ? 'Connector error (any app can show it)' : `${app} connector error`),
      // Shown under the title only when it adds something: not when the paste already says it.
      message: pasteContains(incident.excerpt, entry.message) ? '' : plainText(`Known as: ${firstLine(entry.message)}`),
      cause: plainText(entry.cause),
      steps: entry.resolution.steps.map((text, index) => ({ number: String(index + 1), text: plainText(text) })),
      actor: plainText(actorText(entry.resolution.actor, app)),
      retry: entry.resolution.retryHelps ? 'Yes, retrying (Test now, or waiting) can clear it' : 'No, it needs the fix above',
      confidence,
      supportCase: entry.resolution.supportCase ? plainText(`When to open a support case: ${entry.resolution.supportCase}`) : '',
      runnerUp,
      learnMore: safeUrl(entry.learnMore) ?? safeUrl(catalog.app(entry.app)?.learnMore) ?? 'https://learn.microsoft.com/defender-cloud-apps/',
    });
    return withinBudget((limit) => renderCard('diagnosis', data(limit)));
  }
  const entries = incident.entryIds.map((id) => catalog.entry(id)).filter((e): e is CatalogEntry => e !== undefined);
  if (incident.verdict === 'ambiguous' && entries.length > 0) {
    const byApp = new Map<string, CatalogEntry>();
    for (const e of entries) if (!byApp.has(e.app)) byApp.set(e.app, e);
    const candidates = [...byApp.values()].map((e) => ({
      appId: e.app,
      appName: plainText(appName(catalog, e.app)),
      buttonName: truncateText(appName(catalog, e.app), 40),
      // The message is the same for every candidate; what differs, and helps people choose, is why.
      message: plainText(firstSentence(e.cause)),
    }));
    const data = (limit: number): AmbiguousCardData => ({
      ...common(limit),
      candidateList: candidates.map((c) => c.appName).join(', '),
      candidates,
    });
    return withinBudget((limit) => renderCard('ambiguous', data(limit)));
  }
  const suggestions = entries.slice(0, MAX_SUGGESTIONS).map((e) => ({
    appName: plainText(appName(catalog, e.app)),
    message: plainText(firstLine(e.message)),
  }));
  const data = (limit: number): NoMatchCardData => ({
    ...common(limit),
    understood: plainText((input.understood ?? []).join(', ')),
    suggestions,
  });
  return withinBudget((limit) => renderCard('no-match', data(limit)));
}

/** Whether the paste already shows the catalog's portal message (spacing and case aside). */
function pasteContains(excerpt: string, message: string): boolean {
  const squash = (text: string) => text.replace(/[\s…]+/g, ' ').trim().toLowerCase();
  const wanted = squash(message);
  return wanted !== '' && squash(excerpt).includes(wanted);
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? text;
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

function firstSentence(text: string): string {
  const match = /^.{20,}?[.!?](?=\s|$)/s.exec(text);
  const sentence = match ? match[0] : text;
  return sentence.length > 200 ? `${sentence.slice(0, 197)}...` : sentence;
}

function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return /^https:\/\/[^\s"<>]+$/i.test(url) && URL.canParse(url) ? url : undefined;
}

export function helpCard(): AdaptiveCard {
  return renderCard('help', {});
}

export function welcomeCard(): AdaptiveCard {
  return renderCard('welcome', {});
}

export function appsCard(catalog: Catalog): AdaptiveCard {
  const counts = new Map<string, number>();
  for (const entry of catalog.entries) counts.set(entry.app, (counts.get(entry.app) ?? 0) + 1);
  // Errors any connector can show are listed last, as "Any app", and are not counted as an app.
  const apps = catalog.apps
    .map((app) => ({ id: app.id, name: appName(catalog, app.id), count: counts.get(app.id) ?? 0 }))
    .sort((a, b) => Number(a.id === ALL_APPS_ID) - Number(b.id === ALL_APPS_ID) || a.name.localeCompare(b.name))
    .map((app) => ({ name: plainText(app.name), errors: `${app.count} known error${app.count === 1 ? '' : 's'}` }));
  const appCount = catalog.apps.filter((app) => app.id !== ALL_APPS_ID).length;
  return renderCard('apps', { appCount: String(appCount), entryCount: String(catalog.entries.length), apps });
}

const SEARCH_RESULTS_SHOWN = 8;

/** Catalog entries containing every word (app names and aliases count), best first. */
export function searchCatalog(catalog: Catalog, query: string): CatalogEntry[] {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w.length > 0).slice(0, 12);
  if (words.length === 0) return [];
  const scored: { entry: CatalogEntry; score: number }[] = [];
  for (const entry of catalog.entries) {
    const app = catalog.app(entry.app);
    const haystack = [
      entry.message, entry.cause, entry.id, app?.name ?? entry.app, ...(app?.aliases ?? []),
      ...entry.signals.codes, ...entry.signals.exceptions, ...entry.signals.phrases,
    ].join('\n').toLowerCase();
    if (!words.every((w) => haystack.includes(w))) continue;
    const inMessage = words.filter((w) => entry.message.toLowerCase().includes(w)).length;
    scored.push({ entry, score: inMessage });
  }
  return scored.sort((a, b) => b.score - a.score || a.entry.id.localeCompare(b.entry.id)).map((s) => s.entry);
}

export function searchCard(catalog: Catalog, query: string): AdaptiveCard {
  const found = searchCatalog(catalog, query);
  return renderCard('search', {
    query: plainText(truncateText(query, 200)),
    results: found.slice(0, SEARCH_RESULTS_SHOWN).map((entry) => ({
      appName: plainText(appName(catalog, entry.app)),
      message: plainText(firstLine(entry.message)),
      cause: plainText(entry.cause),
    })),
    moreNote: found.length > SEARCH_RESULTS_SHOWN ? `${found.length - SEARCH_RESULTS_SHOWN} more match; add words to narrow the search.` : '',
  });
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return 'nothing resolved yet';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.round(hours / 24)} days`;
}

export function statsCard(windows: StatsWindow[], catalog: Catalog, outbox?: OutboxCounts): AdaptiveCard {
  const data: StatsCardData = {
    windows: windows.map((w) => ({
      days: String(w.days),
      total: String(w.total),
      open: String(w.byState.open),
      resolved: String(w.byState.resolved),
      escalated: String(w.byState.escalated),
      medianTimeToResolve: formatDuration(w.medianTimeToResolveMs),
      byApp:
        w.byApp.length === 0
          ? 'none'
          : // The store counts pastes no app was found for (unknown or still ambiguous) under 'unknown'.
            plainText(w.byApp.map((a) => `${a.appId === 'unknown' ? 'App not identified' : appName(catalog, a.appId)} ${a.count}`).join(', ')),
      topErrors: w.topErrors.slice(0, 5).map((t, index) => {
        const entry = catalog.entry(t.entryId);
        const label = entry ? `${appName(catalog, entry.app)}: ${firstLine(entry.message)}` : t.entryId;
        return { rank: String(index + 1), label: plainText(label), count: String(t.count) };
      }),
    })),
    escalations: outbox
      ? `${outbox.delivered} delivered, ${outbox.pending} pending, ${outbox.deadLettered} failed`
      : 'not available',
  };
  return renderCard('stats', data);
}

function formatDateTime(at: Date): string {
  return `${at.toISOString().slice(0, 10)} ${formatTime(at)}`;
}

/** The matcher's verdict in support's words. */
function verdictText(incident: Incident, entry: CatalogEntry | undefined): string {
  if (incident.verdict === 'match') return entry ? plainText(`Known error: ${entry.id}`) : 'Known error';
  if (incident.verdict === 'ambiguous') return incident.appId ? 'Known error; the reporter chose the app' : 'Known for several apps; the app is not settled';
  return 'Not in the catalog';
}

/** `appHint`: the app the paste names, for errors any app can show (see IncidentCardInput). */
export function supportEscalationCard(incident: Incident, catalog: Catalog, link?: string, appHint?: string): AdaptiveCard {
  const entry = shownEntry(incident, catalog);
  const hinted = appHint && appHint !== ALL_APPS_ID ? catalog.app(appHint)?.name : undefined;
  const app = entry?.app === ALL_APPS_ID && hinted ? hinted : appName(catalog, incident.appId ?? entry?.app);
  const data = (limit: number): SupportEscalationCardData => ({
    title: plainText(entry ? `${app}: ${firstLine(entry.message)}` : 'an error the catalog does not know'),
    escalatedBy: personName(incident.escalatedBy),
    // Support may read this days later: the date matters as much as the time.
    escalatedAt: formatDateTime(incident.escalatedAt ?? incident.updatedAt),
    reporter: personName(incident.reporter),
    appName: plainText(app),
    verdict: verdictText(incident, entry),
    incidentId: plainText(incident.id),
    note: incident.escalationNote ? plainText(incident.escalationNote) : '',
    ...excerptFields(incident.excerpt, limit),
    cause: entry ? plainText(entry.cause) : '',
    link: safeUrl(link) ?? '',
  });
  return withinBudget((limit) => renderCard('support-escalation', data(limit)));
}
