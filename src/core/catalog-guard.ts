// What the catalog lint checks about matching, shared with start-up: entries that hide one another
// (an entry's own message comes back as another entry, or as nothing) and entries that would answer
// ordinary chat. `npm run catalog:lint` prints these; the bot refuses to start on them, so an
// organisation file that captures unrelated pastes is found before anyone pastes anything.
import { CatalogError, type CatalogProblem } from './errors.js';
import { messageKey, type AppliedOverride, type CatalogOrigin } from './catalog.js';
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

/** Every entry whose own message does not come back as itself, and every pair or override that hides another. */
export function findShadows(
  catalog: Catalog,
  matcher: Matcher,
  context: { origins?: ReadonlyMap<string, CatalogOrigin>; overrides?: readonly AppliedOverride[] } = {},
): Shadow[] {
  const shadows: Shadow[] = [];
  const origins = context.origins ?? new Map<string, CatalogOrigin>();
  const add = (file: string, entry: string | undefined, detail: string, line: string) => shadows.push({ file, ...(entry ? { entry } : {}), detail, line });

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
    const winners = [...new Set(findings.flatMap((f) => f.matches.map((m) => `${m.entry.id} (${m.entry.source})`)))];
    const detail =
      winners.length > 0
        ? `its own message pasted as is comes back as ${winners.join(', ')}; narrow the other entry's signals`
        : 'its own message pasted as is is not recognised; give it signals (codes, exceptions, phrases)';
    add(entry.source, entry.id, detail, `${entry.source}: entry ${entry.id}: ${detail}`);
  }

  // An entry that answers ordinary chat would answer a good share of everything people paste.
  for (const paste of UNRELATED_PASTES) {
    for (const finding of matcher.diagnose(paste).findings) {
      if (finding.verdict === 'none') continue;
      for (const { entry } of finding.matches) {
        const detail = `answers unrelated messages such as "${paste.slice(0, 60)}..."; its message and phrases must carry the words of the error itself`;
        add(entry.source, entry.id, detail, `${entry.source}: entry ${entry.id}: ${detail}`);
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
export function refuseCapturingEntries(catalog: Catalog, matcher: Matcher, context: Parameters<typeof findShadows>[2] = {}): void {
  const shadows = findShadows(catalog, matcher, context);
  if (shadows.length === 0) return;
  const problems: CatalogProblem[] = shadows.map((s) => ({ file: s.file, ...(s.entry ? { entry: s.entry } : {}), message: s.detail }));
  throw new CatalogError(problems);
}
