// The Teams app manifest and its icons: what Teams checks when someone uploads the app.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePng, drawColorIcon, drawOutlineIcon } from '../../scripts/icons.js';
import { MANIFEST_DIR, manifestValues, renderManifest, validateManifest } from '../../scripts/package.js';
import { DIAGNOSE_COMMAND, SEARCH_COMMAND, SEARCH_PARAMETER } from '../../src/teams/message-extension/protocol.js';

const template = readFileSync(join(MANIFEST_DIR, 'manifest.json'), 'utf8');
const env = {
  MicrosoftAppId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  APP_DEVELOPER_NAME: 'Contoso IT Ops',
  APP_WEBSITE_URL: 'https://it.contoso.example/connector-doctor',
  APP_PRIVACY_URL: 'https://it.contoso.example/privacy',
  APP_TERMS_URL: 'https://it.contoso.example/terms',
};

interface Bot {
  botId: string;
  scopes: string[];
  commandLists: { scopes: string[]; commands: { title: string; description?: string }[] }[];
}

interface ComposeCommand {
  id: string;
  type?: string;
  title: string;
  description?: string;
  context?: string[];
  fetchTask?: boolean;
  initialRun?: boolean;
  parameters?: { name: string; title: string; description?: string; inputType?: string }[];
}

interface ComposeExtension {
  botId: string;
  canUpdateConfiguration?: boolean;
  commands: ComposeCommand[];
}

function rendered(): Record<string, unknown> & { bots: Bot[]; composeExtensions: ComposeExtension[] } {
  return renderManifest(template, manifestValues(env)) as Record<string, unknown> & { bots: Bot[]; composeExtensions: ComposeExtension[] };
}

describe('manifest/manifest.json', () => {
  it('names a Teams schema of version 1.22 or later, and its manifestVersion agrees', () => {
    const manifest = JSON.parse(template) as { $schema: string; manifestVersion: string };
    const version = /\/teams\/v(\d+)\.(\d+)\/MicrosoftTeams\.schema\.json$/.exec(manifest.$schema);
    expect(version).not.toBeNull();
    const [major, minor] = [Number(version?.[1]), Number(version?.[2])];
    expect(major > 1 || (major === 1 && minor >= 22)).toBe(true);
    expect(manifest.manifestVersion).toBe(`${major}.${minor}`);
  });

  it('validates offline against the schema it names once filled in', async () => {
    expect(await validateManifest(rendered())).toEqual([]);
  });

  it('fills the bot id, app id and the developer links from configuration', () => {
    const manifest = rendered();
    expect(manifest.id).toBe(env.MicrosoftAppId);
    expect(manifest.bots[0]?.botId).toBe(env.MicrosoftAppId);
    expect(manifest.developer).toEqual({
      name: 'Contoso IT Ops',
      websiteUrl: env.APP_WEBSITE_URL,
      privacyUrl: env.APP_PRIVACY_URL,
      termsOfUseUrl: env.APP_TERMS_URL,
    });
    expect(JSON.stringify(manifest)).not.toContain('${');
  });

  it('offers the bot in personal chat, group chats and teams', () => {
    const bot = rendered().bots[0];
    expect(new Set(bot?.scopes)).toEqual(new Set(['personal', 'team', 'groupChat']));
  });

  it('lists the commands people can type, within the lengths Teams displays', () => {
    const bot = rendered().bots[0];
    const titles = (scope: string) =>
      bot?.commandLists.filter((list) => list.scopes.includes(scope)).flatMap((list) => list.commands.map((c) => c.title));
    expect(titles('personal')).toEqual(expect.arrayContaining(['help', 'apps', 'search', 'stats']));
    expect(titles('team')).toEqual(expect.arrayContaining(['help', 'apps', 'search', 'stats', 'set support channel']));
    expect(titles('groupChat')).toEqual(expect.arrayContaining(['help', 'apps', 'search', 'stats']));
    for (const command of bot?.commandLists.flatMap((list) => list.commands) ?? []) {
      expect(command.title.length).toBeLessThanOrEqual(32);
      expect(command.description?.length ?? 0).toBeGreaterThan(0);
      expect(command.description?.length ?? 0).toBeLessThanOrEqual(128);
    }
  });

  it('tells an ops person what the app does', () => {
    const manifest = rendered() as unknown as { name: { short: string }; description: { short: string; full: string } };
    expect(manifest.name.short).toBe('Connector Doctor');
    expect(manifest.description.short).toMatch(/connector error/i);
    expect(manifest.description.full).toMatch(/Defender for Cloud Apps/);
    expect(manifest.description.full).toMatch(/resolved/);
    expect(manifest.description.full).toMatch(/escalate/);
  });

  it('declares the message extension on the bot\'s id, with exactly the commands the bot answers', () => {
    const manifest = rendered();
    expect(manifest.composeExtensions).toHaveLength(1);
    const [extension] = manifest.composeExtensions;
    expect(extension!.botId).toBe(env.MicrosoftAppId);
    expect(extension!.canUpdateConfiguration).toBe(false);
    expect(extension!.commands.map((c) => c.id).sort()).toEqual([DIAGNOSE_COMMAND, SEARCH_COMMAND].sort());
  });

  it('offers Diagnose with Connector Doctor in a message\'s menu, fetching its dialog (the message comes with that first request)', () => {
    const diagnose = rendered().composeExtensions[0]!.commands.find((c) => c.id === DIAGNOSE_COMMAND)!;
    expect(diagnose).toMatchObject({ type: 'action', title: 'Diagnose with Connector Doctor', context: ['message'], fetchTask: true });
    expect(diagnose.description).toMatch(/error in this message/);
  });

  it('offers Search known errors from the compose box and the command box, run once when opened, with the parameter the bot reads', () => {
    const search = rendered().composeExtensions[0]!.commands.find((c) => c.id === SEARCH_COMMAND)!;
    expect(search).toMatchObject({ type: 'query', title: 'Search known errors', initialRun: true });
    expect(new Set(search.context)).toEqual(new Set(['compose', 'commandBox']));
    expect(search.parameters).toEqual([expect.objectContaining({ name: SEARCH_PARAMETER, inputType: 'text' })]);
    expect(search.parameters![0]!.description).toMatch(/okta token/);
  });

  it('names and describes every message extension command within what Teams displays', () => {
    for (const command of rendered().composeExtensions[0]!.commands) {
      expect(command.title.length, command.id).toBeLessThanOrEqual(32);
      expect(command.description?.length ?? 0, command.id).toBeGreaterThan(20);
      expect(command.description?.length ?? 0, command.id).toBeLessThanOrEqual(128);
      for (const parameter of command.parameters ?? []) expect(parameter.title.length).toBeLessThanOrEqual(32);
    }
    expect((rendered() as unknown as { description: { full: string } }).description.full).toMatch(/Diagnose with Connector Doctor/);
  });

  it('is rejected by the validator when a message extension command has an unknown context', async () => {
    const manifest = rendered();
    manifest.composeExtensions[0]!.commands[0]!.context = ['messages'];
    expect((await validateManifest(manifest)).join('\n')).toMatch(/composeExtensions\/0\/commands\/0\/context/);
  });

  it('is rejected by the validator when a scope is misspelled (lowercase groupchat)', async () => {
    const manifest = rendered();
    const bot = manifest.bots[0];
    if (bot) bot.scopes = ['personal', 'team', 'groupchat'];
    const problems = await validateManifest(manifest);
    expect(problems.join('\n')).toMatch(/\/bots\/0\/scopes\/2/);
  });

  it('is rejected by the validator when the bot id is not a GUID', async () => {
    const manifest = rendered();
    const bot = manifest.bots[0];
    if (bot) bot.botId = 'my-bot';
    expect((await validateManifest(manifest)).join('\n')).toMatch(/botId/);
  });
});

describe('icons', () => {
  const color = decodePng(readFileSync(join(MANIFEST_DIR, 'color.png')));
  const outline = decodePng(readFileSync(join(MANIFEST_DIR, 'outline.png')));

  function pixels(rgba: Uint8Array | undefined): [number, number, number, number][] {
    const out: [number, number, number, number][] = [];
    for (let i = 0; rgba && i < rgba.length; i += 4) out.push([rgba[i] ?? 0, rgba[i + 1] ?? 0, rgba[i + 2] ?? 0, rgba[i + 3] ?? 0]);
    return out;
  }

  it('color.png is a 192x192 RGBA icon with a coloured tile and a white motif', () => {
    expect([color.width, color.height, color.colorType]).toEqual([192, 192, 6]);
    const all = pixels(color.rgba);
    const opaque = all.filter(([, , , a]) => a === 255);
    const white = opaque.filter(([r, g, b]) => r === 255 && g === 255 && b === 255);
    const tinted = opaque.filter(([r, g, b]) => !(r === g && g === b));
    expect(opaque.length / all.length).toBeGreaterThan(0.8);
    expect(white.length / all.length).toBeGreaterThan(0.1);
    expect(tinted.length / all.length).toBeGreaterThan(0.4);
  });

  it('outline.png is 32x32, white on transparent, and not blank', () => {
    expect([outline.width, outline.height, outline.colorType]).toEqual([32, 32, 6]);
    const all = pixels(outline.rgba);
    const visible = all.filter(([, , , a]) => a > 0);
    expect(visible.every(([r, g, b]) => r === 255 && g === 255 && b === 255)).toBe(true);
    expect(visible.length / all.length).toBeGreaterThan(0.2);
    expect(all.filter(([, , , a]) => a === 0).length / all.length).toBeGreaterThan(0.3);
    // Transparent border: the corners show what is behind the icon.
    expect(all[0]?.[3]).toBe(0);
    expect(all[31]?.[3]).toBe(0);
  });

  it('the committed PNGs are what scripts/icons.ts draws', () => {
    expect(Buffer.from(color.rgba ?? []).equals(Buffer.from(drawColorIcon()))).toBe(true);
    expect(Buffer.from(outline.rgba ?? []).equals(Buffer.from(drawOutlineIcon()))).toBe(true);
  });
});
