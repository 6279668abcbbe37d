// `npm run package`: the zip people upload to Teams.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_PLACEHOLDER_ID, MANIFEST_DIR, PackageError, buildPackage, renderManifest, manifestValues } from '../../scripts/package.js';
import { decodePng } from '../../scripts/icons.js';
import { readZip } from './zip-reader.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'cd-package-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const BOT = '6ba7b810-9dad-41d1-80b4-00c04fd430c8';

async function packageWith(env: Record<string, string>, local = false) {
  const outFile = join(work, `${Math.random().toString(36).slice(2)}.zip`);
  const result = await buildPackage({ env, local, outFile });
  const files = readZip(readFileSync(outFile));
  const manifestFile = files.find((f) => f.name === 'manifest.json');
  return { result, files, manifestText: manifestFile?.data.toString('utf8') ?? '' };
}

describe('npm run package', () => {
  it('writes a zip with the manifest and both icons at its root', async () => {
    const { files, manifestText } = await packageWith({ MicrosoftAppId: BOT });
    expect(files.map((f) => f.name).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(manifestText) as { icons: { color: string; outline: string } };
    const color = decodePng(files.find((f) => f.name === manifest.icons.color)?.data ?? Buffer.alloc(0));
    const outline = decodePng(files.find((f) => f.name === manifest.icons.outline)?.data ?? Buffer.alloc(0));
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([outline.width, outline.height]).toEqual([32, 32]);
  });

  it('puts the bot id from MicrosoftAppId in the manifest and leaves no placeholder', async () => {
    const { manifestText } = await packageWith({ MicrosoftAppId: BOT });
    const manifest = JSON.parse(manifestText) as { id: string; bots: { botId: string }[] };
    expect(manifest.bots[0]?.botId).toBe(BOT);
    expect(manifest.id).toBe(BOT);
    expect(manifestText).not.toMatch(/\$\{/);
  });

  it('carries the message extension on the same bot id', async () => {
    const { manifestText } = await packageWith({ MicrosoftAppId: BOT });
    const manifest = JSON.parse(manifestText) as { composeExtensions?: { botId: string; commands: { id: string }[] }[] };
    expect(manifest.composeExtensions?.[0]?.botId).toBe(BOT);
    expect(manifest.composeExtensions?.[0]?.commands.map((c) => c.id).sort()).toEqual(['diagnoseMessage', 'searchKnownErrors']);
  });

  it('takes BOT_ID when MicrosoftAppId is not set, and a separate TEAMS_APP_ID when given', async () => {
    const appId = 'a1b2c3d4-e5f6-4a5b-8c9d-0e1f2a3b4c5d';
    const { manifestText } = await packageWith({ BOT_ID: BOT, TEAMS_APP_ID: appId });
    const manifest = JSON.parse(manifestText) as { id: string; bots: { botId: string }[] };
    expect(manifest.bots[0]?.botId).toBe(BOT);
    expect(manifest.id).toBe(appId);
  });

  it('refuses to build without a bot id, naming the variable to set', async () => {
    await expect(buildPackage({ env: {}, outFile: join(work, 'none.zip') })).rejects.toThrow(PackageError);
    await expect(buildPackage({ env: {}, outFile: join(work, 'none.zip') })).rejects.toThrow(/MicrosoftAppId/);
  });

  it('uses a placeholder bot id only when asked for a local package', async () => {
    const { manifestText } = await packageWith({}, true);
    expect(manifestText).toContain(LOCAL_PLACEHOLDER_ID);
  });

  it('rejects a bot id that is not a GUID, developer links that are not https and a version Teams cannot compare', () => {
    expect(() => manifestValues({ MicrosoftAppId: 'connector-doctor' })).toThrow(/not a GUID/);
    expect(() => manifestValues({ MicrosoftAppId: BOT, APP_PRIVACY_URL: 'http://contoso.example/privacy' })).toThrow(/APP_PRIVACY_URL/);
    expect(() => manifestValues({ MicrosoftAppId: BOT, APP_VERSION: '1.2' })).toThrow(/APP_VERSION/);
    expect(manifestValues({ MicrosoftAppId: BOT, APP_VERSION: '2.0.1' }).APP_VERSION).toBe('2.0.1');
  });

  it('fails on a placeholder nobody configured instead of shipping it', () => {
    const template = '{"id": "${{TEAMS_APP_ID}}", "x": "${{SOMETHING_ELSE}}"}';
    expect(() => renderManifest(template, manifestValues({ MicrosoftAppId: BOT }))).toThrow(/SOMETHING_ELSE/);
  });

  it('keeps a value with quotes from breaking the manifest', async () => {
    const { manifestText } = await packageWith({ MicrosoftAppId: BOT, APP_DEVELOPER_NAME: 'Ops "Blue" Team' });
    expect((JSON.parse(manifestText) as { developer: { name: string } }).developer.name).toBe('Ops "Blue" Team');
  });

  it('refuses a manifest that does not match its schema, saying where', async () => {
    const dir = join(work, 'broken-manifest');
    cpSync(MANIFEST_DIR, dir, { recursive: true });
    const text = readFileSync(join(dir, 'manifest.json'), 'utf8').replace('"groupChat"]', '"groupchat"]');
    writeFileSync(join(dir, 'manifest.json'), text);
    await expect(buildPackage({ env: { MicrosoftAppId: BOT }, manifestDir: dir, outFile: join(work, 'broken.zip') })).rejects.toThrow(
      /bots\/0\/scopes/,
    );
  });

  it('as a command, exits non-zero with a readable message (no stack trace) when no bot id is set', async () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
    const failure = await run(process.execPath, ['--import', 'tsx', 'scripts/package.ts', '--out', join(work, 'cli.zip')], { env }).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/set MicrosoftAppId \(or BOT_ID\)/);
    expect(failure?.stderr).not.toMatch(/\n\s+at /);
  });
});
