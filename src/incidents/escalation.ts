// What support receives when someone presses "Escalate": one JSON document built once, when the
// escalation is recorded, and stored in the outbox, so every retry sends the same bytes.
// Only redacted text goes in: the excerpt was redacted at paste time and is redacted again here,
// and so is the escalation note, which comes from a text box on the card.

import type { Catalog } from '../core/types.js';
import { redact } from '../core/redact.js';
import type { Incident, Person } from './types.js';

export const ESCALATION_PAYLOAD_TYPE = 'connector-doctor.escalation';

export interface EscalationContext {
  /** To name the app and describe the entries; without it only ids are sent. */
  catalog?: Pick<Catalog, 'entry' | 'app'>;
}

export interface EscalationPayload {
  type: typeof ESCALATION_PAYLOAD_TYPE;
  version: 1;
  incident: {
    id: string;
    state: Incident['state'];
    verdict: Incident['verdict'];
    app: { id: string; name: string } | null;
    /** The error as pasted, secrets removed. */
    excerpt: string;
    entries: { id: string; message?: string; cause?: string; learnMore?: string }[];
    repeatCount: number;
    reportedBy: PersonOut;
    conversationId: string;
    tenantId: string | null;
    createdAt: string;
  };
  escalation: {
    by: PersonOut | null;
    note: string | null;
    at: string | null;
  };
  /**
   * The card's message in Teams (or the chat), null when the conversation has no Teams id
   * (Playground, tests). The bot serves no incident pages: a web link would expose incidents.
   */
  link: string | null;
  links: { teams: string | null };
}

interface PersonOut {
  name: string;
  id: string;
  aadObjectId: string | null;
}

const personOut = (p: Person): PersonOut => ({ name: p.name, id: p.id, aadObjectId: p.aadObjectId ?? null });

/** Channel conversation ids end so; group, meeting and 1:1 chats are `@thread.v2` or `@unq.gbl.spaces`. */
const CHANNEL_SUFFIXES = ['@thread.tacv2', '@thread.skype'];

/**
 * A Teams deep link to the card's message (or to the chat when the card id is unknown), in the
 * documented shapes: a channel message `l/message/<channel>/<message>?parentMessageId=<thread>`, a
 * chat message `l/message/<chat>/<message>?context={"contextType":"chat"}` (without the context
 * Teams looks for a channel and opens nothing). Personal chats with the bot (`a:`) have none.
 */
export function teamsLink(incident: Pick<Incident, 'conversationId' | 'activityId' | 'tenantId'>): string | null {
  // Channel conversation ids carry the thread as `;messageid=`; the deep link wants the channel.
  const [conversation = '', ...rest] = incident.conversationId.split(';');
  if (!conversation.startsWith('19:')) return null;
  const tenant = incident.tenantId ? `tenantId=${encodeURIComponent(incident.tenantId)}` : '';
  const parent = rest.find((part) => part.startsWith('messageid='))?.slice('messageid='.length);
  const channel = parent !== undefined || CHANNEL_SUFFIXES.some((suffix) => conversation.endsWith(suffix));
  if (incident.activityId) {
    const where = channel ? (parent ? `parentMessageId=${encodeURIComponent(parent)}` : '') : `context=${encodeURIComponent('{"contextType":"chat"}')}`;
    const query = [tenant, where].filter(Boolean).join('&');
    return `https://teams.microsoft.com/l/message/${encodeURIComponent(conversation)}/${encodeURIComponent(incident.activityId)}${query ? `?${query}` : ''}`;
  }
  return `https://teams.microsoft.com/l/chat/${encodeURIComponent(conversation)}/conversations${tenant ? `?${tenant}` : ''}`;
}

export function buildEscalationPayload(incident: Incident, context: EscalationContext = {}): EscalationPayload {
  const { catalog } = context;
  const app = incident.appId ? { id: incident.appId, name: catalog?.app(incident.appId)?.name ?? incident.appId } : null;
  const entries = incident.entryIds.map((id) => {
    const entry = catalog?.entry(id);
    return entry ? { id, message: entry.message, cause: entry.cause, learnMore: entry.learnMore } : { id };
  });
  const note = incident.escalationNote ? redact(incident.escalationNote).text : null;
  const teams = teamsLink(incident);
  return {
    type: ESCALATION_PAYLOAD_TYPE,
    version: 1,
    incident: {
      id: incident.id,
      state: incident.state,
      verdict: incident.verdict,
      app,
      excerpt: redact(incident.excerpt).text,
      entries,
      repeatCount: incident.repeatCount,
      reportedBy: personOut(incident.reporter),
      conversationId: incident.conversationId,
      tenantId: incident.tenantId ?? null,
      createdAt: incident.createdAt.toISOString(),
    },
    escalation: {
      by: incident.escalatedBy ? personOut(incident.escalatedBy) : null,
      note,
      at: incident.escalatedAt?.toISOString() ?? null,
    },
    link: teams,
    links: { teams },
  };
}
