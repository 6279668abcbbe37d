// "Escalate to support", with the optional note typed into the show-card.
import { redact } from '../../core/redact.js';
import { IN_CHAT, MAX_NOTE_LENGTH, type CardVerb } from './types.js';

export const escalate: CardVerb = {
  verb: 'escalate',
  places: IN_CHAT,
  decide: ({ data }) => {
    const raw = data.note;
    if (raw !== undefined && raw !== null && typeof raw !== 'string') {
      return { error: { code: 'BadNote', message: 'The note must be text.' } };
    }
    // The note is typed by a person and may hold a secret: redact before it is stored or sent, and
    // before the cap, which could otherwise cut a token into a piece the redactor no longer knows.
    const note = typeof raw === 'string' ? Array.from(redact(raw).text.trim()).slice(0, MAX_NOTE_LENGTH).join('') : '';
    return { action: note ? { kind: 'escalate', note } : { kind: 'escalate' } };
  },
};
