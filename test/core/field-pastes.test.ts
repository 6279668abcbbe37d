// Pastes written for the acceptance review, as ops people send them (portal text with the UI
// around it, SIEM lines, Java and .NET traces, vendor API bodies, Teams HTML, typos, truncation,
// several errors at once, 200 KB logs) and hard negatives: every catalogued error is recognised,
// no negative is.
import { describe, expect, it } from 'vitest';
import { createMatcher, loadCatalog, type Finding } from '../../src/core/index.js';
import { bigLogPaste, fieldPastes, type FieldPaste } from '../fixtures/pastes/field.js';

const matcher = createMatcher(loadCatalog());

function recognised(paste: FieldPaste): Finding[] {
  const diagnosis = matcher.diagnose(paste.text, paste.app ? { app: paste.app } : undefined);
  return diagnosis.findings.filter((f) => f.verdict !== 'none');
}

function expectAsWritten(paste: FieldPaste): void {
  const found = recognised(paste);
  expect(found.map((f) => f.verdict)).toEqual(paste.expect.map((e) => e.verdict));
  paste.expect.forEach((want, i) => {
    const ids = (found[i]?.matches ?? []).map((m) => m.entry.id);
    if (want.verdict === 'match') {
      expect(ids).toHaveLength(1);
      expect(want.ids).toContain(ids[0]);
    } else {
      expect([...ids].sort()).toEqual([...want.ids].sort());
    }
  });
}

describe('field pastes: catalogued errors as people paste them', () => {
  const positives = fieldPastes.filter((p) => p.expect.length > 0);
  it('cover every app of the catalog and at least 40 pastes in all', () => {
    expect(fieldPastes.length).toBeGreaterThanOrEqual(40);
    const apps = new Set(positives.flatMap((p) => p.expect.flatMap((e) => e.ids.map((id) => matcher.catalog.entry(id)?.app))));
    expect([...apps].sort()).toEqual(matcher.catalog.apps.map((a) => a.id).sort());
  });
  it.each(positives.map((p) => [p.name, p] as const))('%s', (_name, paste) => {
    expectAsWritten(paste);
  });
});

describe('field pastes: hard negatives are never recognised', () => {
  it.each(fieldPastes.filter((p) => p.expect.length === 0).map((p) => [p.name, p] as const))('%s', (_name, paste) => {
    expect(recognised(paste)).toEqual([]);
  });
});

describe('field pastes: a 200 KB log', () => {
  it('finds the Okta error near the top and says only the first part was read', () => {
    const paste = bigLogPaste();
    expect(paste.text.length).toBeGreaterThan(200_000);
    const diagnosis = matcher.diagnose(paste.text);
    expect(diagnosis.truncated).toBe(true);
    expectAsWritten(paste);
  });
});

describe('field pastes: the evidence a user reads', () => {
  it('names a qualified exception as the catalog writes it, not lower-cased', () => {
    const [finding] = matcher.diagnose('Box connector: com.box.boxjavalibv2.exceptions.BoxServerException: User cannot access this feature without having an enterprise').findings;
    expect(finding?.verdict).toBe('match');
    const exceptions = finding?.matches[0]?.evidence.filter((e) => e.kind === 'exception').map((e) => e.value);
    expect(exceptions).toContain('com.box.boxjavalibv2.exceptions.BoxServerException');
  });
});

describe('field pastes: the app a person names does not stretch an entry', () => {
  it('a 401 said to come from Salesforce is not Salesforce’s 400 entry', () => {
    const [finding] = matcher.diagnose('HttpRequestFailure: Server returned: 401 Unauthorized', { app: 'SFDC' }).findings;
    expect(finding?.matches.map((m) => m.entry.id)).not.toContain('salesforce-bad-request');
  });
});
