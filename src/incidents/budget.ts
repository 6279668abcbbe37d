// One answer, one budget for waiting on locks. A button press makes several store operations (read
// the incident, its history, apply the action) and each is queued behind whatever else the bot is
// doing with the same SQLite file: the outbox worker's poll every second is a write, and under
// another process's lock it waits its own 2 s in the queue. With a deadline per operation a press
// could wait for the poll and then for itself (2.0-3.9 s measured). Inside `withStoreBudget` every
// operation's deadline is at most the budget's, counted from when the press began, so the person
// gets "busy, try again" within the budget however the queue looked.
import { AsyncLocalStorage } from 'node:async_hooks';

const budget = new AsyncLocalStorage<number>();

/** Run `fn` with its store operations' lock waits ending at most `ms` from now. */
export function withStoreBudget<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  return budget.run(Date.now() + ms, fn);
}

/** The deadline (epoch ms) of the budget the caller runs in, if any. */
export function storeBudgetDeadline(): number | undefined {
  return budget.getStore();
}
