// The one table the bench prints (Markdown, to paste into docs/performance.md): every window, the
// median over rounds, idle memory and start-to-ready, each with its ratio to the minimal bot.
import type { Measurement, WorkloadKind } from './rounds.js';
import { SERVER_NAMES } from './servers.js';
import type { StartTimes } from './startup.js';

export interface Report {
  measurements: Measurement[];
  /** RSS (MiB) of each server a moment after it became ready, before any load. */
  idleMiB: Map<string, number | undefined>;
  starts: StartTimes[];
}

const COLUMNS = {
  workload: 'workload',
  server: 'server',
  round: 'round',
  rps: 'req/s',
  p50: 'p50 ms',
  p99: 'p99 ms',
  cpu: 'CPU ms/req',
  non2xx: 'non-2xx',
  errors: 'errors (timeouts)',
  noCard: 'no card',
  peak: 'RSS peak MiB',
  after: 'RSS after MiB',
  rpsRatio: 'req/s vs minimal',
  p99Ratio: 'p99 vs minimal',
  cpuRatio: 'CPU/req vs minimal',
  rssRatio: 'RSS vs minimal',
  others: 'others CPU (cores)',
} as const;

type Row = Partial<Record<keyof typeof COLUMNS, string>>;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const whole = (value: number | undefined) => (value === undefined ? '-' : Math.round(value).toLocaleString('en-US'));
const ratio = (value: number, reference: number) => (reference > 0 ? `${(value / reference).toFixed(2)}x` : '-');

/** One window, or the summary of a server's windows (medians of rates, latencies and costs, totals of counts, highest peak). */
interface Figures {
  round: string;
  rps: number;
  p50: number;
  p99: number;
  cpu: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  withoutCard: number | undefined;
  peakMiB: number;
  afterMiB: number | undefined;
  neighbourCores: number;
}

function figuresOf(m: Measurement): Figures {
  const { load } = m;
  return {
    round: String(m.round),
    rps: load.requestsPerSecond,
    p50: load.p50Ms,
    p99: load.p99Ms,
    cpu: m.cpuMsPerAnswer,
    non2xx: load.non2xx,
    errors: load.errors,
    timeouts: load.timeouts,
    withoutCard: load.withoutCard,
    peakMiB: m.peakMiB,
    afterMiB: m.afterMiB,
    neighbourCores: m.neighbourCores,
  };
}

function summaryOf(windows: Measurement[]): Figures {
  const cards = windows.map((m) => m.load.withoutCard);
  const middle = (pick: (m: Measurement) => number) => median(windows.map(pick));
  return {
    round: 'median',
    rps: middle((m) => m.load.requestsPerSecond),
    p50: middle((m) => m.load.p50Ms),
    p99: middle((m) => m.load.p99Ms),
    cpu: middle((m) => m.cpuMsPerAnswer),
    non2xx: sum(windows.map((m) => m.load.non2xx)),
    errors: sum(windows.map((m) => m.load.errors)),
    timeouts: sum(windows.map((m) => m.load.timeouts)),
    withoutCard: cards.every((c) => c === undefined) ? undefined : sum(cards.map((c) => c ?? 0)),
    peakMiB: Math.max(...windows.map((m) => m.peakMiB)),
    afterMiB: windows.at(-1)?.afterMiB,
    neighbourCores: middle((m) => m.neighbourCores),
  };
}

function loadRow(kind: WorkloadKind, server: string, f: Figures, minimal: Figures | undefined): Row {
  const row: Row = {
    workload: kind,
    server,
    round: f.round,
    rps: whole(f.rps),
    p50: whole(f.p50),
    p99: whole(f.p99),
    cpu: f.cpu.toFixed(2),
    non2xx: String(f.non2xx),
    errors: `${f.errors} (${f.timeouts})`,
    noCard: f.withoutCard === undefined ? '-' : String(f.withoutCard),
    peak: whole(f.peakMiB),
    after: whole(f.afterMiB),
    others: f.neighbourCores.toFixed(2),
  };
  if (minimal && server !== SERVER_NAMES.minimal) {
    row.rpsRatio = ratio(f.rps, minimal.rps);
    row.p99Ratio = ratio(f.p99, minimal.p99);
    row.cpuRatio = ratio(f.cpu, minimal.cpu);
    row.rssRatio = ratio(f.peakMiB, minimal.peakMiB);
  }
  return row;
}

function loadRows(measurements: Measurement[]): Row[] {
  const rows: Row[] = [];
  const servers = [SERVER_NAMES.restify, SERVER_NAMES.minimal, SERVER_NAMES.real];
  for (const kind of ['paste', 'press'] as const) {
    const ofKind = measurements.filter((m) => m.kind === kind);
    const minimalWindows = ofKind.filter((m) => m.server === SERVER_NAMES.minimal);
    for (const server of servers) {
      const windows = ofKind.filter((m) => m.server === server);
      if (windows.length === 0) continue;
      for (const m of windows) {
        const reference = minimalWindows.find((w) => w.round === m.round);
        rows.push(loadRow(kind, server, figuresOf(m), reference && figuresOf(reference)));
      }
      rows.push(loadRow(kind, server, summaryOf(windows), minimalWindows.length ? summaryOf(minimalWindows) : undefined));
    }
  }
  return rows;
}

function idleRows(idleMiB: Map<string, number | undefined>): Row[] {
  const minimal = idleMiB.get(SERVER_NAMES.minimal);
  return [...idleMiB].map(([server, mib]) => {
    const row: Row = { workload: 'idle after start', server, round: '-', after: whole(mib) };
    if (server !== SERVER_NAMES.minimal && mib !== undefined && minimal !== undefined) {
      row.rssRatio = `${mib - minimal >= 0 ? '+' : ''}${Math.round(mib - minimal)} MiB`;
    }
    return row;
  });
}

/** Start rows borrow the latency columns: p50 is the median start, p99 the slowest. */
function startRows(starts: StartTimes[]): Row[] {
  return starts.map((s) => ({ workload: `start to ready (${s.samples.length} starts)`, server: s.server, round: '-', p50: whole(median(s.samples)), p99: whole(Math.max(...s.samples)) }));
}

function markdown(rows: Row[]): string {
  const keys = Object.keys(COLUMNS) as (keyof typeof COLUMNS)[];
  const cells = [keys.map((key) => COLUMNS[key]), ...rows.map((row) => keys.map((key) => row[key] ?? ''))];
  const widths = keys.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const [head, ...body] = cells;
  return [line(head as string[]), rule, ...body.map(line)].join('\n');
}

export function renderReport(report: Report): string {
  return markdown([...loadRows(report.measurements), ...idleRows(report.idleMiB), ...startRows(report.starts)]);
}
