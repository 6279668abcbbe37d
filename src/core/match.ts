// Text -> findings. createMatcher() indexes the catalog once (anchors, phrases, hosts, app names,
// an inverted index for the lexical score, a typo index); diagnose() then normalises, redacts,
// masks and segments a paste and scores each distinct error against the index.
//
// Scoring: every piece of evidence (exact portal message, error code, exception name, vendor
// phrase, HTTP status, host, lexical overlap) has a weight in 0..1; they combine as a noisy-or,
// are damped by contradictions (a different HTTP status or a different code of the same family)
// and by how little of the error the entry explains. App hints settle ties between apps.

import { normalize } from './normalize.js';
import { redact } from './redact.js';
import { tokenize, type Token } from './mask.js';
import { segment, type Segment } from './segment.js';
import type {
  Catalog, CatalogEntry, DiagnoseOptions, Diagnosis, Evidence, Finding, Matcher, ScoredEntry, Verdict,
} from './types.js';

/** App id of entries any connector can show (see CatalogEntry.app). */
export const ALL_APPS = 'all-apps';
export const DEFAULT_MAX_INPUT_CHARS = 64 * 1024;
/** Longest excerpt kept per finding. */
export const MAX_EXCERPT_CHARS = 1000;
/** At or above: a candidate for a match. */
export const MATCH_THRESHOLD = 0.5;
/** At or above (and below MATCH_THRESHOLD): a weak suggestion shown with a `none` verdict. */
export const SUGGEST_THRESHOLD = 0.25;
/** Candidates this close to the best one are as likely; several apps among them = ambiguous. */
export const TIE_MARGIN = 0.1;
const MAX_FINDINGS = 50;
const MAX_SUGGESTIONS = 3;
/** Distinct errors read from one segment (one line or one JSON body holding several). */
const MAX_ERRORS_PER_SEGMENT = 4;
const MAX_RUNNER_UPS = 3;
/** Tokens of one segment that are scored (a pathological single "error" of 64 KB stays cheap). */
const MAX_SEGMENT_TOKENS = 6000;
/** Entries considered on lexical overlap alone (no code, exception or phrase), best first. */
const MAX_LEXICAL_CANDIDATES = 64;

const WEIGHT = {
  message: 0.9,
  messagePrefix: 0.85,
  code: 0.75,
  exception: 0.55,
  qualifiedException: 0.62,
  phrase: 0.45,
  status: 0.2,
  host: 0.25,
  lexical: 0.65,
  appHint: 0.25,
  fuzzyFactor: 0.85,
} as const;
const STATUS_CONTRADICTION = 0.45;
const CODE_CONTRADICTION = 0.3;
/** Highest score of an entry with no anchor of its own: below MATCH_THRESHOLD. */
const UNANCHORED_CAP = 0.45;

// ---------------------------------------------------------------------------------------------
// The index

interface Sequence {
  tokens: string[];
  /** As written in the catalog (shown as evidence). */
  display: string;
}

interface PhraseRef extends Sequence {
  entries: number[];
}

interface AppHintRef extends Sequence {
  appId: string;
  /**
   * The app's name or an alias (`Atlassian`, `SFDC`): a person naming the app. Catalog `hints`
   * (hosts, Java packages) only say where the connector talked or whose code ran.
   */
  name: boolean;
}

interface IndexedEntry {
  entry: CatalogEntry;
  /** Masked words of the portal message, in order. */
  messageSeq: string[];
  /** Unique masked words of the message and signals, for the lexical score. */
  lexTokens: string[];
  lexSelf: number;
  codes: Set<string>;
  codeFamilies: Set<string>;
  statuses: Set<number>;
  qualifiedExceptions: string[];
  /** Lexical evidence counts less for very short messages ("Service timeout"). */
  shortFactor: number;
}

interface Index {
  entries: IndexedEntry[];
  postings: Map<string, number[]>;
  idf: Map<string, number>;
  codes: Map<string, number[]>;
  exceptions: Map<string, number[]>;
  /** Lower-cased exception name -> as the catalog writes it. */
  exceptionNames: Map<string, string>;
  statuses: Map<number, number[]>;
  knownStatuses: Set<number>;
  phrases: Map<string, PhraseRef[]>;
  hosts: Map<string, PhraseRef[]>;
  appHints: Map<string, AppHintRef[]>;
  vocabulary: Set<string>;
  /** Alphabetic vocabulary words by `length:first two letters` and `length:last two letters`. */
  typos: Map<string, string[]>;
}

function rawWords(text: string): string[] {
  return tokenize(text).map((t) => t.raw);
}

function maskedSeq(text: string): string[] {
  return tokenize(text).map((t) => t.masked).filter((m) => m.length > 0);
}

/** `aadsts70008` -> `aadsts`; undefined when the word is not shaped like an error code. */
export function codeFamily(word: string): string | undefined {
  let letters = 0;
  while (letters < word.length) {
    const c = word.charCodeAt(letters);
    if (c < 97 || c > 122) break;
    letters++;
  }
  const digits = word.length - letters;
  if (letters === 0 || digits < 3) return undefined;
  for (let k = letters; k < word.length; k++) {
    const c = word.charCodeAt(k);
    if (c < 48 || c > 57) return undefined;
  }
  if (letters === 1 && digits < 5) return undefined;
  return word.slice(0, letters);
}

function isAlphabetic(word: string): boolean {
  for (let k = 0; k < word.length; k++) {
    const c = word.charCodeAt(k);
    if (!((c >= 97 && c <= 122) || c === 95)) return false;
  }
  return true;
}

/** One insertion, deletion, substitution or swap of neighbours turns `a` into `b` (or they are equal). */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return a.charCodeAt(i) === b.charCodeAt(i + 1) && a.charCodeAt(i + 1) === b.charCodeAt(i) && a.slice(i + 2) === b.slice(i + 2);
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/**
 * One edit leaves a word of six letters or more with either its first two or its last two letters
 * in place, so a typo is looked up in two small buckets instead of the whole vocabulary.
 */
function typoKeys(word: string, length: number): [string, string] {
  return [`${length}<${word.slice(0, 2)}`, `${length}>${word.slice(-2)}`];
}

function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) {
    if (list[list.length - 1] !== value) list.push(value);
  } else {
    map.set(key, [value]);
  }
}

/** Adds a word sequence (phrase, host) to `map` (by first word); `byKey` dedupes it across entries. */
function addSequence(map: Map<string, PhraseRef[]>, byKey: Map<string, PhraseRef>, text: string, entryIndex: number): void {
  const tokens = rawWords(text);
  const first = tokens[0];
  if (!first) return;
  const key = tokens.join(' ');
  const existing = byKey.get(key);
  if (existing) {
    if (existing.entries[existing.entries.length - 1] !== entryIndex) existing.entries.push(entryIndex);
    return;
  }
  const ref: PhraseRef = { tokens, display: text, entries: [entryIndex] };
  byKey.set(key, ref);
  addTo(map, first, ref);
}

function hostText(host: string): string {
  return host.replace(/^\*\./, '').trim();
}

/** Exception-like words of a message (`BoxServerException`, `HttpRequestFailure`), lower-cased. */
function exceptionWordsOf(message: string, tokens: readonly Token[]): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    if (t.raw.length > 9 && /(?:exception|failure)$/.test(t.raw)) out.push(message.slice(t.start, t.end));
  }
  return out;
}

function buildIndex(catalog: Catalog): Index {
  const entries: IndexedEntry[] = [];
  const postings = new Map<string, number[]>();
  const codes = new Map<string, number[]>();
  const exceptions = new Map<string, number[]>();
  const exceptionNames = new Map<string, string>();
  const statuses = new Map<number, number[]>();
  const phrases = new Map<string, PhraseRef[]>();
  const hosts = new Map<string, PhraseRef[]>();
  const phraseKeys = new Map<string, PhraseRef>();
  const hostKeys = new Map<string, PhraseRef>();
  const vocabulary = new Set<string>();

  catalog.entries.forEach((entry, i) => {
    const signals = entry.signals;
    const messageTokens = tokenize(entry.message);
    const messageSeq = messageTokens.map((t) => t.masked).filter((m) => m.length > 0);
    const entryCodes = new Set<string>();
    for (const code of signals?.codes ?? []) entryCodes.add(code.toLowerCase());
    for (const t of messageTokens) if (codeFamily(t.raw)) entryCodes.add(t.raw);
    const entryStatuses = new Set<number>(signals?.statuses ?? []);
    for (const t of messageTokens) {
      const n = Number(t.raw);
      if (t.raw.length === 3 && n >= 400 && n <= 599) entryStatuses.add(n);
    }
    const simpleExceptions = new Set<string>();
    const qualified: string[] = [];
    for (const name of [...exceptionWordsOf(entry.message, messageTokens), ...(signals?.exceptions ?? [])]) {
      const simple = name.slice(name.lastIndexOf('.') + 1);
      if (simple) {
        simpleExceptions.add(simple.toLowerCase());
        if (!exceptionNames.has(simple.toLowerCase())) exceptionNames.set(simple.toLowerCase(), simple);
      }
      if (name.includes('.')) {
        qualified.push(name.toLowerCase());
        // Shown as the catalog writes it (evidence reads "com.box...BoxServerException", not lower case).
        if (!exceptionNames.has(name.toLowerCase())) exceptionNames.set(name.toLowerCase(), name);
      }
    }
    const lex = new Set<string>(messageSeq.filter((m) => !m.startsWith('<')));
    for (const phrase of signals?.phrases ?? []) {
      for (const w of maskedSeq(phrase)) if (!w.startsWith('<')) lex.add(w);
      addSequence(phrases, phraseKeys, phrase, i);
    }
    for (const code of entryCodes) {
      addTo(codes, code, i);
      lex.add(code);
    }
    for (const name of simpleExceptions) {
      addTo(exceptions, name, i);
      lex.add(name);
    }
    for (const status of entryStatuses) addTo(statuses, status, i);
    for (const host of signals?.hosts ?? []) addSequence(hosts, hostKeys, hostText(host), i);
    for (const w of lex) {
      addTo(postings, w, i);
      vocabulary.add(w);
    }
    entries.push({
      entry,
      messageSeq,
      lexTokens: [...lex],
      lexSelf: 0,
      codes: entryCodes,
      codeFamilies: new Set([...entryCodes].map((c) => codeFamily(c)).filter((f): f is string => f !== undefined)),
      statuses: entryStatuses,
      qualifiedExceptions: qualified,
      shortFactor: Math.min(1, lex.size / 4),
    });
  });

  const n = entries.length;
  const idf = new Map<string, number>();
  for (const [word, list] of postings) {
    idf.set(word, Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5)));
  }
  for (const e of entries) e.lexSelf = e.lexTokens.reduce((sum, w) => sum + (idf.get(w) ?? 0), 0);

  const appHints = new Map<string, AppHintRef[]>();
  for (const app of catalog.apps) {
    if (app.id === ALL_APPS) continue;
    const names = [app.name, app.id, ...(app.aliases ?? [])];
    for (const [k, name] of [...names, ...(app.hints ?? [])].entries()) {
      const tokens = rawWords(hostText(name));
      const first = tokens[0];
      if (!first) continue;
      addTo(appHints, first, { tokens, display: name, appId: app.id, name: k < names.length });
    }
  }

  const typos = new Map<string, string[]>();
  for (const word of vocabulary) {
    if (word.length < 6 || !isAlphabetic(word)) continue;
    for (const key of typoKeys(word, word.length)) addTo(typos, key, word);
  }

  const knownStatuses = new Set<number>(statuses.keys());
  return { entries, postings, idf, codes, exceptions, exceptionNames, statuses, knownStatuses, phrases, hosts, appHints, vocabulary, typos };
}

// ---------------------------------------------------------------------------------------------
// Scoring one segment

interface SegmentView {
  /** Raw words, typos corrected to the catalog's vocabulary where one edit away. */
  words: string[];
  /** Masked words (placeholders once per span), typos corrected. */
  masked: string[];
  /** Words corrected from a typo: corrected -> as written. */
  corrected: Map<string, string>;
  lowerText: string;
}

function correctTypo(index: Index, word: string): string | undefined {
  if (word.length < 6 || word.length > 40 || !isAlphabetic(word)) return undefined;
  for (const length of [word.length, word.length - 1, word.length + 1]) {
    for (const key of typoKeys(word, length)) {
      for (const candidate of index.typos.get(key) ?? []) {
        if (candidate !== word && withinOneEdit(word, candidate)) return candidate;
      }
    }
  }
  return undefined;
}

function viewOf(index: Index, text: string): SegmentView {
  const tokens = tokenize(text, MAX_SEGMENT_TOKENS);
  const words: string[] = [];
  const masked: string[] = [];
  const corrected = new Map<string, string>();
  const cache = new Map<string, string>();
  for (const t of tokens) {
    let word = t.raw;
    if (!index.vocabulary.has(word) && t.masked === word) {
      let fixed = cache.get(word);
      if (fixed === undefined) {
        fixed = correctTypo(index, word) ?? word;
        cache.set(word, fixed);
      }
      if (fixed !== word) corrected.set(fixed, word);
      word = fixed;
    }
    words.push(word);
    if (t.masked.length > 0) masked.push(t.masked === t.raw ? word : t.masked);
  }
  return { words, masked, corrected, lowerText: text.toLowerCase() };
}

/** Every sequence of `map` found in `words`, with where it was found. */
function findSequences<T extends Sequence>(map: Map<string, T[]>, words: string[]): T[] {
  const found: T[] = [];
  const seen = new Set<T>();
  for (let p = 0; p < words.length; p++) {
    const list = map.get(words[p] ?? '');
    if (!list) continue;
    for (const seq of list) {
      if (seen.has(seq)) continue;
      let ok = true;
      for (let k = 1; k < seq.tokens.length; k++) {
        if (words[p + k] !== seq.tokens[k]) {
          ok = false;
          break;
        }
      }
      if (ok) {
        seen.add(seq);
        found.push(seq);
      }
    }
  }
  return found;
}

/** Longest run of the message's words found in order, starting at its first word: k of m. */
function messageRun(messageSeq: string[], positions: Map<string, number[]>, masked: string[]): number {
  const first = messageSeq[0];
  if (first === undefined) return 0;
  let best = 0;
  for (const p of positions.get(first) ?? []) {
    let k = 1;
    while (k < messageSeq.length && masked[p + k] === messageSeq[k]) k++;
    // A paste cut in the middle of the message's next word (`403 Forb`) still follows it.
    const cut = masked[p + k];
    if (k < messageSeq.length && p + k === masked.length - 1 && cut !== undefined && cut.length >= 3 && messageSeq[k]?.startsWith(cut)) k++;
    if (k > best) best = k;
    if (best === messageSeq.length) break;
  }
  return best;
}

interface Candidate {
  index: number;
  evidence: Evidence[];
  score: number;
}

function noisyOr(evidence: Evidence[]): number {
  let miss = 1;
  for (const e of evidence) miss *= 1 - Math.min(0.99, Math.max(0, e.weight));
  return 1 - miss;
}

/** Shared anchors say less: one entry 1.0, two 0.9, many down to 0.6. */
function specificity(sharedBy: number): number {
  return Math.max(0.6, 1 / (1 + 0.1 * (sharedBy - 1)));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * `namedApps`: the apps the caller or the error's own words name; entries of other specific apps
 * stay suggestions at most.
 */
function scoreSegment(index: Index, view: SegmentView, hintApps: AppHint[], namedApps?: ReadonlySet<string>): Candidate[] {
  const evidenceOf = new Map<number, Evidence[]>();
  const add = (entryIndex: number, e: Evidence): void => {
    const list = evidenceOf.get(entryIndex);
    if (list) list.push(e);
    else evidenceOf.set(entryIndex, [e]);
  };
  const display = (word: string): string => view.corrected.get(word) ?? word;
  const uniqueWords = new Set(view.words);
  const segmentStatuses = new Set<number>();
  const segmentCodes = new Set<string>();

  for (const word of uniqueWords) {
    const codeHits = index.codes.get(word);
    if (codeHits) for (const i of codeHits) add(i, { kind: 'code', value: word.toUpperCase(), weight: WEIGHT.code * specificity(codeHits.length) });
    if (codeFamily(word)) segmentCodes.add(word);
    const exceptionHits = index.exceptions.get(word);
    if (exceptionHits) {
      const typo = view.corrected.has(word);
      for (const i of exceptionHits) {
        const entry = index.entries[i];
        const qualified = entry?.qualifiedExceptions.find((q) => q.endsWith(word) && view.lowerText.includes(q));
        const weight = (qualified ? WEIGHT.qualifiedException : WEIGHT.exception) * specificity(exceptionHits.length) * (typo ? WEIGHT.fuzzyFactor : 1);
        const name = typo ? display(word) : (index.exceptionNames.get(word) ?? word);
        add(i, { kind: 'exception', value: qualified ? (index.exceptionNames.get(qualified) ?? qualified) : name, weight });
      }
    }
    if (word.length === 3) {
      const n = Number(word);
      if (index.knownStatuses.has(n)) segmentStatuses.add(n);
    }
  }
  for (const status of httpStatusesIn(view.words, index.knownStatuses)) segmentStatuses.add(status);
  for (const phrase of findSequences(index.phrases, view.words)) {
    for (const i of phrase.entries) add(i, { kind: 'phrase', value: phrase.display, weight: WEIGHT.phrase * specificity(phrase.entries.length) });
  }
  // Hosts and statuses only support an entry something else already points at.
  const hostsFound = findSequences(index.hosts, view.words);

  // Lexical: idf-weighted share of the entry's words present (BM25 with k1 -> 0, normalised by the
  // entry's own score, so 1.0 means every word of the entry is in the paste).
  const lexical = new Map<number, number>();
  const uniqueMasked = new Set(view.masked);
  let segmentWeight = 0;
  for (const word of uniqueMasked) {
    const list = index.postings.get(word);
    if (!list) continue;
    const w = index.idf.get(word) ?? 0;
    segmentWeight += w;
    for (const i of list) lexical.set(i, (lexical.get(i) ?? 0) + w);
  }
  const addLexical = (i: number, entry: IndexedEntry, coverage: number): void => {
    add(i, { kind: 'lexical', value: `${Math.round(coverage * 100)}% of the entry's words`, weight: WEIGHT.lexical * coverage ** 1.5 * entry.shortFactor });
  };
  // Entries only the lexical score points at: the best few are enough (a 10,000-entry catalog
  // shares common words with thousands of entries).
  const lexicalOnly: [number, number][] = [];
  for (const [i, sum] of lexical) {
    const entry = index.entries[i];
    if (!entry || entry.lexSelf <= 0) continue;
    const coverage = sum / entry.lexSelf;
    if (evidenceOf.has(i)) addLexical(i, entry, coverage);
    else if (coverage >= 0.2) lexicalOnly.push([i, coverage]);
  }
  if (lexicalOnly.length > MAX_LEXICAL_CANDIDATES) lexicalOnly.sort((a, b) => b[1] - a[1]).length = MAX_LEXICAL_CANDIDATES;
  for (const [i, coverage] of lexicalOnly) {
    const entry = index.entries[i];
    if (entry) addLexical(i, entry, coverage);
  }
  for (const host of hostsFound) {
    for (const i of host.entries) {
      if (evidenceOf.has(i)) add(i, { kind: 'host', value: host.display, weight: WEIGHT.host });
    }
  }

  let positions: Map<string, number[]> | undefined;
  const candidates: Candidate[] = [];
  for (const [i, evidence] of evidenceOf) {
    const entry = index.entries[i];
    if (!entry) continue;
    for (const status of segmentStatuses) {
      if (entry.statuses.has(status)) evidence.push({ kind: 'status', value: String(status), weight: WEIGHT.status });
    }
    if (!positions) {
      positions = new Map();
      view.masked.forEach((w, p) => addTo(positions as Map<string, number[]>, w, p));
    }
    const m = entry.messageSeq.length;
    const k = messageRun(entry.messageSeq, positions, view.masked);
    if (m > 0 && k === m) evidence.push({ kind: 'message', value: entry.entry.message.slice(0, 200), weight: WEIGHT.message });
    else if (m >= 3 && k >= 3 && k / m >= 0.5) {
      evidence.push({ kind: 'message', value: `${k} of ${m} words of the portal message`, weight: WEIGHT.messagePrefix * (k / m) });
    }
    // Contradictions: a different HTTP status, or another code of the same family (AADSTS50126
    // is not AADSTS70008).
    // The entry's own error code outweighs the status: the vendor's API and the connector report
    // one failure with different statuses (Salesforce answers INVALID_SESSION_ID with 401, the
    // portal shows 400).
    const ownCode = evidence.some((e) => e.kind === 'code');
    const otherStatus = !ownCode && entry.statuses.size > 0 && segmentStatuses.size > 0 && ![...segmentStatuses].some((s) => entry.statuses.has(s));
    // The app named by the caller or the text backs an entry something specific already points at.
    // Under another status, the wrapper around it (`HttpRequestFailure: Server returned:`, the start
    // of the message up to the status) is shared by every status and is no anchor of its own.
    const anchored = evidence.some((e) => e.kind === 'code' || e.kind === 'phrase' || (e.kind === 'message' && (!otherStatus || e.weight >= WEIGHT.message)) || (e.kind === 'exception' && !otherStatus));
    const hint = hintApps.find((h) => h.appId === entry.entry.app);
    if (hint && anchored) evidence.push({ kind: 'app-hint', value: hint.value, weight: WEIGHT.appHint });
    let score = noisyOr(evidence);
    // Shared words and a status alone ("500 Internal Server Error" on any web page) are a
    // suggestion at most: a match needs something of the entry's own (code, exception, phrase,
    // or its message word for word).
    if (!anchored) score = Math.min(score, UNANCHORED_CAP);
    // An error the caller or its own words say is app X's is not app Y's (an all-apps entry fits
    // any app): Y's entry stays a suggestion at most.
    if (namedApps && entry.entry.app !== ALL_APPS && !namedApps.has(entry.entry.app)) score = Math.min(score, UNANCHORED_CAP);
    if (otherStatus) score *= STATUS_CONTRADICTION;
    if (entry.codeFamilies.size > 0 && ![...entry.codes].some((c) => uniqueWords.has(c))) {
      const foreign = [...segmentCodes].some((c) => {
        const family = codeFamily(c);
        return family !== undefined && entry.codeFamilies.has(family);
      });
      if (foreign) score *= CODE_CONTRADICTION;
    }
    // How much of what the paste says (in the catalog's words) this entry explains.
    const explained = lexical.get(i) ?? 0;
    const share = segmentWeight > 0 ? Math.min(1, explained / segmentWeight) : 0;
    score *= 0.75 + 0.25 * share;
    candidates.push({ index: i, evidence: evidence.sort((a, b) => b.weight - a.weight), score: round(score) });
  }
  return candidates.sort((a, b) => b.score - a.score || (index.entries[a.index]?.messageSeq.length ?? 0) - (index.entries[b.index]?.messageSeq.length ?? 0) || a.index - b.index);
}

// ---------------------------------------------------------------------------------------------
// HTTP statuses

/** First word of the standard reason phrase of each 4xx/5xx status (RFC 9110 and registry). */
const REASON_FIRST_WORD: Record<number, string> = {
  400: 'bad', 401: 'unauthorized', 402: 'payment', 403: 'forbidden', 404: 'not', 405: 'method', 406: 'not',
  407: 'proxy', 408: 'request', 409: 'conflict', 410: 'gone', 411: 'length', 412: 'precondition',
  413: 'content', 414: 'uri', 415: 'unsupported', 416: 'range', 417: 'expectation', 421: 'misdirected',
  422: 'unprocessable', 423: 'locked', 424: 'failed', 425: 'too', 426: 'upgrade', 428: 'precondition',
  429: 'too', 431: 'request', 451: 'unavailable', 500: 'internal', 501: 'not', 502: 'bad', 503: 'service',
  504: 'gateway', 505: 'http', 506: 'variant', 507: 'insufficient', 508: 'loop', 510: 'not', 511: 'network',
};
/** Words that say the number after them is an HTTP status (`status code 502`, `"status": 503`, `returned: 429`). */
const STATUS_CONTEXT = new Set(['status', 'code', 'statuscode', 'status_code', 'httpstatus', 'http', 'returned', 'response']);

/**
 * HTTP error statuses the catalog has no entry for (`502 Bad Gateway`, `status code 429`): read
 * only in a status's own context, so a plain number is not taken for one. Statuses the catalog
 * knows are read on their own, as before.
 */
function httpStatusesIn(words: readonly string[], known: ReadonlySet<number>): number[] {
  const found: number[] = [];
  for (let p = 0; p < words.length; p++) {
    const word = words[p] ?? '';
    if (word.length !== 3 || !/^[0-9]{3}$/.test(word)) continue;
    const n = Number(word);
    if (n < 400 || n > 599 || known.has(n) || found.includes(n)) continue;
    const reason = REASON_FIRST_WORD[n];
    if (STATUS_CONTEXT.has(words[p - 1] ?? '') || (reason !== undefined && words[p + 1] === reason)) found.push(n);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// App hints

interface AppHint {
  appId: string;
  /** What named the app: the hint or alias as the catalog writes it. */
  value: string;
  /**
   * A person named the app in the error's own words (`Atlassian: Get events: ...`), not a host,
   * package, URL or stack frame that merely passes by. Only such a mention (or the caller's app)
   * rules out entries of other apps.
   */
  named: boolean;
}

/**
 * Is this occurrence of a name a person naming the app? Not inside a URL or email (masked), not in
 * a stack frame, and a one-word name only with its capital.
 */
function namedAt(hint: AppHintRef, tokens: readonly Token[], p: number, text: string, inFrame: (offset: number) => boolean): boolean {
  if (!hint.name) return false;
  for (let k = 0; k < hint.tokens.length; k++) {
    const t = tokens[p + k];
    if (!t || t.masked !== t.raw || inFrame(t.start)) return false;
  }
  // One word the catalog writes with a capital counts only when written so: `Exchange` and `Box`
  // are names, "token exchange" and "check box" are not.
  const first = tokens[p];
  if (hint.tokens.length === 1 && first) {
    const wanted = hint.display.charCodeAt(0);
    const written = text.charCodeAt(first.start);
    if (wanted >= 65 && wanted <= 90 && written !== wanted) return false;
  }
  return true;
}

/** App hints of one error's own lines; mentions inside its stack frames are incidental. */
function segmentHints(index: Index, seg: Segment): AppHint[] {
  const frames: [number, number][] = [];
  let text = '';
  for (const line of seg.lines) {
    if (text.length > 0) text += '\n';
    if (line.frame) frames.push([text.length, text.length + line.text.length]);
    text += line.text;
  }
  return appHintsIn(index, text, (offset) => frames.some(([a, b]) => offset >= a && offset < b));
}

/**
 * App ids a text points at, in order of first mention, with what was seen. `inFrame` tells which
 * offsets of `text` lie in stack frames (mentions there are incidental).
 */
function appHintsIn(index: Index, text: string, inFrame: (offset: number) => boolean = () => false): AppHint[] {
  const tokens = tokenize(text);
  const found: AppHint[] = [];
  // A hint inside a longer one says nothing more: `outlook.office365.com` is Exchange Online's
  // host, not a mention of the `Office365` alias.
  let coveredUntil = 0;
  for (let p = 0; p < tokens.length; p++) {
    const list = index.appHints.get(tokens[p]?.raw ?? '');
    if (!list) continue;
    let longest: AppHintRef | undefined;
    for (const hint of list) {
      let ok = true;
      for (let k = 1; k < hint.tokens.length; k++) {
        if (tokens[p + k]?.raw !== hint.tokens[k]) {
          ok = false;
          break;
        }
      }
      if (ok && (!longest || hint.tokens.length > longest.tokens.length)) longest = hint;
    }
    if (!longest || (p < coveredUntil && p + longest.tokens.length <= coveredUntil)) continue;
    coveredUntil = Math.max(coveredUntil, p + longest.tokens.length);
    const { appId, display } = longest;
    const named = namedAt(longest, tokens, p, text, inFrame);
    const seen = found.find((f) => f.appId === appId);
    if (!seen) found.push({ appId, value: display, named });
    else if (named) seen.named = true;
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Findings

function excerptOf(seg: Segment): string {
  let out = '';
  for (const line of seg.lines) {
    const next = out.length === 0 ? line.text.trim() : `${out}\n${line.text.trimEnd()}`;
    if (next.length > MAX_EXCERPT_CHARS) {
      if (out.length === 0) out = `${next.slice(0, MAX_EXCERPT_CHARS - 1)}…`;
      else out = `${out}\n…`;
      break;
    }
    out = next;
  }
  return out;
}

function trimExcerpt(text: string): string {
  const t = text.trim();
  return t.length > MAX_EXCERPT_CHARS ? `${t.slice(0, MAX_EXCERPT_CHARS - 1)}…` : t;
}

/** Looks like an error even if nothing in the catalog fits: worth a `none` finding of its own. */
function looksLikeError(seg: Segment, view: SegmentView): boolean {
  if (seg.lines.some((l) => l.frame)) return true;
  for (const w of view.words) {
    if (w.length > 9 && /(?:exception|failure|error|fault)$/.test(w)) return true;
    if (codeFamily(w)) return true;
  }
  return view.lowerText.includes('"error"') || view.lowerText.includes('"errorcode"');
}

interface SegmentResult {
  finding: Finding;
  key: string;
  errorLike: boolean;
}

const ANCHOR_KINDS = new Set<Evidence['kind']>(['code', 'exception', 'phrase', 'message']);

/** What of the entry's own the paste carries, as comparable keys. */
function anchorsOf(c: Candidate): string[] {
  return c.evidence.filter((e) => ANCHOR_KINDS.has(e.kind)).map((e) => (e.kind === 'exception' ? e.value.slice(e.value.lastIndexOf('.') + 1) : e.value).toLowerCase());
}

/** A second error in one segment needs a code, an exception or its whole message, not only a phrase. */
function strongAnchor(c: Candidate): boolean {
  return c.evidence.some((e) => e.kind === 'code' || e.kind === 'exception' || (e.kind === 'message' && e.weight >= WEIGHT.message));
}

function scored(index: Index, c: Candidate): ScoredEntry {
  const entry = index.entries[c.index]?.entry as CatalogEntry;
  return { entry, score: c.score, evidence: c.evidence };
}

function decide(
  index: Index,
  candidates: Candidate[],
  callerApp: string | undefined,
  textHints: { appId: string; value: string }[],
): { verdict: Verdict; matches: Candidate[]; runnerUps: Candidate[] } {
  const appOf = (c: Candidate): string => index.entries[c.index]?.entry.app ?? '';
  const best = candidates[0];
  if (!best || best.score < MATCH_THRESHOLD) {
    return { verdict: 'none', matches: candidates.filter((c) => c.score >= SUGGEST_THRESHOLD).slice(0, MAX_SUGGESTIONS), runnerUps: [] };
  }
  const strong = candidates.filter((c) => c.score >= MATCH_THRESHOLD);
  // A candidate lacking an error code that the best one has (E0000007, AF20012) is not as likely,
  // however close the scores.
  const bestCodes = best.evidence.filter((e) => e.kind === 'code').map((e) => e.value);
  const hasCodes = (c: Candidate): boolean => bestCodes.every((code) => c.evidence.some((e) => e.kind === 'code' && e.value === code));
  let tied = strong.filter((c) => c.score >= best.score - TIE_MARGIN && hasCodes(c));
  const apps = new Set(tied.map(appOf));
  if (apps.size > 1) {
    // The caller's app wins over what the text says; an all-apps entry fits any app.
    const hintApps = callerApp ? [callerApp] : textHints.map((h) => h.appId);
    for (const appId of hintApps) {
      const fitting = strong.filter((c) => appOf(c) === appId || appOf(c) === ALL_APPS);
      const fittingTied = fitting.filter((c) => tied.includes(c));
      const pick = fittingTied.length > 0 ? fittingTied : fitting;
      if (pick.length > 0) {
        const hint = callerApp ? { appId, value: `app ${appId} given` } : textHints.find((h) => h.appId === appId);
        const alreadyShown = (c: Candidate): boolean => c.evidence.some((e) => e.kind === 'app-hint');
        tied = pick.map((c) => (appOf(c) === appId && hint && !alreadyShown(c) ? { ...c, evidence: [...c.evidence, { kind: 'app-hint', value: hint.value, weight: 0 }] } : c));
        break;
      }
    }
  }
  const tiedApps = new Set(tied.map(appOf));
  if (tiedApps.size > 1) {
    // One candidate per entry, best first; every app represented.
    return { verdict: 'ambiguous', matches: tied, runnerUps: [] };
  }
  const winner = tied[0] ?? best;
  const runnerUps = candidates.filter((c) => c.index !== winner.index && c.score >= SUGGEST_THRESHOLD).slice(0, MAX_RUNNER_UPS);
  return { verdict: 'match', matches: [winner], runnerUps };
}

function resolveApp(catalog: Catalog, app: string | undefined): string | undefined {
  if (typeof app !== 'string' || app.trim() === '') return undefined;
  try {
    return catalog.app(app.trim())?.id;
  } catch {
    return undefined;
  }
}

/** Cuts the input at the cap without leaving half a secret behind (the last partial word goes). */
function capInput(text: string, max: number): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  let cut = max;
  let k = cut;
  while (k > 0 && cut - k < 20_000) {
    const c = text.charCodeAt(k - 1);
    if (c === 32 || c === 10 || c === 9 || c === 13 || c === 60 || c === 62) break;
    k--;
  }
  if (k > 0 && cut - k < 20_000) cut = k;
  // Never split a surrogate pair.
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return { text: text.slice(0, cut), truncated: true };
}

function diagnoseUnsafe(index: Index, catalog: Catalog, maxInputChars: number, input: unknown, options: DiagnoseOptions | undefined): Diagnosis {
  const raw = typeof input === 'string' ? input : '';
  const capped = capInput(raw, maxInputChars);
  const redaction = redact(normalize(capped.text));
  const text = redaction.text;
  const callerApp = resolveApp(catalog, options?.app);

  const segments = segment(text);
  const wholeHints = appHintsIn(index, text);

  const results: SegmentResult[] = [];
  let bestNone: SegmentResult | undefined;
  for (const seg of segments) {
    const scoringText = seg.lines.filter((l) => !l.frame).map((l) => l.body).join('\n');
    const view = viewOf(index, scoringText);
    const ownHints = segmentHints(index, seg);
    const hints = ownHints.length > 0 ? ownHints : wholeHints;
    // The app this error is about, when the caller or the error's own words name one: entries of
    // other specific apps cannot be its match. Hints from elsewhere in the paste (another error,
    // the chat around it) and hosts, URLs or stack frames only settle ties.
    const namedApps = callerApp ? new Set([callerApp]) : ownHints.some((h) => h.named) ? new Set(ownHints.map((h) => h.appId)) : undefined;
    const candidates = scoreSegment(index, view, callerApp ? [{ appId: callerApp, value: `app ${callerApp} given`, named: true }] : hints, namedApps);
    const excerpt = excerptOf(seg);
    const errorLike = looksLikeError(seg, view);
    let decision = decide(index, candidates, callerApp, hints);
    let rest = candidates;
    for (let round = 0; ; round++) {
      const finding: Finding = {
        verdict: decision.verdict,
        excerpt,
        matches: decision.matches.map((c) => scored(index, c)),
        runnerUps: decision.runnerUps.map((c) => scored(index, c)),
        appHints: hints.map((h) => h.appId),
      };
      const key = decision.verdict === 'none'
        ? `none:${view.masked.join(' ')}`
        : `${decision.verdict}:${decision.matches.map((c) => c.index).sort((a, b) => a - b).join(',')}`;
      const result: SegmentResult = { finding, key, errorLike };
      if (decision.verdict === 'none' && (!bestNone || (candidates[0]?.score ?? 0) > (bestNone.finding.matches[0]?.score ?? 0))) {
        bestNone = result;
      }
      if (round > 0 && decision.verdict === 'none') break;
      results.push(result);
      if (decision.verdict === 'none' || round >= MAX_ERRORS_PER_SEGMENT - 1) break;
      // Several errors on one line or in one JSON body ("Okta: E0000011 ..., Slack:
      // team_not_authorized"): another error is one whose own anchors (code, exception, phrase,
      // message) share nothing with the errors already found here, and that is strong on its own.
      const taken = new Set(decision.matches.flatMap((c) => anchorsOf(c)));
      rest = rest.filter((c) => !decision.matches.includes(c) && anchorsOf(c).length > 0 && anchorsOf(c).every((a) => !taken.has(a)) && strongAnchor(c));
      if (rest.length === 0) break;
      decision = decide(index, rest, callerApp, hints);
    }
  }

  const findings: Finding[] = [];
  const seen = new Set<string>();
  let previousKey = '';
  for (const r of results) {
    if (r.finding.verdict === 'none' && !r.errorLike) continue;
    if (r.key === previousKey) {
      // The same error continued on the next lines (a log record per line): one finding.
      const last = findings[findings.length - 1];
      if (last) last.excerpt = trimExcerpt(`${last.excerpt}\n${r.finding.excerpt}`);
      continue;
    }
    previousKey = r.key;
    if (seen.has(r.key)) continue;
    seen.add(r.key);
    findings.push(r.finding);
    if (findings.length >= MAX_FINDINGS) break;
  }
  if (findings.length === 0) {
    findings.push({
      verdict: 'none',
      excerpt: trimExcerpt(text),
      matches: bestNone?.finding.matches ?? [],
      runnerUps: [],
      appHints: wholeHints.map((h) => h.appId),
    });
  }
  return { findings, truncated: capped.truncated, redactions: redaction.count, redactedKinds: redaction.kinds };
}

/** Builds the matcher (and its index) once per catalog. */
export function createMatcher(catalog: Catalog, options: { maxInputChars?: number } = {}): Matcher {
  const index = buildIndex(catalog);
  const maxInputChars = Math.max(1, Math.floor(options.maxInputChars ?? DEFAULT_MAX_INPUT_CHARS));
  return {
    catalog,
    diagnose(text: string, diagnoseOptions?: DiagnoseOptions): Diagnosis {
      try {
        return diagnoseUnsafe(index, catalog, maxInputChars, text, diagnoseOptions);
      } catch {
        // Never throw at a caller with a user's paste in hand; say nothing matched, show nothing
        // we could not redact.
        let excerpt = '';
        try {
          excerpt = trimExcerpt(redact(normalize(typeof text === 'string' ? text.slice(0, maxInputChars) : '')).text);
        } catch {
          excerpt = '';
        }
        return { findings: [{ verdict: 'none', excerpt, matches: [], runnerUps: [], appHints: [] }], truncated: false, redactions: 0, redactedKinds: [] };
      }
    },
  };
}

