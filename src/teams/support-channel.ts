// Escalations posted into the support team's Teams channel: a proactive message through the
// conversation reference stored by `set support channel` (or SUPPORT_CHANNEL_ID), delivered by
// the incidents outbox through this sink. Also refreshes an incident's card once delivery is known.
import { CardFactory, MessageFactory, type Activity, type BotAdapter, type ConversationReference, type TurnContext } from 'botbuilder';
import type { ClaimsIdentity } from 'botframework-connector';
import type { AdaptiveCard } from '../cards/render.js';
import { findInCauses } from '../core/retry-policy.js';
import type { Matcher } from '../core/types.js';
import type { DeliveryResult, EscalationSink, IncidentStore, OutboxMessage, Person } from '../incidents/types.js';
import type { Logger } from '../log.js';
import { incidentCardFor, peopleOf, supportCardFor } from './incident-view.js';
import { httpStatusOf, retryAfterMs } from './retry.js';

/** Settings key holding the support channel's conversation reference. */
export const SUPPORT_CHANNEL_SETTING = 'support-channel';
export const TEAMS_CHANNEL_TARGET = 'teams-channel';

/**
 * The reference to post new threads in a channel: the channel's own id, not the thread
 * (`19:...@thread.tacv2;messageid=...`) the command was typed in.
 */
export function supportChannelReference(reference: Partial<ConversationReference>, activity: Partial<Activity>): Partial<ConversationReference> {
  const channelId = (activity.channelData as { channel?: { id?: unknown } } | undefined)?.channel?.id;
  const conversationId = typeof channelId === 'string' && channelId ? channelId : (reference.conversation?.id ?? '').split(';')[0];
  return {
    channelId: reference.channelId,
    serviceUrl: reference.serviceUrl,
    bot: reference.bot,
    conversation: { ...reference.conversation!, id: conversationId ?? '', isGroup: true, conversationType: 'channel' },
  };
}

export interface SupportChannelDeps {
  adapter: Pick<BotAdapter, 'continueConversationAsync'>;
  /** MicrosoftAppId ('' in local mode). */
  botAppId: string;
  store: IncidentStore;
  matcher: Matcher;
  logger: Logger;
  /** A channel id from configuration, used when nobody ran `set support channel`. */
  configuredChannelId?: string;
  clock?: () => Date;
  /** Whether an escalation has somewhere to go: a refreshed card offers Escalate only then (as a fresh one does). */
  hasDestination?: () => Promise<boolean>;
}

/** Who records what the bot itself did (where it posted) in an incident's audit trail. */
const BOT_PERSON: Person = { id: 'connector-doctor', name: 'Connector Doctor' };

/**
 * Where support escalations go in Teams, or undefined when no channel is known. A configured
 * channel id has no stored reference: it is reached through the service URL (and tenant) of the
 * chat the escalation came from, as the bot itself (`28:<app id>`) when the app id is known.
 */
async function supportChannel(
  deps: Pick<SupportChannelDeps, 'store' | 'configuredChannelId'> & { botAppId?: string },
  fallbackServiceUrl?: string,
  fallbackTenantId?: string,
): Promise<Partial<ConversationReference> | undefined> {
  const stored = (await deps.store.getSetting(SUPPORT_CHANNEL_SETTING)) as Partial<ConversationReference> | undefined;
  if (stored && typeof stored === 'object' && stored.conversation?.id && stored.serviceUrl) return stored;
  if (deps.configuredChannelId && fallbackServiceUrl) {
    return {
      channelId: 'msteams',
      serviceUrl: fallbackServiceUrl,
      ...(deps.botAppId ? { bot: { id: `28:${deps.botAppId}`, name: 'Connector Doctor' } } : {}),
      conversation: {
        id: deps.configuredChannelId,
        isGroup: true,
        conversationType: 'channel',
        name: '',
        ...(fallbackTenantId ? { tenantId: fallbackTenantId } : {}),
      },
    };
  }
  return undefined;
}

/**
 * What may be logged of a failed call to Teams: its HTTP status, or (none: the network, or a bug)
 * the error's name and code; never its message, which can quote a card.
 */
export function teamsFailureFields(error: unknown): Record<string, unknown> {
  const statusCode = httpStatusOf(error);
  if (statusCode !== undefined) return { statusCode };
  const code = findInCauses(error, (e) => (typeof e.code === 'string' ? e.code : undefined));
  return { err: error instanceof Error ? error.name : typeof error, ...(code ? { code } : {}) };
}

/**
 * What a channel sink tells the outbox when Teams refused or could not be reached: retried for
 * network errors, 408, 412, 429 and 5xx, after Teams' own Retry-After when it gave one; a failure
 * without a status (the network, or a bug) is logged with its ids.
 */
export function teamsDeliveryFailure(error: unknown, logger: Logger, ids: { incidentId: string; outboxId: string }, logLine: string): DeliveryResult {
  const status = httpStatusOf(error);
  if (status === undefined) logger.warn({ ...ids, ...teamsFailureFields(error) }, logLine);
  const retryable = status === undefined || status === 408 || status === 412 || status === 429 || status >= 500;
  const asked = retryable ? retryAfterMs(error) : undefined;
  return { ok: false, retryable, ...(asked !== undefined ? { retryAfterMs: asked } : {}), error: status === undefined ? 'Teams could not be reached' : `Teams answered ${status}` };
}

export function createSupportChannelSink(deps: SupportChannelDeps): EscalationSink {
  return {
    target: TEAMS_CHANNEL_TARGET,
    async deliver(message: OutboxMessage): Promise<DeliveryResult> {
      const incident = await deps.store.get(message.incidentId);
      if (!incident) return { ok: false, retryable: false, error: 'incident no longer exists' };
      const reference = await supportChannel(deps, incident.serviceUrl, incident.tenantId);
      if (!reference) return { ok: false, retryable: true, retryAfterMs: 60_000, error: 'no support channel is set' };
      const card = await supportCardFor(deps, incident);
      let postedId: string | undefined;
      const error = await proactively(deps.adapter, deps.botAppId, reference, async (context) => {
        postedId = (await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card))))?.id;
      });
      if (error === undefined) {
        if (postedId) await recordSupportPost(deps, incident.id, incident.conversationId, reference, postedId);
        return { ok: true };
      }
      return teamsDeliveryFailure(error, deps.logger, { incidentId: incident.id, outboxId: message.id }, 'could not post to the support channel');
    },
  };
}

/**
 * Remember where support's post is, in the incident's audit trail: its buttons are accepted from
 * that channel, and it is updated when the incident changes. A thread's conversation is the
 * channel with `;messageid=` of its first post.
 */
async function recordSupportPost(deps: SupportChannelDeps, incidentId: string, conversationId: string, reference: Partial<ConversationReference>, activityId: string): Promise<void> {
  const channel = reference.conversation?.id ?? '';
  const post = { conversationId: `${channel};messageid=${activityId}`, activityId, ...(reference.serviceUrl ? { serviceUrl: reference.serviceUrl } : {}) };
  try {
    await deps.store.apply(
      { incidentId, conversationId, actor: BOT_PERSON, action: { kind: 'record-support-post', post }, at: (deps.clock ?? (() => new Date()))() },
      [],
      () => null,
    );
  } catch (error) {
    // Posted all the same: support has it; only its buttons and later updates are lost.
    deps.logger.warn({ incidentId, err: { name: (error as Error)?.name } }, 'could not record the support post');
  }
}

/**
 * Re-render an incident's card where it was posted (e.g. "delivered to support" once the outbox
 * reports delivery). Failures are logged, never thrown: the state is in the store either way.
 */
export async function refreshIncidentCard(deps: Omit<SupportChannelDeps, 'configuredChannelId'>, incidentId: string): Promise<boolean> {
  const incident = await deps.store.get(incidentId);
  if (!incident?.activityId || !incident.serviceUrl) return false;
  const card = await incidentCardFor(deps, incident, { refreshUserIds: peopleOf(incident) });
  const error = await updateCard(deps.adapter, deps.botAppId, { conversationId: incident.conversationId, serviceUrl: incident.serviceUrl, activityId: incident.activityId, tenantId: incident.tenantId }, card);
  if (error === undefined) return true;
  deps.logger.warn({ incidentId, ...teamsFailureFields(error) }, 'could not refresh the incident card');
  return false;
}

export interface CardLocation {
  conversationId: string;
  serviceUrl: string;
  activityId: string;
  tenantId?: string;
}

/** Replace a card the bot posted anywhere (a proactive turn); returns what failed, or undefined. */
export function updateCard(
  adapter: Pick<BotAdapter, 'continueConversationAsync'>,
  identity: string | ClaimsIdentity,
  where: CardLocation,
  card: AdaptiveCard,
): Promise<unknown> {
  const reference: Partial<ConversationReference> = {
    channelId: 'msteams',
    serviceUrl: where.serviceUrl,
    conversation: { id: where.conversationId, isGroup: false, conversationType: '', name: '', ...(where.tenantId ? { tenantId: where.tenantId } : {}) },
  };
  return proactively(adapter, identity, reference, async (context) => {
    await context.updateActivity({ type: 'message', id: where.activityId, attachments: [CardFactory.adaptiveCard(card)] });
  });
}

/**
 * Run `logic` in a proactive turn and return what it threw. The adapter hands errors thrown in a
 * turn to onTurnError instead of rejecting, so the caller would otherwise always see success.
 * `identity`: the bot's app id, or (inside a turn) the claims the request came with.
 */
async function proactively(
  adapter: Pick<BotAdapter, 'continueConversationAsync'>,
  identity: string | ClaimsIdentity,
  reference: Partial<ConversationReference>,
  logic: (context: TurnContext) => Promise<void>,
): Promise<unknown> {
  let failure: unknown;
  try {
    // One implementation behind BotAdapter's overloads (app id or claims); called on the adapter itself.
    const continueConversation = adapter.continueConversationAsync as (
      this: unknown,
      identity: string | ClaimsIdentity,
      reference: Partial<ConversationReference>,
      logic: (context: TurnContext) => Promise<void>,
    ) => Promise<void>;
    await continueConversation.call(adapter, identity, reference, async (context) => {
      try {
        await logic(context);
      } catch (error) {
        failure = error ?? new Error('proactive turn failed');
      }
    });
  } catch (error) {
    failure = error ?? new Error('proactive turn failed');
  }
  return failure;
}
