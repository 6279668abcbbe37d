// The traffic: Teams-shaped activities, every one from a new user in a new conversation of a new
// tenant (so no rate limiter, dedup or cache can answer), carrying a realistic connector error paste
// with its own correlation id, or a card button press with the card's own data.
import { randomUUID } from 'node:crypto';
import { fieldPastes } from '../../test/fixtures/pastes/field.js';

/** Pastes the matcher must recognise (hard negatives would get a text answer, not a card). */
export const BENCH_PASTES: readonly string[] = fieldPastes.filter((paste) => paste.expect.length > 0).map((paste) => paste.text);

const BOT = { id: '28:00000000-0000-0000-0000-00000000c0de', name: 'Connector Doctor' };
/**
 * Replies travel in the HTTP answer (expectReplies); the one call to Teams on the path (the
 * conversation's members) goes to the bench's stand-in (teams-roster.ts, set by useTeams); without
 * one, anything sent here would be refused.
 */
let teamsServiceUrl = 'http://127.0.0.1:9/';

export function useTeams(serviceUrl: string): void {
  teamsServiceUrl = serviceUrl;
}

let sequence = 0;

/** A sender and a conversation nobody has used before in this run. */
export function freshParties(): { user: { id: string; name: string; aadObjectId: string }; conversationId: string; tenantId: string } {
  sequence += 1;
  const run = `${process.pid}-${sequence}`;
  return {
    user: { id: `29:bench-user-${run}`, name: `Bench User ${sequence}`, aadObjectId: randomUUID() },
    conversationId: `a:bench-conversation-${run}`,
    tenantId: randomUUID(),
  };
}

/** The sender who opened a conversation of freshParties (the only member Teams would list), if it is one. */
export function senderOf(conversationId: string): { id: string; name: string } | undefined {
  const run = /^a:bench-conversation-(\d+-(\d+))$/.exec(conversationId);
  return run ? { id: `29:bench-user-${run[1]}`, name: `Bench User ${run[2]}` } : undefined;
}

function envelope(conversationId: string, tenantId: string) {
  return {
    id: `bench-${randomUUID()}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: teamsServiceUrl,
    recipient: BOT,
    conversation: { id: conversationId, conversationType: 'personal', tenantId },
    channelData: { tenant: { id: tenantId } },
    locale: 'en-US',
  };
}

/** Where a paste was made; a press on its card must come from the same conversation. */
export interface Conversation {
  conversationId: string;
  tenantId: string;
}

export interface PasteMessage extends Conversation {
  body: string;
}

/** The n-th paste (cycling through BENCH_PASTES) as a personal-chat message expecting its replies. */
export function pasteMessage(n: number): PasteMessage {
  const { user, conversationId, tenantId } = freshParties();
  const paste = BENCH_PASTES[n % BENCH_PASTES.length] as string;
  const activity = {
    ...envelope(conversationId, tenantId),
    type: 'message',
    textFormat: 'plain',
    deliveryMode: 'expectReplies',
    from: user,
    text: `${paste}\nCorrelation ID: ${randomUUID()}`,
  };
  return { body: JSON.stringify(activity), conversationId, tenantId };
}

/** A card button press as Teams sends it: an adaptiveCard/action invoke carrying the button's data. */
export function pressInvoke({ conversationId, tenantId }: Conversation, data: Record<string, unknown>): string {
  const { user } = freshParties();
  const verb = typeof data.verb === 'string' ? data.verb : 'resolve';
  return JSON.stringify({
    ...envelope(conversationId, tenantId),
    type: 'invoke',
    name: 'adaptiveCard/action',
    from: user,
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  });
}
