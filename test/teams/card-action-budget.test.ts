// A press's store operations share one lock-wait budget (src/incidents/budget.ts): every read and
// write runCardAction makes runs inside it, so a press queued behind the outbox poll under another
// process's lock still answers "busy, try again" after about the budget, not two of them.
import { describe, expect, it } from 'vitest';
import { storeBudgetDeadline } from '../../src/incidents/budget.js';
import type { IncidentStore } from '../../src/incidents/types.js';
import { PRESS_LOCK_BUDGET_MS, runCardAction, type CardActionDeps } from '../../src/teams/card-actions.js';

describe('runCardAction', () => {
  it(`runs the press's store operations inside one budget of ${PRESS_LOCK_BUDGET_MS} ms`, async () => {
    const deadlines: (number | undefined)[] = [];
    const store = {
      get: async () => {
        deadlines.push(storeBudgetDeadline());
        return undefined; // unknown incident: the press ends here
      },
    } as unknown as IncidentStore;
    const deps = { store, metrics: { cardActions: { inc: () => undefined } } } as unknown as CardActionDeps;
    const before = Date.now();
    const result = await runCardAction(deps, {
      verb: 'resolve',
      data: { incidentId: 'incident-1' },
      conversationId: 'conversation-1',
      actor: { id: 'user-1', name: 'Ada Ops' },
    });
    expect(result.ok).toBe(false);
    expect(deadlines).toHaveLength(1);
    expect(deadlines[0]).toBeGreaterThanOrEqual(before + PRESS_LOCK_BUDGET_MS);
    expect(deadlines[0]).toBeLessThanOrEqual(Date.now() + PRESS_LOCK_BUDGET_MS);
  });
});
