// The two ways text reaches a card: escaped Markdown for our own words, literal for TextRuns. Neither
// may add a character a reader cannot see (it would travel with anything they copy).
import { beforeEach, describe, expect, it } from 'vitest';
import { MEMO_ENTRIES, MEMO_MAX_CHARS, forgetPlainTextMemo, literalText, plainText, plainTextMemoSize, truncateText } from '../../src/cards/plain-text.js';
import { unescapeDisplay } from '../helpers/adaptive-card-schema.js';

const INVISIBLE = /[\u200B-\u200F\u2060-\u2064\uFEFF\u00AD]/;
const samples = [
  'see https://evil.example/reset and www.evil.example or mail ops@evil.example',
  'Click [here](https://evil.example/login) **now** <at>Boss</at>',
  '- bullet\n1. numbered\n# heading',
  'admin.google.com > Directory > Users',
];

describe('plainText (TextBlocks, Facts, bot messages)', () => {
  it.each(samples)('adds nothing invisible and reads back as written: %s', (sample) => {
    const escaped = plainText(sample);
    expect(escaped).not.toMatch(INVISIBLE);
    expect(unescapeDisplay(escaped)).toBe(sample);
  });

  it('escapes every Markdown construct, so none can form', () => {
    const escaped = plainText(samples[1]!);
    expect(escaped).not.toMatch(/(?<!\\)\[here(?<!\\)\]/);
    expect(escaped).not.toMatch(/(?<!\\)\*\*/);
    expect(escaped).not.toMatch(/(?<!\\)<at>/);
    expect(plainText(samples[2]!)).not.toMatch(/^(-|\d+\.) /m);
    expect(plainText('_wide_ and {{DATE(2026-12-04T10:00:00Z)}}')).toBe('\\_wide\\_ and \\{\\{DATE(2026-12-04T10:00:00Z)}}');
  });

  it('adds no backslash Adaptive Cards do not need (some Teams clients show it)', () => {
    for (const text of ['admin.google.com > Directory > Users (then Save)', 'Set SUPPORT_WEBHOOK_URL or ALERTS_TOKEN', '# 401 | x < 5 | ~ok~ `code` !']) {
      expect(plainText(text)).toBe(text);
    }
  });
});

describe('literalText (TextRuns)', () => {
  it('keeps the text exactly, dropping only control characters', () => {
    for (const sample of samples) expect(literalText(sample)).toBe(sample);
    expect(literalText('a\u0000b\u0007c\r\nd')).toBe('abc\nd');
    expect(literalText('lone \uD800 surrogate')).toBe('lone \uFFFD surrogate');
  });
});

describe('truncateText', () => {
  it('never splits a surrogate pair', () => {
    expect(truncateText('ab😀cd', 3)).toBe('ab😀');
  });
});

describe('plainText remembers its answers, within a bound', () => {
  beforeEach(() => forgetPlainTextMemo());

  it('answers a text it has seen exactly as it did the first time', () => {
    const text = '1. Open *Settings* <at>Ops</at> [here](https://x.example) _now_';
    const first = plainText(text);
    expect(plainText(text)).toBe(first);
    expect(first).toBe('1\\. Open \\*Settings\\* \\<at>Ops\\</at> \\[here\\](https://x.example) \\_now\\_');
  });

  it('keeps at most MEMO_ENTRIES texts however many different ones people send', () => {
    for (let i = 0; i < MEMO_ENTRIES * 3; i += 1) plainText(`note ${i} *bold*`);
    expect(plainTextMemoSize()).toBeLessThanOrEqual(MEMO_ENTRIES);
    // Still right after the oldest were dropped.
    expect(plainText('note 0 *bold*')).toBe('note 0 \\*bold\\*');
  });

  it('does not remember long texts', () => {
    plainText('short *one*');
    const before = plainTextMemoSize();
    expect(before).toBe(1);
    const long = `${'x'.repeat(MEMO_MAX_CHARS)} *y* ${Math.random()}`;
    expect(plainText(long).endsWith(`\\*y\\* ${long.split(' ').at(-1)}`)).toBe(true);
    expect(plainTextMemoSize()).toBe(before);
  });
});
