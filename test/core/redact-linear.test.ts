// Redaction does work in proportion to the paste, whatever the paste: counted, not timed (the times
// are `npm run bench`'s). The pair scanner reports how many characters it read as values; on hostile
// input (one key repeated so that every key's value runs to the end of the text) that count must
// grow like the text, not like its square.
import { describe, expect, it } from 'vitest';
import { redact } from '../../src/core/redact.js';
import { scanPairs, type PairsWork } from '../../src/core/secrets/pairs.js';

const fill = (unit: string, size: number): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

function valueChars(text: string): number {
  const work: PairsWork = { valueChars: 0 };
  scanPairs(text, [], work);
  return work.valueChars;
}

/** Units that, repeated, put a key at every few characters with a value that could run on. */
const HOSTILE = [
  'Pwd=', // one word: each `Pwd=` starts a value reaching the end of the text
  'key=x=', // a weak key whose value is never random
  'Pwd=Pwd=x(', // a value that turns out to be code (`x(`)
  'var token: ', // a typed declaration without its `=`
  'password: it ', // prose after a key
  'token="$X ', // a placeholder in quotes
  'auth: |\n ', // block scalars nested one space deeper each line
];

describe('redaction stays linear', () => {
  it.each(HOSTILE)('reads each character as a value a bounded number of times: %j', (unit) => {
    const small = valueChars(fill(unit, 16 * 1024));
    const large = valueChars(fill(unit, 64 * 1024));
    // Four times the text, about four times the work; a quadratic scan does sixteen times.
    expect(large).toBeLessThanOrEqual(Math.max(4.5 * small, 64));
    expect(large).toBeLessThanOrEqual(4 * 64 * 1024);
  });

  it('nested block scalars are read once each line, not once per level', () => {
    let text = '';
    for (let depth = 0; text.length < 64 * 1024; depth++) text += `${' '.repeat(depth % 300)}auth: |\n`;
    expect(valueChars(text)).toBeLessThanOrEqual(2 * text.length);
  });

  it('still finds a secret after a long hostile run', () => {
    const text = `${fill('Pwd=', 64 * 1024)}\npassword=hunter2-Orbit7\n${fill('var token: ', 4096)}\ntoken: "Xk29fLq83hHs0pQzR7mN"`;
    const out = redact(text);
    expect(out.text).not.toContain('hunter2-Orbit7');
    expect(out.text).not.toContain('Xk29fLq83hHs0pQzR7mN');
  });
});
