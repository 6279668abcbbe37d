// Properties of redaction over generated pastes: a secret of any kind, in any context, among any
// fragments of real pastes, never reaches the diagnosis and is counted; redaction is idempotent
// and never throws. Secrets are random in their real shapes (a shape filled with one repeated
// letter is a documentation placeholder, not a secret: see redact-classes.test.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/core/catalog.js';
import { createMatcher } from '../../src/core/match.js';
import { normalize } from '../../src/core/normalize.js';
import { REDACTED, redact } from '../../src/core/redact.js';

const catalog = loadCatalog();
const matcher = createMatcher(catalog);

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const B64URL = `${ALNUM}-_`;
const B64 = `${ALNUM}+/`;

/** A random string as a secret generator makes one (fast-check's own strings favour repeats). */
function randomOf(seed: number, chars: string, length: number): string {
  let s = seed >>> 0 || 1;
  let out = '';
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out += chars[(s >>> 0) % chars.length];
  }
  return out;
}

interface Generated {
  /** The secret as it stands in the paste. */
  shown: string;
  /** A piece that must not survive. */
  secret: string;
}

const seed = fc.integer({ min: 1, max: 0x7fffffff });
const r = (chars: string, length: number) => seed.map((s) => randomOf(s, chars, length));

/** One secret of every shape the redactor knows, random each time. */
const shaped: fc.Arbitrary<Generated> = fc.oneof(
  fc.tuple(r(B64URL, 36), r(B64URL, 60), r(B64URL, 43)).map(([a, b, c]) => ({ shown: `eyJ${a}.${b}.${c}`, secret: `${b}.${c}` })),
  r(`${B64URL}.`, 80).map((t) => ({ shown: `0.A${t}`, secret: t })),
  fc.tuple(r(ALNUM, 3), r(DIGITS, 1), r(`${B64URL}.~`, 34)).map(([a, d, b]) => ({ shown: `${a}${d}Q~${b}`, secret: `Q~${b}` })),
  r(B64URL, 60).map((t) => ({ shown: `1//0g${t}`, secret: t })),
  r(B64URL, 60).map((t) => ({ shown: `ya29.a0${t}`, secret: t })),
  r(`${UPPER}${DIGITS}`, 16).map((t) => ({ shown: `AKIA${t}`, secret: `AKIA${t}` })),
  r(B64URL, 35).map((t) => ({ shown: `AIza${t}`, secret: t })),
  r(ALNUM, 36).map((t) => ({ shown: `ghp_${t}`, secret: t })),
  fc.tuple(r(ALNUM, 22), r(ALNUM, 59)).map(([a, b]) => ({ shown: `github_pat_${a}_${b}`, secret: b })),
  fc.tuple(r(DIGITS, 12), r(DIGITS, 13), r(ALNUM, 24)).map(([a, b, c]) => ({ shown: `xoxb-${a}-${b}-${c}`, secret: c })),
  r(`${B64URL}`, 180).map((t) => ({ shown: `ATATT3xFfGF0${t}=A1B2C3D4`, secret: t.slice(0, 60) })),
  fc.tuple(r(B64URL, 64), r(B64URL, 64)).map(([a, b]) => ({ shown: `sk-proj-${a}T3BlbkFJ${b}`, secret: a })),
  r(ALNUM, 40).map((t) => ({ shown: `00${t}`, secret: t })),
  r(B64URL, 136).map((t) => ({ shown: `sl.B${t}`, secret: t.slice(0, 60) })),
  fc.tuple(r(B64URL, 22), r(B64URL, 43)).map(([a, b]) => ({ shown: `SG.${a}.${b}`, secret: b })),
  r(ALNUM, 36).map((t) => ({ shown: `npm_${t}`, secret: t })),
  r(B64, 86).map((t) => ({ shown: `${t}==`, secret: t })),
  fc.tuple(r(ALNUM, 12), r(`${ALNUM}.`, 90)).map(([a, b]) => ({ shown: `00D${a}!AQ${b}`, secret: `AQ${b}` })),
  r(B64, 130).map((t) => ({ shown: `ABSK${t}`, secret: t.slice(0, 60) })),
);

/** A secret in one of the contexts people paste it in, with text after it that must survive. */
const inContext: fc.Arbitrary<Generated & { text: string; after: string }> = fc.oneof(
  fc.tuple(shaped, fc.constantFrom('after-token=', 'neutral-json', 'sentence', 'bearer', 'url-user', 'glued')).map(([s, where]) => {
    switch (where) {
      case 'after-token=':
        return { ...s, text: `token=${s.shown}`, after: ' status=401' };
      case 'neutral-json':
        return { ...s, text: `{"key": "${s.shown}`, after: '", "status": 401}' };
      case 'sentence':
        return { ...s, text: `retrying with ${s.shown}`, after: ' after 401 from upstream' };
      case 'bearer':
        return { ...s, text: `curl -H "Authorization: Bearer ${s.shown}`, after: '" https://api.example.com/v1/me' };
      case 'url-user':
        return { ...s, text: `git clone https://${s.shown}`, after: '@github.com/contoso/app.git' };
      default:
        return { ...s, text: `GET /api/items/${s.shown}`, after: '/status 401' };
    }
  }),
  r(ALNUM, 20).map((t) => ({ shown: t, secret: t, text: `password=${t}`, after: '&user=bob' })),
  r(ALNUM, 20).map((t) => ({ shown: t, secret: t, text: `{"client_secret":"${t}`, after: '"}' })),
  r(ALNUM, 20).map((t) => ({ shown: t, secret: t, text: `Authorization: Basic ${t}`, after: '\nHost: example.com' })),
  r(ALNUM, 20).map((t) => ({ shown: t, secret: t, text: `https://svc:${t}`, after: '@contoso.example.com/' })),
  r(ALNUM, 20).map((t) => ({ shown: t, secret: t, text: `curl -u admin:${t}`, after: ' https://contoso.example.com/' })),
  r(ALNUM, 40).map((t) => ({ shown: t, secret: t, text: `zendesk api token ${t}`, after: ' stopped working' })),
  r(B64, 64).map((t) => ({ shown: t, secret: t, text: `-----BEGIN RSA PRIVATE KEY-----\n${t}\n${t.split('').reverse().join('')}\n-----END RSA PRIVATE KEY-----`, after: '\nnext' })),
);

/** Fragments of real pastes, shuffled into whatever order, with what secret scanners key on. */
const fragment = fc.oneof(
  fc.constantFrom(
    ...catalog.entries.map((e) => e.message),
    '<p>', '</p>', '<br>', '<at id="0">Bot</at>', '&quot;', '&amp;', '&#123;', '<pre><code>', '\n\tat com.x.Y.z(Y.java:1)',
    'Caused by: ', '{', '}', '[', ']', '"', "'", '…', '\n', '\n\n', '  ', '2026-11-30T10:22:33Z ERROR ', 'Authorization: Bearer ',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghij', 'password=', 'password: ', 'password is ', 'token ', 'api key ',
    'https://u:p@h.okta.com/', '0.AXYA', 'Q~', '1//', 'ya29.', 'SSWS ', '00D5g000004ABCD!', 'AADSTS50126', 'E0000011', '403',
    '998cea7e-35cd-46a5-ab3c-8ec88a45d7d5', '@', '://', ':', '=', ':=', '=>', ',', ';', '|', '>', '-u ', ' -p ', '--password ',
    '"name": "api_token", ', '"value": ', '- name: X_TOKEN\n  value: ', 'key: |\n  ', '<password>', '</password>',
    'user,password\n', '-----BEGIN PRIVATE KEY-----\n', '-----END PRIVATE KEY-----', 'AKIA', 'ghp_', 'xoxb-', '%2F', '/',
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'H3VhOHZVMiMF97CCxZ3NKs1x67kQEr4sP1Ve8Nse', 'Winter1!Glacier08',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

describe('redaction properties', () => {
  it('a secret of any kind, in any context, is removed and the text after it kept', () => {
    fc.assert(
      fc.property(inContext, (s) => {
        const out = redact(`${s.text}${s.after}`);
        expect(out.text).not.toContain(s.secret);
        // Nothing after the secret is eaten (a token's last `/` or `.` may be read as the path's or the sentence's).
        expect(out.text).toMatch(new RegExp(`\\[REDACTED\\][./]?${s.after.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`));
        expect(out.count).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
  });

  it('wherever it sits in a paste, no secret reaches the diagnosis, and each one left by normalisation is counted', () => {
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 10 }), inContext, fc.array(fragment, { maxLength: 10 }), (before, s, after) => {
        const text = `${before.join('')}\n${s.text}${s.after}\n${after.join('')}`;
        const d = matcher.diagnose(text);
        expect(JSON.stringify(d.findings)).not.toContain(s.secret);
        // Normalisation may drop a stretch of text (`<a` ... `>` reads as one tag): what it drops
        // is never shown, so there is nothing to redact or count there.
        if (normalize(text).includes(s.secret)) expect(d.redactions).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fragment, inContext.map((s) => `${s.text}${s.after}`)), { maxLength: 40 }), (parts) => {
        const once = redact(normalize(parts.join('')));
        const twice = redact(once.text);
        expect(twice.text).toBe(once.text);
        expect(twice.count).toBe(0);
        expect(once.count === 0 || once.text.includes(REDACTED)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 2000 }), fc.array(fragment, { maxLength: 80 }).map((p) => p.join(''))), (text) => {
        const out = redact(text);
        expect(typeof out.text).toBe('string');
        expect(out.count).toBeGreaterThanOrEqual(out.kinds.length > 0 ? 1 : 0);
      }),
      { numRuns: 300 },
    );
  });
});
