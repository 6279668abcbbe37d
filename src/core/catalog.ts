// Loads the error catalog: catalog/*.yaml (one file per app) plus an organisation's extra folder,
// validates every file against one zod schema, and builds the immutable Catalog the matcher reads.
import { defaultCatalogDir, defaultSnapshotFile, readCatalogFolder, readParseSnapshot, type CatalogOrigin, type ParsedFile } from './catalog-files.js';
import { CATALOG_LIMITS, signalsFields, type OverrideSpec } from './catalog-schema.js';
import { CatalogError, type CatalogProblem } from './errors.js';
import type { AppInfo, Catalog, CatalogEntry, Resolution, Signals } from './types.js';

// The file format lives in catalog-schema.ts and file reading in catalog-files.ts; what other
// modules used from here stays importable from here.
export { CATALOG_LIMITS, catalogJsonSchema } from './catalog-schema.js';
export { defaultCatalogDir, defaultSnapshotFile, packageRoot, type CatalogOrigin } from './catalog-files.js';

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


/** App id of errors any connector can show. */
export const ALL_APPS_ID = 'all-apps';

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

/** How the card-size problem ends: overrides that cause it are blamed for it (blameOverrides). */
const CARD_LIMIT_WORDS = 'fit on one card';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * Every reason the apps and entries cannot form a catalog (empty when they can). `nameSource`
 * says which file gave an app one of its names or hints (an organisation file may add aliases to
 * a built-in app), so a problem with it names that file rather than the app's own.
 */
export function checkCatalog(
  apps: readonly AppInfo[],
  entries: readonly CatalogEntry[],
  nameSource: (appId: string, name: string) => { file: string; extra: boolean } | undefined = () => undefined,
): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const appIds = new Set<string>();
  const nameOwner = new Map<string, string>();
  const sourceFile = (appId: string, name: string, file: string) => nameSource(appId, name)?.file ?? file;
  for (const app of apps) {
    const file = `app ${app.id}`;
    if (appIds.has(app.id)) problems.push({ file, message: `app id ${app.id} is defined twice` });
    appIds.add(app.id);
    for (const hint of app.hints) {
      if (productHintSet.has(hint.toLowerCase())) {
        problems.push({ file: sourceFile(app.id, hint, file), field: 'hints', message: `"${hint}" belongs to the product itself and appears in every app's errors` });
      }
    }
  }
  // The built-in names claim their keys first, so a clash with a name an organisation file added
  // is reported against that file, whatever order the apps come in.
  const named = apps.flatMap((app) => [app.id, app.name, ...app.aliases].map((name) => ({ app, name, extra: nameSource(app.id, name)?.extra ?? false })));
  named.sort((a, b) => Number(a.extra) - Number(b.extra));
  for (const { app, name } of named) {
    const file = sourceFile(app.id, name, `app ${app.id}`);
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
        message: `message, cause, steps and support case hold ${shown} characters together; at most ${CATALOG_LIMITS.entryText} ${CARD_LIMIT_WORDS}`,
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


export interface LoadCatalogOptions {
  /** Folder of the built-in catalog; default: the package's own catalog/ folder. */
  dir?: string;
  /** An organisation's folder of additions and overrides (CATALOG_EXTRA_DIR). */
  extraDir?: string;
  /**
   * The parse snapshot `npm run build` writes (catalog-files.ts): files whose content it records
   * skip the YAML parser. Default: the package's own (none before a build); false: parse everything.
   */
  snapshot?: string | false;
}

export interface AppliedOverride {
  file: string;
  id: string;
  fields: string[];
}

/** A name or hint an app got from a file: which file, and whether it is the organisation's. */
export interface AppNameSource {
  app: string;
  name: string;
  kind: 'name' | 'alias' | 'hint';
  file: string;
  origin: CatalogOrigin;
}

/** Everything the loader learned, for the lint: the catalog (from the valid parts) and the problems. */
export interface CatalogInspection {
  catalog: Catalog;
  problems: CatalogProblem[];
  files: { file: string; origin: CatalogOrigin }[];
  /** Where each entry came from. */
  origins: ReadonlyMap<string, CatalogOrigin>;
  overrides: AppliedOverride[];
  /** Where each app's name, aliases and hints came from. */
  names: AppNameSource[];
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
  const snapshot = options.snapshot === false ? undefined : readParseSnapshot(options.snapshot ?? defaultSnapshotFile());
  for (const { dir, display, origin } of dirs) {
    const folder = readCatalogFolder(dir, display, origin, problems, snapshot);
    files.push(...folder.files);
    parsed.push(...folder.parsed);
  }

  // Apps first, so that a file may add entries to an app defined in a file read after it.
  const apps = new Map<string, AppInfo>();
  const appFile = new Map<string, string>();
  const names: AppNameSource[] = [];
  const noteNames = (app: { id: string; name?: string | undefined; aliases: string[]; hints: string[] }, file: string, origin: CatalogOrigin) => {
    if (app.name !== undefined) names.push({ app: app.id, name: app.name, kind: 'name', file, origin });
    for (const name of app.aliases) names.push({ app: app.id, name, kind: 'alias', file, origin });
    for (const name of app.hints) names.push({ app: app.id, name, kind: 'hint', file, origin });
  };
  for (const { file, origin, data } of parsed) {
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
    noteNames(app, file, origin);
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
    noteNames({ ...app, aliases: app.aliases.filter((a) => !known.aliases.includes(a)), hints: app.hints.filter((h) => !known.hints.includes(h)) }, item.file, item.origin);
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
  const nameSource = (appId: string, name: string) => {
    const found = names.find((n) => n.app === appId && n.name === name);
    return found && { file: found.file, extra: found.origin === 'extra' };
  };
  const consistency = checkCatalog(appList, entries, nameSource).map((problem) =>
    problem.file.startsWith('app ') ? { ...problem, file: appFile.get(problem.file.slice(4)) ?? problem.file } : blameOverrides(problem, overrides),
  );
  problems.push(...consistency);
  return { catalog: makeCatalog(appList, entries), problems, files, origins, overrides, names };
}

/** Fields an override can change that a card shows (and so count towards its size). */
const SHOWN_FIELDS = new Set(['cause', 'resolution.steps', 'resolution.supportCase']);

/**
 * A problem found in an entry after overrides were applied (a card grown past its limit) is the
 * overriding files' doing: name them, and the entry's own file as where the entry lives.
 */
function blameOverrides(problem: CatalogProblem, overrides: readonly AppliedOverride[]): CatalogProblem {
  if (problem.entry === undefined || !problem.message.includes(CARD_LIMIT_WORDS)) return problem;
  const files = [...new Set(overrides.filter((o) => o.id === problem.entry && o.fields.some((f) => SHOWN_FIELDS.has(f))).map((o) => o.file))];
  if (files.length === 0) return problem;
  return {
    file: files.join(', '),
    entry: `override ${problem.entry}`,
    message: `${problem.message} once overridden (the entry itself is in ${problem.file})`,
  };
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
