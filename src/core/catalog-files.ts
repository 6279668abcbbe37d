// Reading catalog files from a folder as data: only regular files, a size cap, YAML alias limits,
// then the schema; every problem names the file (and entry and field). The one module of src/core/
// that touches the file system (eslint.config.js holds it to that): the catalog is read once, at
// load, and everything after it works on the parsed data.
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
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

/** Every *.yaml file of a folder, parsed; `display` is how problems name the folder. */
export function readCatalogFolder(
  dir: string,
  display: string,
  origin: CatalogOrigin,
  problems: CatalogProblem[],
): { files: { file: string; origin: CatalogOrigin }[]; parsed: ParsedFile[] } {
  const files: { file: string; origin: CatalogOrigin }[] = [];
  const parsed: ParsedFile[] = [];
  for (const name of listYamlFiles(dir, display, problems)) {
    const file = path.join(display, name);
    files.push({ file, origin });
    const result = parseFile(path.join(dir, name), file, origin, problems);
    if (result) parsed.push(result);
  }
  return { files, parsed };
}

function listYamlFiles(dir: string, display: string, problems: CatalogProblem[]): string[] {
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

function parseFile(fullPath: string, file: string, origin: CatalogOrigin, problems: CatalogProblem[]): ParsedFile | undefined {
  const source = readCatalogFile(fullPath, file, problems);
  if (source === undefined) return undefined;
  const doc = parseDocument(source, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const at = error.linePos?.[0];
      const where = at ? ` at line ${at.line}, column ${at.col}` : '';
      // prettyErrors appends the position and a code frame; keep only the reason.
      const what = (error.message.split('\n')[0] ?? 'invalid YAML').replace(/ at line \d+, column \d+:?$/, '');
      problems.push({ file, message: `YAML syntax error${where}: ${what}` });
    }
    return undefined;
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: CATALOG_LIMITS.yamlAliases });
  } catch (error) {
    // yaml refuses an alias bomb ("billion laughs") here; say which file.
    const excessive = error instanceof Error && /alias/i.test(error.message);
    problems.push({
      file,
      message: excessive ? `uses YAML aliases (*name) too often; at most ${CATALOG_LIMITS.yamlAliases} expansions are allowed` : 'cannot be read as YAML data',
    });
    return undefined;
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
