// A matcher bug must not hide: the user still gets an answer, and whoever built the matcher is
// told (onError) with sizes and counts only, never the paste.
import { describe, expect, it } from 'vitest';
import { createMatcher, createUnguardedMatcher, loadCatalog, type Catalog, type CatalogEntry, type MatcherErrorFacts } from '../../src/core/index.js';

const real = loadCatalog();

/**
 * The real catalog with one entry that cannot be read once armed: the matcher reads an entry's
 * message when it finds that message word for word in a paste, so a paste holding it crashes
 * the matcher half-way (after the errors before it were found).
 */
function catalogWithUnreadableEntry(id: string): { catalog: Catalog; arm(): void } {
  let armed = false;
  const entries = real.entries.map((e) => {
    if (e.id !== id) return e;
    const broken = { ...e } as CatalogEntry;
    Object.defineProperty(broken, 'message', {
      get() {
        if (armed) throw new TypeError('entry cannot be read');
        return e.message;
      },
    });
    return broken;
  });
  const catalog: Catalog = { apps: real.apps, entries, app: (name) => real.app(name), entry: (entryId) => entries.find((e) => e.id === entryId) };
  return { catalog, arm: () => (armed = true) };
}

const PASTE = 'team_not_authorized\n\nIgniteException token=hunter2hunter2';

describe('a matcher crash', () => {
  it('still answers the user with one `none` finding, redacted', () => {
    const { catalog, arm } = catalogWithUnreadableEntry('microsoft-365-ignite-exception');
    const matcher = createMatcher(catalog, { onError: () => {} });
    arm();
    const d = matcher.diagnose(PASTE);
    expect(d.findings).toHaveLength(1);
    expect(d.findings[0]?.verdict).toBe('none');
    expect(d.findings[0]?.excerpt).toContain('IgniteException');
    expect(d.findings[0]?.excerpt).not.toContain('hunter2');
  });

  it('is reported to onError with the error and safe facts: lengths and counts, no text', () => {
    const { catalog, arm } = catalogWithUnreadableEntry('microsoft-365-ignite-exception');
    const reports: { error: unknown; facts: MatcherErrorFacts }[] = [];
    const matcher = createMatcher(catalog, { onError: (error, facts) => reports.push({ error, facts }) });
    arm();
    matcher.diagnose(PASTE);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.error).toBeInstanceOf(TypeError);
    // Slack's error was found before the crash.
    expect(reports[0]?.facts).toEqual({ inputChars: PASTE.length, findings: 1 });
    expect(JSON.stringify(reports[0]?.facts)).not.toContain('Ignite');
  });

  it('is thrown by the unguarded matcher, so the property tests see it', () => {
    const { catalog, arm } = catalogWithUnreadableEntry('microsoft-365-ignite-exception');
    const matcher = createUnguardedMatcher(catalog);
    expect(matcher.diagnose(PASTE).findings.map((f) => f.verdict)).toEqual(['match', 'match']);
    arm();
    expect(() => matcher.diagnose(PASTE)).toThrow(TypeError);
  });

  it('still answers when onError itself throws', () => {
    const { catalog, arm } = catalogWithUnreadableEntry('microsoft-365-ignite-exception');
    const matcher = createMatcher(catalog, {
      onError: () => {
        throw new Error('logger down');
      },
    });
    arm();
    expect(matcher.diagnose(PASTE).findings[0]?.verdict).toBe('none');
  });

  it('from a hostile options object of an untyped caller is caught and reported too', () => {
    const reports: MatcherErrorFacts[] = [];
    const matcher = createMatcher(real, { onError: (_error, facts) => reports.push(facts) });
    const hostile = Object.defineProperty({}, 'app', {
      get() {
        throw new Error('no');
      },
    });
    expect(matcher.diagnose('IgniteException', hostile).findings[0]?.verdict).toBe('none');
    expect(reports).toEqual([{ inputChars: 'IgniteException'.length, findings: 0 }]);
  });
});
