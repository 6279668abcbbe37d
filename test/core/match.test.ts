// The matcher as the bot and the CLI use it: real catalog, real pastes.
import { describe, expect, it } from 'vitest';
import { createMatcher, loadCatalog, type Diagnosis, type Finding } from '../../src/core/index.js';
import { pasteCases, type Expected } from '../fixtures/pastes/variants.js';

const catalog = loadCatalog();
const matcher = createMatcher(catalog);

const refs = (f: Finding): string[] => f.matches.map((s) => s.entry.ref ?? s.entry.id);
const summary = (d: Diagnosis): string => d.findings.map((f) => `${f.verdict}[${refs(f).join(',')}]`).join(' | ');

function expectFinding(f: Finding | undefined, want: Expected, context: string): void {
  expect(f, context).toBeDefined();
  if (!f) return;
  expect(f.verdict, context).toBe(want.verdict);
  if (want.verdict === 'match') {
    expect(f.matches, context).toHaveLength(1);
    expect(f.matches[0]?.entry.ref, context).toBe(want.ref);
    expect(f.matches[0]?.score, context).toBeGreaterThanOrEqual(0.5);
  } else if (want.verdict === 'ambiguous') {
    expect(new Set(refs(f)), context).toEqual(new Set(want.refs));
  } else {
    for (const s of f.matches) expect(s.score, context).toBeLessThan(0.5);
  }
}

describe('every catalog entry pasted as the portal shows it', () => {
  for (const entry of catalog.entries) {
    it(`${entry.ref ?? entry.id} ${entry.id}`, () => {
      const d = matcher.diagnose(entry.message);
      expect(d.findings, summary(d)).toHaveLength(1);
      const f = d.findings[0] as Finding;
      // The right answer follows from the catalog: entries of other apps with the same words.
      const same = catalog.entries.filter((e) => e.message.trim() === entry.message.trim());
      const apps = new Set(same.map((e) => e.app));
      if (apps.size > 1) {
        expect(f.verdict, summary(d)).toBe('ambiguous');
        expect(new Set(f.matches.map((s) => s.entry.id))).toEqual(new Set(same.map((e) => e.id)));
      } else {
        expect(f.verdict, summary(d)).toBe('match');
        expect(f.matches[0]?.entry.id).toBe(entry.id);
        expect(f.matches[0]?.evidence.some((e) => e.kind === 'message')).toBe(true);
      }
    });
  }
});

describe('realistic pastes (HTML, logs, traces, JSON, vendor wording, typos, truncation)', () => {
  const cases = pasteCases(2);

  it('cover every app of the catalog', () => {
    const covered = new Set(cases.map((c) => c.app));
    for (const app of catalog.apps) expect(covered.has(app.id), app.id).toBe(true);
  });

  for (const c of cases) {
    it(c.name, () => {
      const d = matcher.diagnose(c.text, c.hint ? { app: c.hint } : undefined);
      expect(d.findings.length, summary(d)).toBe(c.expect.length);
      c.expect.forEach((want, i) => expectFinding(d.findings[i], want, `${c.name}: ${summary(d)}`));
    });
  }
});

describe('app hints', () => {
  const unauthorized = 'HttpRequestFailure: Server returned: 401 Unauthorized';

  it('the caller app settles an ambiguity (any alias works)', () => {
    for (const [app, id] of [['O365', 'microsoft-365-unauthorized'], ['okta', 'okta-invalid-token'], ['Exchange Online', 'exchange-online-unauthorized']] as const) {
      const f = matcher.diagnose(unauthorized, { app }).findings[0];
      expect(f?.verdict).toBe('match');
      expect(f?.matches[0]?.entry.id).toBe(id);
      expect(f?.matches[0]?.evidence.some((e) => e.kind === 'app-hint')).toBe(true);
    }
  });

  it('a host in the text settles it and is reported as a hint', () => {
    const f = matcher.diagnose(`${unauthorized}\nGET https://contoso.okta.com/api/v1/logs`).findings[0];
    expect(f?.verdict).toBe('match');
    expect(f?.matches[0]?.entry.id).toBe('okta-invalid-token');
    expect(f?.appHints).toContain('okta');
  });

  it('the caller app wins over what the text says', () => {
    const f = matcher.diagnose(`${unauthorized} (https://contoso.okta.com)`, { app: 'Exchange Online' }).findings[0];
    expect(f?.matches[0]?.entry.id).toBe('exchange-online-unauthorized');
  });

  it('an all-apps error matches whatever app is given', () => {
    const f = matcher.diagnose('HttpRequestFailure: Server returned: 500 Internal server error', { app: 'Salesforce' }).findings[0];
    expect(f?.verdict).toBe('match');
    expect(f?.matches[0]?.entry.app).toBe('all-apps');
  });

  it('an unknown caller app is ignored rather than hiding candidates', () => {
    const f = matcher.diagnose(unauthorized, { app: 'no such app' }).findings[0];
    expect(f?.verdict).toBe('ambiguous');
  });

  it('the product’s own name is not an app hint', () => {
    const f = matcher.diagnose(`MCAS / Defender for Cloud Apps shows: ${unauthorized}`).findings[0];
    expect(f?.verdict).toBe('ambiguous');
  });
});

describe('findings', () => {
  it('a match names runner-ups of the same words for the card', () => {
    const f = matcher.diagnose('HttpRequestFailure: Server returned: 400 Bad Request', { app: 'Salesforce' }).findings[0];
    expect(f?.matches[0]?.entry.id).toBe('salesforce-bad-request');
    expect(f?.runnerUps.map((s) => s.entry.id)).toContain('microsoft-365-bad-request');
  });

  it('scores are within 0..1 and evidence says what decided', () => {
    const f = matcher.diagnose('{"errorCode":"E0000011","errorSummary":"Invalid token provided"}').findings[0];
    expect(f?.verdict).toBe('match');
    const top = f?.matches[0];
    expect(top?.score).toBeGreaterThan(0.5);
    expect(top?.score).toBeLessThanOrEqual(1);
    expect(top?.evidence.map((e) => e.kind)).toEqual(expect.arrayContaining(['code', 'phrase']));
  });

  it('a paste beyond the cap is read in its first part and says so', () => {
    const small = createMatcher(catalog, { maxInputChars: 200 });
    const text = `BoxRestException: Failed to parse response.\n${'x'.repeat(500)}\nIgniteException`;
    const d = small.diagnose(text);
    expect(d.truncated).toBe(true);
    expect(d.findings.map((f) => f.matches[0]?.entry.ref)).toEqual(['mda-06']);
    expect(matcher.diagnose(text).truncated).toBe(false);
  });

  it('an excerpt stays short for a huge error', () => {
    const d = matcher.diagnose(`BoxRestException: Failed to parse response. ${'{"a":1},'.repeat(2000)}`);
    expect(d.findings[0]?.excerpt.length).toBeLessThanOrEqual(1000);
  });

  it('identical errors pasted twice come back once', () => {
    const d = matcher.diagnose('IgniteException\n\nIgniteException\n\nIgniteException');
    expect(d.findings).toHaveLength(1);
  });

  it('a stack trace and its Caused by are one error', () => {
    const d = matcher.diagnose(
      'com.adallom.ContextException: sync failed\n\tat com.adallom.Sync.run(Sync.java:10)\nCaused by: com.box.boxjavalibv2.exceptions.BoxServerException: Unauthorized - Cannot authorize with this service\n\t... 4 more',
    );
    expect(d.findings).toHaveLength(1);
    expect(d.findings[0]?.matches[0]?.entry.id).toBe('box-app-removed');
    expect(d.findings[0]?.excerpt).toContain('Caused by');
  });
});
