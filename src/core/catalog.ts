// Loads the error catalog: catalog/*.yaml (one file per app) plus an organisation's extra folder,
// validates every file against one zod schema, and builds the immutable Catalog the matcher reads.
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { CatalogError, type CatalogProblem } from './errors.js';
import type { Actor, AppInfo, Catalog, CatalogEntry, Resolution, Signals } from './types.js';

/**
 * Names of the product itself (not an app of the catalog). A paste saying "MCAS shows ..." says
 * nothing about which connector failed, so the matcher must not read these as app hints.
 */
export const PRODUCT_ALIASES: readonly string[] = Object.freeze([
  'Microsoft Defender for Cloud Apps',
  'Defender for Cloud Apps',
  'MDA',
  'MDCA',
  'Microsoft Cloud App Security',
  'Cloud App Security',
  'MCAS',
  'Adallom',
]);

/** Package and host names of the product itself, found in every connector's stack traces. */
export const PRODUCT_HINTS: readonly string[] = Object.freeze([
  'com.adallom',
  'adallom',
  'cloudappsecurity.com',
  'portal.cloudappsecurity.com',
  'security.microsoft.com',
]);

/** Rows of Microsoft's "Troubleshoot App Connector errors" table the built-in catalog covers. */
export const REFERENCE_REFS: readonly string[] = Object.freeze(
  Array.from({ length: 36 }, (_, i) => `mda-${String(i + 1).padStart(2, '0')}`),
);

export const ACTORS = ['app-admin', 'mda-admin', 'microsoft-support', 'anyone'] as const satisfies readonly Actor[];

/** App id of errors any connector can show. */
export const ALL_APPS_ID = 'all-apps';

// ---------------------------------------------------------------------------------------------
// File format

/**
 * Limits that keep catalog text data, not a weapon: a card must stay under Teams' 28 KB, a
 * stored escalation small, and an organisation file cannot make the bot read without end.
 */
export const CATALOG_LIMITS = Object.freeze({
  /** Bytes of one catalog file. The largest built-in file is about 11 KB. */
  fileBytes: 256 * 1024,
  /** YAML aliases (*ref) one file may expand; a few are handy, thousands are an attack. */
  yamlAliases: 50,
  message: 2000,
  cause: 2000,
  step: 1000,
  steps: 12,
  supportCase: 1000,
  /** Names, aliases, hints and phrases. */
  name: 200,
  /** Items in one list (aliases, hints, each kind of signal). */
  listItems: 50,
  /** Entries in one file. */
  entries: 500,
  /** Characters of message, cause, steps and support case together: what one card shows. */
  entryText: 8000,
});

const text = z.string().trim().min(1, 'must not be empty');
const capped = (max: number) => text.max(max, `is longer than ${max} characters (cards must stay under 28 KB)`);
const list = <T extends z.ZodType>(item: T) => z.array(item).max(CATALOG_LIMITS.listItems, `has more than ${CATALOG_LIMITS.listItems} items`);

/**
 * Whether a message, alias, hint or phrase carries a word: reduced to letters and digits it keeps
 * at least three. "(a+)+$" reduces to "a", which every sentence contains.
 */
export function carriesWords(value: string): boolean {
  return value.normalize('NFKC').replace(/[^\p{L}\p{N}]+/gu, '').length >= 3;
}
const worded = (max: number) => capped(max).refine(carriesWords, 'must carry a word of at least three letters or digits (it would match nearly every paste)');
const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lowercase slug such as box-invalid-refresh-token');
const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https:// URL' });

const signalsFields = {
  codes: list(z.string().regex(/^[A-Za-z0-9_]+$/, 'must be one token such as AADSTS70008 or E0000011').refine(carriesWords, 'must be at least three letters or digits'))
    .describe('Error codes, matched as whole tokens, case-insensitively: AADSTS70008, AF20012, E0000011, INVALID_SESSION_ID.'),
  exceptions: list(
      z
        .string()
        .regex(
          /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/,
          'must be a class name, simple or qualified, such as TokenRefreshException',
        )
        .max(CATALOG_LIMITS.name, `is longer than ${CATALOG_LIMITS.name} characters`)
        .refine(carriesWords, 'must be at least three letters or digits'),
    )
    .describe('Exception class names, simple and qualified.'),
  statuses: list(z.number().int().min(100).max(599))
    .describe('HTTP statuses the error carries. Shared statuses (401, 403) never decide alone.'),
  phrases: list(worded(CATALOG_LIMITS.name)).describe('Vendor and portal wording: invalid_grant, Invalid refresh token, team_not_authorized.'),
  hosts: list(
      z
        .string()
        .regex(
          /^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/,
          'must be a lowercase host name, optionally starting with *. for any subdomain',
        ),
    )
    .describe('Upstream API hosts; *.example.com means any subdomain of example.com.'),
};

const signalsSchema = z
  .strictObject({
    codes: signalsFields.codes.default([]),
    exceptions: signalsFields.exceptions.default([]),
    statuses: signalsFields.statuses.default([]),
    phrases: signalsFields.phrases.default([]),
    hosts: signalsFields.hosts.default([]),
  })
  .describe('What makes real pastes match beyond the portal wording.');

const resolutionSchema = z.strictObject({
  actor: z.enum(ACTORS).describe('Who performs the steps.'),
  retryHelps: z.boolean().describe('Whether Test now, or simply waiting, can clear the error.'),
  steps: z
    .array(capped(CATALOG_LIMITS.step))
    .min(1, 'needs at least one step')
    .max(CATALOG_LIMITS.steps, `has more than ${CATALOG_LIMITS.steps} steps`)
    .describe('Ordered, actionable steps.'),
  supportCase: capped(CATALOG_LIMITS.supportCase).optional().describe('When to open a Microsoft support case.'),
});

const entrySchema = z.strictObject({
  id: slug.describe('Unique across the whole catalog, extras included.'),
  ref: z
    .string()
    .regex(/^mda-\d{2}$/, 'must look like mda-05')
    .optional()
    .describe("Row of Microsoft's troubleshooting table (mda-01..mda-36); absent for local additions."),
  message: z
    .string()
    .min(1, 'must not be empty')
    .max(CATALOG_LIMITS.message, `is longer than ${CATALOG_LIMITS.message} characters (cards must stay under 28 KB)`)
    .refine(carriesWords, 'must carry a word of at least three letters or digits (it would match nearly every paste)')
    .describe('The error exactly as the portal shows it.'),
  signals: signalsSchema.default({ codes: [], exceptions: [], statuses: [], phrases: [], hosts: [] }),
  cause: capped(CATALOG_LIMITS.cause).describe('Why it happens, in our own words.'),
  resolution: resolutionSchema,
  learnMore: httpsUrl.optional().describe("Defaults to the app's learnMore."),
});

const overrideSchema = z
  .strictObject({
    id: slug.describe('Id of an existing entry (built-in or extra).'),
    cause: capped(CATALOG_LIMITS.cause).optional(),
    resolution: resolutionSchema.partial().optional().describe('Fields given replace the entry’s fields.'),
    learnMore: httpsUrl.optional(),
    addSignals: z
      .strictObject({
        codes: signalsFields.codes.optional(),
        exceptions: signalsFields.exceptions.optional(),
        statuses: signalsFields.statuses.optional(),
        phrases: signalsFields.phrases.optional(),
        hosts: signalsFields.hosts.optional(),
      })
      .optional()
      .describe('Signals appended to the entry’s own.'),
  })
  .superRefine((value, ctx) => {
    if (!value.cause && !value.resolution && !value.learnMore && !value.addSignals) {
      ctx.addIssue({ code: 'custom', message: 'changes nothing: give cause, resolution, learnMore or addSignals' });
    }
  });

const appSchema = z.strictObject({
  id: slug.describe('Stable app id; a file with only the id adds to an app defined elsewhere.'),
  name: capped(CATALOG_LIMITS.name).optional().describe('Display name; present only where the app is defined.'),
  aliases: list(worded(CATALOG_LIMITS.name)).default([]).describe('Other names people use, matched case- and space-insensitively.'),
  hints: list(worded(CATALOG_LIMITS.name)).default([]).describe('Substrings of a paste that point at this app: hosts, package names.'),
  learnMore: httpsUrl.optional().describe('The current learn.microsoft.com page for this connector.'),
});

export const catalogFileSchema = z
  .strictObject({
    app: appSchema.optional(),
    entries: z.array(entrySchema).max(CATALOG_LIMITS.entries, `has more than ${CATALOG_LIMITS.entries} entries`).default([]),
    overrides: z.array(overrideSchema).max(CATALOG_LIMITS.entries, `has more than ${CATALOG_LIMITS.entries} overrides`).default([]).describe('Changes to existing entries, by id.'),
  })
  .superRefine((file, ctx) => {
    if (file.app?.name !== undefined && file.app.learnMore === undefined) {
      ctx.addIssue({ code: 'custom', path: ['app', 'learnMore'], message: 'is required where an app is defined' });
    }
    if (file.entries.length > 0 && file.app === undefined) {
      ctx.addIssue({ code: 'custom', path: ['app'], message: 'is required when the file has entries' });
    }
  })
  .meta({
    title: 'Connector Doctor catalog file',
    description: 'One app of the error catalog with its entries, or additions and overrides from an organisation.',
  });

export type CatalogFile = z.output<typeof catalogFileSchema>;
type OverrideSpec = CatalogFile['overrides'][number];

/** JSON Schema of a catalog file, for editors (catalog/schema.json). */
export function catalogJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(catalogFileSchema, { io: 'input' }),
    $id: 'https://connector-doctor.local/catalog/schema.json',
  };
}

// ---------------------------------------------------------------------------------------------
// Names

/** Key under which app names and aliases are compared: case, spaces and punctuation ignored. */
export function appNameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Key under which two messages count as the same error (lint's shadow check). */
export function messageKey(message: string): string {
  return message.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

const productKeys = new Set(PRODUCT_ALIASES.map(appNameKey));
const productHintSet = new Set(PRODUCT_HINTS.map((hint) => hint.toLowerCase()));

// ---------------------------------------------------------------------------------------------
// Building the catalog

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Every reason the apps and entries cannot form a catalog (empty when they can). */
export function checkCatalog(apps: readonly AppInfo[], entries: readonly CatalogEntry[]): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const appIds = new Set<string>();
  const nameOwner = new Map<string, string>();
  for (const app of apps) {
    const file = `app ${app.id}`;
    if (appIds.has(app.id)) problems.push({ file, message: `app id ${app.id} is defined twice` });
    appIds.add(app.id);
    for (const hint of app.hints) {
      if (productHintSet.has(hint.toLowerCase())) {
        problems.push({ file, field: 'hints', message: `"${hint}" belongs to the product itself and appears in every app's errors` });
      }
    }
    for (const name of [app.id, app.name, ...app.aliases]) {
      const key = appNameKey(name);
      if (key === '') continue;
      if (productKeys.has(key)) {
        problems.push({ file, field: 'aliases', message: `"${name}" names the product itself, not an app` });
        continue;
      }
      const owner = nameOwner.get(key);
      if (owner !== undefined && owner !== app.id) {
        problems.push({ file, field: 'aliases', message: `"${name}" already names app ${owner}` });
      } else {
        nameOwner.set(key, app.id);
      }
    }
  }
  const entryFile = new Map<string, string>();
  for (const entry of entries) {
    const file = entry.source || '(in memory)';
    const earlier = entryFile.get(entry.id);
    if (earlier !== undefined) {
      problems.push({
        file,
        entry: entry.id,
        message: `id already defined in ${earlier}; to change that entry use overrides:`,
      });
    } else {
      entryFile.set(entry.id, file);
    }
    if (!appIds.has(entry.app)) {
      problems.push({ file, entry: entry.id, field: 'app', message: `unknown app ${entry.app}` });
    }
    // Overrides can lengthen an entry after its file was checked: what one card shows is checked here.
    const shown = [entry.message, entry.cause, ...entry.resolution.steps, entry.resolution.supportCase ?? ''].reduce((n, part) => n + part.length, 0);
    if (shown > CATALOG_LIMITS.entryText) {
      problems.push({
        file,
        entry: entry.id,
        message: `message, cause, steps and support case hold ${shown} characters together; at most ${CATALOG_LIMITS.entryText} fit on one card`,
      });
    }
  }
  return problems;
}

function makeCatalog(apps: readonly AppInfo[], entries: readonly CatalogEntry[]): Catalog {
  const frozenApps = deepFreeze(apps.map((app) => ({ ...app, aliases: [...app.aliases], hints: [...app.hints] })));
  const frozenEntries = deepFreeze(entries.map((entry) => structuredClone(entry)));
  const byName = new Map<string, AppInfo>();
  for (const app of frozenApps) {
    for (const name of [app.id, app.name, ...app.aliases]) {
      const key = appNameKey(name);
      if (key !== '' && !byName.has(key)) byName.set(key, app);
    }
  }
  const byId = new Map<string, CatalogEntry>();
  for (const entry of frozenEntries) if (!byId.has(entry.id)) byId.set(entry.id, entry);
  return Object.freeze({
    apps: frozenApps,
    entries: frozenEntries,
    app: (idNameOrAlias: string) => byName.get(appNameKey(idNameOrAlias)),
    entry: (id: string) => byId.get(id),
  });
}

/**
 * A catalog from apps and entries already in memory (tests, benchmarks). Throws CatalogError on
 * duplicate ids, entries of unknown apps, or an alias that names two apps.
 */
export function buildCatalog(apps: AppInfo[], entries: CatalogEntry[]): Catalog {
  const problems = checkCatalog(apps, entries);
  if (problems.length > 0) throw new CatalogError(problems);
  return makeCatalog(apps, entries);
}

// ---------------------------------------------------------------------------------------------
// Loading from folders

export type CatalogOrigin = 'builtin' | 'extra';

export interface LoadCatalogOptions {
  /** Folder of the built-in catalog; default: the package's own catalog/ folder. */
  dir?: string;
  /** An organisation's folder of additions and overrides (CATALOG_EXTRA_DIR). */
  extraDir?: string;
}

export interface AppliedOverride {
  file: string;
  id: string;
  fields: string[];
}

/** Everything the loader learned, for the lint: the catalog (from the valid parts) and the problems. */
export interface CatalogInspection {
  catalog: Catalog;
  problems: CatalogProblem[];
  files: { file: string; origin: CatalogOrigin }[];
  /** Where each entry came from. */
  origins: ReadonlyMap<string, CatalogOrigin>;
  overrides: AppliedOverride[];
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

interface ParsedFile {
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

interface DraftEntry extends Omit<CatalogEntry, 'learnMore'> {
  learnMore: string | undefined;
}

function applyOverride(entry: DraftEntry, spec: OverrideSpec): string[] {
  const fields: string[] = [];
  if (spec.cause !== undefined) {
    entry.cause = spec.cause;
    fields.push('cause');
  }
  if (spec.learnMore !== undefined) {
    entry.learnMore = spec.learnMore;
    fields.push('learnMore');
  }
  if (spec.resolution !== undefined) {
    const { steps, actor, retryHelps, supportCase } = spec.resolution;
    const next: Resolution = { ...entry.resolution };
    if (steps !== undefined) next.steps = steps;
    if (actor !== undefined) next.actor = actor;
    if (retryHelps !== undefined) next.retryHelps = retryHelps;
    if (supportCase !== undefined) next.supportCase = supportCase;
    fields.push(...Object.keys(spec.resolution).map((key) => `resolution.${key}`));
    entry.resolution = next;
  }
  if (spec.addSignals !== undefined) {
    const next: Signals = { ...entry.signals };
    for (const key of Object.keys(signalsFields) as (keyof Signals)[]) {
      const added = spec.addSignals[key];
      if (added === undefined || added.length === 0) continue;
      const merged: (string | number)[] = [...next[key]];
      for (const value of added) if (!merged.includes(value)) merged.push(value);
      (next as unknown as Record<string, (string | number)[]>)[key] = merged;
      fields.push(`signals.${key}`);
    }
    entry.signals = next;
  }
  return fields;
}

/**
 * Reads and validates every file, collecting all problems instead of stopping at the first.
 * The catalog returned is built from the parts that were valid; `loadCatalog` refuses it when
 * anything was wrong.
 */
export function inspectCatalog(options: LoadCatalogOptions = {}): CatalogInspection {
  const problems: CatalogProblem[] = [];
  const dirs: { dir: string; display: string; origin: CatalogOrigin }[] = [
    options.dir !== undefined
      ? { dir: options.dir, display: options.dir, origin: 'builtin' }
      : { dir: defaultCatalogDir(), display: 'catalog', origin: 'builtin' },
  ];
  if (options.extraDir !== undefined) dirs.push({ dir: options.extraDir, display: options.extraDir, origin: 'extra' });

  const parsed: ParsedFile[] = [];
  const files: CatalogInspection['files'] = [];
  for (const { dir, display, origin } of dirs) {
    for (const name of listYamlFiles(dir, display, problems)) {
      const file = path.join(display, name);
      files.push({ file, origin });
      const result = parseFile(path.join(dir, name), file, origin, problems);
      if (result) parsed.push(result);
    }
  }

  // Apps first, so that a file may add entries to an app defined in a file read after it.
  const apps = new Map<string, AppInfo>();
  const appFile = new Map<string, string>();
  for (const { file, data } of parsed) {
    const app = data.app;
    if (app?.name === undefined || app.learnMore === undefined) continue;
    const earlier = appFile.get(app.id);
    if (earlier !== undefined) {
      problems.push({
        file,
        field: 'app.name',
        message: `app ${app.id} is already defined in ${earlier}; to add to it, give only app: { id: ${app.id} }`,
      });
      continue;
    }
    appFile.set(app.id, file);
    apps.set(app.id, { id: app.id, name: app.name, aliases: [...app.aliases], hints: [...app.hints], learnMore: app.learnMore });
  }
  const usable: ParsedFile[] = [];
  for (const item of parsed) {
    const app = item.data.app;
    if (app === undefined || app.name !== undefined) {
      usable.push(item);
      continue;
    }
    const known = apps.get(app.id);
    if (known === undefined) {
      problems.push({
        file: item.file,
        field: 'app.id',
        message: `unknown app ${app.id}; define it with name and learnMore, or use one of: ${[...apps.keys()].join(', ')}`,
      });
      continue;
    }
    for (const alias of app.aliases) if (!known.aliases.includes(alias)) known.aliases.push(alias);
    for (const hint of app.hints) if (!known.hints.includes(hint)) known.hints.push(hint);
    if (app.learnMore !== undefined) known.learnMore = app.learnMore;
    usable.push(item);
  }

  const drafts = new Map<string, DraftEntry>();
  const origins = new Map<string, CatalogOrigin>();
  for (const { file, origin, data } of usable) {
    if (data.app === undefined || !apps.has(data.app.id)) continue;
    for (const spec of data.entries) {
      const earlier = drafts.get(spec.id);
      if (earlier !== undefined) {
        problems.push({
          file,
          entry: spec.id,
          field: 'id',
          message: `already defined in ${earlier.source}; to change that entry, list it under overrides:`,
        });
        continue;
      }
      const entry: DraftEntry = {
        id: spec.id,
        app: data.app.id,
        message: spec.message,
        signals: spec.signals,
        cause: spec.cause,
        resolution: spec.resolution,
        learnMore: spec.learnMore,
        source: file,
      };
      if (spec.ref !== undefined) entry.ref = spec.ref;
      drafts.set(spec.id, entry);
      origins.set(spec.id, origin);
    }
  }

  const overrides: AppliedOverride[] = [];
  for (const { file, data } of usable) {
    for (const spec of data.overrides) {
      const target = drafts.get(spec.id);
      if (target === undefined) {
        problems.push({ file, entry: `override ${spec.id}`, field: 'id', message: 'no entry has this id' });
        continue;
      }
      overrides.push({ file, id: spec.id, fields: applyOverride(target, spec) });
    }
  }

  const entries: CatalogEntry[] = [];
  for (const draft of drafts.values()) {
    const app = apps.get(draft.app);
    entries.push({ ...draft, learnMore: draft.learnMore ?? app?.learnMore ?? '' });
  }
  const appList = [...apps.values()];
  const consistency = checkCatalog(appList, entries).map((problem) =>
    problem.file.startsWith('app ') ? { ...problem, file: appFile.get(problem.file.slice(4)) ?? problem.file } : problem,
  );
  problems.push(...consistency);
  return { catalog: makeCatalog(appList, entries), problems, files, origins, overrides };
}

/**
 * Loads the built-in catalog and, when given, an organisation's extra folder. Throws CatalogError
 * naming file, entry and field of every problem.
 */
export function loadCatalog(options: LoadCatalogOptions = {}): Catalog {
  const inspection = inspectCatalog(options);
  if (inspection.problems.length > 0) throw new CatalogError(inspection.problems);
  return inspection.catalog;
}
