// A paste is tokenised once, line by line, and every reader takes its slice. That is only right
// if it gives the very tokens each reader would get by tokenising its own text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/core/mask.js';
import { scoringTokens, tokenizePaste } from '../../src/core/paste-tokens.js';
import { segment } from '../../src/core/segment.js';

const piece = fc.oneof(
  fc.constantFrom(
    '2026-11-30T10:22:33Z ', 'ERROR ', 'ERROR:', 'WARN]', '[INFO] ', '[pool-1] ', 'c.a.Box - ', '| ', ': ', '- ', '[http://a.b/c]', 'http://x.okta.com/a',
    '://', 'a.b@c.com', '@okta.com', '-.x@y.com', '998cea7e-35cd-46a5-ab3c-8ec88a45d7d5', '05/01/2024 10:22:33 PM ', '10:22:33', 'Okta', 'Box',
    'at com.okta.X.y(X.java:1)', '\n', '\n\n', '\t', '  ', 'Caused by: ', '{', '}', '"', 'E0000011', '401', 'IgniteException',
  ),
  fc.string({ maxLength: 12 }),
);
const texts = fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(''));
const words = (tokens: readonly { raw: string; masked: string }[]): string[] => tokens.map((t) => `${t.raw}/${t.masked}`);

describe('tokenizePaste', () => {
  it('gives the tokens of the whole text, offsets included', () => {
    fc.assert(
      fc.property(texts, (text) => {
        expect(tokenizePaste(segment(text)).tokens).toEqual(tokenize(text));
      }),
      { numRuns: 500 },
    );
  });

  it('gives each error the tokens of its scoring text (bodies of its non-frame lines)', () => {
    fc.assert(
      fc.property(texts, (text) => {
        const paste = tokenizePaste(segment(text));
        for (const seg of paste.segments) {
          const scoring = seg.segment.lines.filter((l) => !l.frame).map((l) => l.body).join('\n');
          expect(words(scoringTokens(paste, seg))).toEqual(words(tokenize(scoring, 6000)));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('tokenises a body on its own when a masked span runs across its log prefix', () => {
    // The URL in the bracket runs on into the body: read alone, the body is an ordinary word.
    const paste = tokenizePaste(segment('[http://a.example/x]Ignite'));
    expect(paste.tokens.map((t) => t.masked)).toEqual(['<url>', '', '', '', '']);
    expect(words(scoringTokens(paste, paste.segments[0]!))).toEqual(['ignite/ignite']);
  });
});
