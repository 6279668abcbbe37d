// `npm run dev`: one command starts the bot and the Playground; Ctrl+C stops both, leaving nothing behind.

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, freePort } from '../../scripts/dev.js';

const work = mkdtempSync(join(tmpdir(), 'cd-dev-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

/** Processes (Linux /proc) whose environment holds `marker`: how we find a bot or Playground left running. */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`).includes(marker)) found.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** Start scripts/dev.ts with its own ports and database; `marker` is in the environment of everything it starts. */
async function startDev(name: string) {
  const marker = join(work, `${name}.db`);
  const [botPort, playgroundPort] = [await freePort(), await freePort()];
  const dev = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'dev.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(botPort), PLAYGROUND_PORT: String(playgroundPort), DATABASE_URL: `sqlite:${marker}`, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  for (const stream of [dev.stdout, dev.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.pattern.test(line))) waiter.resolve(line);
    });
  }
  const exited = new Promise<number | null>((resolveExit) => dev.once('exit', (code) => resolveExit(code)));
  const lineMatching = (pattern: RegExp) =>
    new Promise<string>((resolveLine, reject) => {
      const seen = lines.find((line) => pattern.test(line));
      if (seen) return resolveLine(seen);
      waiters.push({ pattern, resolve: resolveLine });
      void exited.then((code) => reject(new Error(`dev exited (${code}) before printing ${pattern}:\n${lines.join('\n')}`)));
    });
  return { dev, marker, exited, lineMatching };
}

describe('npm run dev', () => {
  it('starts the bot in local mode and the Playground, prints the URL, and Ctrl+C stops both', async () => {
    const botPort = await freePort();
    const playgroundPort = await freePort();
    const dev = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'dev.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(botPort),
        PLAYGROUND_PORT: String(playgroundPort),
        DATABASE_URL: `sqlite:${join(work, 'dev.db')}`,
        LOG_LEVEL: 'warn',
        // Set on purpose: dev must run the bot in local mode anyway.
        MicrosoftAppId: '6ba7b810-9dad-41d1-80b4-00c04fd430c8',
        MicrosoftAppPassword: 'not-used',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const exited = new Promise<number | null>((resolveExit) => dev.once('exit', (code) => resolveExit(code)));
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        for (const stream of [dev.stdout, dev.stderr]) {
          createInterface({ input: stream }).on('line', (line) => {
            output.push(line);
            const printed = /Open the Agents Playground: (http:\/\/\S+)/.exec(line);
            if (printed?.[1]) resolveUrl(printed[1]);
          });
        }
        void exited.then((code) => reject(new Error(`npm run dev exited (${code}) early:\n${output.join('\n')}`)));
      });

      expect(url).toBe(`http://127.0.0.1:${playgroundPort}/`);
      expect(output.join('\n')).toMatch(/ignoring MicrosoftAppId, MicrosoftAppPassword/);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);
      // The bot answers without credentials: local mode.
      expect((await fetch(`http://127.0.0.1:${botPort}/healthz`)).status).toBe(200);

      dev.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(output.join('\n')).toMatch(/stopping the bot and the Playground/);
      // The bot runs with package.json's start flags: restify's DEP0111 warning is not printed.
      expect(output.join('\n')).not.toContain('DeprecationWarning');
      await expect.poll(() => answers(`http://127.0.0.1:${botPort}/healthz`), { timeout: 10_000 }).toBe(false);
      await expect.poll(() => answers(url), { timeout: 10_000 }).toBe(false);
    } finally {
      if (dev.exitCode === null) {
        // Let dev stop its children first; force only if it does not.
        dev.kill('SIGINT');
        const forced = setTimeout(() => dev.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(forced);
      }
    }
  }, 90_000);

  it('Ctrl+C while the bot is still starting stops it too (nothing left running)', async () => {
    const { dev, marker, exited, lineMatching } = await startDev('early-ctrl-c');
    await lineMatching(/starting the bot/);
    expect(processesWith(marker)).not.toEqual([]); // the bot is spawned, not ready yet
    dev.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(processesWith(marker)).toEqual([]);
  }, 60_000);

  it('when dev itself is killed outright (tsx does that to an unresponsive Ctrl+C), the bot and the Playground stop too', async () => {
    const { dev, marker, exited, lineMatching } = await startDev('killed');
    await lineMatching(/Open the Agents Playground/);
    expect(processesWith(marker).length).toBeGreaterThanOrEqual(2);
    dev.kill('SIGKILL');
    await exited;
    await expect.poll(() => processesWith(marker), { timeout: 20_000, interval: 200 }).toEqual([]);
  }, 90_000);

  it('says which port is taken instead of crashing when the bot port is in use', async () => {
    const taken = createServer();
    const port = await new Promise<number>((resolvePort) =>
      taken.listen(0, '127.0.0.1', () => resolvePort((taken.address() as { port: number }).port)),
    );
    try {
      const dev = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'dev.ts')], {
        cwd: ROOT,
        env: { ...process.env, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      dev.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolveExit) => dev.once('exit', (exitCode) => resolveExit(exitCode)));
      expect(code).toBe(1);
      expect(stderr).toContain(`port ${port} is already in use`);
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  });
});
