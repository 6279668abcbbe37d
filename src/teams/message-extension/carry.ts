// What a preview hands to the next step of the flow (Post to this chat, then Teams' Send or Edit):
// the redacted findings it shows, carried inside the previewed card because Teams gives the bot
// that card back, not the message. It comes back through the client, so it is only a hint: every
// excerpt goes through the matcher again (which redacts first), and the bot posts only what its
// own matcher finds in it; the carried verdict is kept when the matcher agrees, as it does for an
// unchanged excerpt.
import { z } from 'zod';
import { SECRET_KINDS } from '../../core/secrets/kinds.js';
import { ALL_APPS_ID, MAX_EXCERPT_CHARS, type Finding, type Matcher } from '../../core/index.js';
import { MAX_CARDS_PER_MESSAGE, type FindingGist, type FindingsToPost } from '../paste.js';

/** The id of the hidden input holding it, in the dialog's card and in Teams' send preview. */
export const CARRY_INPUT_ID = 'connectorDoctorPreview';

/** Five excerpts of at most MAX_EXCERPT_CHARS, JSON-escaped, and the gists of the rest: well under this. */
const MAX_CARRY_CHARS = 16_000;

const verdict = z.enum(['match', 'ambiguous', 'none']);

const carrySchema = z.object({
  v: z.literal(1),
  // Which preview (one per Diagnose): Send pressed again on it must not post it twice.
  id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).optional(),
  findings: z.array(z.object({
    // The matcher cuts every excerpt to this; anything longer was not made by it.
    excerpt: z.string().min(1).max(MAX_EXCERPT_CHARS),
    verdict,
    entryIds: z.array(z.string().max(128)).max(20),
  })).min(1).max(MAX_CARDS_PER_MESSAGE),
  rest: z.array(z.object({ verdict, appId: z.string().max(64).optional() })).max(100),
  secrets: z.object({ count: z.number().int().min(0).max(10_000), kinds: z.array(z.string().max(64)).max(SECRET_KINDS.length) }),
  truncated: z.boolean(),
  length: z.number().int().min(0).max(100_000_000),
});

type Carry = z.infer<typeof carrySchema>;

/** The carried form of what a preview shows: findings cut to their excerpt, verdict and entries. */
export function carryOf(post: FindingsToPost): string {
  const carry: Carry = {
    v: 1,
    ...(post.previewId ? { id: post.previewId } : {}),
    findings: post.shown.map((f) => ({ excerpt: f.excerpt, verdict: f.verdict, entryIds: f.matches.map((m) => m.entry.id) })),
    rest: post.rest.map((g) => (g.appId ? { verdict: g.verdict, appId: g.appId } : { verdict: g.verdict })),
    secrets: { count: post.redactions, kinds: post.redactedKinds },
    truncated: post.truncated,
    length: post.textLength,
  };
  return JSON.stringify(carry);
}

/** The carried value in a card's hidden input (Teams hands the previewed card back whole). */
export function carriedIn(card: unknown): unknown {
  let found: unknown;
  const walk = (node: unknown, depth: number): void => {
    if (found !== undefined || depth > 16 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((item) => walk(item, depth + 1));
    const element = node as Record<string, unknown>;
    if (element.id === CARRY_INPUT_ID && element.type === 'Input.Text') {
      found = element.value;
      return;
    }
    for (const key of ['body', 'items']) walk(element[key], depth + 1);
  };
  walk(card, 0);
  return found;
}

/** The same entries, in the same order, with the same verdict. */
function sameFinding(finding: Finding, carried: Carry['findings'][number]): boolean {
  const ids = finding.matches.map((m) => m.entry.id);
  return finding.verdict === carried.verdict && ids.length === carried.entryIds.length && ids.every((id, k) => id === carried.entryIds[k]);
}

/**
 * What to post for a carried preview, found again by the bot's matcher in the redacted excerpts;
 * undefined when the value is not a preview of ours or nothing in it is an error any more.
 */
export function findingsFromCarry(value: unknown, matcher: Matcher): FindingsToPost | undefined {
  if (typeof value !== 'string' || value.length > MAX_CARRY_CHARS) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return undefined;
  }
  const parsed = carrySchema.safeParse(json);
  if (!parsed.success) return undefined;
  const carry = parsed.data;
  const shown: Finding[] = [];
  for (const carried of carry.findings) {
    // The matcher redacts what it is given before anything else, as for a paste.
    const { excerpt } = carried;
    const found = matcher.diagnose(excerpt).findings;
    // The whole message may have named the app the excerpt alone leaves open: the carried app is
    // tried, as a person choosing "It's Okta" would, and kept only if the matcher then finds
    // exactly what the preview showed.
    const app = carried.verdict === 'match' ? matcher.catalog.entry(carried.entryIds[0] ?? '')?.app : undefined;
    const agreed = found.find((f) => sameFinding(f, carried))
      ?? (app && app !== ALL_APPS_ID ? matcher.diagnose(excerpt, { app }).findings.find((f) => sameFinding(f, carried)) : undefined);
    const finding = agreed ?? found[0];
    if (finding) shown.push(finding);
  }
  if (shown.length === 0) return undefined;
  const known = new Set<string>(SECRET_KINDS);
  const rest: FindingGist[] = carry.rest.map((g) => (g.appId && matcher.catalog.app(g.appId) ? { verdict: g.verdict, appId: g.appId } : { verdict: g.verdict }));
  return {
    shown,
    rest,
    redactions: carry.secrets.count,
    redactedKinds: carry.secrets.kinds.filter((k) => known.has(k)),
    truncated: carry.truncated,
    textLength: carry.length,
    ...(carry.id ? { previewId: carry.id } : {}),
  };
}
