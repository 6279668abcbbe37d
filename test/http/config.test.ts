// Start-up configuration as an operator meets it: sensible defaults, local mode when no app id,
// and a message naming the variable when a value is wrong.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { BOT_NODE_FLAGS } from '../../scripts/bot-node-flags.js';

describe('configuration', () => {
  it('runs with no environment at all: local mode, port 3978, SQLite under ./data', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3978,
      host: '127.0.0.1',
      databaseUrl: 'sqlite:./data/connector-doctor.db',
      logLevel: 'info',
      localMode: true,
      escalationMaxAttempts: 40,
      escalationRetryBaseMs: 2_000,
      escalationRetryMaxMs: 300_000,
      retentionDays: 90,
    });
  });

  it('empty values count as unset (as in a .env file with blank lines)', () => {
    expect(loadConfig({ PORT: '', MicrosoftAppId: '  ' })).toMatchObject({ port: 3978, localMode: true });
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must start with sqlite: or postgres:\/\//);
    expect(() => loadConfig({ SUPPORT_WEBHOOK_URL: 'not a url', SUPPORT_WEBHOOK_SECRET: 's' })).toThrow(/SUPPORT_WEBHOOK_URL/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });

  it('a webhook needs its signing secret, an app id needs its password', () => {
    expect(() => loadConfig({ SUPPORT_WEBHOOK_URL: 'https://support.example/hook' })).toThrow(/SUPPORT_WEBHOOK_SECRET is required/);
    expect(() => loadConfig({ MicrosoftAppId: 'app' })).toThrow(/MicrosoftAppPassword \(or CertificateThumbprint with CertificatePrivateKey\) is required/);
    // A certificate is a credential too; half a certificate is not.
    expect(loadConfig({ MicrosoftAppId: 'app', MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: 't', CertificateThumbprint: 'AB12', CertificatePrivateKey: '-----BEGIN PRIVATE KEY-----' }).localMode).toBe(false);
    expect(() => loadConfig({ MicrosoftAppId: 'app', CertificateThumbprint: 'AB12' })).toThrow(/go together/);
    expect(loadConfig({ MicrosoftAppId: 'app', MicrosoftAppType: 'UserAssignedMSI' }).localMode).toBe(false);
  });

  it('passes botbuilder\'s own keys through untouched', () => {
    const config = loadConfig({
      MicrosoftAppId: 'app',
      MicrosoftAppPassword: 'pw',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: 'tenant',
      ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:1/openid',
      PATH: '/usr/bin',
    });
    expect(config.localMode).toBe(false);
    expect(config.botFramework).toMatchObject({
      MicrosoftAppId: 'app',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: 'tenant',
      ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:1/openid',
    });
    expect(config.botFramework.PATH).toBeUndefined();
  });

  it('refuses at load what would die later: a plain-http webhook to another host, sqlite: without a path', () => {
    expect(() => loadConfig({ SUPPORT_WEBHOOK_URL: 'http://desk.example.com/hook', SUPPORT_WEBHOOK_SECRET: 's' })).toThrow(
      'Invalid configuration: SUPPORT_WEBHOOK_URL must be https:// (plain http:// is accepted only for 127.0.0.1 or localhost).',
    );
    expect(loadConfig({ SUPPORT_WEBHOOK_URL: 'http://127.0.0.1:8080/hook', SUPPORT_WEBHOOK_SECRET: 's' }).supportWebhookUrl).toBe('http://127.0.0.1:8080/hook');
    expect(() => loadConfig({ DATABASE_URL: 'sqlite:' })).toThrow('Invalid configuration: DATABASE_URL: sqlite: needs a file path, e.g. sqlite:./data/connector-doctor.db');
    expect(() => loadConfig({ DATABASE_URL: 'sqlite://' })).toThrow(/DATABASE_URL: sqlite: needs a file path/);
  });

  it.each([
    [{ DATABASE_URL: 'sqlite:' }, 'Invalid configuration: DATABASE_URL: sqlite: needs a file path, e.g. sqlite:./data/connector-doctor.db'],
    [{ SUPPORT_WEBHOOK_URL: 'http://desk.example.com/hook', SUPPORT_WEBHOOK_SECRET: 's' }, 'Invalid configuration: SUPPORT_WEBHOOK_URL must be https:// (plain http:// is accepted only for 127.0.0.1 or localhost).'],
    [{ PORT: 'eighty' }, /^Invalid configuration: PORT: /],
    // Fails after restify is loaded (whose dependencies draw Node's DEP0111 warning): still one line.
    [{ DATABASE_URL: 'postgres://cd:s3cret-pw@127.0.0.1:1/none' }, /^DATABASE_URL: the PostgreSQL database could not be reached or migrated: connection refused /],
  ])('the real process stops with one line and exit code 1 for %o', async (env, line) => {
    const child = spawn(process.execPath, [...BOT_NODE_FLAGS, '--import', 'tsx', 'src/index.ts'], {
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    // One line, as `npm start` runs it: nothing else on stderr (no deprecation warnings either).
    const lines = stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
    expect(stderr + stdout).not.toMatch(/\bat \S+ \(|node_modules|ZodError|s3cret-pw/);
  });
});
