// `npm run dev`: one command starts the bot and the Playground; Ctrl+C stops both, leaving nothing behind.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
