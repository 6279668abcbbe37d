// Whatever is pasted, the matcher answers with a well-formed diagnosis and never throws. The
// properties run the unguarded matcher: createMatcher's safety net would turn a matcher bug into
// a quiet `none` answer and let the property pass. (Redaction's own properties are in redact-properties.test.ts.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createUnguardedMatcher, loadCatalog, type Diagnosis } from '../../src/core/index.js';

const catalog = loadCatalog();
const matcher = createUnguardedMatcher(catalog);
const verdicts = new Set(['match', 'ambiguous', 'none']);

function wellFormed(d: Diagnosis): void {
  // No finding at all is an answer too: nothing in the text looks like an error.
  expect(d.findings.length).toBeLessThanOrEqual(50);
  expect(typeof d.truncated).toBe('boolean');
  expect(Number.isInteger(d.redactions) && d.redactions >= 0).toBe(true);
  for (const f of d.findings) {
    expect(verdicts.has(f.verdict)).toBe(true);
    expect(typeof f.excerpt).toBe('string');
    expect(f.excerpt.length).toBeLessThanOrEqual(1000);
    if (f.verdict === 'match') expect(f.matches).toHaveLength(1);
    if (f.verdict === 'ambiguous') expect(new Set(f.matches.map((s) => s.entry.app)).size).toBeGreaterThan(1);
    for (const s of [...f.matches, ...f.runnerUps]) {
      expect(s.score).toBeGreaterThanOrEqual(0);
      expect(s.score).toBeLessThanOrEqual(1);
      expect(catalog.entry(s.entry.id)).toBe(s.entry);
    }
    if (f.verdict === 'none') for (const s of f.matches) expect(s.score).toBeLessThan(0.5);
  }
}

/** Fragments of real pastes, shuffled into whatever order: the input people actually produce. */
const fragment = fc.oneof(
  fc.constantFrom(
    ...catalog.entries.map((e) => e.message),
    '<p>', '</p>', '<br>', '<at id="0">Bot</at>', '&quot;', '&amp;', '&#123;', '<pre><code>', '\n\tat com.x.Y.z(Y.java:1)',
    'Caused by: ', '{', '}', '[', ']', '"', '…', '\n', '\n\n', '2026-11-30T10:22:33Z ERROR ', 'Authorization: Bearer ',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghij', 'password=', 'https://u:p@h.okta.com/', '0.AXYA', 'Q~', '1//', 'ya29.',
    'SSWS ', '00D5g000004ABCD!', 'AADSTS50126', 'E0000011', '403', '998cea7e-35cd-46a5-ab3c-8ec88a45d7d5', '@', '://',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

describe('properties', () => {
  it('never throws and is well formed for mixed real fragments', () => {
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 60 }), fc.option(fc.constantFrom('O365', 'okta', 'nope', '')), (parts, app) => {
        const d = matcher.diagnose(parts.join(''), app === null ? undefined : { app });
        wellFormed(d);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws and is well formed for any text up to 1 MB', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 2000 }),
          fc.tuple(fc.string({ maxLength: 64 }), fc.integer({ min: 1, max: 1_048_576 })).map(([s, n]) => (s || 'x').repeat(Math.ceil(n / Math.max(1, s.length))).slice(0, n)),
          fc.tuple(fragment, fc.integer({ min: 1, max: 20_000 })).map(([s, n]) => (s || '{').repeat(n).slice(0, 1_048_576)),
        ),
        (text) => {
          const d = matcher.diagnose(text);
          wellFormed(d);
          if (text.length > 64 * 1024) expect(d.truncated).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('does not throw on non-string input from untyped callers', () => {
    for (const bad of [undefined, null, 42, {}, []]) wellFormed(matcher.diagnose(bad as unknown as string));
  });
});
