// Text on cards comes two ways. Our own words and the catalog's go into TextBlocks, which render a
// Markdown subset: plainText() escapes it with backslashes, which the renderer consumes, so what a
// reader copies is what they see. Untrusted text (a paste, a note, a display name) goes into
// RichTextBlock TextRuns, which render no Markdown, mentions or links at all: literalText() only
// drops what cannot be shown. Neither adds invisible characters.

/** Control characters other than tab and newline, and lone UTF-16 surrogates. */
const UNPRINTABLE = /[\u0000-\u0008\u000B-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function printable(input: string): string {
  return input.replace(/\r\n?/g, '\n').replace(UNPRINTABLE, (c) => (c.length === 1 && c.charCodeAt(0) < 0xd800 ? '' : '\uFFFD'));
}

/**
 * For a TextBlock, a Fact or a bot message: every Markdown construct Adaptive Cards render (bold,
 * italic, bullet and numbered lists, links; Teams' <at> tags) is escaped, and nothing else: some
 * Teams clients show a backslash the renderer does not need, so `(`, `>`, `#`, `|`, an underscore
 * inside a word (SUPPORT_WEBHOOK_URL) and the like stay as they are. Headings, tables, code and
 * quotes are not rendered by Adaptive Cards.
 */
export function plainText(input: string): string {
  if (input.length > MEMO_MAX_CHARS) return escapeMarkdown(input);
  const known = memo.get(input);
  if (known !== undefined) return known;
  const text = escapeMarkdown(input);
  // Oldest first out: a bounded memo, whatever text people send.
  if (memo.size >= MEMO_ENTRIES) memo.delete(memo.keys().next().value as string);
  memo.set(input, text);
  return text;
}

/**
 * Most text a card escapes is the catalog's (causes, steps, names), the same on every card: the
 * answers are remembered, at most MEMO_ENTRIES texts of at most MEMO_MAX_CHARS characters each
 * (a few MB at worst). plainText is a pure function, so a remembered answer is the same answer.
 */
export const MEMO_ENTRIES = 1024;
export const MEMO_MAX_CHARS = 1024;
const memo = new Map<string, string>();

/** Tests: how many texts are remembered. */
export function plainTextMemoSize(): number {
  return memo.size;
}

/** Tests: forget every remembered text. */
export function forgetPlainTextMemo(): void {
  memo.clear();
}

function escapeMarkdown(input: string): string {
  let text = printable(input);
  text = text.replace(/\\/g, '\\\\');
  // Emphasis and links; an underscore only where it could open or close emphasis (not inside a word).
  text = text.replace(/[*[\]]|_(?![\p{L}\p{N}])|(?<![\p{L}\p{N}])_/gu, '\\$&');
  // Tags (<at>...</at> mentions) and template functions ({{DATE(...)}}).
  text = text.replace(/<(?=[A-Za-z/!?])/g, '\\<').replace(/\{\{/g, '\\{\\{');
  // Block syntax at a line start: bullets and numbered lists.
  text = text.replace(/^([ \t]*)([-+])/gm, '$1\\$2');
  text = text.replace(/^([ \t]*\d+)([.)])/gm, '$1\\$2');
  return text;
}

/** For a TextRun: shown exactly as given, minus control characters. */
export function literalText(input: string): string {
  return printable(input);
}

/** Cut text to at most `max` code points without splitting a surrogate pair. */
export function truncateText(input: string, max: number): string {
  const points = Array.from(input);
  return points.length <= max ? input : points.slice(0, max).join('');
}
