// An incident card before there is an incident: what a message extension shows in its dialog and
// in Teams' send preview. The diagnosis as it would be posted, a badge saying it is a preview and
// what posting does, no buttons that act on an incident, and what the next step needs carried in
// a hidden input (the dialog's Submit sends inputs along; Teams hands a previewed card back whole).
import type { Badge } from './data.js';
import { bold, line, text } from './lines.js';
import type { AdaptiveCard } from './render.js';

export interface IncidentPreview {
  /** Lines under "Preview": what posting does, what else the message holds. */
  notes: string[];
  /** Kept in the card, invisible, for the next step of the flow. */
  carry?: { inputId: string; value: string };
  /** A button that submits the card's inputs (the dialog's "Post to this chat"). */
  submit?: { title: string; data: Record<string, unknown> };
}

export function previewBadge(preview: IncidentPreview): Badge {
  return {
    style: 'emphasis',
    lines: [line(bold('✎ Preview'), text(' · not posted yet')), ...preview.notes.map((note) => line(text(note)))],
  };
}

/** A card already stripped of incident actions, with the preview's hidden input and button added. */
export function asPreview(card: AdaptiveCard, preview: IncidentPreview): AdaptiveCard {
  const body = [...(card.body ?? [])];
  if (preview.carry) body.push({ type: 'Input.Text', id: preview.carry.inputId, isVisible: false, value: preview.carry.value });
  const actions = [...(card.actions ?? [])];
  if (preview.submit) actions.unshift({ type: 'Action.Submit', title: preview.submit.title, style: 'positive', data: preview.submit.data });
  const result: AdaptiveCard = { ...card, body };
  if (actions.length > 0) result.actions = actions;
  return result;
}
