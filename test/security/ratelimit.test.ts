// Rate limits as a user notices them: a burst goes through, a flood is told once to slow down, the wait
// is honest, other people are unaffected, and memory stays bounded however many senders there are.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRateLimiter, DEFAULT_RATE_LIMITS, slowDownMessage, type RateDecision } from '../../src/core/ratelimit.js';

function limiter(overrides: Partial<Parameters<typeof createRateLimiter>[0]> = {}) {
  let now = 1_000_000;
  const rl = createRateLimiter({
    user: { capacity: 3, refillPerSecond: 0.5 },
    conversation: { capacity: 5, refillPerSecond: 1 },
    maxTrackedKeys: 1000,
    clock: () => now,
    ...overrides,
  });
  return { rl, advance: (ms: number) => (now += ms) };
}

const refused = (d: RateDecision) => (d.allowed ? undefined : d);

describe('rate limits', () => {
  it('lets a burst through, then refuses with an honest wait and announces it only once per streak', () => {
    const { rl, advance } = limiter();
    expect([1, 2, 3].map(() => rl.take('ada', 'chat-1').allowed)).toEqual([true, true, true]);
    const first = refused(rl.take('ada', 'chat-1'));
    expect(first).toMatchObject({ allowed: false, scope: 'user', retryAfterMs: 2000, notify: true });
    expect(refused(rl.take('ada', 'chat-1'))?.notify).toBe(false);

    advance(1000);
    expect(refused(rl.take('ada', 'chat-1'))).toMatchObject({ retryAfterMs: 1000, notify: false });
    advance(1000);
    expect(rl.take('ada', 'chat-1').allowed).toBe(true);
    // A new streak is announced again.
    expect(refused(rl.take('ada', 'chat-1'))?.notify).toBe(true);
  });

  it("does not slow down other people because of one person's flood", () => {
    const { rl } = limiter();
    for (let i = 0; i < 10; i += 1) rl.take('ada', 'chat-1');
    expect(rl.take('grace', 'chat-2').allowed).toBe(true);
  });

  it('limits a whole conversation, and a refused message costs the sender nothing', () => {
    const { rl } = limiter();
    for (const user of ['a', 'b', 'c', 'd', 'e']) expect(rl.take(user, 'busy-channel').allowed).toBe(true);
    const decision = refused(rl.take('f', 'busy-channel'));
    expect(decision).toMatchObject({ scope: 'conversation', retryAfterMs: 1000, notify: true });
    // f spent nothing: the full personal burst is still available elsewhere.
    expect([1, 2, 3].map(() => rl.take('f', 'quiet-chat').allowed)).toEqual([true, true, true]);
  });

  it('keeps memory bounded by forgetting the least recently seen senders', () => {
    const { rl } = limiter({ maxTrackedKeys: 100 });
    for (let i = 0; i < 3; i += 1) rl.take('ada', 'chat-ada');
    for (let i = 0; i < 10_000; i += 1) {
      rl.take(`user-${i}`, 'chat-x');
      if (i % 20 === 0) rl.take('ada', 'chat-ada'); // ada stays recent, so stays limited
      expect(rl.trackedKeys()).toBeLessThanOrEqual(100);
    }
    expect(rl.take('ada', 'chat-ada').allowed).toBe(false);
  });

  it('never lets a sender exceed capacity + refill over any message sequence', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ user: fc.constantFrom('u1', 'u2', 'u3'), conversation: fc.constantFrom('c1', 'c2'), gapMs: fc.integer({ min: 0, max: 4000 }) }), {
          maxLength: 200,
        }),
        (messages) => {
          const { rl, advance } = limiter({ conversation: { capacity: 1000, refillPerSecond: 1000 } });
          const allowed = new Map<string, number>();
          let elapsedMs = 0;
          for (const m of messages) {
            advance(m.gapMs);
            elapsedMs += m.gapMs;
            if (rl.take(m.user, m.conversation).allowed) allowed.set(m.user, (allowed.get(m.user) ?? 0) + 1);
          }
          for (const count of allowed.values()) expect(count).toBeLessThanOrEqual(3 + Math.floor((elapsedMs / 1000) * 0.5));
        },
      ),
    );
  });

  it('says in plain words who should slow down and for how long', () => {
    expect(slowDownMessage({ allowed: false, scope: 'user', retryAfterMs: 2400, notify: true })).toBe(
      "You're sending messages faster than I can diagnose them. Please wait about 3 seconds and try again.",
    );
    expect(slowDownMessage({ allowed: false, scope: 'conversation', retryAfterMs: 200, notify: true })).toMatch(/^This conversation .* about 1 second and/);
  });

  it('refuses nonsensical settings at start-up', () => {
    expect(() => createRateLimiter({ ...DEFAULT_RATE_LIMITS, user: { capacity: 0, refillPerSecond: 1 }, clock: Date.now })).toThrow(/capacity/);
    expect(() => createRateLimiter({ ...DEFAULT_RATE_LIMITS, conversation: { capacity: 5, refillPerSecond: 0 }, clock: Date.now })).toThrow(/refill/);
    expect(() => createRateLimiter({ ...DEFAULT_RATE_LIMITS, maxTrackedKeys: 1, clock: Date.now })).toThrow(/maxTrackedKeys/);
  });
});
