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
}

/** Anything running the bot whose log the test captured: RunningApp, RunningBot, Harness. */
export interface LoggingBot {
  logs(): string;
}

/**
 * After each test in the file (or describe block), fail if a bot logged an error since the
 * previous check. `bots` names the bots running now (undefined before one exists); each bot's log
 * is read from where the last check left it, so a bot made for one test is read from its start.
 */
export function failOnLoggedErrors(bots: () => LoggingBot | undefined | readonly (LoggingBot | undefined)[]): LoggedErrorWatch {
  const checked = new WeakMap<LoggingBot, number>();
  let allowed: RegExp[] = [];
  afterEach(() => {
    const current = bots();
    const list = (Array.isArray(current) ? current : [current]) as (LoggingBot | undefined)[];
    const unexpected: LoggedError[] = [];
    for (const bot of list) {
      if (!bot) continue;
      const text = bot.logs();
      unexpected.push(...loggedErrors(text.slice(checked.get(bot) ?? 0)).filter((e) => !allowed.some((p) => p.test(e.msg))));
      checked.set(bot, text.length);
    }
    allowed = [];
    expect(unexpected.map((e) => e.line), 'the bot logged errors during this test (a turn or a worker failed)').toEqual([]);
  });
  return {
    allow(pattern) {
      allowed.push(pattern);
    },
  };
}
