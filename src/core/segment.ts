// Splits a normalised, redacted paste into distinct errors. Stack-trace frames, "Caused by",
// JSON bodies (one-line or pretty-printed) and the portal's own multi-line messages stay with
// the line that opened them; a log record prefix (timestamp, level) starts a new error.

import { readsAsError } from './error-words.js';
import { timestampLength } from './mask.js';
import { codeAt } from './chars.js';

export interface SegmentLine {
  /** The line as pasted (normalised and redacted). */
  text: string;
  /** Where the line starts in the text given to segment(). */
  start: number;
  /** The line without its log prefix (timestamp, level, thread, logger). */
  body: string;
  /** Where `body` starts in `text`. */
  bodyStart: number;
  /** The log prefix gave an error level (`ERROR`, `[FATAL]`, `Error:`), not a warning or info. */
  errorLevel: boolean;
  /** A stack frame (`at com.foo.Bar(Bar.java:12)`, `... 12 more`): kept for hints, not scored. */
  frame: boolean;
}

export interface Segment {
  lines: SegmentLine[];
  /** A blank line comes before it: it does not follow on from the segment above. */
  afterBlank: boolean;
}

const LEVELS = new Set(['ERROR', 'ERR', 'WARN', 'WARNING', 'INFO', 'DEBUG', 'TRACE', 'FATAL', 'SEVERE', 'CRITICAL', 'NOTICE', 'CRIT', 'FAIL', 'FAILED']);
const LEVEL_WORDS_WITH_COLON = new Set(['error', 'warning', 'exception', 'fail', 'failed', 'fatal']);
/** Levels that say the record is an error (upper-cased). */
const ERROR_LEVELS = new Set(['ERROR', 'ERR', 'FATAL', 'SEVERE', 'CRITICAL', 'CRIT', 'FAIL', 'FAILED', 'EXCEPTION']);

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}
function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}
function isIdentChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c === 46;
}

interface Prefix {
  body: string;
  /** A timestamp or level was found: the line opens a new log record. */
  record: boolean;
}

/** Strips `2024-05-01 10:22:33,123 [pool-1] ERROR c.a.Foo - ` style prefixes (bounded work). */
export function stripLogPrefix(line: string): Prefix {
  const { body, record } = readLogPrefix(line);
  return { body, record };
}

function readLogPrefix(line: string): Prefix & { bodyStart: number; errorLevel: boolean } {
  let i = 0;
  let record = false;
  let errorLevel = false;
  /** A timestamp or a bracketed level was seen: the line has a log record's shape of its own. */
  let logShape = false;
  /** The error level came from a bare leading word (`Error:`, `FAILED`), with no log shape around it. */
  let bareLevel = false;
  for (let round = 0; round < 10; round++) {
    while (i < line.length && isSpace(line.charCodeAt(i))) i++;
    if (i >= line.length) break;
    const c = codeAt(line, i);
    const ts = timestampLength(line, i);
    if (ts > 0) {
      i += ts;
      record = true;
      logShape = true;
      // `11/30/2026 10:22:33 PM`
      const meridiem = line.slice(i, i + 4).toUpperCase();
      if ((meridiem === ' AM ' || meridiem === ' PM ') || ((meridiem === ' AM' || meridiem === ' PM') && i + 3 === line.length)) i += 3;
      continue;
    }
    if (c === 91 /* [ */ || c === 40 /* ( */ || c === 60 /* < */) {
      const close = c === 91 ? 93 : c === 40 ? 41 : 62;
      let j = i + 1;
      const limit = Math.min(line.length, i + 80);
      let ok = true;
      while (j < limit && codeAt(line, j) !== close) {
        const d = codeAt(line, j);
        if (d === 34 || d === 123 || d === 125 || d === 91 || d === 39) {
          ok = false;
          break;
        }
        j++;
      }
      if (ok && j < limit && j > i + 1) {
        const inside = line.slice(i + 1, j).trim();
        if (LEVELS.has(inside.toUpperCase()) || timestampLength(inside, 0) > 0) {
          record = true;
          logShape = true;
        }
        if (ERROR_LEVELS.has(inside.toUpperCase())) errorLevel = true;
        i = j + 1;
        continue;
      }
      break;
    }
    if (c === 124 /* | */ || ((c === 45 || c === 58) && isSpace(codeAt(line, i + 1)))) {
      i++;
      continue;
    }
    // A word: a level (`ERROR`, `Error:`), or a logger name followed by ` - `.
    let j = i;
    while (j < line.length && isIdentChar(line.charCodeAt(j))) j++;
    if (j === i) break;
    const word = line.slice(i, j);
    const after = codeAt(line, j);
    if (LEVELS.has(word) && (j === line.length || isSpace(after) || after === 58 || after === 93 || after === 124)) {
      i = after === 58 ? j + 1 : j;
      record = true;
      if (ERROR_LEVELS.has(word) && !errorLevel) {
        errorLevel = true;
        bareLevel = !logShape;
      }
      continue;
    }
    if (after === 58 && LEVEL_WORDS_WITH_COLON.has(word.toLowerCase()) && isSpace(codeAt(line, j + 1))) {
      i = j + 1;
      record = true;
      if (ERROR_LEVELS.has(word.toUpperCase()) && !errorLevel) {
        errorLevel = true;
        bareLevel = !logShape;
      }
      continue;
    }
    // `c.m.a.Connector - message` (logback/log4j logger then dash); only when a level was already seen.
    if (record && word.includes('.') && isSpace(after) && codeAt(line, j + 1) === 45 && isSpace(codeAt(line, j + 2))) {
      i = j + 3;
      continue;
    }
    break;
  }
  const rest = line.slice(i);
  const body = rest.trimStart();
  // A level word that only begins a sentence ("Failed: my attempt at sourdough", "FATAL attraction
  // tonight") is no log record's level: with no timestamp or bracketed level around it, it says
  // error only when what follows reads as one (a word of failure, a code).
  if (bareLevel && !logShape && !readsAsError(body)) errorLevel = false;
  return { body: body.trimEnd(), record, bodyStart: i + rest.length - body.length, errorLevel };
}

/** `at com.foo.Bar.baz(Bar.java:12)`, `at Foo.Bar() in C:\x.cs:line 4`, `... 12 more`. */
function isFrame(body: string): boolean {
  if (body.startsWith('at ') && body.length > 4) {
    // The next word must look like code, not prose ("at the moment").
    let j = 3;
    while (j < body.length && isSpace(body.charCodeAt(j))) j++;
    let sawDotOrParen = false;
    for (; j < body.length && j < 400; j++) {
      const c = codeAt(body, j);
      if (c === 46 || c === 40) {
        sawDotOrParen = true;
        break;
      }
      if (!isIdentChar(c) && c !== 60 && c !== 62 && c !== 96) {
        // Node: `at createError (/app/node_modules/axios/lib/core/createError.js:16:15)`
        if (c === 32 && codeAt(body, j + 1) === 40) sawDotOrParen = true;
        break;
      }
    }
    return sawDotOrParen;
  }
  if (body.startsWith('...') && body.endsWith('more')) return true;
  if (body.startsWith('--- End of')) return true;
  // Python: `File "main.py", line 3, in <module>`
  if (body.startsWith('File "') && body.includes('", line ')) return true;
  return false;
}

/** Lines that always continue the current error. */
function isContinuationMarker(body: string): boolean {
  return (
    body.startsWith('Caused by') || body.startsWith('--->') || body.startsWith('Suppressed:') ||
    body.startsWith('Inner exception') || body.startsWith('InnerException')
  );
}

function isEllipsis(body: string): boolean {
  return body === '…' || body === '...' || body === '[...]' || body === '(...)' || body === '[…]';
}

/** The first word is an exception-like name (`BoxRestException:`, `com.x.HttpRequestFailure:`). */
function startsWithExceptionName(body: string): boolean {
  let j = 0;
  while (j < body.length && j < 300 && isIdentChar(body.charCodeAt(j))) j++;
  if (j === 0) return false;
  const word = body.slice(0, j);
  const simple = word.slice(word.lastIndexOf('.') + 1);
  if (!isUpper(codeAt(simple, 0))) return false;
  return /(?:Exception|Error|Failure|Fault)$/.test(simple) && simple.length > 6;
}

/** Net bracket depth change of a line, ignoring brackets inside simple quoted strings. */
function depthDelta(line: string): number {
  let delta = 0;
  for (let k = 0; k < line.length; k++) {
    const c = line.charCodeAt(k);
    if (c === 123 || c === 91) delta++;
    else if (c === 125 || c === 93) delta--;
  }
  return delta;
}

/** Splits text into segments, each one distinct error (or a stretch of non-error text). */
export function segment(text: string): Segment[] {
  const segments: Segment[] = [];
  let current: SegmentLine[] = [];
  let depth = 0;
  let afterEllipsis = false;
  let afterBlank = false;
  let previousBody = '';
  // Python prints the exception after the frames: `Traceback ...`, indented frames, `ValueError: x`.
  let inPythonTraceback = false;
  let startedAfterBlank = false;
  let lineStart = 0;
  for (const line of text.split('\n')) {
    const start = lineStart;
    lineStart += line.length + 1;
    if (line.trim().length === 0) {
      afterBlank = true;
      continue;
    }
    const { body, record, bodyStart, errorLevel } = readLogPrefix(line);
    const frame = isFrame(body);
    let continues: boolean;
    if (current.length === 0) continues = false;
    else if (frame || isContinuationMarker(body) || isEllipsis(body)) continues = true;
    else if (afterEllipsis) continues = true;
    else if (inPythonTraceback && !isSpace(codeAt(line, 0))) {
      continues = true;
      inPythonTraceback = false;
    }
    else if (record) continues = false;
    else if (afterBlank) continues = false;
    else if (depth > 0) continues = !startsWithExceptionName(body);
    else if (body.startsWith('}') || body.startsWith(']') || body.startsWith('"')) continues = true;
    else if ((body.startsWith('{') || body.startsWith('[')) && (/[:{[,]$/.test(previousBody) || depthDelta(body) > 0)) continues = true;
    else if (isSpace(codeAt(line, 0)) && !startsWithExceptionName(body)) continues = true;
    else continues = false;
    if (!continues) {
      // The segment so far is complete (closed here and after the last line, not by a closure
      // made per call).
      if (current.length > 0) segments.push({ lines: current, afterBlank: startedAfterBlank });
      current = [];
      depth = 0;
      afterEllipsis = false;
      startedAfterBlank = afterBlank;
      inPythonTraceback = body.startsWith('Traceback (most recent call last)');
    }
    current.push({ text: line, start, body, bodyStart, frame, errorLevel });
    if (!frame) depth = Math.max(0, Math.min(depth + depthDelta(body), 64));
    afterEllipsis = isEllipsis(body);
    afterBlank = false;
    previousBody = body;
  }
  if (current.length > 0) segments.push({ lines: current, afterBlank: startedAfterBlank });
  return segments;
}
