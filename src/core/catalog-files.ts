// Reading catalog files from a folder as data: only regular files, a size cap, YAML alias limits,
// then the schema; every problem names the file (and entry and field). The one module of src/core/
// that touches the file system (eslint.config.js holds it to that): the catalog is read once, at
// load, and everything after it works on the parsed data.
import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { CATALOG_LIMITS, catalogFileSchema, type CatalogFile } from './catalog-schema.js';
import { CatalogError, type CatalogProblem } from './errors.js';

export type CatalogOrigin = 'builtin' | 'extra';

export interface ParsedFile {
  file: string;
  origin: CatalogOrigin;
  data: CatalogFile;
}

/** zod says "expected string, received undefined" for a missing field; say what it means. */
function requiredMessage(issue: { code: string; input?: unknown }): string | undefined {
  return issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined;
}

function issueLocation(raw: unknown, issuePath: readonly PropertyKey[]): { entry?: string; field: string } {
  const [top, index, ...rest] = issuePath;
  if ((top === 'entries' || top === 'overrides') && typeof index === 'number') {
    const list = (raw as Record<string, unknown> | null)?.[top];
    const item = Array.isArray(list) ? (list[index] as unknown) : undefined;
    const id = item !== null && typeof item === 'object' ? (item as Record<string, unknown>).id : undefined;
    const name = typeof id === 'string' && id !== '' ? id : `${top}[${index}]`;
    return { entry: top === 'overrides' ? `override ${name}` : name, field: formatPath(rest) };
  }
  return { field: formatPath(issuePath) };
}

function formatPath(parts: readonly PropertyKey[]): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** The package root: the first folder holding package.json above this module (src/ or dist/src/). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new CatalogError([{ file: 'catalog', message: 'cannot find the package folder holding catalog/' }]);
    }
    dir = parent;
  }
}

/** The built-in catalog folder. */
export function defaultCatalogDir(): string {
  return path.join(packageRoot(), 'catalog');
}

/** Where `npm run build` writes the parse snapshot of the built-in catalog. */
export function defaultSnapshotFile(): string {
  return path.join(packageRoot(), 'dist', 'catalog-snapshot.json');
}

/** Every *.yaml file of a folder, parsed; `display` is how problems name the folder. */
export function readCatalogFolder(
  dir: string,
  display: string,
  origin: CatalogOrigin,
  problems: CatalogProblem[],
  snapshot?: ParseSnapshot,
): { files: { file: string; origin: CatalogOrigin }[]; parsed: ParsedFile[] } {
  const files: { file: string; origin: CatalogOrigin }[] = [];
  const parsed: ParsedFile[] = [];
  for (const name of listYamlFiles(dir, display, problems)) {
    const file = path.join(display, name);
    files.push({ file, origin });
    const result = parseFile(path.join(dir, name), file, origin, problems, snapshot);
    if (result) parsed.push(result);
  }
  return { files, parsed };
}

export function listYamlFiles(dir: string, display: string, problems: CatalogProblem[]): string[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) {
      problems.push({ file: display, message: 'is not a folder' });
      return [];
    }
    names = readdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push({ file: display, message: code === 'ENOENT' ? 'folder not found' : 'folder cannot be read' });
    return [];
  }
  return names.filter((name) => /\.ya?ml$/i.test(name)).sort();
}

/**
 * A catalog file's text, read as data: only a regular file (or a link to one) is opened, never a
 * FIFO (which would hang start-up) or a device (/dev/zero would grow without end), and never more
 * than the size cap. Problems name the file.
 */
function readCatalogFile(fullPath: string, file: string, problems: CatalogProblem[]): string | undefined {
  const cap = CATALOG_LIMITS.fileBytes;
  let fd: number | undefined;
  try {
    const link = lstatSync(fullPath);
    const target = link.isSymbolicLink() ? statSync(fullPath) : link;
    if (!target.isFile()) {
      const what = target.isFIFO() ? 'a FIFO' : target.isCharacterDevice() || target.isBlockDevice() ? 'a device' : target.isDirectory() ? 'a folder' : 'not a regular file';
      problems.push({ file, message: `is ${link.isSymbolicLink() ? `a link to ${what}` : what}; catalog files must be regular files` });
      return undefined;
    }
    // O_NONBLOCK: should the file be swapped for a FIFO after the check, opening it still cannot hang.
    fd = openSync(fullPath, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) {
      problems.push({ file, message: 'is not a regular file; catalog files must be regular files' });
      return undefined;
    }
    const buffer = Buffer.alloc(cap + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length <= cap; length += read) read = readSync(fd, buffer, length, cap + 1 - length, null);
    if (length > cap) {
      problems.push({ file, message: `is larger than ${cap / 1024} KB; catalog files must be at most that` });
      return undefined;
    }
    return buffer.subarray(0, length).toString('utf8');
  } catch {
    problems.push({ file, message: 'cannot be read' });
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// The parse snapshot: YAML parsing is most of the catalog's load time (about 170 ms of a cold
// start for 88 KB, and the garbage it leaves grows the young heap). `npm run build` records, per
// file content (SHA-256), the data YAML parsing gave for every catalog file that parsed cleanly;
// a file whose content has a record skips the parser and takes the recorded data, which is what
// parsing that very text gives. Everything else (the file checks before, the schema after) runs
// as always, and a file with no record (edited since the build, an organisation's own) is parsed.
// The YAML library itself is loaded only for such a file.

export type ParseSnapshot = ReadonlyMap<string, unknown>;

export function snapshotKey(source: string): string {
  return createHash('sha256').update(source, 'utf8').digest('hex');
}

/** The YAML library, loaded on the first file the snapshot does not cover (none, at a normal start). */
let yamlLibrary: typeof import('yaml') | undefined;

/** YAML text to data, with the same limits as always; on a problem, it is pushed and `ok` is false. */
function parseYamlData(source: string, file: string, problems: CatalogProblem[]): { ok: true; raw: unknown } | { ok: false } {
  yamlLibrary ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const doc = yamlLibrary.parseDocument(source, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const at = error.linePos?.[0];
      const where = at ? ` at line ${at.line}, column ${at.col}` : '';
      // prettyErrors appends the position and a code frame; keep only the reason.
      const what = (error.message.split('\n')[0] ?? 'invalid YAML').replace(/ at line \d+, column \d+:?$/, '');
      problems.push({ file, message: `YAML syntax error${where}: ${what}` });
    }
    return { ok: false };
  }
  try {
    return { ok: true, raw: doc.toJS({ maxAliasCount: CATALOG_LIMITS.yamlAliases }) as unknown };
  } catch (error) {
    // yaml refuses an alias bomb ("billion laughs") here; say which file.
    const excessive = error instanceof Error && /alias/i.test(error.message);
    problems.push({
      file,
      message: excessive ? `uses YAML aliases (*name) too often; at most ${CATALOG_LIMITS.yamlAliases} expansions are allowed` : 'cannot be read as YAML data',
    });
    return { ok: false };
  }
}

/**
 * The snapshot of the YAML files in `dir`: content hash -> parsed data, for each file that parses
 * without a problem to data that JSON carries unchanged (anything else is left to the parser).
 */
export function buildParseSnapshot(dir: string): Record<string, unknown> {
  const snapshot: Record<string, unknown> = {};
  for (const name of listYamlFiles(dir, dir, [])) {
    const problems: CatalogProblem[] = [];
    const source = readCatalogFile(`${dir}/${name}`, name, problems);
    if (source === undefined) continue;
    const parsed = parseYamlData(source, name, problems);
    if (!parsed.ok || problems.length > 0) continue;
    const raw = parsed.raw;
    if (raw === null || raw === undefined) continue;
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(raw)) as unknown, raw)) continue;
    snapshot[snapshotKey(source)] = raw;
  }
  return snapshot;
}

/** Reads a snapshot file; none, or one that cannot be read, is an empty snapshot (everything is parsed). */
export function readParseSnapshot(file: string): ParseSnapshot {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) return new Map();
    return new Map(Object.entries(data as Record<string, unknown>));
  } catch {
    return new Map();
  }
}

export function parseFile(fullPath: string, file: string, origin: CatalogOrigin, problems: CatalogProblem[], snapshot?: ParseSnapshot): ParsedFile | undefined {
  const source = readCatalogFile(fullPath, file, problems);
  if (source === undefined) return undefined;
  let raw: unknown;
  const recorded = snapshot && snapshot.size > 0 ? snapshot.get(snapshotKey(source)) : undefined;
  if (recorded !== undefined) {
    // Not shared with anything: the snapshot is read afresh for every load.
    raw = recorded;
  } else {
    const parsed = parseYamlData(source, file, problems);
    if (!parsed.ok) return undefined;
    raw = parsed.raw;
  }
  if (raw === null || raw === undefined) {
    problems.push({ file, message: 'is empty' });
    return undefined;
  }
  const parsed = catalogFileSchema.safeParse(raw, { error: requiredMessage });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const location = issueLocation(raw, issue.path);
      const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
      problems.push({ file, ...location, message: `${issue.message}${keys}` });
    }
    return undefined;
  }
  return { file, origin, data: parsed.data };
}
