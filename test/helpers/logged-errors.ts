// A turn that throws is answered 200 with an apology (messages) or a clean error (invokes), so an
// HTTP test that only looks at statuses passes while the bot is broken. Every HTTP-level test file
// therefore fails when the bot logged an error (pino level 50 or more: "turn failed", "card action
// failed", "matcher failed", a background worker's failure) that the test did not say it expects.
import { afterEach, expect } from 'vitest';

/** One error the bot logged: its message and the fields that say where (ids, codes, error names). */
export interface LoggedError {
  msg: string;
  level: number;
  line: string;
}

const ERROR_LEVEL = 50;

/** The error-level entries in a pino JSON log (lines that are not JSON are ignored). */
export function loggedErrors(logText: string): LoggedError[] {
  const errors: LoggedError[] = [];
  for (const line of logText.split('\n')) {
    if (!line.trim()) continue;
    let entry: { level?: unknown; msg?: unknown };
    try {
      entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
    } catch {
      continue;
    }
    if (typeof entry.level === 'number' && entry.level >= ERROR_LEVEL) errors.push({ msg: String(entry.msg ?? ''), level: entry.level, line });
  }
  return errors;
}

/** Fails (with the log lines) if `logText` holds an error-level entry whose message `allowed` does not match. */
export function expectNoLoggedErrors(logText: string, allowed?: RegExp): void {
  const unexpected = loggedErrors(logText).filter((e) => !allowed?.test(e.msg));
  expect(unexpected.map((e) => e.line), 'the bot logged errors (a turn or a worker failed)').toEqual([]);
}

export interface LoggedErrorWatch {
  /** This test expects errors whose message matches `pattern` (until the test ends). */
  allow(pattern: RegExp): void;
  /** Log length now, to check only what a step adds: `expectNoLoggedErrors(logs().slice(mark))`. */
  mark(): number;
}

/**
 * After each test in the file, fail if the bot logged an error since the previous check. `logs`
 * reads the running bot's captured log (it may be called before the bot exists: then it should
 * return ''); a shorter log than last time means a new bot, read from its start.
 */
export function failOnLoggedErrors(logs: () => string): LoggedErrorWatch {
  let checked = 0;
  let allowed: RegExp[] = [];
  afterEach(() => {
    const text = logs();
    if (text.length < checked) checked = 0;
    const fresh = text.slice(checked);
    checked = text.length;
    const patterns = allowed;
    allowed = [];
    const unexpected = loggedErrors(fresh).filter((e) => !patterns.some((p) => p.test(e.msg)));
    expect(unexpected.map((e) => e.line), 'the bot logged errors during this test (a turn or a worker failed)').toEqual([]);
  });
  return {
    allow(pattern) {
      allowed.push(pattern);
    },
    mark: () => logs().length,
  };
}
