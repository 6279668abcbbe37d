// The three servers compared, as plain `node` programs (no tsx loader in the measured processes, so
// RSS and CPU are the server's own): the real bot from `npm run build`, the reference servers
// transpiled from bench/servers/*.ts next to it in dist/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { ServerSpec } from './children.js';
import { BOT_NODE_FLAGS } from '../../scripts/bot-node-flags.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const SERVERS_SOURCE = path.join(ROOT, 'bench/servers');
const SERVERS_BUILT = path.join(ROOT, 'dist/bench/servers');

export const SERVER_NAMES = {
  restify: 'bare restify, fixed JSON',
  minimal: 'minimal botbuilder bot',
  real: 'Connector Doctor',
} as const;

/** `npm run build` (the real bot to dist/src) and the reference servers to dist/bench/servers. */
export function buildServers(): void {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`npm run build failed (exit ${build.status ?? build.signal})`);
  mkdirSync(SERVERS_BUILT, { recursive: true });
  for (const file of readdirSync(SERVERS_SOURCE).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(path.join(SERVERS_SOURCE, file), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: file,
    });
    writeFileSync(path.join(SERVERS_BUILT, file.replace(/\.ts$/, '.js')), outputText);
  }
}

export function restifySpec(): ServerSpec {
  return { name: SERVER_NAMES.restify, args: [path.join(SERVERS_BUILT, 'restify-fixed.js')], env: {}, cwd: ROOT };
}

export function minimalBotSpec(): ServerSpec {
  return { name: SERVER_NAMES.minimal, args: [path.join(SERVERS_BUILT, 'minimal-bot.js')], env: {}, cwd: ROOT };
}

/**
 * The real bot as `npm start` runs it: local mode (no MicrosoftAppId reaches it: the environment is
 * built from scratch), a SQLite file of its own, quiet logs. `nodeFlags` is for profiling runs.
 */
export function realBotSpec(databaseFile: string, nodeFlags: string[] = []): ServerSpec {
  return {
    name: SERVER_NAMES.real,
    args: [...BOT_NODE_FLAGS, ...nodeFlags, path.join(ROOT, 'dist/src/index.js')],
    env: { DATABASE_URL: `sqlite:${databaseFile}`, LOG_LEVEL: 'warn' },
    cwd: ROOT,
  };
}
