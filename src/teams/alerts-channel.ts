// Alerts posted into the alerts channel in Teams: each new alert incident starts a thread there with
// its card (a new conversation in the channel), delivered by the incidents outbox through this
// sink, so a post survives restarts and Teams' 429s like an escalation. The thread becomes the
// incident's conversation: its buttons work there, and repeats and clears update the card in place.
import { CardFactory, MessageFactory, type Activity, type CloudAdapter, type ConversationParameters, type ConversationReference } from 'botbuilder';
import type { Matcher } from '../core/types.js';
import type { DeliveryResult, EscalationSink, Incident, IncidentStore, OutboxMessage } from '../incidents/types.js';
import type { Logger } from '../log.js';
import { incidentCardFor } from './incident-view.js';
import { SUPPORT_CHANNEL_SETTING, refreshIncidentCard, teamsDeliveryFailure } from './support-channel.js';

/** Settings key holding the alerts channel's conversation reference (`set alerts channel`). */
export const ALERTS_CHANNEL_SETTING = 'alerts-channel';
/** Outbox target of the message that posts an alert's card. */
export const ALERTS_CHANNEL_TARGET = 'alerts-channel';
/** Teams' global service URL for proactive messages, when nothing better is known. */
export const DEFAULT_TEAMS_SERVICE_URL = 'https://smba.trafficmanager.net/teams/';

export interface AlertsChannelDeps {
  adapter: Pick<CloudAdapter, 'createConversationAsync' | 'continueConversationAsync'>;
  /** MicrosoftAppId ('' in local mode). */
  botAppId: string;
  /** The audience of the bot's tokens for Teams (the authentication's originating audience). */
  audience?: string;
  store: IncidentStore;
  matcher: Matcher;
  logger: Logger;
  /** ALERTS_CHANNEL_ID and how to reach it, used when nobody ran `set alerts channel`. */
  configured?: { channelId: string; serviceUrl?: string; tenantId?: string };
  /** Whether escalations have somewhere to go (the card's Escalate offers a note or explains). */
  hasDestination?: () => Promise<boolean>;
}

export interface AlertsChannel {
  channelId: string;
  serviceUrl: string;
  tenantId?: string;
}

/**
 * Where alert threads go: the channel set by `set alerts channel` wins; else ALERTS_CHANNEL_ID,
 * reached through ALERTS_SERVICE_URL, the support channel's service URL, or Teams' global one.
 */
export async function alertsChannel(deps: Pick<AlertsChannelDeps, 'store' | 'configured'>): Promise<AlertsChannel | undefined> {
  const stored = (await deps.store.getSetting(ALERTS_CHANNEL_SETTING)) as Partial<ConversationReference> | undefined;
  if (stored && typeof stored === 'object' && stored.conversation?.id && stored.serviceUrl) {
    return { channelId: stored.conversation.id, serviceUrl: stored.serviceUrl, ...(stored.conversation.tenantId ? { tenantId: stored.conversation.tenantId } : {}) };
  }
  if (!deps.configured) return undefined;
  const support = (await deps.store.getSetting(SUPPORT_CHANNEL_SETTING)) as Partial<ConversationReference> | undefined;
  return {
    channelId: deps.configured.channelId,
    serviceUrl: deps.configured.serviceUrl ?? support?.serviceUrl ?? DEFAULT_TEAMS_SERVICE_URL,
    ...(deps.configured.tenantId ? { tenantId: deps.configured.tenantId } : {}),
  };
}

/** A channel thread's conversation id is the channel's with `;messageid=<id of its first post>`. */
export function threadActivityId(conversationId: string): string | undefined {
  const match = /;messageid=([^;]+)$/.exec(conversationId);
  return match?.[1];
}

const changedSince = (before: Incident, after: Incident) =>
  after.repeatCount !== before.repeatCount || after.version !== before.version || after.updatedAt.getTime() !== before.updatedAt.getTime();

export function createAlertsChannelSink(deps: AlertsChannelDeps): EscalationSink {
  const views = { matcher: deps.matcher, store: deps.store, hasDestination: deps.hasDestination };
  return {
    target: ALERTS_CHANNEL_TARGET,
    async deliver(message: OutboxMessage): Promise<DeliveryResult> {
      const incident = await deps.store.get(message.incidentId);
      if (!incident) return { ok: false, retryable: false, error: 'incident no longer exists' };
      // Posted already by an attempt that died before the outbox heard of it: update, never post twice.
      if (incident.activityId) {
        await refreshIncidentCard(deps, incident.id);
        return { ok: true };
      }
      const channel = await alertsChannel(deps);
      // Nothing tried: the card waits (every minute, without using up attempts) until a channel is set.
      if (!channel) return { ok: false, retryable: true, retryAfterMs: 60_000, error: 'no alerts channel is set', notAttempted: true };
      // Rendered now, from the incident as it is: repeats recorded while the post waited are on it.
      const card = await incidentCardFor(views, incident);
      const parameters: ConversationParameters = {
        isGroup: true,
        ...(deps.botAppId ? { bot: { id: `28:${deps.botAppId}`, name: 'Connector Doctor' } } : {}),
        channelData: { channel: { id: channel.channelId }, ...(channel.tenantId ? { tenant: { id: channel.tenantId } } : {}) },
        activity: MessageFactory.attachment(CardFactory.adaptiveCard(card)) as Activity,
        ...(channel.tenantId ? { tenantId: channel.tenantId } : {}),
      } as ConversationParameters;
      let thread: string | undefined;
      try {
        await deps.adapter.createConversationAsync(deps.botAppId, 'msteams', channel.serviceUrl, deps.audience as string, parameters, async (context) => {
          thread = context.activity.conversation?.id;
        });
      } catch (error) {
        return teamsDeliveryFailure(error, deps.logger, { incidentId: incident.id, outboxId: message.id }, 'could not post to the alerts channel');
      }
      const activityId = thread ? threadActivityId(thread) : undefined;
      if (!thread || !activityId) {
        // Posted, but Teams did not say where: the card stands, without later updates.
        deps.logger.warn({ incidentId: incident.id }, 'Teams did not return the new thread of an alert card; it will not be updated');
        return { ok: true };
      }
      await deps.store.attachAlertPost(incident.id, { conversationId: thread, activityId, serviceUrl: channel.serviceUrl, ...(channel.tenantId ? { tenantId: channel.tenantId } : {}) });
      // A repeat or clear that arrived while the card was on its way could not update it: do it now.
      const after = await deps.store.get(incident.id);
      if (after && changedSince(incident, after)) await refreshIncidentCard(deps, incident.id);
      return { ok: true };
    },
  };
}
