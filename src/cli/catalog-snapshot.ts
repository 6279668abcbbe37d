// Run by `npm run build` (node dist/src/cli/catalog-snapshot.js): records the parsed data of the
// built-in catalog's YAML files, by content, so that start-up skips the YAML parser for them
// (catalog-files.ts says why it gives the same catalog). Never fails the build: without the
// snapshot every file is simply parsed.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultCatalogDir, defaultSnapshotFile } from '../core/catalog.js';
import { buildParseSnapshot } from '../core/catalog-files.js';
import { isEntryPoint } from '../entry-point.js';

export function writeCatalogSnapshot(dir = defaultCatalogDir(), file = defaultSnapshotFile()): number {
  const snapshot = buildParseSnapshot(dir);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(snapshot)}\n`);
  return Object.keys(snapshot).length;
}

if (isEntryPoint(import.meta.url)) {
  try {
    writeCatalogSnapshot();
  } catch (error) {
    process.stderr.write(`catalog snapshot not written (${error instanceof Error ? error.message : String(error)}); the catalog will be parsed at start\n`);
  }
}
