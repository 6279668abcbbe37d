// Renders an incident's card from what the store knows. Confidence and runner-up are not stored,
// so they are recomputed from the (redacted) excerpt: the matcher is deterministic and cheap.
import { incidentCard } from '../cards/views.js';
import { ALL_APPS_ID, MATCH_THRESHOLD } from '../core/index.js';
import type { AdaptiveCard } from '../cards/render.js';
import type { Finding, Matcher } from '../core/types.js';
import type { Incident } from '../incidents/types.js';

/** What the bot understood in a paste it could not match: app names and the strongest signals. */
export function understoodFrom(finding: Finding, matcher: Matcher): string[] {
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

/** The app a stored incident's paste names ("ServiceNow connector: ..."), other than "any app". */
export function appHintOf(incident: Incident, matcher: Matcher): string | undefined {
  try {
    return matcher.diagnose(incident.excerpt).findings[0]?.appHints.find((app) => app !== ALL_APPS_ID);
  } catch {
    return undefined;
  }
}

export function renderIncident(incident: Incident, matcher: Matcher, finding?: Finding, pressNotice?: string): AdaptiveCard {
  const catalog = matcher.catalog;
  let found = finding;
  if (!found && incident.verdict !== 'none') {
    try {
      found = matcher.diagnose(incident.excerpt, incident.appId ? { app: incident.appId } : {}).findings[0];
    } catch {
      found = undefined;
    }
  }
  const shownId = incident.verdict === 'match' ? incident.entryIds[0] : incident.entryIds.find((id) => catalog.entry(id)?.app === incident.appId);
  const scored = found?.matches.find((m) => m.entry.id === shownId);
  // "Also possible" only for an explanation that could itself have been the answer: a 28% guess
  // (a 401 offered under a 500) sends a tired reader the wrong way.
  const plausible = (m: { entry: { id: string }; score: number }) => m.entry.id !== shownId && m.score >= MATCH_THRESHOLD;
  const runnerUp = found?.runnerUps.find(plausible)?.entry
    ?? (incident.verdict === 'match' ? found?.matches.find(plausible)?.entry : undefined);
  return incidentCard({
    incident,
    catalog,
    confidence: scored?.score,
    runnerUp,
    appHint: found?.appHints.find((app) => app !== ALL_APPS_ID),
    understood: found && incident.verdict === 'none' ? understoodFrom(found, matcher) : undefined,
    pressNotice,
  });
}
