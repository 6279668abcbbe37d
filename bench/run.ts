// `npm run bench`: how fast and how right the matcher is, on the real catalog and on a synthetic
// 10,000-entry one, next to fuse.js and minisearch fed the same pastes. Prints figures; asserts nothing.
import { cpus, loadavg } from 'node:os';
import Fuse from 'fuse.js';
import MiniSearch from 'minisearch';
import { buildCatalog, createMatcher, loadCatalog, normalize, redact, type AppInfo, type Catalog, type CatalogEntry, type Diagnosis } from '../src/core/index.js';
import { bigLogPaste, fieldPastes, type FieldPaste } from '../test/fixtures/pastes/field.js';
import { redactionFigures } from './redact.js';
import { accuracyByKind, judge } from '../test/core/independent-scoring.js';
import { independentPastes } from '../test/fixtures/pastes/independent.js';
import { quietMessages } from '../test/fixtures/pastes/quiet.js';
import { pasteCases, type PasteCase } from '../test/fixtures/pastes/variants.js';
import { isEntryPoint } from '../src/entry-point.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 20);
const SYNTHETIC_ENTRIES = 10_000;
/** fuse.js needs seconds per paste at 10,000 entries: a sample keeps the run short. */
const FUSE_BIG_PASTES = 5;

// ---------------------------------------------------------------------------------------------
// A synthetic catalog: the real entries plus 10,000 made-up ones that borrow the real entries'
// vocabulary (so they compete for the same words), spread over 250 made-up apps.

export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

export function syntheticCatalog(real: Catalog, size: number): Catalog {
  const random = prng(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const realWords = [...new Set(real.entries.flatMap((e) => e.message.split(/[^A-Za-z]+/)).filter((w) => w.length > 2))];
  const syllables = ['ka', 'lo', 'mi', 're', 'tan', 'vor', 'ex', 'qua', 'zen', 'dri', 'pol', 'sum', 'ber', 'nix', 'ul', 'gra'];
  const pseudo = Array.from({ length: 4000 }, () => Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(syllables)).join(''));
  const word = (): string => (random() < 0.25 ? pick(realWords) : pick(pseudo));
  const capital = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);
  const template = real.entries[0] as CatalogEntry;
  const apps: AppInfo[] = [...real.apps.map((a) => ({ ...a, aliases: [...a.aliases], hints: [...a.hints] }))];
  for (let a = 0; a < 250; a++) {
    apps.push({ id: `syn-app-${a}`, name: `Synthetic App ${a}`, aliases: [`SynApp${a}`], hints: [`syn${a}.example.com`], learnMore: 'https://example.com/syn' });
  }
  const entries: CatalogEntry[] = real.entries.map((e) => ({ ...e }));
  for (let i = 0; i < size; i++) {
    const exception = `${capital(pick(pseudo))}${capital(pick(pseudo))}${pick(['Exception', 'Failure', 'Error'])}`;
    const status = pick([400, 401, 403, 404, 409, 429, 500, 502, 503]);
    const code = `${pick(['SYN', 'QX', 'ZT', 'WK'])}${10000 + Math.floor(random() * 89999)}`;
    const words = Array.from({ length: 4 + Math.floor(random() * 10) }, word).join(' ');
    const phrase = Array.from({ length: 2 + Math.floor(random() * 2) }, word).join(' ');
    entries.push({
      ...template,
      id: `syn-${i}`,
      ref: undefined,
      app: `syn-app-${i % 250}`,
      message: `${exception}: ${random() < 0.5 ? `Server returned: ${status} ` : ''}${words} (${code})`,
      signals: { codes: [code], exceptions: [exception], statuses: [status], phrases: [phrase], hosts: [`api.syn${i % 250}.example.com`] },
      source: 'synthetic',
    });
  }
  return buildCatalog(apps, entries);
}

// ---------------------------------------------------------------------------------------------
// Correctness of an answer

function matcherCorrect(c: PasteCase, d: Diagnosis): boolean {
  if (d.findings.length !== c.expect.length) return false;
  return c.expect.every((want, i) => {
    const f = d.findings[i];
    if (!f || f.verdict !== want.verdict) return false;
    if (want.verdict === 'match') return f.matches[0]?.entry.ref === want.ref;
    if (want.verdict === 'ambiguous') return want.refs.every((r) => f.matches.some((s) => s.entry.ref === r));
    return true;
  });
}

/** A field paste is right when its recognised findings are the expected ones, in order (the rest `none`). */
function fieldCorrect(p: FieldPaste, d: Diagnosis): boolean {
  const found = d.findings.filter((f) => f.verdict !== 'none');
  if (found.length !== p.expect.length) return false;
  return p.expect.every((want, i) => {
    const f = found[i];
    if (!f || f.verdict !== want.verdict) return false;
    const ids = f.matches.map((s) => s.entry.id);
    if (want.verdict === 'match') return ids.length === 1 && want.ids.includes(ids[0] ?? '');
    return ids.length === want.ids.length && want.ids.every((id) => ids.includes(id));
  });
}

function fieldAccuracy(catalog: Catalog): string {
  const matcher = createMatcher(catalog);
  const pastes = [...fieldPastes, bigLogPaste()];
  const right = pastes.filter((p) => fieldCorrect(p, matcher.diagnose(p.text, p.app ? { app: p.app } : undefined))).length;
  return `${right}/${pastes.length}`;
}

/** The frozen quiet set: messages that are no error must get no finding at all. */
function quietAccuracy(catalog: Catalog): string {
  const matcher = createMatcher(catalog);
  const quiet = quietMessages.filter((m) => matcher.diagnose(m.text).findings.length === 0).length;
  return `${quiet}/${quietMessages.length}`;
}

/** 64 KB of random words from the catalog's own prose (seeded): how many findings they give (should be 0). */
function wordSaladFindings(catalog: Catalog): number {
  const vocabulary = [...new Set(catalog.entries.flatMap((e) => [e.cause, ...e.resolution.steps]).join(' ').split(/[^A-Za-z]+/).filter((w) => /^[a-z]{2,}$/.test(w)))];
  const random = prng(7);
  const lines: string[] = [];
  let length = 0;
  while (length < 64 * 1024) {
    const line = Array.from({ length: 6 + Math.floor(random() * 9) }, () => vocabulary[Math.floor(random() * vocabulary.length)]).join(' ');
    lines.push(line);
    length += line.length + 1;
  }
  return createMatcher(catalog).diagnose(lines.join('\n').slice(0, 64 * 1024)).findings.length;
}

/** A search library returns a ranked list: right when its top hit is a right entry (or it finds nothing for a negative). */
function topHitCorrect(c: PasteCase, topRef: string | undefined): boolean | undefined {
  if (c.expect.length > 1) return undefined; // several errors in one paste: not a search library's job
  const want = c.expect[0];
  if (!want || want.verdict === 'none') return topRef === undefined;
  if (want.verdict === 'match') return topRef === want.ref;
  return topRef !== undefined && want.refs.includes(topRef);
}

// ---------------------------------------------------------------------------------------------
// Timing

interface Timing {
  median: number;
  p99: number;
  /**
   * p99 over the pastes of each paste's own median: what the slowest pastes cost, without the
   * garbage collector's and the neighbours' pauses that dominate the raw p99 on a shared machine.
   */
  p99OfMedians: number;
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** `samplesMs[k]`: the times of paste k, one per iteration. */
function stats(samplesMs: readonly number[][]): Timing {
  const all = samplesMs.flat();
  return { median: quantile(all, 0.5), p99: quantile(all, 0.99), p99OfMedians: quantile(samplesMs.map((s) => quantile(s, 0.5)), 0.99) };
}

function timeEach(count: number, iterations: number, run: (k: number) => unknown): number[][] {
  const samples: number[][] = Array.from({ length: count }, () => []);
  for (let it = 0; it < iterations; it++) for (let k = 0; k < count; k++) samples[k]?.push(time(() => run(k)).ms);
  return samples;
}

function time<T>(fn: () => T): { value: T; ms: number } {
  const start = process.hrtime.bigint();
  const value = fn();
  return { value, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

interface Row {
  engine: string;
  catalog: string;
  buildMs: number;
  timing: Timing;
  accuracy: string;
}

function benchMatcher(label: string, catalog: Catalog, cases: PasteCase[], iterations: number): Row {
  const built = time(() => createMatcher(catalog));
  const matcher = built.value;
  let right = 0;
  for (const c of cases) if (matcherCorrect(c, matcher.diagnose(c.text, c.hint ? { app: c.hint } : undefined))) right++;
  const samples = timeEach(cases.length, iterations, (k) => {
    const c = cases[k] as PasteCase;
    return matcher.diagnose(c.text, c.hint ? { app: c.hint } : undefined);
  });
  return { engine: 'connector-doctor', catalog: label, buildMs: built.ms, timing: stats(samples), accuracy: `${right}/${cases.length}` };
}

interface Doc {
  id: string;
  ref: string;
  message: string;
  phrases: string;
  exceptions: string;
  codes: string;
}

function docsOf(catalog: Catalog): Doc[] {
  return catalog.entries.map((e) => ({
    id: e.id,
    ref: e.ref ?? e.id,
    message: e.message,
    phrases: e.signals.phrases.join(' | '),
    exceptions: e.signals.exceptions.join(' '),
    codes: e.signals.codes.join(' '),
  }));
}

/** The baselines get the same help the matcher gives itself before searching: HTML out, secrets out. */
function prepared(c: PasteCase): string {
  return redact(normalize(c.text)).text.slice(0, 2000);
}

function benchSearch(engine: string, label: string, catalog: Catalog, cases: PasteCase[], iterations: number, build: (docs: Doc[]) => (q: string) => string | undefined): Row {
  const docs = docsOf(catalog);
  const built = time(() => build(docs));
  const search = built.value;
  let right = 0;
  let judged = 0;
  const queries = cases.map(prepared);
  cases.forEach((c, i) => {
    const ok = topHitCorrect(c, search(queries[i] ?? ''));
    if (ok === undefined) return;
    judged++;
    if (ok) right++;
  });
  const samples = timeEach(queries.length, iterations, (k) => search(queries[k] ?? ''));
  return { engine, catalog: label, buildMs: built.ms, timing: stats(samples), accuracy: `${right}/${judged} (top hit)` };
}

function fuseSearch(docs: Doc[]): (q: string) => string | undefined {
  const fuse = new Fuse(docs, {
    keys: [{ name: 'message', weight: 2 }, 'phrases', 'exceptions', 'codes'],
    includeScore: true,
    ignoreLocation: true,
    threshold: 0.4,
  });
  return (q) => (q.trim() === '' ? undefined : fuse.search(q, { limit: 1 })[0]?.item.ref);
}

function miniSearch(docs: Doc[]): (q: string) => string | undefined {
  const ms = new MiniSearch<Doc>({ fields: ['message', 'phrases', 'exceptions', 'codes'], storeFields: ['ref'], idField: 'id' });
  ms.addAll(docs);
  return (q) => {
    const hit = ms.search(q, { fuzzy: 0.2, prefix: true, combineWith: 'OR', boost: { message: 2 } })[0];
    return hit ? String(hit.ref) : undefined;
  };
}

// ---------------------------------------------------------------------------------------------

function fmt(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`;
}

function main(): void {
  const loadAtStart = loadavg();
  const real = loadCatalog();
  const cases = pasteCases(3);
  const built = time(() => syntheticCatalog(real, SYNTHETIC_ENTRIES));
  const synthetic = built.value;
  const bigLabel = `synthetic ${synthetic.entries.length}`;
  const realLabel = `real ${real.entries.length}`;
  const baselineIterations = Math.max(1, Math.floor(ITERATIONS / 4));

  const rows: Row[] = [
    benchMatcher(realLabel, real, cases, ITERATIONS),
    benchMatcher(bigLabel, synthetic, cases, Math.max(1, Math.floor(ITERATIONS / 2))),
    benchSearch('fuse.js', realLabel, real, cases, baselineIterations, fuseSearch),
    benchSearch('minisearch', realLabel, real, cases, baselineIterations, miniSearch),
    benchSearch('minisearch', bigLabel, synthetic, cases, 1, miniSearch),
    benchSearch('fuse.js', bigLabel, synthetic, cases.slice(0, FUSE_BIG_PASTES), 1, fuseSearch),
  ];

  const header = ['engine', 'catalog', 'index build', 'median / paste', 'p99 / paste', 'p99 of paste medians', 'accuracy'];
  const table = rows.map((r) => [r.engine, r.catalog, fmt(r.buildMs), fmt(r.timing.median), fmt(r.timing.p99), fmt(r.timing.p99OfMedians), r.accuracy]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(`${cases.length} pastes (${new Set(cases.map((c) => c.app)).size - 2} apps, multi-error and negative cases), Node ${process.version}`);
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; load average ${loadAtStart.map((l) => l.toFixed(1)).join(' ')} at the start`);
  console.log(`synthetic catalog generated in ${fmt(built.ms)}; fuse.js at 10,000 entries runs only the first ${FUSE_BIG_PASTES} pastes (seconds each)\n`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(line(row));
  console.log('\naccuracy: connector-doctor = every finding of the paste right (verdict and entry); search libraries = top hit right');
  console.log('(a negative is right when nothing is returned); multi-error pastes are not judged for them.');
  console.log(
    `field pastes (test/fixtures/pastes/field.ts, written apart from the above, 200 KB log included): connector-doctor right on ${fieldAccuracy(real)} (${realLabel}), ${fieldAccuracy(synthetic)} (${bigLabel})`,
  );
  console.log('');
  for (const line of redactionFigures(fmt, ITERATIONS)) console.log(line);
  console.log(`quiet set (test/fixtures/pastes/quiet.ts, frozen, written without reading the matcher): no finding for ${quietAccuracy(real)} (${realLabel})`);
  const independent = createMatcher(real);
  console.log(`independent set (test/fixtures/pastes/independent.ts, frozen, out of sample, never tuned on): ${accuracyByKind(independentPastes.map((p) => judge(independent, p)))} (${realLabel})`);
  console.log(`64 KB of random words from the catalog's prose: ${wordSaladFindings(real)} findings (${realLabel})`);
  console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

if (isEntryPoint(import.meta.url)) main();
