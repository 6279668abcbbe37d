// The words of a Teams message a person chose "Diagnose with Connector Doctor" on: its subject, its
// HTML body as Teams sent it (the matcher normalises mentions, code blocks and entities exactly as
// for a paste), and the text of its cards, since alerts posted by workflows and connectors are
// usually a card with an empty body.
import type { MessageActionsPayload } from 'botbuilder';

/** More than the matcher reads (64 KB): the matcher cuts and says so; this only bounds the walk. */
const MAX_CHARS = 200_000;
/** Cards nest containers in columns in containers; deeper than this is not an alert. */
const MAX_DEPTH = 32;

/** Teams sends a card's JSON as a string; an object is accepted too. */
function cardContent(content: unknown): unknown {
  if (typeof content !== 'string') return content;
  try {
    return JSON.parse(content) as unknown;
  } catch {
    return content;
  }
}

/**
 * The text an Adaptive Card (or a hero, thumbnail or Office 365 connector card) shows: TextBlocks,
 * TextRuns, facts as "title: value", titles and subtitles, in order. Buttons and images carry none.
 */
function textOfCard(card: unknown, out: string[], depth = 0): void {
  if (depth > MAX_DEPTH || card === null || typeof card !== 'object') return;
  if (Array.isArray(card)) {
    for (const item of card) textOfCard(item, out, depth + 1);
    return;
  }
  const node = card as Record<string, unknown>;
  const type = typeof node.type === 'string' ? node.type : '';
  if (type.startsWith('Action.') || type === 'Image' || type === 'ImageSet' || type.startsWith('Input.')) return;
  // Facts: Adaptive Card (title/value) and Office 365 connector card (name/value).
  const factTitle = typeof node.title === 'string' ? node.title : typeof node.name === 'string' ? node.name : undefined;
  if (typeof node.value === 'string' && factTitle !== undefined && type === '') {
    out.push(`${factTitle}: ${node.value}`);
    return;
  }
  for (const key of ['title', 'subtitle', 'activityTitle', 'activitySubtitle', 'summary', 'text', 'activityText']) {
    const value = node[key];
    if (typeof value === 'string' && value.trim() !== '') out.push(value);
  }
  for (const key of ['body', 'items', 'columns', 'inlines', 'facts', 'sections', 'rows', 'cells']) {
    if (node[key] !== undefined) textOfCard(node[key], out, depth + 1);
  }
}

/**
 * Everything in the message that can hold an error, one part per line: the raw HTML body is kept
 * as HTML (the matcher reads Teams HTML), card text is plain. Empty when there is nothing to read.
 */
export function messageText(payload: MessageActionsPayload | undefined): string {
  if (!payload) return '';
  const parts: string[] = [];
  if (typeof payload.subject === 'string' && payload.subject.trim() !== '') parts.push(payload.subject);
  const body = payload.body?.content;
  if (typeof body === 'string' && body.trim() !== '') parts.push(body);
  for (const attachment of Array.isArray(payload.attachments) ? payload.attachments : []) {
    const lines: string[] = [];
    textOfCard(cardContent(attachment?.content), lines);
    // A plain text attachment (rare) is its own text.
    if (lines.length === 0 && typeof attachment?.content === 'string' && !attachment.content.trimStart().startsWith('{')) lines.push(attachment.content);
    if (lines.length > 0) parts.push(lines.join('\n'));
  }
  const text = parts.join('\n');
  return text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text;
}
