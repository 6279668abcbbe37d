// The activity as botbuilder's turn expects it: the three date fields Teams sends as ISO strings
// become Dates, the original text kept beside each (raw*), as CloudAdapter.process does before a turn.
import type { Activity } from 'botbuilder';

const DATE_FIELDS = [
  ['timestamp', 'rawTimestamp'],
  ['expiration', 'rawExpiration'],
  ['localTimestamp', 'rawLocalTimestamp'],
] as const;

/** Mutates and returns `activity` (a parsed JSON body whose `type` is a non-empty string). */
export function validateAndFixActivity(activity: Activity): Activity {
  const fields = activity as unknown as Record<string, unknown>;
  for (const [field, raw] of DATE_FIELDS) {
    const value = fields[field];
    if (typeof value === 'string') {
      fields[raw] = value;
      fields[field] = new Date(value);
    }
  }
  return activity;
}
