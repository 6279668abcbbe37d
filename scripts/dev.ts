// `npm run dev`: the bot in local mode plus the Microsoft 365 Agents Playground pointing at it,
// in one command. Ctrl+C stops both (each child runs in its own process group, killed as a group).
// The start helpers are exported: the browser test (test/e2e) starts the same two processes.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isEntryPoint } from '../src/entry-point.js';
import { BOT_NODE_FLAGS } from './bot-node-flags.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What botbuilder reads to authenticate; removed so the bot runs in local mode. */
const AUTH_KEYS = ['MicrosoftAppId', 'MicrosoftAppPassword', 'MicrosoftAppType', 'MicrosoftAppTenantId'];

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Stop the process and everything it started; resolves once it has exited. */
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Each line the process prints (stdout and stderr). */
  onLine?: (line: string) => void;
  /** Called as soon as the process is spawned, before it is ready: whoever may need to stop it early. */
  onSpawn?: (child: Child) => void;
}

/**
 * Preloaded into each child (`node --import EXIT_WITH_PARENT ...`): its stdin is a pipe from us, so when
 * we die without stopping it, even by SIGKILL, the pipe closes and the child stops itself (SIGTERM, so
 * the bot still shuts down cleanly). That happens: under `npm run dev`, tsx's CLI SIGKILLs this script
 * when a Ctrl+C is not acknowledged within ~60 ms, which is common while the bot is compiling.
 */
export const EXIT_WITH_PARENT = `data:text/javascript,${encodeURIComponent(
  "process.stdin.on('end',()=>process.kill(process.pid,'SIGTERM')).on('error',()=>{}).resume().unref();",
)}`;

/** Spawn a process in its own process group so that stopping it also stops its children. */
export function startChild(name: string, command: string, args: string[], options: StartOptions = {}): Child {
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    detached: true,
    // stdin stays open and unused: it closing is how the child learns we are gone (EXIT_WITH_PARENT).
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<number | string>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit(code ?? signal ?? 'unknown'));
    child.once('error', () => resolveExit('spawn-failed'));
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => options.onLine?.(line));
  }
  let stopping: Promise<void> | undefined;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const handle: Child = {
    name,
    process: child,
    exited,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          signalGroup('SIGKILL'); // the leader is gone; make sure nothing it started lingers
          return;
        }
        signalGroup('SIGTERM');
        const force = setTimeout(() => signalGroup('SIGKILL'), 5_000);
        await exited;
        clearTimeout(force);
        signalGroup('SIGKILL');
      })();
      return stopping;
    },
  };
  options.onSpawn?.(handle);
  return handle;
}

/** A TCP port that was free on 127.0.0.1 a moment ago (for tests that start the bot and the Playground). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no free port'))));
    });
  });
}

/** Whether nothing listens on 127.0.0.1:`port` yet. */
export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
}

/** Resolve when `ready()` is true; reject if the child exits first or the time runs out. */
async function waitUntil(child: Child, what: string, timeoutMs: number, ready: () => Promise<boolean>): Promise<void> {
  let exitedWith: number | string | undefined;
  void child.exited.then((code) => (exitedWith = code));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitedWith !== undefined) throw new Error(`${child.name} exited (${exitedWith}) before ${what}`);
    if (await ready()) return;
    if (Date.now() > deadline) throw new Error(`${child.name}: ${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface BotOptions extends StartOptions {
  port: number;
  /** Start the TypeScript sources through tsx (default) or the built dist/. */
  fromDist?: boolean;
  readyTimeoutMs?: number;
}

export interface RunningBot {
  child: Child;
  messagesUrl: string;
  baseUrl: string;
}

/** Start the bot in local mode (no MicrosoftAppId) on 127.0.0.1 and wait until /readyz answers 200. */
export async function startBot(options: BotOptions): Promise<RunningBot> {
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), PORT: String(options.port), HOST: '127.0.0.1' };
  for (const key of AUTH_KEYS) delete env[key];
  const args = [...BOT_NODE_FLAGS, '--import', EXIT_WITH_PARENT, ...(options.fromDist ? [join(ROOT, 'dist', 'src', 'index.js')] : ['--import', 'tsx', join(ROOT, 'src', 'index.ts')])];
  const child = startChild('bot', process.execPath, args, { ...options, env });
  const baseUrl = `http://127.0.0.1:${options.port}`;
  try {
    await waitUntil(child, '/readyz answered 200', options.readyTimeoutMs ?? 60_000, async () => {
      try {
        const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
        await response.body?.cancel();
        return response.ok;
      } catch {
        return false;
      }
    });
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { child, messagesUrl: `${baseUrl}/api/messages`, baseUrl };
}

export interface PlaygroundOptions extends StartOptions {
  /** The bot's messaging endpoint, e.g. http://127.0.0.1:3978/api/messages. */
  messagesUrl: string;
  /** 56150 by default; the Playground picks a random port when it is taken (we read which). */
  port?: number;
  readyTimeoutMs?: number;
}

export interface RunningPlayground {
  child: Child;
  url: string;
}

/** Start the Agents Playground (no browser of its own, no telemetry) and wait until it listens. */
export async function startPlayground(options: PlaygroundOptions): Promise<RunningPlayground> {
  const require = createRequire(import.meta.url);
  const cli = join(dirname(require.resolve('@microsoft/m365agentsplayground/package.json')), 'cli.js');
  // It writes devTools/m365agentsplayground.log into its working directory: keep that out of the tree.
  const cwd = options.cwd ?? join(ROOT, 'data', 'playground');
  mkdirSync(cwd, { recursive: true });
  let port: number | undefined;
  const child = startChild(
    'playground',
    process.execPath,
    ['--import', EXIT_WITH_PARENT, cli, '--app-endpoint', options.messagesUrl, '--channel-id', 'msteams', '--port', String(options.port ?? 56150), '--disable-telemetry'],
    {
      cwd,
      env: { ...(options.env ?? process.env), TEAMSAPPTESTER_BROWSER: 'none' },
      onLine: (line) => {
        const listening = /Listening on (\d+)/.exec(line);
        if (listening) port = Number(listening[1]);
        options.onLine?.(line);
      },
      ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
    },
  );
  try {
    await waitUntil(child, 'listening', options.readyTimeoutMs ?? 60_000, async () => port !== undefined);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { child, url: `http://127.0.0.1:${port}/` };
}

function prefixed(name: string): (line: string) => void {
  return (line) => process.stdout.write(`[${name}] ${line}\n`);
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3978);
  const playgroundPort = Number(process.env.PLAYGROUND_PORT ?? 56150);
  const removed = AUTH_KEYS.filter((key) => process.env[key]);
  if (removed.length > 0) {
    process.stdout.write(`[dev] local mode: ignoring ${removed.join(', ')} for this run (the Playground does not authenticate).\n`);
  }
  // Every child from the moment it is spawned: Ctrl+C while the bot is still starting must stop it too.
  const children: Child[] = [];
  let shuttingDown = false;
  const track = (child: Child) => {
    children.push(child);
    if (shuttingDown) void child.stop();
  };
  const shutdown = async (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    process.stdout.write('[dev] stopping the bot and the Playground...\n');
    await Promise.all(children.map((child) => child.stop()));
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGHUP', () => void shutdown(0));

  try {
    if (!(await portIsFree(port))) {
      throw new Error(`port ${port} is already in use (another bot running?). Stop it or choose another: PORT=3979 npm run dev`);
    }
    process.stdout.write(`[dev] starting the bot on http://127.0.0.1:${port} (local mode)...\n`);
    const bot = await startBot({ port, onLine: prefixed('bot'), onSpawn: track });
    if (shuttingDown) return;
    const playground = await startPlayground({ messagesUrl: bot.messagesUrl, port: playgroundPort, onLine: prefixed('playground'), onSpawn: track });
    if (shuttingDown) return;
    for (const child of children) {
      void child.exited.then((code) => {
        if (shuttingDown) return;
        process.stderr.write(`[dev] ${child.name} stopped unexpectedly (${code}); stopping the rest.\n`);
        void shutdown(1);
      });
    }
    process.stdout.write(
      `\n  Connector Doctor is running in local mode.\n` +
        `  Open the Agents Playground: ${playground.url}\n` +
        `  Choose "Personal Chat" and paste a connector error. Ctrl+C stops both.\n\n`,
    );
  } catch (error) {
    if (shuttingDown) return; // Ctrl+C during start: the child exiting early is expected, not an error
    process.stderr.write(`[dev] ${error instanceof Error ? error.message : String(error)}\n`);
    await shutdown(1);
  }
}

if (isEntryPoint(import.meta.url)) await main();
