// The servers under test as child processes on loopback: spawn one, wait until /readyz answers 200,
// notice when one dies unasked, and make sure none outlives the bench (normal end, error, Ctrl+C).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { EXIT_WITH_PARENT } from '../../scripts/dev.js';

export interface ServerSpec {
  /** Shown in the table. */
  name: string;
  /** Node flags and the script, e.g. ['dist/src/index.js']. */
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export interface ServerProcess {
  name: string;
  pid: number;
  url: string;
  /** Milliseconds from spawn to the first /readyz 200. */
  startToReadyMs: number;
  /** Set when the process exited without being asked to. */
  crashed(): string | undefined;
  /** SIGTERM, then SIGKILL after the grace period; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Send a signal (e.g. SIGUSR2 for a heap snapshot). */
  signal(name: NodeJS.Signals): void;
}

const running = new Set<ChildProcess>();
let cleanupInstalled = false;

/** A port the kernel just gave us and took back; good enough on a quiet loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Kill every child still running, synchronously (it also runs from the 'exit' hook). */
export function killAllChildren(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
}

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once('exit', killAllChildren);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping the servers\n`);
      killAllChildren();
      process.exit(130);
    });
  }
}

async function isReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startServer(spec: ServerSpec, timeoutMs = 30_000): Promise<ServerProcess> {
  installCleanup();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  // Even a `kill -9` of the bench stops the servers: their stdin is our pipe, and they exit when it closes.
  const child = spawn(process.execPath, ['--import', EXIT_WITH_PARENT, ...spec.args], {
    cwd: spec.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...spec.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  child.stdin?.on('error', () => undefined);
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  let stopping = false;
  let crash: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      if (!stopping) crash = `${spec.name} exited (${signal ?? `code ${code}`}); its stderr ends with:\n${stderr.slice(-1_500)}`;
      resolve();
    });
  });

  for (;;) {
    if (crash) throw new Error(crash);
    if (await isReady(url)) break;
    if (performance.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`${spec.name} was not ready within ${timeoutMs} ms; its stderr ends with:\n${stderr.slice(-1_500)}`);
    }
    await pause(5);
  }
  const startToReadyMs = performance.now() - started;

  return {
    name: spec.name,
    pid: child.pid as number,
    url,
    startToReadyMs,
    crashed: () => crash,
    signal: (name) => child.kill(name),
    async stop(graceMs = 10_000) {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
