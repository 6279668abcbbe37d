// Structured logs (pino). Pasted text never goes in: log ids, kinds and lengths only.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export function createLogger(level: string = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'connector-doctor' },
    // Belt and braces: even if someone logs an activity, its text and value stay out.
    redact: { paths: ['text', 'value', '*.text', '*.value', 'activity.text', 'activity.value'], censor: '[not logged]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** What may be logged about an incoming activity: ids, kinds and sizes, never the words. */
export interface ActivitySummary {
  type?: unknown;
  id?: unknown;
  name?: unknown;
  channelId?: unknown;
  conversation?: { id?: unknown; conversationType?: unknown } | null;
  text?: unknown;
}

export function activityLogFields(activity: ActivitySummary | undefined): Record<string, unknown> {
  if (!activity) return {};
  return {
    activityId: typeof activity.id === 'string' ? activity.id : undefined,
    activityType: typeof activity.type === 'string' ? activity.type : undefined,
    invokeName: typeof activity.name === 'string' ? activity.name : undefined,
    channelId: typeof activity.channelId === 'string' ? activity.channelId : undefined,
    conversationType: typeof activity.conversation?.conversationType === 'string' ? activity.conversation.conversationType : undefined,
    textLength: typeof activity.text === 'string' ? activity.text.length : undefined,
  };
}

/**
 * At most one log line per key per interval: a store that is down fails every request, and one
 * line per request would bury everything else. `admit(key)` says whether to log now and how many
 * lines of that key were held back since the last one (put it in the line). Keys are kinds of
 * failure (a handful), never request data.
 */
export function createLogThrottle(intervalMs = 60_000, now: () => number = Date.now, maxKeys = 1_000) {
  const last = new Map<string, { at: number; heldBack: number }>();
  return {
    admit(key: string): { log: boolean; heldBack: number } {
      const t = now();
      const seen = last.get(key);
      if (seen && t - seen.at < intervalMs) {
        seen.heldBack += 1;
        return { log: false, heldBack: seen.heldBack };
      }
      if (!seen && last.size >= maxKeys) last.delete(last.keys().next().value as string);
      last.set(key, { at: t, heldBack: 0 });
      return { log: true, heldBack: seen?.heldBack ?? 0 };
    },
  };
}
