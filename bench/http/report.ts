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

type Row = (string | number | undefined)[];

const HEADER = ['workload', 'server', 'round', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors (timeouts)', 'no card', 'RSS peak MiB', 'RSS after MiB', 'req/s vs minimal', 'p99 vs minimal', 'RSS vs minimal', 'others CPU (cores)'];

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const whole = (value: number | undefined) => (value === undefined ? '-' : Math.round(value).toLocaleString('en-US'));
const ratio = (value: number, reference: number | undefined) => (reference ? `${(value / reference).toFixed(2)}x` : '-');

/** One window, or the summary of a server's windows (medians of rates and latencies, totals of counts, highest peak). */
interface Figures {
  round: string;
  rps: number;
  p50: number;
  p99: number;
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
  return { round: String(m.round), rps: load.requestsPerSecond, p50: load.p50Ms, p99: load.p99Ms, non2xx: load.non2xx, errors: load.errors, timeouts: load.timeouts, withoutCard: load.withoutCard, peakMiB: m.peakMiB, afterMiB: m.afterMiB, neighbourCores: m.neighbourCores };
}

function summaryOf(windows: Measurement[]): Figures {
  const cards = windows.map((m) => m.load.withoutCard);
  return {
    round: 'median',
    rps: median(windows.map((m) => m.load.requestsPerSecond)),
    p50: median(windows.map((m) => m.load.p50Ms)),
    p99: median(windows.map((m) => m.load.p99Ms)),
    non2xx: sum(windows.map((m) => m.load.non2xx)),
    errors: sum(windows.map((m) => m.load.errors)),
    timeouts: sum(windows.map((m) => m.load.timeouts)),
    withoutCard: cards.every((c) => c === undefined) ? undefined : sum(cards.map((c) => c ?? 0)),
    peakMiB: Math.max(...windows.map((m) => m.peakMiB)),
    afterMiB: windows.at(-1)?.afterMiB,
    neighbourCores: median(windows.map((m) => m.neighbourCores)),
  };
}

function loadRow(kind: WorkloadKind, server: string, f: Figures, minimal: Figures | undefined): Row {
  const versus = server === SERVER_NAMES.minimal ? undefined : minimal;
  return [
    kind, server, f.round, whole(f.rps), whole(f.p50), whole(f.p99), f.non2xx, `${f.errors} (${f.timeouts})`, f.withoutCard ?? '-',
    whole(f.peakMiB), whole(f.afterMiB),
    versus ? ratio(f.rps, versus.rps) : '', versus ? ratio(f.p99, versus.p99) : '', versus ? ratio(f.peakMiB, versus.peakMiB) : '',
    f.neighbourCores.toFixed(2),
  ];
}

function loadRows(measurements: Measurement[]): Row[] {
  const rows: Row[] = [];
  const kinds: WorkloadKind[] = ['paste', 'press'];
  const servers = [SERVER_NAMES.restify, SERVER_NAMES.minimal, SERVER_NAMES.real];
  for (const kind of kinds) {
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
    const difference = server === SERVER_NAMES.minimal || mib === undefined || minimal === undefined ? '' : `${mib - minimal >= 0 ? '+' : ''}${Math.round(mib - minimal)} MiB`;
    return ['idle after start', server, '-', '', '', '', '', '', '', '', whole(mib), '', '', difference, ''];
  });
}

/** Start rows borrow the latency columns: p50 is the median start, p99 the slowest. */
function startRows(starts: StartTimes[]): Row[] {
  return starts.map((s) => [`start to ready (${s.samples.length} starts)`, s.server, '-', '', whole(median(s.samples)), whole(Math.max(...s.samples)), '', '', '', '', '', '', '', '', '']);
}

function markdown(rows: Row[]): string {
  const cells = [HEADER, ...rows].map((row) => row.map((cell) => (cell === undefined ? '-' : String(cell))));
  const widths = HEADER.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const [head, ...body] = cells;
  return [line(head as string[]), rule, ...body.map(line)].join('\n');
}

export function renderReport(report: Report): string {
  return markdown([...loadRows(report.measurements), ...idleRows(report.idleMiB), ...startRows(report.starts)]);
}
