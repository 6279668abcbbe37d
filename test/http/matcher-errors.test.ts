// The running bot's wiring of matcher crashes: a structured log line without the paste and a
// count on /metrics (connector_doctor_matcher_errors_total).
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createMatcher, loadCatalog, type Catalog, type CatalogEntry } from '../../src/core/index.js';
import { reportMatcherErrors } from '../../src/index.js';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics.js';

function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const logger = createLogger('info', new Writable({ write(chunk, _encoding, done) { chunks.push(String(chunk)); done(); } }));
  return { logger, lines: () => chunks.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('matcher errors in the running bot', () => {
  it('are logged without the paste and counted in /metrics', async () => {
    const real = loadCatalog();
    let armed = false;
    const entries = real.entries.map((e) => {
      if (e.id !== 'microsoft-365-ignite-exception') return e;
      return Object.defineProperty({ ...e }, 'message', {
        get() {
          if (armed) throw new RangeError(`cannot read ${e.message}`);
          return e.message;
        },
      }) as CatalogEntry;
    });
    const catalog: Catalog = { ...real, entries, app: (name) => real.app(name), entry: (id) => real.entry(id) };
    const { logger, lines } = capturingLogger();
    const metrics = createMetrics();
    const matcher = createMatcher(catalog, { onError: reportMatcherErrors(logger, metrics) });
    armed = true;
    const paste = 'IgniteException at tenant contoso-secret-name';

    expect(matcher.diagnose(paste).findings[0]?.verdict).toBe('none');

    const line = lines().find((l) => l.msg === 'matcher failed');
    expect(line).toMatchObject({ level: 50, errorType: 'RangeError', inputChars: paste.length, findingsBeforeError: 0 });
    expect(Array.isArray(line?.frames) && (line.frames as string[]).length).toBeGreaterThan(0);
    // Neither the paste nor the error message (which quotes the entry here) reaches the log.
    expect(JSON.stringify(lines())).not.toContain('contoso-secret-name');
    expect(JSON.stringify(lines())).not.toContain('cannot read');
    expect(await metrics.render()).toMatch(/^connector_doctor_matcher_errors_total 1$/m);
  });
});
