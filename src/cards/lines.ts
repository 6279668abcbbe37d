// Building blocks shared by the incident and support cards: RichTextBlock lines of literal runs
// (names and notes are never read as Markdown), the pasted excerpt, and the size budget.
import type { Person } from '../incidents/types.js';
import type { IncidentCardCommon, Line, Run } from './data.js';
import { literalText, truncateText } from './plain-text.js';
import { CARD_BUDGET_BYTES, cardBytes, type AdaptiveCard } from './render.js';

export const text = (value: string): Run => ({ text: literalText(value), weight: 'Default' });
export const bold = (value: string): Run => ({ text: literalText(value), weight: 'Bolder' });
export const line = (...runs: Run[]): Line => ({ runs });

export function personName(person: Person | undefined): string {
  return person?.name?.trim() || 'someone';
}

/** The excerpt shown on a card is cut to this many characters first, then halved until it fits. */
const EXCERPT_DISPLAY_CHARS = 2000;
const MIN_EXCERPT_CHARS = 200;

function excerptLines(text: string): { text: string }[] {
  return text
    .split(/\r\n?|\n/)
    .filter((l) => l.trim() !== '')
    .map((l) => ({ text: literalText(l) }));
}

export function excerptFields(excerpt: string, limit: number): Pick<IncidentCardCommon, 'excerptLines' | 'excerptNote'> {
  const length = Array.from(excerpt).length;
  if (length <= limit) {
    // The matcher keeps only the start of a long error and marks the cut with an ellipsis.
    const cut = excerpt.trimEnd().endsWith('…');
    return { excerptLines: excerptLines(excerpt), excerptNote: cut ? 'Only the start of what you pasted is shown and kept.' : '' };
  }
  const shown = excerptLines(truncateText(excerpt, limit));
  const last = shown.at(-1);
  if (last) last.text += ' …';
  return {
    excerptLines: shown,
    excerptNote: `Showing the first ${limit.toLocaleString('en-US')} of ${length.toLocaleString('en-US')} characters.`,
  };
}

/** Render, halving the excerpt until the card fits Teams' size limit. */
export function withinBudget(render: (excerptLimit: number) => AdaptiveCard): AdaptiveCard {
  let limit = EXCERPT_DISPLAY_CHARS;
  let card = render(limit);
  while (cardBytes(card) > CARD_BUDGET_BYTES && limit > MIN_EXCERPT_CHARS) {
    limit = Math.max(MIN_EXCERPT_CHARS, Math.floor(limit / 2));
    card = render(limit);
  }
  return card;
}
