// CPU time from /proc: what the server under test spent per answer (steady even when the machine is
// shared), and how busy the rest of the machine was during a window, in cores (0.5 = half a core).
// Other engineers' test runs share this machine; a window with a busy neighbour is one to distrust.
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** Busy ticks of all CPUs since boot (user + nice + system + irq + softirq + steal). */
function machineBusyTicks(): number {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return user + nice + system + irq + softirq + steal;
}

/** utime + stime of one process, in ticks (0 once it has gone). */
function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** CPU time (user + system, all threads) a process has used so far, in milliseconds. */
export function processCpuMs(pid: number): number {
  return (processTicks(pid) / TICKS_PER_SECOND) * 1000;
}

/** Start measuring; `stop()` gives the cores the other processes used on average since. */
export function watchNeighbours(ours: number[]): { stop(): number } {
  const started = performance.now();
  const machineBefore = machineBusyTicks();
  const oursBefore = ours.reduce((total, pid) => total + processTicks(pid), 0);
  return {
    stop() {
      const seconds = (performance.now() - started) / 1000;
      const machine = machineBusyTicks() - machineBefore;
      const mine = ours.reduce((total, pid) => total + processTicks(pid), 0) - oursBefore;
      return Math.max(0, machine - mine) / TICKS_PER_SECOND / seconds;
    },
  };
}

export interface QuietSettings {
  /** A machine is quiet when the others use less than this many cores (0 disables the wait). */
  belowCores: number;
  /** Give up waiting after this long and measure anyway (the table shows how busy it was). */
  maxWaitMs: number;
}

/** Wait for a second in which the rest of the machine is nearly idle; returns how long it waited. */
export async function waitForQuiet(ours: number[], settings: QuietSettings): Promise<number> {
  const started = performance.now();
  if (settings.belowCores <= 0) return 0;
  while (performance.now() - started < settings.maxWaitMs) {
    const probe = watchNeighbours(ours);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    if (probe.stop() < settings.belowCores) break;
  }
  return performance.now() - started;
}
