// Secrets in CSV, `;`-separated or TSV rows under a header that names them (`User name,Password,Access key ID,
// Secret access key` as AWS exports credentials): the cells of those columns go, row after row.

import { mayNameSecret, secretKeyOf, type SecretKey } from './keys.js';
import { classifyToken } from './shapes.js';
import { REDACTED, isPlaceholder, isProseWord, looksRandom, type Span } from './text.js';
import { codeAt } from '../chars.js';

interface Cell {
  start: number;
  end: number;
}

/** Splits one line into cells (double-quoted cells may hold the delimiter). */
function cellsOf(text: string, start: number, end: number, delimiter: number): Cell[] {
  const cells: Cell[] = [];
  let i = start;
  while (i <= end) {
    let cellStart = i;
    let cellEnd: number;
    if (codeAt(text, i) === 34) {
      let k = i + 1;
      while (k < end && codeAt(text, k) !== 34) k++;
      cellStart = i + 1;
      cellEnd = k;
      i = k + 1;
      while (i < end && codeAt(text, i) !== delimiter) i++;
    } else {
      while (i < end && codeAt(text, i) !== delimiter) i++;
      cellEnd = i;
    }
    while (cellStart < cellEnd && (codeAt(text, cellStart) === 32 || codeAt(text, cellStart) === 9)) cellStart++;
    while (cellEnd > cellStart && (codeAt(text, cellEnd - 1) === 32 || codeAt(text, cellEnd - 1) === 9 || codeAt(text, cellEnd - 1) === 13)) cellEnd--;
    cells.push({ start: cellStart, end: cellEnd });
    i++;
  }
  return cells;
}

/** A header cell: a short name of at most four words, not a value and not a phrase ("invalid token"). */
function isHeaderCell(value: string): boolean {
  if (value.length === 0 || value.length > 40 || !/^[A-Za-z][A-Za-z0-9 _.-]*$/.test(value)) return false;
  const words = value.split(' ');
  return words.length <= 4 && !words.some((w) => w.length > 0 && isProseWord(w) && !SECRET_WORDS.has(w.toLowerCase()));
}

/** Prose words that are also what a header says. */
const SECRET_WORDS = new Set(['password', 'secret', 'key', 'token', 'value']);

/** The line's delimiter: `,`, else `;`, else a tab, else none (0). */
function delimiterOf(text: string, start: number, end: number): number {
  let semicolon = false;
  let tab = false;
  for (let i = start; i < end && i - start <= 8192; i++) {
    const c = codeAt(text, i);
    if (c === 44) return 44;
    if (c === 59) semicolon = true;
    if (c === 9) tab = true;
  }
  return semicolon ? 59 : tab ? 9 : 0;
}

export function scanCsv(text: string, spans: Span[]): void {
  let header: { delimiter: number; width: number; secrets: Map<number, SecretKey> } | undefined;
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    // The last line can only be a row under a header in force: a header it would start has no
    // row after it (a one-line paste is never read as CSV).
    if (nl === -1 && header === undefined) break;
    const end = nl === -1 ? text.length : nl;
    // Without a header in force, only a line naming a secret can start one: most lines stop here.
    const candidate = header !== undefined || (end - start <= 8192 && mayNameSecret(text.slice(start, end)));
    const delimiter = !candidate ? 0 : header?.delimiter ?? delimiterOf(text, start, end);
    const cells = delimiter && end - start <= 8192 ? cellsOf(text, start, end, delimiter) : [];
    if (header && cells.length === header.width) {
      for (const [column, key] of header.secrets) {
        const cell = cells[column];
        if (!cell) continue;
        const value = text.slice(cell.start, cell.end);
        if (value.length === 0 || value.startsWith(REDACTED) || isPlaceholder(value) || value.includes(' ')) continue;
        if (key.strength === 'strong' || classifyToken(value) || looksRandom(value, 'context')) spans.push({ start: cell.start, end: cell.end, kind: key.kind });
      }
    } else {
      header = undefined;
      if (cells.length >= 2 && cells.every((c) => isHeaderCell(text.slice(c.start, c.end)))) {
        const secrets = new Map<number, SecretKey>();
        cells.forEach((c, column) => {
          const key = secretKeyOf(text.slice(c.start, c.end));
          if (key) secrets.set(column, key);
        });
        if (secrets.size > 0) header = { delimiter, width: cells.length, secrets };
      }
    }
    if (nl === -1) break;
    start = nl + 1;
  }
}
