// What an incident's audit trail says that its cards show: who chose the app, what support did
// with the current escalation, where support's post is, and the secrets removed from the paste.
import type { AlertOrigin, IncidentEvent, Person, SupportPost } from '../incidents/types.js';

export interface Stamp {
  by: Person;
  at: Date;
}

export interface IncidentHistory {
  /** The latest human choice: an app for an ambiguous error, an alternative, or "none of these". */
  choice?: Stamp & { kind: 'app' | 'alternative' | 'none' };
  /** Support's first acknowledgement of the current escalation. */
  acknowledged?: Stamp;
  /** Who in support took the current escalation (the latest to press Take it). */
  taken?: Stamp;
  /** The support channel post of the current escalation. */
  supportPost?: SupportPost;
  /** Secrets removed from the latest paste of this error. */
  /** `from: 'message'`: removed from a message diagnosed with the message extension, not a paste. */
  secrets?: { count: number; kinds: string[]; from?: 'message' };
  /** The alert that opened the incident: where it came from, its title and link. */
  alert?: AlertOrigin;
  /** When the alert (or another of the same app and error) was last seen. */
  lastSeen?: Date;
  /** When the alert last cleared at its source, unless it has been seen active since. */
  cleared?: Date;
}

const CHOICES: Partial<Record<IncidentEvent['kind'], 'app' | 'alternative' | 'none'>> = {
  'app-chosen': 'app',
  'alternative-chosen': 'alternative',
  'none-chosen': 'none',
};

function parse<T>(detail: string | undefined, valid: (value: unknown) => value is T): T | undefined {
  if (!detail) return undefined;
  try {
    const value: unknown = JSON.parse(detail);
    return valid(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const isPost = (v: unknown): v is SupportPost =>
  typeof v === 'object' && v !== null && typeof (v as SupportPost).conversationId === 'string' && typeof (v as SupportPost).activityId === 'string';
const isOrigin = (v: unknown): v is AlertOrigin =>
  typeof v === 'object' && v !== null && typeof (v as AlertOrigin).source === 'string' && typeof (v as AlertOrigin).sourceName === 'string' && typeof (v as AlertOrigin).title === 'string';
const isSecrets = (v: unknown): v is { count: number; kinds: string[] } =>
  typeof v === 'object' && v !== null && typeof (v as { count: unknown }).count === 'number' && Array.isArray((v as { kinds: unknown }).kinds);

/** Events in the order they happened (as the store returns them). */
export function historyOf(events: readonly IncidentEvent[]): IncidentHistory {
  const history: IncidentHistory = {};
  for (const event of events) {
    const stamp = (): Stamp | undefined => (event.actor ? { by: event.actor, at: event.at } : undefined);
    const choice = CHOICES[event.kind];
    if (choice && event.actor) history.choice = { kind: choice, by: event.actor, at: event.at };
    switch (event.kind) {
      case 'escalated':
        // A new escalation starts afresh: support has not seen this one yet.
        delete history.acknowledged;
        delete history.taken;
        delete history.supportPost;
        break;
      case 'support-acknowledged':
        history.acknowledged ??= stamp();
        break;
      case 'support-taken':
        history.taken = stamp();
        break;
      case 'support-posted':
        history.supportPost = parse(event.detail, isPost) ?? history.supportPost;
        break;
      case 'opened':
      case 'repeated':
        // A new paste of the error: the secrets of an earlier paste are not on its card.
        delete history.secrets;
        break;
      case 'alert-received':
        history.alert = parse(event.detail, isOrigin);
        history.lastSeen = event.at;
        break;
      case 'alert-repeated':
        history.lastSeen = event.at;
        delete history.cleared;
        delete history.secrets;
        break;
      case 'alert-cleared':
        history.cleared = event.at;
        break;
      case 'secrets-removed':
        history.secrets = parse(event.detail, isSecrets);
        break;
      default:
        break;
    }
  }
  return history;
}
