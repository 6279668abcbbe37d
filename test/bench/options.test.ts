// bench:http's options: the figures' settings and the real bot's extra Node flags.
import { describe, expect, it } from 'vitest';
import { readOptions } from '../../bench/http/options.js';

describe('bench:http options', () => {
  it('defaults to 3 rounds of 5 s at 20 connections, building first, no extra flags', () => {
    expect(readOptions([], {})).toMatchObject({ rounds: 3, seconds: 5, connections: 20, build: true, botFlags: [] });
  });

  it('passes --bot-flags to the real bot as separate Node flags', () => {
    expect(readOptions(['--bot-flags=--max-semi-space-size=32  --trace-gc', '--no-build'], {})).toMatchObject({ botFlags: ['--max-semi-space-size=32', '--trace-gc'], build: false });
  });

  it('refuses a round count that is not a whole number', () => {
    expect(() => readOptions(['--rounds', '1.5'], {})).toThrow(/whole number/);
  });
});
