// An organisation's catalog folder (CATALOG_EXTRA_DIR) is data from outside: a FIFO, a link to a
// device, an alias bomb, a huge field, a message that reduces to one letter, an entry that answers
// ordinary chat. Each is refused at start, quickly, with a message that names the file.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { CATALOG_LIMITS, inspectCatalog } from '../../src/core/catalog.js';
import { CatalogError, formatCatalogProblem } from '../../src/core/errors.js';
import { start } from '../../src/index.js';
import { createLogger } from '../../src/log.js';
import { BOT_NODE_FLAGS } from '../../scripts/bot-node-flags.js';

const folders: string[] = [];
function folder(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cd-hostile-catalog-'));
  folders.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const problemsOf = (dir: string) => inspectCatalog({ extraDir: dir }).problems.map(formatCatalogProblem);

const app = `app:
  id: acme
  name: Acme HR
  learnMore: https://learn.microsoft.com/en-us/defender-cloud-apps/
`;
const entry = (fields: { message?: string; cause?: string; phrases?: string[] } = {}) => `${app}entries:
  - id: acme-broken
    message: ${JSON.stringify(fields.message ?? 'AcmeHrException: API key revoked by the tenant administrator')}
    signals:
      exceptions: [AcmeHrException]
      phrases: ${JSON.stringify(fields.phrases ?? ['API key revoked'])}
    cause: ${JSON.stringify(fields.cause ?? 'The API key the connector uses was revoked in Acme.')}
    resolution:
      actor: app-admin
      retryHelps: false
      steps: [Create a new API key in Acme and enter it in the connector.]
`;

describe('catalog files are data with limits', () => {
  it('a FIFO named *.yaml is refused without being opened (start-up would hang reading it)', () => {
    const dir = folder();
    execFileSync('mkfifo', [path.join(dir, 'pipe.yaml')]);
    expect(problemsOf(dir)).toEqual([`${path.join(dir, 'pipe.yaml')}: is a FIFO; catalog files must be regular files`]);
  });

  it('a link to /dev/zero is refused (it would grow without end), a link to a real file is read', () => {
    const dir = folder();
    symlinkSync('/dev/zero', path.join(dir, 'zero.yaml'));
    const real = folder({ 'acme.yaml': entry() });
    symlinkSync(path.join(real, 'acme.yaml'), path.join(dir, 'linked.yaml'));
    expect(problemsOf(dir)).toEqual([`${path.join(dir, 'zero.yaml')}: is a link to a device; catalog files must be regular files`]);
    expect(inspectCatalog({ extraDir: dir }).catalog.entry('acme-broken')).toBeDefined();
  });

  it('a file past the size cap is refused after reading at most cap + 1 bytes', () => {
    const dir = folder({ 'big.yaml': `${entry()}# ${'x'.repeat(CATALOG_LIMITS.fileBytes)}\n` });
    expect(problemsOf(dir)).toEqual([`${path.join(dir, 'big.yaml')}: is larger than 256 KB; catalog files must be at most that`]);
  });

  it('a YAML alias bomb is refused, naming the file', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const dir = folder({ 'bomb.yaml': `${lines.join('\n')}\n` });
    expect(problemsOf(dir)).toEqual([`${path.join(dir, 'bomb.yaml')}: uses YAML aliases (*name) too often; at most 50 expansions are allowed`]);
  });

  it('a 41 KB cause is refused, naming file, entry and field (the card would pass 28 KB)', () => {
    const dir = folder({ 'acme.yaml': entry({ cause: 'The key was revoked. '.repeat(2000) }) });
    expect(problemsOf(dir)).toEqual([`${path.join(dir, 'acme.yaml')}: entry acme-broken: field cause: is longer than 2000 characters (cards must stay under 28 KB)`]);
  });

  it('an override cannot grow an entry past what one card holds, and the override file is named for it', () => {
    const steps = Array.from({ length: 12 }, (_, i) => `Step ${i + 1}: ${'check the connector settings and try again. '.repeat(20)}`);
    const dir = folder({ 'runbook.yaml': `overrides:\n  - id: box-invalid-refresh-token\n    resolution:\n      steps: ${JSON.stringify(steps)}\n` });
    const file = path.join(dir, 'runbook.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(problemsOf(dir)).toEqual([
      expect.stringMatching(
        new RegExp(`^${file}: entry override box-invalid-refresh-token: message, cause, steps and support case hold \\d+ characters together; at most 8000 fit on one card once overridden \\(the entry itself is in catalog/box\\.yaml\\)$`),
      ),
    ]);
  });

  it('an alias an organisation file adds to a built-in app that names another app is blamed on that file', () => {
    const dir = folder({ 'box-more.yaml': 'app:\n  id: box\n  aliases: [Okta]\nentries: []\n' });
    expect(problemsOf(dir)).toEqual([`${path.join(dir, 'box-more.yaml')}: field aliases: "Okta" already names app okta`]);
  });

  it('a message, alias or phrase that reduces to one letter ("(a+)+$") is refused, naming file and entry', () => {
    const dir = folder({
      'acme.yaml': entry({ message: '(a+)+$', phrases: ['(a+)+$'] }).replace('  name: Acme HR\n', '  name: Acme HR\n  aliases: ["(a+)+$"]\n'),
    });
    const file = path.join(dir, 'acme.yaml');
    expect(problemsOf(dir)).toEqual([
      `${file}: field app.aliases[0]: must carry a word of at least three letters or digits (it would match nearly every paste)`,
      `${file}: entry acme-broken: field message: must carry a word of at least three letters or digits (it would match nearly every paste)`,
      `${file}: entry acme-broken: field signals.phrases[0]: must carry a word of at least three letters or digits (it would match nearly every paste)`,
    ]);
  });
});

describe('the bot refuses to start on a hostile catalog folder', () => {
  const quiet = () => createLogger('silent');
  const startWith = (dir: string) => start(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: 'sqlite::memory:', CATALOG_EXTRA_DIR: dir }), quiet()).then(
    async (running) => {
      await running.stop();
      return undefined;
    },
    (error: unknown) => error,
  );

  it('an entry worded like ordinary chat would answer unrelated pastes: refused, naming file and entry', async () => {
    const dir = folder({ 'acme.yaml': entry({ message: 'Can you send me a link to the notes from the meeting', phrases: ['notes from the meeting'] }) });
    const failure = await startWith(dir);
    expect(failure).toBeInstanceOf(CatalogError);
    expect((failure as Error).message).toContain(`${path.join(dir, 'acme.yaml')}: entry acme-broken: answers unrelated messages such as "Can you send me a link to the notes from the meeting this af..."`);
  });

  it('an organisation alias that is an everyday word breaks built-in entries: refused, naming the organisation file and the alias', async () => {
    const dir = folder({ 'acme.yaml': `${app.replace('  name: Acme HR\n', '  name: Acme HR\n  aliases: [the]\n')}entries: []\n` });
    const file = path.join(dir, 'acme.yaml');
    const failure = await startWith(dir);
    expect(failure).toBeInstanceOf(CatalogError);
    const problems = (failure as CatalogError).problems;
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) {
      expect(problem.file).toBe(file);
      expect(problem.message).toMatch(/^built-in entry [a-z0-9-]+ \(catalog\/[a-z0-9-]+\.yaml\): .* because of alias "the" of app acme in /);
    }
  });

  it('the real process with a FIFO in CATALOG_EXTRA_DIR exits 1 at once with one line naming the file', async () => {
    const dir = folder();
    execFileSync('mkfifo', [path.join(dir, 'pipe.yaml')]);
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const child = spawn(process.execPath, [...BOT_NODE_FLAGS, '--import', 'tsx', 'src/index.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', PORT: '0', DATABASE_URL: 'sqlite::memory:', CATALOG_EXTRA_DIR: dir, LOG_LEVEL: 'silent' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    const lines = stderr.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toEqual([`Invalid catalog: ${path.join(dir, 'pipe.yaml')}: is a FIFO; catalog files must be regular files`]);
  });
});
