// A short note in a dialog (a message extension's answer when there is nothing to diagnose): a
// title and a few lines, our own words, no buttons.
import { plainText } from './plain-text.js';
import { renderCard, type AdaptiveCard } from './render.js';

export function noteCard(title: string, lines: string[]): AdaptiveCard {
  return renderCard('note', { title: plainText(title), lines: lines.filter((l) => l !== '').map((l) => ({ text: plainText(l) })) });
}
