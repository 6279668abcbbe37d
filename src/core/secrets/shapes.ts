// Token formats recognised by their own shape: a vendor prefix, a charset, a length (the formats
// the vendors document and public secret scanners check). Each test looks at one isolated word,
// anchored at both ends, with no nested quantifier: linear in the word's length.

import type { SecretKind } from './kinds.js';
import { classesOf, isDocumentationSample, isIdentifierLike } from './text.js';
import { codeAt } from '../chars.js';

interface Shape {
  kind: SecretKind;
  /** Cheap first check: the word starts with one of these (or passes `filter` when there is no prefix). */
  prefixes: readonly string[];
  filter?: (word: string) => boolean;
  pattern: RegExp;
  /** Further condition on the whole word (mixed character classes for loose formats). */
  also?: (word: string) => boolean;
}

/** Upper, lower and digits all present: random, not a name or a placeholder. */
const mixed = (word: string): boolean => {
  const k = classesOf(word);
  return k.upper > 0 && k.lower > 0 && k.digit > 0;
};
const hasDigitAndLetter = (word: string): boolean => {
  const k = classesOf(word);
  return k.digit > 0 && k.upper + k.lower > 0;
};

const SHAPES: readonly Shape[] = [
  // JSON Web Tokens (JWS, JWE, unsigned `alg: none` with an empty signature).
  { kind: 'jwt', prefixes: ['eyJ'], pattern: /^eyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){1,4}$/, also: (w) => w.length >= 24 && w.indexOf('.') < w.length - 4 },
  // A JWT wrapped in base64 once more ("eyJ" encodes as "ZXlK").
  { kind: 'jwt', prefixes: ['ZXlK'], pattern: /^ZXlK[A-Za-z0-9+/]{36,}={0,2}$/ },
  // Microsoft Entra (AAD) refresh tokens and client secrets (`abc8Q~...`, 40 characters).
  { kind: 'aad-refresh-token', prefixes: ['0.A', '1.A'], pattern: /^[01]\.A[A-Za-z0-9_.*-]{30,}$/ },
  { kind: 'client-secret', prefixes: [], filter: (w) => w.includes('Q~'), pattern: /^[A-Za-z0-9_.~-]{3,8}Q~[A-Za-z0-9_.~-]{20,}$/ },
  // Azure storage account and Cosmos DB keys: 64 random bytes in base64.
  { kind: 'azure-storage-key', prefixes: [], filter: (w) => w.length === 88, pattern: /^[A-Za-z0-9+/]{86}==$/, also: mixed },
  // AWS access key ids (long-term AKIA, temporary ASIA, and the other documented principal prefixes).
  { kind: 'aws-access-key', prefixes: ['AKIA', 'ASIA', 'ABIA', 'ACCA', 'AGPA', 'AIDA', 'AROA', 'AIPA', 'ANPA', 'ANVA', 'APKA', 'A3T'], pattern: /^(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA|A3T[A-Z0-9])[A-Z0-9]{16}$/ },
  // Amazon Bedrock API keys: long-term `ABSK` + base64, short-term `bedrock-api-key-` + base64 of a presigned URL.
  { kind: 'aws-bedrock-key', prefixes: ['ABSK'], pattern: /^ABSK[A-Za-z0-9+/]{60,}={0,2}$/ },
  { kind: 'aws-bedrock-key', prefixes: ['bedrock-api-key-'], pattern: /^bedrock-api-key-[A-Za-z0-9+/_-]{40,}={0,2}$/ },
  // Google: API keys, OAuth client secrets, refresh and access tokens.
  { kind: 'google-api-key', prefixes: ['AIza'], pattern: /^AIza[A-Za-z0-9_-]{35}$/ },
  { kind: 'google-client-secret', prefixes: ['GOCSPX-'], pattern: /^GOCSPX-[A-Za-z0-9_-]{24,32}$/ },
  { kind: 'google-token', prefixes: ['1//'], pattern: /^1\/\/[A-Za-z0-9_-]{20,}$/ },
  { kind: 'google-token', prefixes: ['ya29.'], pattern: /^ya29\.[A-Za-z0-9_.-]{20,}$/ },
  // GitHub classic (ghp_, gho_, ghu_, ghs_, ghr_) and fine-grained tokens.
  { kind: 'github-token', prefixes: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'], pattern: /^gh[pousr]_[A-Za-z0-9]{30,251}$/ },
  { kind: 'github-token', prefixes: ['github_pat_'], pattern: /^github_pat_[A-Za-z0-9_]{40,255}$/ },
  // GitLab personal, deploy, runner, CI/CD job, feed, OAuth, agent and trigger tokens.
  { kind: 'gitlab-token', prefixes: ['gl'], pattern: /^gl(?:pat|dt|rt|ptt|cbt|imt|ft|oas|agent|soat|wt)-[A-Za-z0-9_-]{20,}$/ },
  { kind: 'gitlab-token', prefixes: ['GR1348941'], pattern: /^GR1348941[A-Za-z0-9_-]{20,}$/ },
  // Slack bot, user, app-level, legacy, configuration (`xoxe.xoxp-`) and refresh (`xoxe-`) tokens.
  { kind: 'slack-token', prefixes: ['xox', 'xapp-'], pattern: /^(?:xox[abposre]|xapp)(?:\.xox[abpe])?-[A-Za-z0-9-]{10,}$/, also: hasDigitAndLetter },
  // Atlassian API tokens (cloud, Connect) and Bitbucket app passwords.
  { kind: 'atlassian-token', prefixes: ['ATATT', 'ATCTT'], pattern: /^AT[AC]TT[A-Za-z0-9_=-]{50,}$/ },
  { kind: 'atlassian-token', prefixes: ['ATBB'], pattern: /^ATBB[A-Za-z0-9]{28,}$/ },
  // OpenAI (project, service-account, admin, legacy with the T3BlbkFJ marker) and Anthropic keys.
  { kind: 'anthropic-key', prefixes: ['sk-ant-'], pattern: /^sk-ant-[a-z]{2,8}\d{2}-[A-Za-z0-9_-]{20,}$/ },
  { kind: 'openai-key', prefixes: ['sk-'], pattern: /^sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}$/ },
  // The charset is checked first: on a long word that fails at its end, the marker search would retry from every occurrence.
  { kind: 'openai-key', prefixes: ['sk-'], filter: (w) => w.includes('T3BlbkFJ') && /^sk-[A-Za-z0-9_-]+$/.test(w), pattern: /^sk-[A-Za-z0-9_-]{8,}T3BlbkFJ[A-Za-z0-9_-]{8,}$/ },
  { kind: 'api-key', prefixes: ['sk-'], pattern: /^sk-[A-Za-z0-9_-]{32,}$/, also: hasDigitAndLetter },
  // Okta API tokens: "00" and 40 more characters.
  { kind: 'okta-token', prefixes: ['00'], pattern: /^00[A-Za-z0-9_-]{40}$/, also: mixed },
  // Salesforce session ids: org id, `!`, session.
  { kind: 'salesforce-session', prefixes: ['00D'], pattern: /^00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{20,}$/ },
  // Dropbox short-lived (`sl.`) and long-lived (11 characters, ten A's, 43 characters) tokens.
  { kind: 'dropbox-token', prefixes: ['sl.'], pattern: /^sl\.[A-Za-z0-9_.=-]{100,}$/ },
  { kind: 'dropbox-token', prefixes: [], filter: (w) => w.length === 64 && w.includes('AAAAAAAAAA'), pattern: /^[A-Za-z0-9]{11}AAAAAAAAAA[A-Za-z0-9_=-]{43}$/ },
  // SendGrid and npm.
  { kind: 'sendgrid-key', prefixes: ['SG.'], pattern: /^SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{30,50}$/ },
  { kind: 'npm-token', prefixes: ['npm_'], pattern: /^npm_[A-Za-z0-9]{36}$/ },
  // Stripe secret, restricted and webhook-signing keys.
  { kind: 'stripe-key', prefixes: ['sk_', 'rk_'], pattern: /^[sr]k_(?:live|test)_[A-Za-z0-9]{20,}$/ },
  { kind: 'stripe-key', prefixes: ['whsec_'], pattern: /^whsec_[A-Za-z0-9+/=]{24,}$/ },
  // Other documented prefixed formats people paste next to connector errors.
  { kind: 'api-key', prefixes: ['hf_'], pattern: /^hf_[A-Za-z]{30,}$/ },
  { kind: 'api-key', prefixes: ['shp'], pattern: /^shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}$/ },
  { kind: 'api-key', prefixes: ['do'], pattern: /^do[opr]_v1_[a-f0-9]{64}$/ },
  { kind: 'api-key', prefixes: ['pypi-'], pattern: /^pypi-AgE[A-Za-z0-9_-]{50,}$/ },
  { kind: 'api-key', prefixes: ['dckr_pat_'], pattern: /^dckr_pat_[A-Za-z0-9_-]{24,}$/ },
  { kind: 'api-key', prefixes: ['hvs.', 'hvb.', 'hvr.'], pattern: /^hv[sbr]\.[A-Za-z0-9_-]{24,}$/ },
  { kind: 'api-key', prefixes: ['lin_api_'], pattern: /^lin_api_[A-Za-z0-9]{32,}$/ },
  { kind: 'api-key', prefixes: ['ntn_', 'secret_'], pattern: /^(?:ntn_[A-Za-z0-9]{40,}|secret_[A-Za-z0-9]{43})$/ },
  { kind: 'api-key', prefixes: ['glc_', 'glsa_'], pattern: /^(?:glc_[A-Za-z0-9+/]{32,}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})$/ },
  { kind: 'api-key', prefixes: ['dapi'], pattern: /^dapi[a-f0-9]{32}(?:-\d)?$/ },
  { kind: 'api-key', prefixes: ['PMAK-'], pattern: /^PMAK-[a-f0-9]{24}-[a-f0-9]{34}$/ },
  { kind: 'api-key', prefixes: ['figd_', 'gsk_', 'NRAK-', 'sntrys_', 'dp.'], pattern: /^(?:figd_[A-Za-z0-9_-]{40,}|gsk_[A-Za-z0-9]{48,}|NRAK-[A-Z0-9]{27}|sntrys_[A-Za-z0-9+/=_-]{60,}|dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,})$/ },
  { kind: 'api-key', prefixes: ['SK'], pattern: /^SK[0-9a-fA-F]{32}$/ },
  { kind: 'api-key', prefixes: ['pat-'], pattern: /^pat-(?:na|eu)\d-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/ },
  { kind: 'api-key', prefixes: ['sq0'], pattern: /^sq0(?:atp|csp)-[A-Za-z0-9_-]{22,}$/ },
  { kind: 'api-key', prefixes: ['AGE-SECRET-KEY-1'], pattern: /^AGE-SECRET-KEY-1[A-Z0-9]{50,}$/ },
  { kind: 'api-key', prefixes: [], filter: (w) => w.includes('-us'), pattern: /^[0-9a-f]{32}-us\d{1,2}$/ },
  { kind: 'api-key', prefixes: ['LTAI'], pattern: /^LTAI[A-Za-z0-9]{20}$/ },
];

const MAX_WORD = 65_536;

/**
 * The shapes a word starting with character code `c` (ASCII) can have, in SHAPES' order: those
 * with no prefix and those with a prefix starting with `c`. A shape whose prefixes all start with
 * another character is never tried, as in SHAPES itself, without the ~100 `startsWith` per word.
 */
const SHAPES_BY_FIRST: readonly (readonly Shape[])[] = Array.from({ length: 128 }, (_, c) =>
  SHAPES.filter((shape) => shape.prefixes.length === 0 || shape.prefixes.some((p) => codeAt(p, 0) === c)));
/** The shapes a word starting with any other character can have: those with no prefix. */
const SHAPES_WITHOUT_PREFIX: readonly Shape[] = SHAPES.filter((shape) => shape.prefixes.length === 0);
/** Prefixes of three characters or more (hasShapePrefix's), by their first character code (ASCII). */
const LONG_PREFIXES_BY_FIRST: readonly (readonly string[])[] = Array.from({ length: 128 }, (_, c) =>
  SHAPES.flatMap((shape) => shape.prefixes.filter((p) => p.length >= 3 && codeAt(p, 0) === c)));

/** Whether a word begins like one of the prefixed formats (it may be cut short by a `/`). */
export function hasShapePrefix(word: string): boolean {
  const prefixes = LONG_PREFIXES_BY_FIRST[codeAt(word, 0)];
  if (prefixes === undefined) return false;
  for (const p of prefixes) if (word.startsWith(p)) return true;
  return false;
}

function startsWithAny(word: string, prefixes: readonly string[]): boolean {
  for (const p of prefixes) if (word.startsWith(p)) return true;
  return false;
}

/** The kind of secret an isolated word is by its own shape, or undefined. */
export function classifyToken(word: string): SecretKind | undefined {
  if (word.length < 20 || word.length > MAX_WORD) return undefined;
  for (const shape of SHAPES_BY_FIRST[codeAt(word, 0)] ?? SHAPES_WITHOUT_PREFIX) {
    if (shape.prefixes.length > 0 && !startsWithAny(word, shape.prefixes)) continue;
    if (shape.filter ? !shape.filter(word) : shape.prefixes.length === 0) continue;
    if (shape.pattern.test(word) && (!shape.also || shape.also(word))) return isSample(word) ? undefined : shape.kind;
  }
  return undefined;
}

/**
 * A documentation sample in a token's shape: `ghp_xxxxxxxx...`, `AKIAXXXXXXXXXXXXXXXX`,
 * `xoxe.xoxp-1-SlackAppConfigurationAccessTokenHere`. Real tokens are random: many distinct
 * characters, no run of plain words.
 */
function isSample(word: string): boolean {
  if (isDocumentationSample(word)) return true;
  let longest = '';
  for (const piece of word.split(/[^A-Za-z0-9]+/)) if (piece.length > longest.length) longest = piece;
  // Mostly plain words: `...-SlackAppConfigurationAccessTokenHere`.
  return longest.length >= 16 && longest.length * 5 >= word.length * 2 && isIdentifierLike(longest);
}
