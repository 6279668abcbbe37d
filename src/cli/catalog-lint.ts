// `npm run catalog:lint [-- --extra DIR] [--write-schema]`: validates the built-in catalog and an
// organisation's extras, reports entries that would shadow each other, and prints coverage per app.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  catalogJsonSchema,
  defaultCatalogDir,
  inspectCatalog,
  messageKey,
  REFERENCE_REFS,
  type CatalogInspection,
} from '../core/catalog.js';
import { formatCatalogProblem, isCodedError } from '../core/errors.js';
import { findShadows } from '../core/catalog-guard.js';
import { createMatcher } from '../core/match.js';
import { isEntryPoint } from '../entry-point.js';

export interface LintOutput {
  out(line: string): void;
  err(line: string): void;
}

export interface AppCoverage {
  app: string;
  name: string;
  entries: number;
  refs: string[];
}

export interface LintReport {
  errors: string[];
  /** Pairs of entries or overrides that would hide one another. */
  shadows: string[];
  /** Worth knowing, not wrong: e.g. an extra entry whose message a built-in of another app shares. */
  notes: string[];
  /** Built-in messages several apps show alike (by design: the user is asked which app). */
  shared: { message: string; apps: string[] }[];
  coverage: AppCoverage[];
  missingRefs: string[];
  totalEntries: number;
}

/** Everything the lint has to say about one load of the catalog. */
export function lintCatalog(inspection: CatalogInspection): LintReport {
  const { catalog, origins } = inspection;
  const errors = inspection.problems.map(formatCatalogProblem);
  const shadows: string[] = [];
  const notes: string[] = [];
  const shared: LintReport['shared'] = [];

  const byMessage = new Map<string, typeof catalog.entries>();
  for (const entry of catalog.entries) {
    const key = messageKey(entry.message);
    byMessage.set(key, [...(byMessage.get(key) ?? []), entry]);
  }
  for (const group of byMessage.values()) {
    const apps = [...new Set(group.map((entry) => entry.app))];
    if (apps.length > 1) shared.push({ message: group[0]!.message, apps });
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        const a = group[i]!;
        const b = group[j]!;
        if (a.app === b.app || origins.get(a.id) === origins.get(b.id)) continue;
        const [builtin, extra] = origins.get(a.id) === 'builtin' ? [a, b] : [b, a];
        notes.push(
          `${extra.source}: entry ${extra.id} (app ${extra.app}) has the same message as built-in ${builtin.id} (app ${builtin.app}); users will be asked which app`,
        );
      }
    }
  }
  // The same checks the bot runs at start (it refuses to start on any of them).
  shadows.push(...findShadows(catalog, createMatcher(catalog), inspection).map((shadow) => shadow.line));

  const refUsers = new Map<string, string[]>();
  for (const entry of catalog.entries) {
    if (entry.ref !== undefined) refUsers.set(entry.ref, [...(refUsers.get(entry.ref) ?? []), entry.id]);
  }
  for (const [ref, ids] of refUsers) {
    if (ids.length > 1) notes.push(`${ref} is covered by ${ids.length} entries: ${ids.join(', ')}`);
  }

  const coverage = catalog.apps.map((app) => {
    const entries = catalog.entries.filter((entry) => entry.app === app.id);
    const refs = [...new Set(entries.flatMap((entry) => (entry.ref === undefined ? [] : [entry.ref])))].sort();
    return { app: app.id, name: app.name, entries: entries.length, refs };
  });
  const missingRefs = REFERENCE_REFS.filter((ref) => !refUsers.has(ref));
  return { errors, shadows, notes, shared, coverage, missingRefs, totalEntries: catalog.entries.length };
}

function compactRefs(refs: string[]): string {
  return refs.length === 0 ? '-' : refs.join(' ');
}

/** Prints a report; returns the exit code (1 when there are errors or shadows). */
export function printReport(report: LintReport, io: LintOutput): number {
  const idWidth = Math.max(3, ...report.coverage.map((row) => row.app.length));
  io.out('Coverage');
  io.out(`  ${'app'.padEnd(idWidth)}  entries  refs`);
  for (const row of report.coverage) {
    io.out(`  ${row.app.padEnd(idWidth)}  ${String(row.entries).padStart(7)}  ${compactRefs(row.refs)}`);
  }
  const covered = REFERENCE_REFS.length - report.missingRefs.length;
  io.out(
    `  total: ${report.totalEntries} entries in ${report.coverage.length} apps; ${covered} of ${REFERENCE_REFS.length} reference rows covered; missing: ${report.missingRefs.length === 0 ? 'none' : report.missingRefs.join(' ')}`,
  );
  for (const { message, apps } of report.shared) {
    io.out(`shared: "${message.split('\n')[0]}" is shown by ${apps.join(', ')} (the user is asked which app)`);
  }
  for (const note of report.notes) io.out(`note: ${note}`);
  for (const shadow of report.shadows) io.err(`shadow: ${shadow}`);
  for (const error of report.errors) io.err(`error: ${error}`);
  const failed = report.errors.length + report.shadows.length;
  if (failed === 0) {
    io.out('Catalog OK');
    return 0;
  }
  io.err(`Catalog has ${report.errors.length} error(s) and ${report.shadows.length} shadowing problem(s)`);
  return 1;
}

const usage = 'Usage: npm run catalog:lint -- [--extra DIR] [--dir DIR] [--write-schema]';

/** The CLI; returns the exit code. `io` is injectable so tests can read what a user would see. */
export function main(argv: string[], io: LintOutput = { out: console.log, err: console.error }): number {
  let values: { extra?: string; dir?: string; 'write-schema'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        extra: { type: 'string' },
        dir: { type: 'string' },
        'write-schema': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.err(error instanceof Error ? error.message : String(error));
    io.err(usage);
    return 2;
  }
  if (values.help) {
    io.out(usage);
    return 0;
  }
  try {
    if (values['write-schema']) {
      const target = path.join(defaultCatalogDir(), 'schema.json');
      writeFileSync(target, `${JSON.stringify(catalogJsonSchema(), null, 2)}\n`);
      io.out('Wrote catalog/schema.json');
    }
    const inspection = inspectCatalog({
      ...(values.dir !== undefined ? { dir: values.dir } : {}),
      ...(values.extra !== undefined ? { extraDir: values.extra } : {}),
    });
    const builtin = inspection.files.filter((file) => file.origin === 'builtin').length;
    const extra = inspection.files.length - builtin;
    io.out(
      `Checked ${builtin} built-in file(s)${values.extra !== undefined ? ` and ${extra} extra file(s) from ${values.extra}` : ''}`,
    );
    return printReport(lintCatalog(inspection), io);
  } catch (error) {
    io.err(isCodedError(error) ? error.message : `catalog lint failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (isEntryPoint(import.meta.url)) {
  // `npm run catalog:lint | head` closes the pipe early; that is not a lint failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  process.exitCode = main(process.argv.slice(2));
}
