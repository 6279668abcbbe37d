// What a person in Teams is told when the incident store fails under their request: plain words,
// what happened to their request, and what to do; never the database, a path or an error code.
// The operator side (log line, metric) is the store's own `onFailure` (index.ts), once a minute.
import type { StoreError } from '../core/errors.js';

/** A lock or a dropped connection: pressing again in a moment should work. */
export const STORE_BUSY_MESSAGE = 'The incident store is busy right now and nothing was changed. Please press the button again in a moment.';

/** Read-only, full, deleted or unreachable for longer: waiting a moment will not help. */
export const STORE_DOWN_MESSAGE =
  'I cannot record changes right now, so nothing was changed. Whoever runs me has been told; please try again later.';

/** A command (stats, set support channel) that needed the store. */
export const STORE_DOWN_REQUEST =
  'I cannot reach my incident records right now, so I could not do that. Whoever runs me has been told; please try again in a few minutes.';

/** The line for a button press that the store refused. */
export function pressFaultMessage(error: StoreError): string {
  return error.transient ? STORE_BUSY_MESSAGE : STORE_DOWN_MESSAGE;
}
