// The matcher's index over a catalog, built once per catalog: error codes, exception names,
// statuses, phrases and hosts by first word, app names and hints, an inverted index with idf for
// the lexical score, and a typo index of the catalog's vocabulary.

import { ALL_APPS_ID } from './catalog.js';
import { innerCodesOf } from './inner-codes.js';
import { buildProvenance, exceptionOwner, isRuntimeClass, type Provenance } from './provenance.js';
import { tokenize, type Token } from './mask.js';
import type { Catalog, CatalogEntry, Evidence } from './types.js';
import { codeFamily, isAlphabetic, typoKeys } from './words.js';

export interface Sequence {
  tokens: string[];
  /** As written in the catalog (shown as evidence). */
  display: string;
}

export interface PhraseRef extends Sequence {
  entries: number[];
  /** Every entry holding it is of one app: it says which app, not only which kind of error. */
  oneApp: boolean;
}

export interface AppHintRef extends Sequence {
  appId: string;
  /**
   * The app's name or an alias (`Atlassian`, `SFDC`): a person naming the app. Catalog `hints`
   * (hosts, Java packages) only say where the connector talked or whose code ran.
   */
  name: boolean;
}

export interface IndexedEntry {
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
  /**
   * Inner codes this entry is (lower case): its codes, its one-word phrases (`invalid_grant`) and
   * the inner codes of its message. An error carrying another inner code is another error.
   */
  knownCodes: Set<string>;
  /** No entry of another app has the same portal message (`NullPointerException` is AWS's and Microsoft 365's). */
  messageOneApp: boolean;
  /** The message says which app it is: of one app, and more than exception names (`IOException:` is not). */
  messageCarriesApp: boolean;
  /**
   * The message is nothing but the name of a language runtime's exception (`IOException:`,
   * `NullPointerException`; the catalog places it in `java.io`, `java.lang`): everybody's code
   * throws it, and the detail message such an exception carries in a paste is something the
   * entry does not know.
   */
  messageIsRuntimeException: boolean;
  /** Lexical evidence counts less for very short messages ("Service timeout"). */
  shortFactor: number;
}

/** Entries holding a word, and the word's idf: read together for every word of every paste. */
export interface Posting {
  entries: number[];
  idf: number;
  /** Slot of the word in LexicalScratch.postingStamp. */
  id: number;
}

/**
 * Everything the index knows about one word, found with one lookup per word of a paste instead
 * of one per map: the entries of the codes and exceptions it is, its posting, the phrases, hosts
 * and app hints it starts. `undefined` where that map has no such key.
 */
export interface WordInfo {
  codes: number[] | undefined;
  exceptions: number[] | undefined;
  posting: Posting | undefined;
  phrases: PhraseRef[] | undefined;
  hosts: PhraseRef[] | undefined;
  appHints: AppHintRef[] | undefined;
  /** A portal message starts with it (Index.messageStarts). */
  messageStart: boolean;
  /** In Index.vocabulary. */
  vocabulary: boolean;
}

/**
 * Per-matcher scratch space for the lexical score, reused by every diagnose() (it is synchronous):
 * one slot per entry instead of a Map per segment. `stamp[i] === generation` marks a slot in use.
 */
export interface LexicalScratch {
  sums: Float64Array;
  stamp: Uint32Array;
  /** `evidenceStamp[i] === generation`: entry i already has evidence in this segment. */
  evidenceStamp: Uint32Array;
  /** Entry i's evidence so far, while `evidenceStamp[i] === generation` (cleared once scored). */
  evidence: (Evidence[] | undefined)[];
  /** Facts about entry i in this segment (score.ts's ENTRY_* bits), while `evidenceStamp[i] === generation`. */
  flags: Uint8Array;
  /** `postingStamp[p.id] === generation`: the word of posting p was already summed in this segment. */
  postingStamp: Uint32Array;
  generation: number;
}

export interface Index {
  entries: IndexedEntry[];
  postings: Map<string, Posting>;
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
  /** The words of each app's names and aliases (`exchange online`, `sfdc`), by app id. */
  appNames: Map<string, string[][]>;
  /** Every word of appNames, by app id. */
  appNameWords: Map<string, Set<string>>;
  /** Codes only one app's entries hold: they name the app. */
  oneAppCodes: Set<string>;
  /** Exceptions that are an app's own classes (Box's BoxServerException), by lower-cased simple name. */
  exceptionOwners: Map<string, string>;
  provenance: Provenance;
  /** Families of the catalog's error codes (`aadsts`, `af`, `e`): such a code is an error wherever it stands. */
  codeFamilies: Set<string>;
  /** First masked word of every portal message: the only words messageRun needs positions of. */
  messageStarts: Set<string>;
  /** IndexedEntry.lexSelf of every entry, packed: the lexical loop reads thousands per paste. */
  lexSelf: Float64Array;
  /** Words of every entry's message, packed: candidates are sorted by it on ties. */
  messageLengths: Int32Array;
  /** Entries of each app, by app id. */
  entriesByApp: Map<string, number[]>;
  /** Every key of codes, exceptions, postings, phrases, hosts, appHints, messageStarts and vocabulary, with what each says of it. */
  words: Map<string, WordInfo>;
  scratch: LexicalScratch;
  /** Typo corrections already worked out (view.ts); a cache, bounded there. */
  typoMemo: Map<string, string>;
}

function rawWords(text: string): string[] {
  return tokenize(text).map((t) => t.raw);
}

function maskedSeq(text: string): string[] {
  return tokenize(text).map((t) => t.masked).filter((m) => m.length > 0);
}

export function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
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
  const ref: PhraseRef = { tokens, display: text, entries: [entryIndex], oneApp: true };
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

export function buildIndex(catalog: Catalog): Index {
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
      knownCodes: new Set([...entryCodes, ...(signals?.phrases ?? []).filter((p) => /^[A-Za-z0-9_]+$/.test(p)).map((p) => p.toLowerCase())]),
      messageOneApp: true,
      messageCarriesApp: messageSeq.some((w) => !w.startsWith('<') && !simpleExceptions.has(w) && !/^[0-9]+$/.test(w)),
      messageIsRuntimeException: messageSeq.length > 0 && messageSeq.every((w) => simpleExceptions.has(w)) && qualified.length > 0 && qualified.every(isRuntimeClass),
      shortFactor: Math.min(1, lex.size / 4),
    });
  });

  const n = entries.length;
  const lexicon = new Map<string, Posting>();
  for (const [word, list] of postings) {
    lexicon.set(word, { entries: list, idf: Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5)), id: lexicon.size });
  }
  for (const e of entries) e.lexSelf = e.lexTokens.reduce((sum, w) => sum + (lexicon.get(w)?.idf ?? 0), 0);

  const appHints = new Map<string, AppHintRef[]>();
  const appNames = new Map<string, string[][]>();
  for (const app of catalog.apps) {
    if (app.id === ALL_APPS_ID) continue;
    const names = [app.name, app.id, ...(app.aliases ?? [])];
    for (const [k, name] of [...names, ...(app.hints ?? [])].entries()) {
      const tokens = rawWords(hostText(name));
      const first = tokens[0];
      if (!first) continue;
      addTo(appHints, first, { tokens, display: name, appId: app.id, name: k < names.length });
      if (k < names.length) addTo(appNames, app.id, tokens);
    }
  }
  const appNameWords = new Map<string, Set<string>>();
  for (const [appId, names] of appNames) appNameWords.set(appId, new Set(names.flat()));

  const typos = new Map<string, string[]>();
  for (const word of vocabulary) {
    if (word.length < 6 || !isAlphabetic(word)) continue;
    for (const key of typoKeys(word, word.length)) addTo(typos, key, word);
  }

  const knownStatuses = new Set<number>(statuses.keys());
  const appsOf = (list: readonly number[]): number => new Set(list.map((i) => entries[i]?.entry.app)).size;
  const oneApp = (map: Map<string, number[]>): Set<string> => new Set([...map].filter(([, list]) => appsOf(list) === 1).map(([key]) => key));
  const oneAppCodes = oneApp(codes);
  for (const refs of phrases.values()) for (const ref of refs) ref.oneApp = appsOf(ref.entries) === 1;
  const byMessage = new Map<string, number[]>();
  entries.forEach((e, i) => addTo(byMessage, e.messageSeq.join(' '), i));
  for (const list of byMessage.values()) {
    const single = appsOf(list) === 1;
    for (const i of list) {
      const e = entries[i] as IndexedEntry;
      e.messageOneApp = single;
      e.messageCarriesApp &&= single;
    }
  }
  const provenance = buildProvenance(catalog);
  const exceptionOwners = new Map<string, string>();
  for (const [simple, list] of exceptions) {
    // A class is an app's own when the catalog places it in the app's package (com.box...); a
    // class named bare says nothing of whose it is (RuntimeException is everybody's).
    const qualified = list.flatMap((i) => entries[i]?.qualifiedExceptions ?? []).find((q) => q.endsWith(`.${simple}`));
    const owner = qualified === undefined ? undefined : exceptionOwner(provenance, qualified);
    if (owner !== undefined) exceptionOwners.set(simple, owner);
  }
  const entriesByApp = new Map<string, number[]>();
  entries.forEach((e, i) => addTo(entriesByApp, e.entry.app, i));
  const codeFamilies = new Set<string>();
  for (const e of entries) for (const family of e.codeFamilies) codeFamilies.add(family);
  for (const e of entries) for (const code of innerCodesOf(e.entry.message, codeFamilies)) e.knownCodes.add(code);
  const messageStarts = new Set<string>();
  for (const e of entries) if (e.messageSeq[0] !== undefined) messageStarts.add(e.messageSeq[0]);
  const words = new Map<string, WordInfo>();
  for (const key of [...codes.keys(), ...exceptions.keys(), ...lexicon.keys(), ...phrases.keys(), ...hosts.keys(), ...appHints.keys(), ...messageStarts, ...vocabulary]) {
    if (words.has(key)) continue;
    words.set(key, {
      codes: codes.get(key), exceptions: exceptions.get(key), posting: lexicon.get(key), phrases: phrases.get(key), hosts: hosts.get(key), appHints: appHints.get(key),
      messageStart: messageStarts.has(key), vocabulary: vocabulary.has(key),
    });
  }
  const scratch: LexicalScratch = {
    sums: new Float64Array(n), stamp: new Uint32Array(n), evidenceStamp: new Uint32Array(n), evidence: new Array<Evidence[] | undefined>(n).fill(undefined),
    flags: new Uint8Array(n), postingStamp: new Uint32Array(lexicon.size), generation: 0,
  };
  return {
    entries, postings: lexicon, codes, exceptions, exceptionNames, statuses, knownStatuses, phrases, hosts, appHints, appNames, appNameWords, vocabulary, typos, oneAppCodes, exceptionOwners, provenance, codeFamilies, messageStarts,
    lexSelf: Float64Array.from(entries, (e) => e.lexSelf), messageLengths: Int32Array.from(entries, (e) => e.messageSeq.length), entriesByApp, words, scratch, typoMemo: new Map(),
  };
}
