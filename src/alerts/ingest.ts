// One alert in, one incident decision out: parse, diagnose the alert's text like a paste (the app
// it names settles which app it is), decide against what is recorded (dedupe.ts) and record it.
// The HTTP endpoint and the Defender for Cloud Apps poller both come through here.

import { ALL_APPS_ID } from '../core/catalog.js';
import { redact } from '../core/redact.js';
import type { DiagnoseOptions, Diagnosis, Finding, Matcher } from '../core/types.js';
import type { AlertOutcome, IncidentStore, NewAlert, Person } from '../incidents/types.js';
import { decideAlert, dedupeKeyOf, sourceKeyOf } from './dedupe.js';
import { parseAlert, type ParsedAlert } from './payload.js';

/** Kept of an alert's text when the matcher found no error in it (the matcher keeps as much of an error). */
const MAX_UNKNOWN_EXCERPT_CHARS = 1_000;

export interface AlertIngestDeps {
  store: Pick<IncidentStore, 'recordAlert'>;
  matcher: Matcher;
  /** Matching off the event loop for long texts; default: the matcher, inline. */
  diagnose?: (text: string, options?: DiagnoseOptions) => Promise<Diagnosis>;
  clock: () => Date;
  /** Outbox targets that post a new incident's card (`alerts-channel`). */
  postTargets: string[];
}

export type IngestResult =
  | { ok: true; source: ParsedAlert['source']; outcome: AlertOutcome }
  | { ok: false; message: string };

/** The finding an alert is about: its first recognised error, else its first finding. */
function mainFinding(diagnosis: Diagnosis): Finding | undefined {
  return diagnosis.findings.find((f) => f.verdict === 'match') ?? diagnosis.findings[0];
}

/** What the store records for a parsed alert: redacted, diagnosed, keyed. */
async function alertRecord(deps: Pick<AlertIngestDeps, 'matcher' | 'diagnose' | 'clock'>, alert: ParsedAlert): Promise<NewAlert> {
  const app = alert.app ? deps.matcher.catalog.app(alert.app) : undefined;
  const options: DiagnoseOptions = app ? { app: app.id } : {};
  const diagnosis = deps.diagnose ? await deps.diagnose(alert.text, options) : deps.matcher.diagnose(alert.text, options);
  const finding = mainFinding(diagnosis);
  const redactedText = redact(alert.text).text;
  const verdict = finding?.verdict ?? 'none';
  const entryIds = finding ? finding.matches.map((m) => m.entry.id) : [];
  const excerpt = finding?.excerpt ?? (redactedText.length > MAX_UNKNOWN_EXCERPT_CHARS ? `${redactedText.slice(0, MAX_UNKNOWN_EXCERPT_CHARS)}…` : redactedText);
  const matchedApp = verdict === 'match' ? finding?.matches[0]?.entry.app : undefined;
  // An error any app can show is this alert's app's; an unknown error still counts under the app the alert names.
  const appId = matchedApp && matchedApp !== ALL_APPS_ID ? matchedApp : (app?.id ?? matchedApp);
  const link = alert.link && redact(alert.link).count === 0 ? alert.link : undefined;
  const reporter: Person = { id: `alert-source:${alert.source}`, name: alert.sourceName };
  const secrets = Math.max(diagnosis.redactions, redact(alert.title).count);
  return {
    sourceKey: sourceKeyOf(alert.source, alert.id),
    dedupeKey: dedupeKeyOf(app?.id ?? alert.app ?? '', verdict, entryIds, excerpt),
    status: alert.status,
    origin: { source: alert.source, sourceName: alert.sourceName, title: redact(alert.title).text, ...(link ? { link } : {}) },
    reporter,
    excerpt,
    verdict,
    entryIds,
    ...(appId ? { appId } : {}),
    ...(secrets > 0 ? { secrets: { count: secrets, kinds: diagnosis.redactedKinds } } : {}),
    at: deps.clock(),
  };
}

/** Record one parsed alert. */
export async function recordParsedAlert(deps: AlertIngestDeps, alert: ParsedAlert): Promise<AlertOutcome> {
  return deps.store.recordAlert(await alertRecord(deps, alert), decideAlert, deps.postTargets);
}

/** Record one alert as its sender posted it (JSON already parsed). */
export async function ingestAlert(deps: AlertIngestDeps, body: unknown): Promise<IngestResult> {
  const parsed = parseAlert(body);
  if (!parsed.ok) return parsed;
  return { ok: true, source: parsed.alert.source, outcome: await recordParsedAlert(deps, parsed.alert) };
}
