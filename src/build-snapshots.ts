// Run by `npm run build` (node dist/src/build-snapshots.js): records what start-up would otherwise
// compute from source files every time, keyed so that a changed source is never served stale:
// - dist/catalog-snapshot.json: the parsed data of the built-in catalog's YAML files, by content
//   (catalog-files.ts), so start-up skips the YAML parser for them;
// - dist/card-templates.json: adaptivecards-templating's parse of each card template, with the
//   template it came from (render.ts), so start-up does not load the templating library.
// Never fails the build: without a snapshot, start-up parses as before.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTemplateSnapshot } from './cards/render.js';
import { defaultCatalogDir, defaultSnapshotFile } from './core/catalog.js';
import { buildParseSnapshot } from './core/catalog-files.js';
import { isEntryPoint } from './entry-point.js';

function writeJson(file: string, data: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data)}\n`);
}

export function writeCatalogSnapshot(dir = defaultCatalogDir(), file = defaultSnapshotFile()): number {
  const snapshot = buildParseSnapshot(dir);
  writeJson(file, snapshot);
  return Object.keys(snapshot).length;
}

/** Where render.ts looks for it: dist/card-templates.json, beside dist/src/. */
export function defaultTemplateSnapshotFile(): string {
  return fileURLToPath(new URL('../card-templates.json', import.meta.url));
}

export function writeTemplateSnapshot(file = defaultTemplateSnapshotFile()): number {
  const snapshot = buildTemplateSnapshot();
  writeJson(file, snapshot);
  return Object.keys(snapshot).length;
}

if (isEntryPoint(import.meta.url)) {
  for (const [what, write] of [['catalog', () => writeCatalogSnapshot()], ['card template', () => writeTemplateSnapshot()]] as const) {
    try {
      write();
    } catch (error) {
      process.stderr.write(`${what} snapshot not written (${error instanceof Error ? error.message : String(error)}); start-up will parse instead\n`);
    }
  }
}
