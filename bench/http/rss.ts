// Resident memory of a server process, read from /proc (Linux): the current VmRSS, and the peak
// during a window, both sampled and from the kernel's own high-water mark (VmHWM, reset per window).
import { readFileSync, writeFileSync } from 'node:fs';

const MIB = 1024 * 1024;

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? (Number(match[1]) * 1024) / MIB : undefined;
  } catch {
    return undefined;
  }
}

/** The process's resident set now, in MiB (undefined once it has gone). */
export function rssMiB(pid: number): number | undefined {
  return statusField(pid, 'VmRSS');
}

/** Reset the kernel's peak-RSS mark ("5" > clear_refs); false where the kernel does not allow it. */
function resetHighWaterMark(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Watch the peak RSS of `pids` from now on: a sample every `intervalMs`, plus VmHWM at the end where it
 * could be reset at the start (a sample can miss a short spike; the kernel's mark cannot).
 * `stop()` ends the watch and gives the peak (MiB) per pid.
 */
export function watchPeaks(pids: number[], intervalMs = 100): { stop(): Map<number, number> } {
  const peaks = new Map<number, number>();
  const hwmReset = new Map<number, boolean>();
  for (const pid of pids) {
    hwmReset.set(pid, resetHighWaterMark(pid));
    peaks.set(pid, rssMiB(pid) ?? 0);
  }
  const sample = () => {
    for (const pid of pids) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, rssMiB(pid) ?? 0));
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      for (const pid of pids) {
        const hwm = hwmReset.get(pid) ? statusField(pid, 'VmHWM') : undefined;
        peaks.set(pid, Math.max(peaks.get(pid) ?? 0, hwm ?? 0));
      }
      return peaks;
    },
  };
}
