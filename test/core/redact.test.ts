// Secrets never survive redaction, and never reach an excerpt or a piece of evidence.
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/core/catalog.js';
import { createMatcher } from '../../src/core/match.js';
import { REDACTED, describeSecretKind, redact } from '../../src/core/redact.js';
import { SECRET_KINDS } from '../../src/core/secrets/kinds.js';

const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiYXVkIjoiYXBpIn0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const AAD_REFRESH = '0.AXYAm1xZq9Lw3EyA7bVvR8tK2mFh0c4Pzl-gQ5WwT_oYjXcBAAA.AgABAAEAAAD--DLA3VO7QrddgJg7WevrAgDs_wUA9P8';
const CLIENT_SECRET = 'Xy78Q~abcDEF123ghiJKL456mnoPQR789stuVW_.';
const GOOGLE_REFRESH = '1//0gLx7bQmZ3kTnCgYIARAAGBASNwF-L9IrWqQd8z1vS5';
const GOOGLE_ACCESS = 'ya29.a0AfB_byC3xT9kLmNqR2sV7wY1zP4hJ6dF8gK0';
const OKTA = '00QCjAl4MlV-WPXM-ABCDEFGHIJKLMNOPQRSTUVWXYZ0';
const SALESFORCE = '00D5g000004ABCD!AQ8AQJXq7Lm2Rz9Wv4Tn1Yb6Kc3Pd8Gh5Sf0.Ew';

const secrets: [kind: string, text: string, secret: string][] = [
  ['jwt', `id token ${JWT} was rejected`, JWT],
  ['authorization-header', `Authorization: Bearer ${JWT}`, JWT],
  ['authorization-header', '"Authorization": "Basic dXNlcjpodW50ZXIy"', 'dXNlcjpodW50ZXIy'],
  ['aad-refresh-token', `refresh with ${AAD_REFRESH} failed`, AAD_REFRESH],
  ['client-secret', `client secret ${CLIENT_SECRET} expired`, CLIENT_SECRET],
  ['google-token', `refresh ${GOOGLE_REFRESH} revoked`, GOOGLE_REFRESH],
  ['google-token', `access ${GOOGLE_ACCESS}`, GOOGLE_ACCESS],
  ['okta-token', `curl -H 'Accept: application/json' SSWS ${OKTA}`, OKTA],
  ['salesforce-session', `session ${SALESFORCE} is invalid`, SALESFORCE],
  ['url-password', 'https://svc-mda:S3cr3t-P4ss@contoso.service-now.com/api/now/table', 'S3cr3t-P4ss'],
  ['password', 'password=hunter2&user=bob', 'hunter2'],
  ['secret-pair', 'client_secret=abcDEF.123 grant_type=refresh_token', 'abcDEF.123'],
  ['password', '{"password": "correct horse battery", "user": "svc"}', 'correct horse battery'],
  ['secret-pair', '"body":"{\\"api_key\\":\\"k-123456\\"}"', 'k-123456'],
  ['secret-pair', 'refreshToken: r-98765', 'r-98765'],
];

describe('redact', () => {
  for (const [kind, text, secret] of secrets) {
    it(`removes a ${kind}: ${text.slice(0, 40)}`, () => {
      const r = redact(text);
      expect(r.text).not.toContain(secret);
      expect(r.text).toContain(REDACTED);
      expect(r.count).toBeGreaterThanOrEqual(1);
      expect(r.kinds).toContain(kind);
    });
  }

  it('leaves error text alone, even where it says token or authorization', () => {
    const texts = [
      'TokenRefreshException: {"error":"invalid_grant","error_description":"AADSTS70002: Error validating credentials. AADSTS70008: The provided authorization code or refresh token is expired.',
      'BoxServerException: Unauthorized - Cannot authorize with this service',
      '{"errorCode":"E0000011","errorSummary":"Invalid token provided"}',
      '"token_type":"Bearer","expires_in":3599',
    ];
    for (const text of texts) expect(redact(text)).toEqual({ text, count: 0, kinds: [] });
  });

  it('counts every secret once, in one pass', () => {
    const r = redact(`Authorization: Bearer ${JWT}\npassword=x1 and ${GOOGLE_ACCESS}`);
    expect(r.count).toBe(3);
    expect(r.kinds).toEqual(['authorization-header', 'password', 'google-token']);
  });

  it('leaves every catalog message alone', () => {
    for (const entry of loadCatalog().entries) expect(redact(entry.message)).toEqual({ text: entry.message, count: 0, kinds: [] });
  });

  it('keeps the scheme of an Authorization header: it helps the diagnosis and is no secret', () => {
    expect(redact(`Authorization: Bearer ${JWT}`).text).toBe('Authorization: Bearer [REDACTED]');
    expect(redact('Authorization: SSWS 00QCjAl4MlV-WPXM-ABCDEFGHIJKLMNOPQRSTUVWXYZ0').text).toBe('Authorization: SSWS [REDACTED]');
  });

  it('names the most telling kind when several scanners find one secret', () => {
    // The token is also in a GitHub shape and behind a `token=` key: one secret, named by its shape.
    expect(redact('token=ghp_SxrnFOvdTe1iFDc9ACkBEpnC8WFLqBHQQDZA')).toEqual({ text: 'token=[REDACTED]', count: 1, kinds: ['github-token'] });
    // Inside an Authorization header the header names it.
    expect(redact(`Authorization: Bearer ${JWT}`).kinds).toEqual(['authorization-header']);
  });

  it('is safe on empty and odd input', () => {
    expect(redact('')).toEqual({ text: '', count: 0, kinds: [] });
    expect(redact('password=').count).toBe(0);
    expect(redact('Authorization:').count).toBe(0);
  });
});

describe('describeSecretKind', () => {
  it('gives every kind a short English phrase with its article', () => {
    for (const kind of SECRET_KINDS) expect(describeSecretKind(kind)).toMatch(/^(a|an) [A-Za-z]/);
    expect(describeSecretKind('authorization-header')).toBe('an Authorization header');
    expect(describeSecretKind('github-token')).toBe('a GitHub token');
  });

  it('describes every kind redact() reports', () => {
    const r = redact(`Authorization: Bearer ${JWT}\npassword=x1 and ${GOOGLE_ACCESS} ${CLIENT_SECRET}`);
    expect(r.kinds.map(describeSecretKind)).toEqual(['an Authorization header', 'a password', 'a Google OAuth token', 'a Microsoft Entra client secret']);
  });

  it('says "a secret" for a kind it does not know (an older record)', () => {
    expect(describeSecretKind('retired-kind')).toBe('a secret');
    expect(describeSecretKind('constructor')).toBe('a secret');
  });
});

describe('the matcher redacts before anything else', () => {
  const matcher = createMatcher(loadCatalog());

  it('no secret of any kind reaches an excerpt or evidence', () => {
    const paste = [
      'HttpRequestFailure: Server returned: 401 Unauthorized',
      `Authorization: SSWS ${OKTA}`,
      ...secrets.map(([, text]) => text),
    ].join('\n');
    const d = matcher.diagnose(paste);
    expect(d.redactions).toBeGreaterThanOrEqual(secrets.length);
    const shown = JSON.stringify(d.findings);
    for (const [, , secret] of secrets) expect(shown).not.toContain(secret);
    expect(shown).not.toContain(OKTA);
  });

  it('a filler after a secret key, or an error name after a secret word, leaves the error to diagnose', () => {
    const cases: [text: string, app: string | undefined, id: string, redactions: number][] = [
      ['token: null HttpRequestFailure: Server returned: 401 Unauthorized', 'Okta', 'okta-invalid-token', 0],
      ['Okta: API token expired. HttpRequestFailure: Server returned: 401 Unauthorized', undefined, 'okta-invalid-token', 0],
      ['Password: hunter2 (copied from vault) then Box said AuthFatalFailureException: invalid_grant', undefined, 'box-invalid-refresh-token', 1],
    ];
    for (const [text, app, id, redactions] of cases) {
      const d = matcher.diagnose(text, app ? { app } : undefined);
      expect({ text, id: d.findings[0]?.matches[0]?.entry.id, redactions: d.redactions }).toEqual({ text, id, redactions });
      expect(JSON.stringify(d.findings)).not.toContain('hunter2');
    }
  });

  it('secrets hidden in Teams HTML entities are still found', () => {
    const d = matcher.diagnose(`<p>{&quot;password&quot;:&quot;hunter2&quot;} BoxRestException: Failed to parse response.</p>`);
    expect(JSON.stringify(d.findings)).not.toContain('hunter2');
    expect(d.findings[0]?.matches[0]?.entry.id).toBe('box-failed-to-parse-response');
  });

  it('a secret cut by the input cap is not left half visible', () => {
    const small = createMatcher(loadCatalog(), { maxInputChars: 60 });
    const d = small.diagnose(`IgniteException token ${JWT}`);
    expect(d.truncated).toBe(true);
    expect(JSON.stringify(d.findings)).not.toContain(JWT.slice(0, 20));
  });
});
