// An incident's cards from what the store knows: its row, its audit trail (who chose, what support
// did, secrets removed) and what the matcher says of its redacted excerpt again (certainty,
// alternatives and hints are not stored: the matcher is deterministic, and its answer for a
// recent excerpt is remembered, so a press does not match again).
import { historyOf, type IncidentHistory } from '../cards/history.js';
import { incidentCard, shownEntry } from '../cards/incident-card.js';
import type { IncidentPreview } from '../cards/preview.js';
import type { AdaptiveCard } from '../cards/render.js';
import { supportEscalationCard } from '../cards/support-card.js';
import { ALL_APPS_ID, MATCH_THRESHOLD, type CatalogEntry, type Finding, type Matcher, type ScoredEntry } from '../core/index.js';
import { teamsLink } from '../incidents/escalation.js';
import type { Incident, IncidentStore } from '../incidents/types.js';

export interface ViewDeps {
  matcher: Matcher;
  store: Pick<IncidentStore, 'events'>;
  /** Whether escalations have somewhere to go now; without it the note form is offered. */
  hasDestination?: () => Promise<boolean>;
}

export interface ViewOptions {
  history?: IncidentHistory;
  pressNotice?: string;
  /** Who gets the card refreshed automatically when they open the chat. */
  refreshUserIds?: readonly string[];
  /** The incident could not be stored: the card explains the error without buttons. */
  unrecorded?: boolean;
  /** There is no incident yet: a message extension's preview of the card it would post. */
  preview?: IncidentPreview;
}

/** What the bot understood in a paste it could not match: app names and the strongest signals. */
function understoodFrom(finding: Finding, matcher: Matcher): string[] {
  const seen = new Set<string>();
  for (const appId of finding.appHints) seen.add(matcher.catalog.app(appId)?.name ?? appId);
  for (const scored of finding.matches) {
    for (const evidence of scored.evidence) {
      if (evidence.kind === 'code' || evidence.kind === 'exception' || evidence.kind === 'host') seen.add(evidence.value);
      if (evidence.kind === 'status') seen.add(`HTTP ${evidence.value}`);
    }
  }
  return [...seen].slice(0, 8);
}

/**
 * The matcher's answers for recent excerpts, least recently used first out. The matcher is
 * deterministic for a catalog, so a press (or the card's refresh, or its update elsewhere) reads
 * the answer the paste's card was rendered from instead of matching the excerpt again. Bounded:
 * every paste adds an excerpt.
 */
export class FindingCache {
  private readonly entries = new Map<string, Finding | undefined>();

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached answer for `excerpt`, or `compute`'s (remembered); a throw is not remembered. */
  get(excerpt: string, compute: () => Finding | undefined): Finding | undefined {
    if (this.entries.has(excerpt)) {
      const found = this.entries.get(excerpt);
      // Refresh its place: a Map iterates in insertion order, the first key is the stalest.
      this.entries.delete(excerpt);
      this.entries.set(excerpt, found);
      return found;
    }
    const found = compute();
    this.entries.set(excerpt, found);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return found;
  }
}

/** Excerpts remembered per matcher (a few KB each): the cards of the last ~minute of pastes under load. */
export const FINDING_CACHE_ENTRIES = 2_000;

const findingCaches = new WeakMap<Matcher, FindingCache>();

export function findingCacheOf(matcher: Matcher): FindingCache {
  let cache = findingCaches.get(matcher);
  if (!cache) {
    cache = new FindingCache(FINDING_CACHE_ENTRIES);
    findingCaches.set(matcher, cache);
  }
  return cache;
}

/** The matcher's answer for the incident's (redacted) excerpt, as when it was pasted. */
function findingOf(incident: Incident, matcher: Matcher): Finding | undefined {
  try {
    return findingCacheOf(matcher).get(incident.excerpt, () => matcher.diagnose(incident.excerpt).findings[0]);
  } catch {
    return undefined;
  }
}

/**
 * The other explanations a person may pick instead of the shown one ("It's Box instead"): every
 * entry the matcher found for the excerpt that could itself have been the answer. A 28% guess (a
 * 401 offered under a 500) would send a tired reader the wrong way.
 */
export function alternativesOf(incident: Incident, matcher: Matcher, finding = findingOf(incident, matcher)): CatalogEntry[] {
  if (incident.verdict !== 'match' || !finding) return [];
  const shown = incident.entryIds[0];
  const seen = new Set<string>();
  return [...finding.matches, ...finding.runnerUps]
    .filter((m) => m.score >= MATCH_THRESHOLD && m.entry.id !== shown)
    .sort((a, b) => b.score - a.score)
    .filter((m) => !seen.has(m.entry.id) && seen.add(m.entry.id))
    .map((m) => m.entry);
}

export async function historyFor(store: Pick<IncidentStore, 'events'>, incidentId: string): Promise<IncidentHistory> {
  return historyOf(await store.events(incidentId));
}

function scoreOf(finding: Finding | undefined, entryId: string | undefined): number | undefined {
  const all: ScoredEntry[] = finding ? [...finding.matches, ...finding.runnerUps] : [];
  return all.find((m) => m.entry.id === entryId)?.score;
}

export async function incidentCardFor(deps: ViewDeps, incident: Incident, options: ViewOptions = {}): Promise<AdaptiveCard> {
  const { matcher } = deps;
  // From the stored excerpt, never from the whole message: a card refreshed later must show the
  // same alternatives, and the buttons offer exactly what the verbs accept.
  const finding = findingOf(incident, matcher);
  const [history, hasDestination] = await Promise.all([
    options.history ?? (options.unrecorded || options.preview ? {} : historyFor(deps.store, incident.id)),
    deps.hasDestination ? deps.hasDestination() : Promise.resolve(undefined),
  ]);
  return incidentCard({
    incident,
    catalog: matcher.catalog,
    history,
    score: scoreOf(finding, shownEntry(incident, matcher.catalog)?.id),
    alternatives: alternativesOf(incident, matcher, finding),
    appHint: finding?.appHints.find((app) => app !== ALL_APPS_ID),
    understood: finding && incident.verdict === 'none' ? understoodFrom(finding, matcher) : undefined,
    hasDestination,
    pressNotice: options.pressNotice,
    refreshUserIds: options.refreshUserIds,
    unrecorded: options.unrecorded,
    preview: options.preview,
  });
}

export async function supportCardFor(deps: ViewDeps, incident: Incident, options: Pick<ViewOptions, 'history' | 'pressNotice'> = {}): Promise<AdaptiveCard> {
  const history = options.history ?? (await historyFor(deps.store, incident.id));
  return supportEscalationCard({
    incident,
    catalog: deps.matcher.catalog,
    history,
    // The card's message in Teams; no link when Teams has none (the bot serves no incident pages).
    link: teamsLink(incident) ?? undefined,
    appHint: findingOf(incident, deps.matcher)?.appHints.find((app) => app !== ALL_APPS_ID),
    pressNotice: options.pressNotice,
  });
}

/** The people the bot has seen in the incident's conversation: who gets a refreshed card when Teams cannot say. */
export function peopleOf(incident: Incident): string[] {
  // An alert's source (Microsoft Sentinel, ...) is no Teams user.
  return [...new Set([incident.reporter, incident.resolvedBy, incident.escalatedBy].filter((p) => p !== undefined).map((p) => p.id))].filter((id) => !id.startsWith('alert-source:'));
}
