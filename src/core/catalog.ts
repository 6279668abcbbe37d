// Loads the error catalog: catalog/*.yaml (one file per app) plus an organisation's extra folder,
// validates every file against one zod schema, and builds the immutable Catalog the matcher reads.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

const text = z.string().trim().min(1, 'must not be empty');
const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lowercase slug such as box-invalid-refresh-token');
const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https:// URL' });

const signalsFields = {
  codes: z
    .array(z.string().regex(/^[A-Za-z0-9_]+$/, 'must be one token such as AADSTS70008 or E0000011'))
    .describe('Error codes, matched as whole tokens, case-insensitively: AADSTS70008, AF20012, E0000011, INVALID_SESSION_ID.'),
  exceptions: z
    .array(
      z
        .string()
        .regex(
          /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/,
          'must be a class name, simple or qualified, such as TokenRefreshException',
        ),
    )
    .describe('Exception class names, simple and qualified.'),
  statuses: z
    .array(z.number().int().min(100).max(599))
    .describe('HTTP statuses the error carries. Shared statuses (401, 403) never decide alone.'),
  phrases: z.array(text).describe('Vendor and portal wording: invalid_grant, Invalid refresh token, team_not_authorized.'),
  hosts: z
    .array(
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
  steps: z.array(text).min(1, 'needs at least one step').describe('Ordered, actionable steps.'),
  supportCase: text.optional().describe('When to open a Microsoft support case.'),
});

const entrySchema = z.strictObject({
  id: slug.describe('Unique across the whole catalog, extras included.'),
  ref: z
    .string()
    .regex(/^mda-\d{2}$/, 'must look like mda-05')
    .optional()
    .describe("Row of Microsoft's troubleshooting table (mda-01..mda-36); absent for local additions."),
  message: z.string().min(1, 'must not be empty').describe('The error exactly as the portal shows it.'),
  signals: signalsSchema.default({ codes: [], exceptions: [], statuses: [], phrases: [], hosts: [] }),
  cause: text.describe('Why it happens, in our own words.'),
  resolution: resolutionSchema,
  learnMore: httpsUrl.optional().describe("Defaults to the app's learnMore."),
});

const overrideSchema = z
  .strictObject({
    id: slug.describe('Id of an existing entry (built-in or extra).'),
    cause: text.optional(),
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
  name: text.optional().describe('Display name; present only where the app is defined.'),
  aliases: z.array(text).default([]).describe('Other names people use, matched case- and space-insensitively.'),
  hints: z.array(text).default([]).describe('Substrings of a paste that point at this app: hosts, package names.'),
  learnMore: httpsUrl.optional().describe('The current learn.microsoft.com page for this connector.'),
});

export const catalogFileSchema = z
  .strictObject({
    app: appSchema.optional(),
    entries: z.array(entrySchema).default([]),
    overrides: z.array(overrideSchema).default([]).describe('Changes to existing entries, by id.'),
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

function parseFile(fullPath: string, file: string, origin: CatalogOrigin, problems: CatalogProblem[]): ParsedFile | undefined {
  let source: string;
  try {
    source = readFileSync(fullPath, 'utf8');
  } catch {
    problems.push({ file, message: 'cannot be read' });
    return undefined;
  }
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
  const raw: unknown = doc.toJS();
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
