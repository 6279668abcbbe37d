// `npm run bench:store`: the store's share of a paste and of a press, in this process, on a
// temporary SQLite file, with 20 callers at once (the bench:http load). A paste is what
// postFindings asks of the store: record the incident (a new conversation each time), what its
// card needs (the audit trail, the support-channel setting), and the card's activity id. A press
// is what runCardAction asks: the incident and its trail, the action, the trail after it (handed
// back by the action, or read) and the setting. Each window runs the store twice, one transaction
// per commit (maxBatch 1, as before group commit) and with group commit, the order swapped every
// round. Prints operations/s, CPU ms per paste or press and transactions per commit. Figures,
// never assertions.
//
//   npm run bench:store -- [--rounds N] [--seconds S] [--callers C]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isEntryPoint } from '../src/entry-point.js';
import { SETTINGS_MAX_AGE_MS } from '../src/incidents/index.js';
import { DEFAULT_MAX_BATCH, openSqliteDriver } from '../src/incidents/sqlite.js';
import { createStore } from '../src/incidents/store.js';
import type { IncidentStore, NewIncident, Person } from '../src/incidents/types.js';

const SUPPORT_CHANNEL_SETTING = 'support-channel';
const reporter: Person = { id: '29:bench-reporter', name: 'Ada Ops', aadObjectId: 'aad-bench' };
// A realistic excerpt: the store redacts it again before storing, as it does for a real paste.
const EXCERPT =
  'AuthFatalFailureException: com.box.boxjavalibv2.exceptions.BoxServerException: {"error":"invalid_grant","error_description":"Invalid refresh token"}\n' +
  'Last run: 11/28/2026, 4:12 AM';

interface Workload {
  name: string;
  /** Ready the database for `callers` callers; returns one operation (a paste or a press) per call. */
  prepare(store: IncidentStore, callers: number, tag: string): Promise<(caller: number, n: number) => Promise<void>>;
}

const opening = (conversationId: string): NewIncident => ({
  conversationId,
  tenantId: 'tenant-bench',
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  reporter,
  excerpt: EXCERPT,
  verdict: 'match',
  entryIds: ['box-invalid-refresh-token'],
  appId: 'box',
  at: new Date(),
});

const paste: Workload = {
  name: 'paste',
  async prepare(store, _callers, tag) {
    return async (caller, n) => {
      const { incident, events } = await store.openOrRepeat(opening(`a:bench-${tag}-${caller}-${n}`));
      // The card's trail: handed back by the record (a store that does not hand it back is asked).
      if (!events) await store.events(incident.id);
      await store.getSetting(SUPPORT_CHANNEL_SETTING);
      await store.attachCard(incident.id, `activity-${tag}-${caller}-${n}`);
    };
  },
};

/** Incidents per caller: each is pressed a few times in a window, so its audit trail stays as short as a real one. */
const PRESSED_PER_CALLER = 150;

/** Each caller presses its own incidents in turn (resolve, then reopen): every press is applied. */
const press: Workload = {
  name: 'press',
  async prepare(store, callers, tag) {
    const ids: string[][] = [];
    for (let c = 0; c < callers; c++) {
      ids.push(
        await Promise.all(Array.from({ length: PRESSED_PER_CALLER }, async (_, k) => (await store.openOrRepeat(opening(`a:bench-press-${tag}-${c}-${k}`))).incident.id)),
      );
    }
    return async (caller, n) => {
      const id = ids[caller]![n % PRESSED_PER_CALLER]!;
      const incident = (await store.get(id))!;
      await store.events(id);
      const outcome = await store.apply(
        { incidentId: id, conversationId: incident.conversationId, actor: reporter, action: { kind: incident.state === 'open' ? 'resolve' : 'reopen' }, at: new Date() },
        [],
        () => null,
      );
      if (outcome.status !== 'applied' || !outcome.events) await store.events(id);
      await store.getSetting(SUPPORT_CHANNEL_SETTING);
    };
  },
};

interface Figures {
  perSecond: number;
  cpuMs: number;
}

/**
 * `callers` loops, each awaiting its operations one after the other, for `seconds` after `warmup`
 * seconds. The loops read the clock themselves (a timer would wait behind them).
 */
async function window(op: (caller: number, n: number) => Promise<void>, callers: number, seconds: number, warmup: number): Promise<Figures> {
  const begin = performance.now();
  const countFrom = begin + warmup * 1000;
  const countTo = countFrom + seconds * 1000;
  let cpu: NodeJS.CpuUsage | undefined;
  let used: NodeJS.CpuUsage | undefined;
  let started = 0;
  let elapsed = 0;
  let done = 0;
  const loops = Array.from({ length: callers }, async (_, caller) => {
    for (let n = 0; ; n++) {
      // Each paste or press starts in an event-loop turn of its own, as a request from the network does.
      await new Promise((resolve) => setImmediate(resolve));
      await op(caller, n);
      const now = performance.now();
      if (now >= countTo) {
        if (!used) {
          used = process.cpuUsage(cpu);
          elapsed = (now - started) / 1000;
        }
        return;
      }
      if (cpu) done += 1;
      else if (now >= countFrom) {
        cpu = process.cpuUsage();
        started = now;
      }
    }
  });
  await Promise.all(loops);
  return { perSecond: done / elapsed, cpuMs: (used!.user + used!.system) / 1000 / done };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** How the store is opened: as the bot opens it, with or without group commit. */
interface Variant {
  name: string;
  maxBatch: number;
}
const VARIANTS: Variant[] = [
  { name: 'one commit each', maxBatch: 1 },
  { name: 'group commit', maxBatch: DEFAULT_MAX_BATCH },
];

async function openVariant(file: string, variant: Variant, commits: { commits: number; transactions: number }): Promise<IncidentStore> {
  const driver = openSqliteDriver(file, {
    maxBatch: variant.maxBatch,
    onCommit: (n) => {
      commits.commits += 1;
      commits.transactions += n;
    },
  });
  // As the bot opens it (src/index.ts): a setting read is reused for SETTINGS_MAX_AGE_MS.
  const store = createStore(driver, { settingsMaxAgeMs: SETTINGS_MAX_AGE_MS });
  await store.migrate();
  return store;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '3' }, warmup: { type: 'string', default: '0.5' }, callers: { type: 'string', default: '20' } },
  });
  const rounds = Number(values.rounds);
  const seconds = Number(values.seconds);
  const warmup = Number(values.warmup);
  const callers = Number(values.callers);
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim()}), load average ${load()} at start`);
  console.log(`${rounds} rounds x ${seconds} s after ${warmup} s of warm-up, ${callers} callers, SQLite (WAL, synchronous NORMAL) in ${tmpdir()}`);
  console.log(`variants: ${VARIANTS.map((v) => `${v.name} (maxBatch ${v.maxBatch})`).join(', ')}, in turn, the order swapped every round`);
  const dir = mkdtempSync(path.join(tmpdir(), 'cd-bench-store-'));
  const results = new Map<string, (Figures & { perCommit: number })[]>();
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const workload of [paste, press]) {
        for (const variant of round % 2 === 1 ? VARIANTS : [...VARIANTS].reverse()) {
          // A fresh file per window: every window starts from the same database size.
          const commits = { commits: 0, transactions: 0 };
          const store = await openVariant(path.join(dir, `r${round}-${workload.name}-${variant.maxBatch}.db`), variant, commits);
          try {
            const op = await workload.prepare(store, callers, `r${round}`);
            commits.commits = 0;
            commits.transactions = 0;
            const figures = { ...(await window(op, callers, seconds, warmup)), perCommit: commits.transactions / commits.commits };
            const key = `${workload.name} | ${variant.name}`;
            results.set(key, [...(results.get(key) ?? []), figures]);
            console.log(`round ${round} ${workload.name}, ${variant.name}: ${figures.perSecond.toFixed(0)}/s, ${figures.cpuMs.toFixed(3)} CPU ms each, ${figures.perCommit.toFixed(1)} transactions per commit`);
          } finally {
            await store.close();
          }
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`load average ${load()} at the end\n`);
  console.log('| workload | store | per second (median) | CPU ms each (median) | CPU ms each (rounds) | transactions per commit |');
  console.log('|---|---|---|---|---|---|');
  for (const [key, figures] of [...results].sort(([a], [b]) => a.localeCompare(b))) {
    const cpu = median(figures.map((f) => f.cpuMs));
    console.log(`| ${key} | ${median(figures.map((f) => f.perSecond)).toFixed(0)} | ${cpu.toFixed(3)} | ${figures.map((f) => f.cpuMs.toFixed(3)).join(', ')} | ${median(figures.map((f) => f.perCommit)).toFixed(1)} |`);
  }
}

if (isEntryPoint(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
