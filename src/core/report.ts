// A Diagnosis as the outside world reads it: the stable JSON contract of `diagnose --json`
// (other tools parse it) and the human-readable text of the CLI.

import { ALL_APPS_ID } from './catalog.js';
import { describeSecretKind } from './redact.js';
import { DEFAULT_MAX_INPUT_CHARS } from './weights.js';
import type { Actor, Catalog, Diagnosis, Evidence, Finding, Resolution, ScoredEntry, Verdict } from './types.js';

/** Evidence of an entry's own (not shared words, a status or a host). */
const OWN_ANCHORS = new Set<Evidence['kind']>(['code', 'exception', 'phrase', 'message']);

/** One catalog entry in a report. Field names are a contract: add, never rename or remove. */
export interface ReportMatch {
  id: string;
  /** `mda-NN`, or null for an organisation's own entry. */
  ref: string | null;
  /** App id (`microsoft-365`, `all-apps`). */
  app: string;
  /** App display name (`Microsoft 365`). */
  appName: string;
  /** The error as the portal shows it. */
  message: string;
  cause: string;
  /** Numbered steps, one per line, then who acts, whether retrying helps and when to call support. */
  resolution: string;
  learnMore: string;
  /** 0..1, two decimals. */
  score: number;
}

export interface ReportFinding {
  verdict: Verdict;
  /** Redacted text of this error. */
  excerpt: string;
  /** match: the one entry; ambiguous: every candidate; none: weak suggestions (never a match). */
  matches: ReportMatch[];
}

export interface DiagnosisReport {
  findings: ReportFinding[];
  /** The input was longer than the cap; only its first part was read. */
  truncated: boolean;
  /** How many secrets were removed before matching. */
  redactions: number;
  /** Their kinds, each once (`aws-access-key`, `password`, ...): what was removed, never its value. */
  redactedKinds: string[];
}

const ACTOR_LABEL: Record<Actor, string> = {
  'app-admin': "the app's admin",
  'mda-admin': 'the Defender for Cloud Apps admin',
  'microsoft-support': 'Microsoft support (open a case)',
  anyone: 'anyone',
};

/** The resolution as one string: numbered steps, then who acts, retry and support notes. */
function formatResolution(resolution: Resolution): string {
  const lines = resolution.steps.map((step, i) => `${i + 1}. ${step}`);
  lines.push(`Who acts: ${ACTOR_LABEL[resolution.actor] ?? resolution.actor}.`);
  lines.push(resolution.retryHelps ? 'Retrying (Test now) can clear it.' : 'Retrying alone will not clear it.');
  if (resolution.supportCase) lines.push(`Support case: ${resolution.supportCase}`);
  return lines.join('\n');
}

function appName(catalog: Catalog | undefined, appId: string): string {
  return catalog?.app(appId)?.name ?? appId;
}

function toReportMatch(scored: ScoredEntry, catalog: Catalog | undefined): ReportMatch {
  const e = scored.entry;
  return {
    id: e.id,
    ref: e.ref ?? null,
    app: e.app,
    appName: appName(catalog, e.app),
    message: e.message,
    cause: e.cause,
    resolution: formatResolution(e.resolution),
    learnMore: e.learnMore,
    score: Math.round(scored.score * 100) / 100,
  };
}

/** The JSON document `diagnose --json` prints (one per line with `--jsonl`). */
export function toReport(diagnosis: Diagnosis, catalog?: Catalog): DiagnosisReport {
  return {
    findings: diagnosis.findings.map((f) => ({
      verdict: f.verdict,
      excerpt: f.excerpt,
      matches: f.matches.map((s) => toReportMatch(s, catalog)),
    })),
    truncated: diagnosis.truncated,
    redactions: diagnosis.redactions,
    redactedKinds: diagnosis.redactedKinds,
  };
}

function indent(text: string, prefix: string): string {
  return text.split('\n').map((line) => `${prefix}${line}`).join('\n');
}

function percent(score: number): string {
  return `${Math.round(score * 100)}%`;
}

function describeEntry(s: ScoredEntry, catalog: Catalog | undefined): string[] {
  const e = s.entry;
  const lines = [
    `${appName(catalog, e.app)}: ${e.id}${e.ref ? ` (${e.ref})` : ''}, confidence ${percent(s.score)}`,
    `  Portal message: ${e.message.split('\n').join(' / ')}`,
    `  Cause: ${e.cause}`,
    '  What to do:',
    indent(formatResolution(e.resolution), '    '),
    `  Learn more: ${e.learnMore}`,
  ];
  const decided = s.evidence.filter((ev) => ev.kind !== 'lexical').slice(0, 4).map((ev) => `${ev.kind} "${ev.value}"`);
  if (decided.length > 0) lines.push(`  Recognised by: ${decided.join(', ')}`);
  return lines.flatMap((line) => line.split('\n'));
}

function renderFinding(f: Finding, n: number, total: number, catalog: Catalog | undefined, givenApp: string | undefined): string {
  const head = total > 1 ? `Error ${n} of ${total}` : 'Error';
  const lines = [`${head}:`, indent(f.excerpt || '(empty)', '  > '), ''];
  if (f.verdict === 'match') {
    const top = f.matches[0];
    lines.push('Recognised:');
    if (top) lines.push(...describeEntry(top, catalog).map((l) => `  ${l}`));
    if (f.runnerUps.length > 0) {
      lines.push(`  Also possible: ${f.runnerUps.map((s) => `${s.entry.id} (${percent(s.score)})`).join(', ')}`);
    }
  } else if (f.verdict === 'ambiguous') {
    const apps = [...new Set(f.matches.map((s) => appName(catalog, s.entry.app)))];
    const given = givenApp === undefined ? undefined : catalog?.app(givenApp);
    if (given) {
      lines.push(`${given.name} shows no error like this in the catalog. The apps that do: ${apps.join(', ')}.`);
      lines.push('Check the app, or run again with one of them as --app NAME. The candidates:');
    } else {
      lines.push(`Several apps show this error (${apps.join(', ')}) and nothing in the text says which.`);
      lines.push('Run again with --app NAME to choose. The candidates:');
    }
    for (const s of f.matches) lines.push(...describeEntry(s, catalog).map((l) => `  ${l}`));
  } else {
    // --app named X, and the error's own code, exception, phrase or message is another app's:
    // the matcher keeps those entries as suggestions; say which apps show it.
    const given = givenApp === undefined ? undefined : catalog?.app(givenApp);
    const elsewhere = given ? f.matches.filter((s) => s.entry.app !== given.id && s.entry.app !== ALL_APPS_ID && s.evidence.some((e) => OWN_ANCHORS.has(e.kind))) : [];
    if (given && elsewhere.length > 0) {
      const apps = [...new Set(elsewhere.map((s) => appName(catalog, s.entry.app)))];
      lines.push(`${given.name} shows no error like this in the catalog. The apps that do: ${apps.join(', ')}.`);
      lines.push('Check the app, or run again with one of them as --app NAME. The closest entries:');
      for (const s of elsewhere) lines.push(...describeEntry(s, catalog).map((l) => `  ${l}`));
      return lines.join('\n');
    }
    lines.push('Not a catalogued connector error: nothing in the catalog fits well enough.');
    if (f.matches.length > 0) {
      lines.push(`  Closest, but not a match: ${f.matches.map((s) => `${s.entry.id} (${percent(s.score)})`).join(', ')}`);
    }
  }
  return lines.join('\n');
}

/** What `diagnose` prints without `--json`. `givenApp`: the app the person named (`--app`). */
export function renderText(diagnosis: Diagnosis, catalog?: Catalog, givenApp?: string): string {
  const parts = diagnosis.findings.map((f, i) => renderFinding(f, i + 1, diagnosis.findings.length, catalog, givenApp));
  if (parts.length === 0) {
    parts.push('No error found: nothing in the text looks like an error message. Paste the error as the Defender for Cloud Apps portal or the connector log shows it.');
  }
  const notes: string[] = [];
  if (diagnosis.truncated) {
    const cap = DEFAULT_MAX_INPUT_CHARS.toLocaleString('en-US');
    notes.push(`Note: the text is longer than 64 KB; only its first ${cap} characters were read. Run the rest separately if it holds another error.`);
  }
  if (diagnosis.redactions > 0) {
    const kinds = diagnosis.redactedKinds.map(describeSecretKind).join(', ');
    notes.push(`Note: ${diagnosis.redactions} secret(s) were removed from the text before it was read${kinds ? ` (${kinds})` : ''}.`);
  }
  return [...parts, ...notes].join('\n\n');
}
