// `npm run package`: fills manifest/manifest.json from the environment, validates it offline
// against the schema it names, and writes build/connector-doctor.zip (manifest + icons at the root)
// ready to upload in the Teams admin center or to sideload.

import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { crc32, decodePng } from './icons.js';
import { isEntryPoint } from '../src/entry-point.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const MANIFEST_DIR = join(ROOT, 'manifest');
export const DEFAULT_OUT = join(ROOT, 'build', 'connector-doctor.zip');

/** Used only with --local: the Playground and local tests need no real registration. */
export const LOCAL_PLACEHOLDER_ID = '00000000-0000-4000-8000-00000000c0de';

const GUID = /^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;

/** An expected failure with a message meant for the person running the script. */
export class PackageError extends Error {
  override readonly name = 'PackageError';
}

export type Env = Record<string, string | undefined>;

/** The values substituted for `${{NAME}}` placeholders in manifest/manifest.json. */
export interface ManifestValues {
  BOT_ID: string;
  TEAMS_APP_ID: string;
  APP_VERSION: string;
  APP_DEVELOPER_NAME: string;
  APP_WEBSITE_URL: string;
  APP_PRIVACY_URL: string;
  APP_TERMS_URL: string;
}

/** Defaults for the developer block; fine for sideloading, replace them before publishing org-wide. */
export const DEVELOPER_DEFAULTS = {
  APP_DEVELOPER_NAME: 'Connector Doctor',
  APP_WEBSITE_URL: 'https://www.example.com/connector-doctor',
  APP_PRIVACY_URL: 'https://www.example.com/connector-doctor/privacy',
  APP_TERMS_URL: 'https://www.example.com/connector-doctor/terms',
} as const;

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '1.0.0';
}

/**
 * Read the manifest values from the environment. The bot id comes from `MicrosoftAppId` (what the
 * bot itself authenticates with) or `BOT_ID`; without one, only `local` packaging is allowed.
 */
export function manifestValues(env: Env, options: { local?: boolean } = {}): ManifestValues {
  let botId = nonEmpty(env.MicrosoftAppId) ?? nonEmpty(env.BOT_ID);
  if (!botId) {
    if (!options.local) {
      throw new PackageError(
        'No bot id: set MicrosoftAppId (or BOT_ID) to the Azure Bot\'s Microsoft App ID (the app registration\'s ' +
          'client id, or the managed identity\'s client id), e.g. `MicrosoftAppId=<guid> npm run package`. ' +
          'For a package that only works locally, run `npm run package -- --local`.',
      );
    }
    botId = LOCAL_PLACEHOLDER_ID;
  }
  if (!GUID.test(botId)) throw new PackageError(`The bot id "${botId}" is not a GUID (MicrosoftAppId / BOT_ID).`);
  const teamsAppId = nonEmpty(env.TEAMS_APP_ID) ?? botId;
  if (!GUID.test(teamsAppId)) throw new PackageError(`TEAMS_APP_ID "${teamsAppId}" is not a GUID.`);
  const values: ManifestValues = {
    BOT_ID: botId,
    TEAMS_APP_ID: teamsAppId,
    APP_VERSION: nonEmpty(env.APP_VERSION) ?? packageVersion(),
    APP_DEVELOPER_NAME: nonEmpty(env.APP_DEVELOPER_NAME) ?? DEVELOPER_DEFAULTS.APP_DEVELOPER_NAME,
    APP_WEBSITE_URL: nonEmpty(env.APP_WEBSITE_URL) ?? DEVELOPER_DEFAULTS.APP_WEBSITE_URL,
    APP_PRIVACY_URL: nonEmpty(env.APP_PRIVACY_URL) ?? DEVELOPER_DEFAULTS.APP_PRIVACY_URL,
    APP_TERMS_URL: nonEmpty(env.APP_TERMS_URL) ?? DEVELOPER_DEFAULTS.APP_TERMS_URL,
  };
  // Teams compares versions as major.minor.patch and refuses an update that is not higher.
  if (!/^\d{1,5}\.\d{1,5}\.\d{1,5}$/.test(values.APP_VERSION)) {
    throw new PackageError(`APP_VERSION must look like 1.2.3 (major.minor.patch), got "${values.APP_VERSION}".`);
  }
  for (const key of ['APP_WEBSITE_URL', 'APP_PRIVACY_URL', 'APP_TERMS_URL'] as const) {
    if (!/^https:\/\/[^\s/]+/i.test(values[key])) throw new PackageError(`${key} must be an https:// URL, got "${values[key]}".`);
  }
  if (values.APP_DEVELOPER_NAME.length > 32) throw new PackageError('APP_DEVELOPER_NAME must be at most 32 characters (Teams shows it as the publisher).');
  return values;
}

/**
 * Substitute `${{NAME}}` placeholders. Values are inserted JSON-escaped, so a value cannot break
 * the document; any `${...}` left afterwards is an error (a placeholder nobody configured).
 */
export function renderManifest(template: string, values: ManifestValues): Record<string, unknown> {
  const known = values as unknown as Record<string, string>;
  const text = template.replace(/\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (whole, name: string) => {
    const value = known[name];
    return value === undefined ? whole : JSON.stringify(value).slice(1, -1);
  });
  const leftover = /\$\{\{?[^}]*\}?\}/.exec(text);
  if (leftover) throw new PackageError(`manifest.json has a placeholder with no value: ${leftover[0]}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Where @microsoft/app-manifest keeps the schema a `$schema` URL names, or undefined if it has none. */
export function localSchemaPath(schemaUrl: string): string | undefined {
  const match = /^https:\/\/developer\.microsoft\.com\/(?:[a-z]{2}(?:-[a-z]{2})?\/)?json-schemas\/teams\/(v[0-9A-Za-z.]+)\/MicrosoftTeams\.schema\.json$/.exec(
    schemaUrl,
  );
  if (!match?.[1]) return undefined;
  const require = createRequire(import.meta.url);
  const buildDir = dirname(require.resolve('@microsoft/app-manifest'));
  return join(buildDir, 'json-schemas', 'teams', match[1], 'MicrosoftTeams.schema.json');
}

/**
 * Validate a manifest against the schema its `$schema` names, offline: the schema is read from
 * the copy bundled in @microsoft/app-manifest and handed over, so nothing is fetched.
 * Returns the schema violations (empty when valid).
 */
export async function validateManifest(manifest: Record<string, unknown>): Promise<string[]> {
  const schemaUrl = manifest.$schema;
  if (typeof schemaUrl !== 'string') return ['manifest has no $schema'];
  const path = localSchemaPath(schemaUrl);
  let raw: string;
  try {
    if (!path) throw new Error('unknown schema');
    raw = readFileSync(path, 'utf8');
  } catch {
    return [`$schema ${schemaUrl} is not a Teams schema bundled with @microsoft/app-manifest (offline validation needs one)`];
  }
  // Same clean-up the library applies to the published schemas (invalid JSON escapes).
  const schema = JSON.parse(raw.replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b')) as object;
  const { AppManifestUtils } = await import('@microsoft/app-manifest');
  return AppManifestUtils.validateAgainstSchema(manifest as never, schema as never);
}

export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

/** Write a zip archive (deflate), with a fixed timestamp so the same inputs give the same bytes. */
export function createZip(entries: ZipEntry[]): Buffer {
  const dosTime = 0; // 00:00:00
  const dosDate = (2020 - 1980) << 9 | 1 << 5 | 1; // 2020-01-01
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const compressed = deflateRawSync(entry.data, { level: 9 });
    const crc = crc32(entry.data);
    // The fields local header and central directory share, in the same order in both.
    const common = Buffer.alloc(24);
    common.writeUInt16LE(20, 0); // version needed to extract
    common.writeUInt16LE(0x0800, 2); // flags: UTF-8 names
    common.writeUInt16LE(8, 4); // method: deflate
    common.writeUInt16LE(dosTime, 6);
    common.writeUInt16LE(dosDate, 8);
    common.writeUInt32LE(crc, 10);
    common.writeUInt32LE(compressed.length, 14);
    common.writeUInt32LE(entry.data.length, 18);
    common.writeUInt16LE(name.length, 22);
    const local = Buffer.alloc(30); // extra field length stays 0
    local.writeUInt32LE(0x04034b50, 0);
    common.copy(local, 4);
    const central = Buffer.alloc(46); // extra, comment, disk, attributes stay 0
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    common.copy(central, 6);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const centralDir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralDir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralDir, end]);
}

export interface PackageOptions {
  env: Env;
  local?: boolean;
  manifestDir?: string;
  outFile?: string;
}

export interface PackageResult {
  outFile: string;
  manifest: Record<string, unknown>;
  values: ManifestValues;
}

const ICONS = [
  { key: 'color', size: 192 },
  { key: 'outline', size: 32 },
] as const;

/** Build and validate the app package; throws PackageError with a readable message on any problem. */
export async function buildPackage(options: PackageOptions): Promise<PackageResult> {
  const manifestDir = options.manifestDir ?? MANIFEST_DIR;
  const outFile = options.outFile ?? DEFAULT_OUT;
  const values = manifestValues(options.env, { local: options.local ?? false });
  const manifest = renderManifest(readFileSync(join(manifestDir, 'manifest.json'), 'utf8'), values);

  const problems = await validateManifest(manifest);
  if (problems.length > 0) {
    throw new PackageError(`manifest.json does not match ${String(manifest.$schema)}:\n  ${problems.join('\n  ')}`);
  }

  const icons = (manifest.icons ?? {}) as Record<string, unknown>;
  const files: ZipEntry[] = [{ name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8') }];
  for (const { key, size } of ICONS) {
    const name = icons[key];
    if (typeof name !== 'string' || name.includes('/') || name.includes('\\')) {
      throw new PackageError(`icons.${key} must name a file at the package root, got ${JSON.stringify(name)}`);
    }
    const data = readFileSync(join(manifestDir, name));
    const png = decodePng(data);
    if (png.width !== size || png.height !== size) {
      throw new PackageError(`${name} is ${png.width}x${png.height}; Teams needs ${size}x${size}.`);
    }
    files.push({ name, data });
  }

  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, createZip(files));
  return { outFile, manifest, values };
}

export function parseArgs(argv: string[]): { local: boolean; outFile?: string } {
  const result: { local: boolean; outFile?: string } = { local: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--local') result.local = true;
    else if (arg === '--out' && argv[i + 1]) result.outFile = resolve(argv[++i] ?? '');
    else if (arg?.startsWith('--out=')) result.outFile = resolve(arg.slice('--out='.length));
    else throw new PackageError(`Unknown argument ${arg}. Usage: npm run package -- [--local] [--out FILE]`);
  }
  return result;
}

async function main(): Promise<void> {
  try {
    const args = parseArgs(process.argv.slice(2));
    const result = await buildPackage({ env: process.env, local: args.local, ...(args.outFile ? { outFile: args.outFile } : {}) });
    const out = process.stdout;
    out.write(`Wrote ${result.outFile}\n`);
    out.write(`  manifest ${String(result.manifest.manifestVersion)} valid against ${String(result.manifest.$schema)}\n`);
    out.write(`  bot id ${result.values.BOT_ID}, app id ${result.values.TEAMS_APP_ID}, version ${result.values.APP_VERSION}\n`);
    if (result.values.BOT_ID === LOCAL_PLACEHOLDER_ID) {
      out.write('  --local: placeholder bot id; this package cannot talk to a real bot registration.\n');
    }
    const defaults = (Object.keys(DEVELOPER_DEFAULTS) as (keyof typeof DEVELOPER_DEFAULTS)[]).filter(
      (key) => result.values[key] === DEVELOPER_DEFAULTS[key],
    );
    if (defaults.length > 0) {
      out.write(`  note: using default ${defaults.join(', ')}; set them to your organisation's pages before publishing.\n`);
    }
    out.write('Upload it in Teams (Apps > Manage your apps > Upload an app) or in the Teams admin center.\n');
  } catch (error) {
    if (error instanceof PackageError) {
      process.stderr.write(`npm run package: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

if (isEntryPoint(import.meta.url)) await main();
