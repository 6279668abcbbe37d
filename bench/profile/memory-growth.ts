// `tsx bench/profile/memory-growth.ts [WINDOWS] [SECONDS]`: where the real bot's memory goes as load
// goes on. Alternating paste and press windows (bench:http's traffic, 20 connections), and after each
// the RSS split into anonymous and file-backed pages (/proc smaps_rollup) next to the V8 heap as the
// bot's own /metrics reports it (used, total, per space). Live objects growing -> a leak; heap
// total growing over a flat live set -> GC headroom. Expects `npm run build` to have run.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { killAllChildren, startServer } from '../http/children.js';
import { runLoad } from '../http/load.js';
import { realBotSpec } from '../http/servers.js';
import { PressTargets, pasteWorkload, pressWorkload } from '../http/workloads.js';

const MIB = 1024 * 1024;

function smapsMiB(pid: number, field: string): number {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0) / 1024;
}

/** Gauges from a Prometheus text page: name (with labels) -> MiB. */
function gaugesMiB(text: string, prefix: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const [name, value] = line.split(' ');
    if (name && value) found.set(name, Number(value) / MIB);
  }
  return found;
}

async function describe(label: string, url: string, pid: number): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const heap = gaugesMiB(metrics, 'nodejs_heap_size_');
  const external = gaugesMiB(metrics, 'nodejs_external_memory_bytes').get('nodejs_external_memory_bytes') ?? 0;
  const spaces = [...gaugesMiB(metrics, 'nodejs_heap_space_size_total_bytes')]
    .filter(([, mib]) => mib >= 1)
    .map(([name, mib]) => `${/space="(\w+)"/.exec(name)?.[1] ?? name} ${mib.toFixed(0)}`)
    .join(', ');
  const rss = smapsMiB(pid, 'Rss');
  const anonymous = smapsMiB(pid, 'Anonymous');
  const f = (n: number | undefined) => (n ?? 0).toFixed(0).padStart(4);
  return `${label.padEnd(9)} RSS ${f(rss)} MiB (anonymous ${f(anonymous)}, file ${f(rss - anonymous)}) | V8 heap used ${f(heap.get('nodejs_heap_size_used_bytes'))} of ${f(heap.get('nodejs_heap_size_total_bytes'))} MiB (${spaces}), external ${f(external)}`;
}

async function main(): Promise<void> {
  const windows = Number(process.argv[2] ?? 5);
  const seconds = Number(process.argv[3] ?? 5);
  const workDir = mkdtempSync(path.join(tmpdir(), 'connector-doctor-memory-'));
  try {
    // Extra Node flags for the bot (after the start script's), e.g. MEMORY_BOT_FLAGS=--max-old-space-size=256.
    const bot = await startServer(realBotSpec(path.join(workDir, 'memory.db'), (process.env.MEMORY_BOT_FLAGS ?? '').split(/\s+/).filter(Boolean)));
    const targets = new PressTargets();
    process.stdout.write(`${await describe('idle', bot.url, bot.pid)}\n`);
    for (let window = 1; window <= windows; window += 1) {
      await runLoad(bot.url, pasteWorkload({ verify: true, harvest: targets }), { connections: 20, seconds });
      process.stdout.write(`${await describe(`paste ${window}`, bot.url, bot.pid)}\n`);
      await runLoad(bot.url, pressWorkload(targets), { connections: 20, seconds });
      process.stdout.write(`${await describe(`press ${window}`, bot.url, bot.pid)}\n`);
    }
    await bot.stop();
  } finally {
    killAllChildren();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`memory-growth failed: ${error instanceof Error ? error.message : String(error)}\n`);
  killAllChildren();
  process.exit(1);
});
