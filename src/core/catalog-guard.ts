// What the catalog lint checks about matching, shared with start-up: entries that hide one another
// (an entry's own message comes back as another entry, or as nothing) and entries that would answer
// ordinary chat. `npm run catalog:lint` prints these; the bot refuses to start on them, so an
// organisation file that captures unrelated pastes is found before anyone pastes anything.
import { CatalogError, type CatalogProblem } from './errors.js';
import { ALL_APPS_ID, messageKey, type AppliedOverride, type AppNameSource, type CatalogOrigin } from './catalog.js';
import { FAILURE_WORDS } from './error-words.js';
import { tokenize } from './mask.js';
import type { Catalog, CatalogEntry, Matcher } from './types.js';

/** One matching problem: where, and the line the lint prints (`shadow: <line>`). */
export interface Shadow {
  file: string;
  entry?: string;
  /** What is wrong, without the file and entry (for CatalogError). */
  detail: string;
  /** The whole line as the lint prints it. */
  line: string;
}

/**
 * Messages that are not connector errors, in the words people use in an ops chat. No entry may
 * answer any of them: one that does (a message or phrase reduced to a common word) would answer
 * every such paste with its card.
 */
export const UNRELATED_PASTES: readonly string[] = Object.freeze([
  'Can you send me a link to the notes from the meeting this afternoon?',
  'I am out of the office tomorrow; Sam is on call, ping them if anything is urgent.',
  'The deployment finished at 14:05 and all checks are green. Thanks a lot everyone!',
  'Reminder: the change window for the firewall update is Saturday 22:00 to 23:00.',
  'Has anyone seen the new dashboard? It shows a nice chart of the sign-ins per day.',
  'INFO 2026-11-30T10:00:00Z scheduler: job nightly-report started, 42 items queued',
  'Please review the pull request when you have a moment, it only touches the README.',
  'Where do I find the runbook for adding a new team member to the on-call rotation?',
]);

/**
 * Errors of software the catalog does not cover, in the shapes any error takes: an organisation
 * entry (or an override's added signals) that answers one of them would answer most errors
 * anybody pastes. The built-in catalog answers none of them (a test keeps it so).
 */
export const GENERIC_ERROR_PROBES: readonly string[] = Object.freeze([
  'The nightly export failed with an error again, can someone check?',
  'java.lang.Exception: upload failed',
  'System.Exception: The operation failed.',
  'Unhandled exception: failed to connect to the database',
  'GitHub connector: error 401, authentication failed',
  'Jira webhook returned HTTP 403 Forbidden',
  'fatal: Authentication failed for https://git.acme.example/platform/app.git',
  'ERROR: relation "users" does not exist',
  'Jenkins build 412 failed: the request failed with an unknown error',
  'Error: something went wrong, please try again later',
  'Dropbox sync error: 401 Unauthorized',
  'kubectl: error: You must be logged in to the server (Unauthorized)',
]);

/** Words of every error and of every sentence: alone they say nothing of which error it is. */
const COMMON_WORDS = new Set([
  'a', 'an', 'the', 'of', 'to', 'in', 'on', 'for', 'with', 'at', 'by', 'from', 'is', 'was', 'were', 'be', 'been', 'are', 'has',
  'have', 'had', 'and', 'or', 'not', 'no', 'this', 'that', 'it', 'its', 'while', 'when', 'could', 'can', 'did', 'does', 'do',
  'please', 'try', 'again', 'later', 'something', 'went', 'wrong', 'occurred', 'out', 'some', 'any', 'an',
  'request', 'requests', 'response', 'server', 'client', 'status', 'code', 'http', 'https', 'connection', 'connector',
  'service', 'api', 'returned', 'message', 'operation', 'process', 'internal', 'bad', 'unknown', 'fatal', 'warning',
  'critical', 'severe', 'exception', 'exceptions', 'throwable', 'runtimeexception', 'systemexception',
  'applicationexception', 'baseexception', 'standarderror', 'fault', 'found', 'gateway', 'authentication', 'sync',
]);

/** Words several apps' built-in entries share (`returned`, `unauthorized`): they do not tell one app's error from another's. */
function sharedCatalogWords(catalog: Catalog, origins: ReadonlyMap<string, CatalogOrigin>): Set<string> {
  const appsOf = new Map<string, Set<string>>();
  for (const entry of catalog.entries) {
    if ((origins.get(entry.id) ?? 'builtin') !== 'builtin') continue;
    for (const text of [entry.message, ...(entry.signals?.phrases ?? [])]) {
      for (const t of tokenize(text)) {
        const apps = appsOf.get(t.raw) ?? new Set<string>();
        apps.add(entry.app);
        appsOf.set(t.raw, apps);
      }
    }
  }
  return new Set([...appsOf].filter(([, apps]) => apps.size >= 3).map(([word]) => word));
}

/**
 * What in an entry says which error it is: a code, an exception, a phrase or its message with a
 * word beyond the words of every error (`error`, `failed`, `Exception`, a status), the words of
 * every sentence and the words many apps' entries share. Empty for an entry whose every signal
 * is generic (`exceptions: [Exception]`, `phrases: [error, failed]`, `statuses: [401]`).
 */
function specificAnchors(entry: CatalogEntry, generic: (word: string) => boolean): string[] {
  const specific = (text: string): boolean => tokenize(text).some((t) => t.masked === t.raw && !generic(t.raw));
  const signals = entry.signals;
  return [
    ...(signals?.codes ?? []).filter(specific),
    ...(signals?.exceptions ?? []).filter((name) => specific(name.slice(name.lastIndexOf('.') + 1))),
    ...(signals?.phrases ?? []).filter(specific),
    ...(specific(entry.message) ? [entry.message] : []),
  ];
}

/** Every entry whose own message does not come back as itself, and every pair or override that hides another. */
export interface ShadowContext {
  origins?: ReadonlyMap<string, CatalogOrigin>;
  overrides?: readonly AppliedOverride[];
  names?: readonly AppNameSource[];
}

/** `name` as a word (or host, or package) of `text`, case aside. */
function mentions(text: string, name: string): boolean {
  const escaped = name.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}($|[^\\p{L}\\p{N}])`, 'u').test(text.toLowerCase());
}

/**
 * The organisation's part in a matching problem of a built-in entry: the overrides of it or of the
 * entries that took its place, those entries when they are the organisation's, and the names and
 * hints organisation files gave apps that occur in the text that went wrong. A built-in entry
 * that only goes wrong with the organisation's files is their doing, and the problem must name them.
 */
function organisationCauses(entry: CatalogEntry, winners: readonly CatalogEntry[], text: string, context: ShadowContext): { files: string[]; what: string[] } {
  const origins = context.origins ?? new Map<string, CatalogOrigin>();
  const files: string[] = [];
  const what: string[] = [];
  const note = (file: string, reason: string) => {
    if (!files.includes(file)) files.push(file);
    what.push(reason);
  };
  for (const override of context.overrides ?? []) {
    if (override.id === entry.id || winners.some((w) => w.id === override.id)) note(override.file, `the override of ${override.id} in ${override.file}`);
  }
  for (const winner of winners) if (origins.get(winner.id) === 'extra') note(winner.source, `entry ${winner.id} in ${winner.source}`);
  for (const name of context.names ?? []) {
    if (name.origin === 'extra' && mentions(text, name.name)) note(name.file, `${name.kind} "${name.name}" of app ${name.app} in ${name.file}`);
  }
  return { files, what };
}

/** Every entry whose own message does not come back as itself, and every pair or override that hides another. */
export function findShadows(catalog: Catalog, matcher: Matcher, context: ShadowContext = {}): Shadow[] {
  const shadows: Shadow[] = [];
  const origins = context.origins ?? new Map<string, CatalogOrigin>();
  const add = (file: string, entry: string | undefined, detail: string, line: string) => shadows.push({ file, ...(entry ? { entry } : {}), detail, line });
  /** A problem of `entry`: blamed on the organisation's files when the entry is built-in and they took part. */
  const addFor = (entry: CatalogEntry, winners: readonly CatalogEntry[], text: string, problem: string, advice: string) => {
    const causes = origins.get(entry.id) === 'builtin' ? organisationCauses(entry, winners, text, context) : { files: [], what: [] };
    if (causes.files.length === 0) {
      const detail = `${problem}; ${advice}`;
      add(entry.source, entry.id, detail, `${entry.source}: entry ${entry.id}: ${detail}`);
      return;
    }
    const file = causes.files.join(', ');
    const blamed = `built-in entry ${entry.id} (${entry.source}): ${problem} because of ${causes.what.join(', ')}; change those, not the built-in entry`;
    add(file, undefined, blamed, `${file}: ${blamed}`);
  };

  const byMessage = new Map<string, CatalogEntry[]>();
  for (const entry of catalog.entries) {
    const key = messageKey(entry.message);
    byMessage.set(key, [...(byMessage.get(key) ?? []), entry]);
  }
  for (const group of byMessage.values()) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        const a = group[i]!;
        const b = group[j]!;
        if (a.app !== b.app) continue; // several apps showing one message: the user is asked which app
        const extraVsBuiltin = origins.get(a.id) !== origins.get(b.id);
        const [builtin, extra] = origins.get(a.id) === 'builtin' ? [a, b] : [b, a];
        if (extraVsBuiltin) {
          const detail = `repeats built-in entry ${builtin.id} (${builtin.source}); list ${builtin.id} under overrides: instead`;
          add(extra.source, extra.id, detail, `${extra.source}: entry ${extra.id} ${detail}`);
        } else {
          const detail = `has the same message as ${a.id} (${a.source}) for app ${a.app}; one would always hide the other`;
          add(b.source, b.id, detail, `${b.source}: entry ${b.id} ${detail}`);
        }
      }
    }
  }

  // What users will see: each entry's own message, pasted as is, must still come back as that
  // entry (or among the apps the user is asked to choose from). Another entry's signals can take
  // it over even when no two messages are alike.
  const sameMessage = new Set<string>();
  for (const group of byMessage.values()) if (group.length > 1) for (const entry of group) sameMessage.add(entry.id);
  for (const entry of catalog.entries) {
    if (sameMessage.has(entry.id)) continue; // reported above, or shared by design
    const findings = matcher.diagnose(entry.message).findings.filter((f) => f.verdict !== 'none');
    if (findings.some((f) => f.matches.some((m) => m.entry.id === entry.id))) continue;
    const winners = [...new Map(findings.flatMap((f) => f.matches.map((m) => [m.entry.id, m.entry] as const))).values()];
    if (winners.length > 0) {
      addFor(entry, winners, entry.message, `its own message pasted as is comes back as ${winners.map((w) => `${w.id} (${w.source})`).join(', ')}`, "narrow the other entry's signals");
    } else {
      addFor(entry, winners, entry.message, 'its own message pasted as is is not recognised', 'give it signals (codes, exceptions, phrases)');
    }
  }

  // An organisation entry whose every signal is generic (the words of any error, a status, words
  // many apps share) would answer errors of every app there is, whatever a probe list holds.
  const reported = new Set(shadows.map((s) => s.entry));
  const shared = sharedCatalogWords(catalog, origins);
  const generic = (word: string): boolean => COMMON_WORDS.has(word) || FAILURE_WORDS.has(word) || shared.has(word) || /^[0-9]+$/.test(word) || word.length < 3;
  for (const entry of catalog.entries) {
    if ((origins.get(entry.id) ?? 'builtin') === 'builtin' || entry.app === ALL_APPS_ID || reported.has(entry.id)) continue;
    if (specificAnchors(entry, generic).length > 0) continue;
    const detail = 'has only generic signals (words of any error such as error or failed, a bare Exception, statuses, words many apps share), so it would answer errors of every app; give it a code, an exception, a phrase or a message of its own';
    add(entry.source, entry.id, detail, `${entry.source}: entry ${entry.id}: ${detail}`);
  }

  // An entry that answers generic errors of software the catalog does not cover would answer a
  // good share of everything people paste.
  for (const paste of GENERIC_ERROR_PROBES) {
    for (const finding of matcher.diagnose(paste).findings) {
      if (finding.verdict === 'none') continue;
      for (const { entry } of finding.matches) {
        if (shadows.some((s) => s.entry === entry.id && s.detail.startsWith('answers'))) continue;
        // A built-in entry that answers them does so through the signals an organisation's override added.
        const signalsFrom = [...(context.overrides ?? [])].reverse().find((o) => o.id === entry.id && o.fields.some((f) => f.startsWith('signals.')));
        const file = signalsFrom?.file ?? entry.source;
        const what = signalsFrom ? `signals added by this override to ${entry.id} (${entry.source})` : 'its message and signals';
        const detail = `answers generic errors of other software such as "${paste.slice(0, 60)}"; ${what} must carry what is particular to its error`;
        add(file, entry.id, detail, `${file}: entry ${entry.id}: ${detail}`);
      }
    }
  }
  // An entry that answers ordinary chat would answer a good share of everything people paste.
  for (const paste of UNRELATED_PASTES) {
    for (const finding of matcher.diagnose(paste).findings) {
      if (finding.verdict === 'none') continue;
      for (const { entry } of finding.matches) {
        addFor(entry, [], paste, `answers unrelated messages such as "${paste.slice(0, 60)}..."`, 'its message and phrases must carry the words of the error itself');
      }
    }
  }

  const overriddenBy = new Map<string, string[]>();
  for (const override of context.overrides ?? []) overriddenBy.set(override.id, [...(overriddenBy.get(override.id) ?? []), override.file]);
  for (const [id, files] of overriddenBy) {
    if (files.length > 1) {
      const detail = `is overridden in ${files.length} places (${files.join(', ')}); the last one read wins field by field`;
      add(files.at(-1)!, `override ${id}`, detail, `entry ${id} ${detail}`);
    }
  }
  return shadows;
}

/** Start-up: throws CatalogError naming file and entry of every shadowing or capturing entry. */
export function refuseCapturingEntries(catalog: Catalog, matcher: Matcher, context: ShadowContext = {}): void {
  const shadows = findShadows(catalog, matcher, context);
  if (shadows.length === 0) return;
  const problems: CatalogProblem[] = shadows.map((s) => ({ file: s.file, ...(s.entry ? { entry: s.entry } : {}), message: s.detail }));
  throw new CatalogError(problems);
}
