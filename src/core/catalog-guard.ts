// What the catalog lint checks about matching, shared with start-up: entries that hide one another
// (an entry's own message comes back as another entry, or as nothing) and entries that would answer
// ordinary chat. `npm run catalog:lint` prints these; the bot refuses to start on them, so an
// organisation file that captures unrelated pastes is found before anyone pastes anything.
import { CatalogError, type CatalogProblem } from './errors.js';
import { messageKey, type AppliedOverride, type AppNameSource, type CatalogOrigin } from './catalog.js';
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
