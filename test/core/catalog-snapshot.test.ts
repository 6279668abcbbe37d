// The parse snapshot (catalog-files.ts): a file whose exact content was recorded at build time
// skips the YAML parser and gives the same catalog; any other content is parsed as always.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultCatalogDir, inspectCatalog } from '../../src/core/catalog.js';
import { buildParseSnapshot, snapshotKey } from '../../src/core/catalog-files.js';
import { writeCatalogSnapshot } from '../../src/build-snapshots.js';

const work = mkdtempSync(path.join(tmpdir(), 'catalog-snapshot-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('catalog parse snapshot', () => {
  it('the built-in catalog from the snapshot is the catalog the YAML parser gives', () => {
    const file = path.join(work, 'builtin.json');
    expect(writeCatalogSnapshot(defaultCatalogDir(), file)).toBeGreaterThan(5);
    const parsed = inspectCatalog({ snapshot: false });
    const fromSnapshot = inspectCatalog({ snapshot: file });
    expect(parsed.problems).toEqual([]);
    expect(fromSnapshot.problems).toEqual([]);
    expect(fromSnapshot.catalog.apps).toEqual(parsed.catalog.apps);
    expect(fromSnapshot.catalog.entries).toEqual(parsed.catalog.entries);
    expect(fromSnapshot.overrides).toEqual(parsed.overrides);
  });

  it('a record is used only for the very content it was made from; broken files are never recorded', () => {
    const dir = path.join(work, 'catalog');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    copyFileSync(path.join(defaultCatalogDir(), 'box.yaml'), path.join(dir, 'box.yaml'));
    writeFileSync(path.join(dir, 'broken.yaml'), 'app: [unclosed\n');
    const snapshot = buildParseSnapshot(dir);
    const source = readFileSync(path.join(dir, 'box.yaml'), 'utf8');
    expect(Object.keys(snapshot)).toEqual([snapshotKey(source)]);

    // A record that says something else for this content proves the record is what was read...
    const marked = structuredClone(snapshot[snapshotKey(source)]) as { entries: { cause: string }[] };
    marked.entries[0]!.cause = 'from the snapshot';
    const file = path.join(work, 'marked.json');
    writeFileSync(file, JSON.stringify({ [snapshotKey(source)]: marked }));
    rmSync(path.join(dir, 'broken.yaml'));
    const hit = inspectCatalog({ dir, snapshot: file });
    expect(hit.catalog.entry('box-invalid-refresh-token')?.cause).toBe('from the snapshot');

    // ...and an edited file (one character) is parsed, not read from it.
    writeFileSync(path.join(dir, 'box.yaml'), `${source}\n`);
    const miss = inspectCatalog({ dir, snapshot: file });
    expect(miss.catalog.entry('box-invalid-refresh-token')?.cause).toMatch(/^Box no longer accepts/);
  });

  it('a missing or unreadable snapshot parses everything', () => {
    const file = path.join(work, 'garbage.json');
    writeFileSync(file, '{ not json');
    expect(inspectCatalog({ snapshot: file }).catalog.entries).toEqual(inspectCatalog({ snapshot: false }).catalog.entries);
    expect(inspectCatalog({ snapshot: path.join(work, 'none.json') }).problems).toEqual([]);
  });
});
