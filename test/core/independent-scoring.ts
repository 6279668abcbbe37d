// How a paste of the frozen independent set is judged, shared by its test and `npm run bench`:
// positives: the recognised findings are the expected ones, in order (a match on one of the
// ids, or exactly the ambiguous set); negatives: nothing recognised; chatter: no finding at all.
import type { Diagnosis, Matcher } from '../../src/core/index.js';
import type { IndependentPaste } from '../fixtures/pastes/independent.js';

export interface Judgement {
  paste: IndependentPaste;
  right: boolean;
  /** What the matcher said, in a few words (`match:okta-invalid-token + none`, `no finding`). */
  said: string;
}

function describe(d: Diagnosis): string {
  if (d.findings.length === 0) return 'no finding';
  return d.findings.map((f) => `${f.verdict}${f.matches.length > 0 ? `:${f.matches.map((s) => s.entry.id).join('|')}` : ''}`).join(' + ');
}

export function judge(matcher: Matcher, paste: IndependentPaste): Judgement {
  const d = matcher.diagnose(paste.text, paste.app ? { app: paste.app } : undefined);
  const recognised = d.findings.filter((f) => f.verdict !== 'none');
  let right: boolean;
  if (paste.kind === 'chatter') right = d.findings.length === 0;
  else if (paste.kind === 'negative') right = recognised.length === 0;
  else {
    right = recognised.length === paste.expect.length && paste.expect.every((want, i) => {
      const f = recognised[i];
      if (!f || f.verdict !== want.verdict) return false;
      const ids = f.matches.map((s) => s.entry.id);
      return want.verdict === 'match' ? ids.length === 1 && want.ids.includes(ids[0] ?? '') : ids.length === want.ids.length && want.ids.every((id) => ids.includes(id));
    });
  }
  return { paste, right, said: describe(d) };
}

/** `positive 85/85, negative 33/35, chatter 15/16` */
export function accuracyByKind(judgements: readonly Judgement[]): string {
  return (['positive', 'negative', 'chatter'] as const)
    .map((kind) => {
      const of = judgements.filter((j) => j.paste.kind === kind);
      return `${kind} ${of.filter((j) => j.right).length}/${of.length}`;
    })
    .join(', ');
}
