// Turns untrusted text (a paste, a note, a display name) into text a Teams TextBlock shows
// literally: no Markdown, no links, no mentions. TextBlock renders a Markdown subset, so every
// construct it knows is escaped, and URLs are broken so no client auto-links them.

const ZERO_WIDTH_JOINER = '\u200D';

/** Control characters other than tab and newline, and lone UTF-16 surrogates. */
const UNPRINTABLE = /[\u0000-\u0008\u000B-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function plainText(input: string): string {
  let text = input.replace(/\r\n?/g, '\n').replace(UNPRINTABLE, (c) => (c.length === 1 && c.charCodeAt(0) < 0xd800 ? '' : '\uFFFD'));
  // Inline Markdown and HTML-ish syntax: emphasis, code, links/images, headings, strike, tables,
  // <at> mentions and other tags.
  text = text.replace(/[\\`*_[\]()<>#~|!{}]/g, '\\$&');
  // Block syntax at a line start: bullets, numbered lists, quotes (escaped above), setext rules.
  text = text.replace(/^([ \t]*)([-+=])/gm, '$1\\$2');
  text = text.replace(/^([ \t]*\d+)([.)])/gm, '$1\\$2');
  // URLs and domains: break the scheme separator and escape dots between word characters so
  // neither Markdown nor a client's auto-linker turns them into links.
  text = text.replace(/:\/\//g, `:${ZERO_WIDTH_JOINER}//`);
  text = text.replace(/([\p{L}\p{N}])\.(?=[\p{L}\p{N}])/gu, `$1\\.${ZERO_WIDTH_JOINER}`);
  text = text.replace(/@(?=[\p{L}\p{N}])/gu, `@${ZERO_WIDTH_JOINER}`);
  return text;
}

/** Cut text to at most `max` code points without splitting a surrogate pair. */
export function truncateText(input: string, max: number): string {
  const points = Array.from(input);
  return points.length <= max ? input : points.slice(0, max).join('');
}
