// The start-up guard (and catalog:lint, which runs the same checks) against organisation entries
// trusted too far (issue 9 verification D1): an entry whose every signal is generic, or an
// override that adds a generic signal to a built-in entry, would take over unrelated pastes.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findShadows, GENERIC_ERROR_PROBES, refuseCapturingEntries } from '../../src/core/catalog-guard.js';
import { inspectCatalog } from '../../src/core/catalog.js';
import { CatalogError } from '../../src/core/errors.js';
import { createMatcher } from '../../src/core/index.js';
import { fieldPastes } from '../fixtures/pastes/field.js';
import { quietMessages } from '../fixtures/pastes/quiet.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const extras = (name: string) => path.join(root, 'test/fixtures/catalog-extra', name);

function guard(extraDir?: string): { inspection: ReturnType<typeof inspectCatalog>; refuse: () => void } {
  const inspection = inspectCatalog(extraDir ? { extraDir } : {});
  expect(inspection.problems).toEqual([]);
  const matcher = createMatcher(inspection.catalog);
  return { inspection, refuse: () => refuseCapturingEntries(inspection.catalog, matcher, inspection) };
}

function refusal(refuse: () => void): string {
  try {
    refuse();
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogError);
    return (error as Error).message;
  }
  throw new Error('the guard let it start');
}

describe('generic organisation entries are refused at start and by the lint', () => {
  it('the built-in catalog and the valid extras start', () => {
    expect(guard().refuse).not.toThrow();
    expect(guard(extras('valid')).refuse).not.toThrow();
  });

  it('no built-in entry answers a generic error of other software (the probes stay fair)', () => {
    const matcher = createMatcher(inspectCatalog().catalog);
    for (const probe of GENERIC_ERROR_PROBES) {
      expect(matcher.diagnose(probe).findings.filter((f) => f.verdict !== 'none'), probe).toEqual([]);
    }
  });

  it('an entry whose every signal is generic (Exception, error, failed, 401) is refused, naming its file and entry', () => {
    const message = refusal(guard(extras('generic')).refuse);
    expect(message).toContain(path.join(extras('generic'), 'acme-hr.yaml'));
    expect(message).toContain('acme-hr-request-failed');
    expect(message).toContain('has only generic signals');
    expect(message).toContain('answers generic errors of other software');
  });

  it('the generic-signal rule reads the entry itself, not only what a list of pastes brings out', () => {
    const { inspection } = guard(extras('generic'));
    const details = findShadows(inspection.catalog, createMatcher(inspection.catalog), inspection).filter((s) => s.entry === 'acme-hr-request-failed').map((s) => s.detail);
    expect(details).toContainEqual(expect.stringContaining('has only generic signals'));
  });

  it('an override that adds a generic phrase to a built-in entry is refused, naming the override’s file', () => {
    const message = refusal(guard(extras('generic-override')).refuse);
    expect(message).toContain(path.join(extras('generic-override'), 'overrides.yaml'));
    expect(message).toContain('okta-invalid-token');
  });

  it('what the guard protects: the quiet set and the field pastes answer the same with the valid extras', () => {
    const builtin = createMatcher(inspectCatalog().catalog);
    const extended = createMatcher(inspectCatalog({ extraDir: extras('valid') }).catalog);
    const said = (m: typeof builtin, text: string) => m.diagnose(text).findings.map((f) => `${f.verdict}:${f.matches.map((s) => s.entry.id).join('|')}`);
    for (const { text } of [...quietMessages, ...fieldPastes.filter((p) => p.text.length < 5000)]) expect(said(extended, text), text).toEqual(said(builtin, text));
  });
});
