// Escalations posted into the support team's Teams channel: a proactive message through the
// conversation reference stored by `set support channel` (or SUPPORT_CHANNEL_ID), delivered by
// the incidents outbox through this sink. Also refreshes an incident's card once delivery is known.
import { CardFactory, MessageFactory, type Activity, type CloudAdapter, type ConversationReference, type TurnContext } from 'botbuilder';
import { supportEscalationCard } from '../cards/views.js';
import type { Matcher } from '../core/types.js';
import { teamsLink } from '../incidents/escalation.js';
import type { DeliveryResult, EscalationSink, IncidentStore, OutboxMessage } from '../incidents/types.js';
import type { Logger } from '../log.js';
import { appHintOf, renderIncident } from './incident-view.js';
import { httpStatusOf } from './retry.js';

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
  adapter: CloudAdapter;
  /** MicrosoftAppId ('' in local mode). */
  botAppId: string;
  store: IncidentStore;
  matcher: Matcher;
  logger: Logger;
  /** A channel id from configuration, used when nobody ran `set support channel`. */
  configuredChannelId?: string;
}

/**
 * Where support escalations go in Teams, or undefined when no channel is known. A configured
 * channel id has no stored reference: it is reached through the service URL (and tenant) of the
 * chat the escalation came from, as the bot itself (`28:<app id>`) when the app id is known.
 */
export async function supportChannel(
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

export function createSupportChannelSink(deps: SupportChannelDeps): EscalationSink {
  return {
    target: TEAMS_CHANNEL_TARGET,
    async deliver(message: OutboxMessage): Promise<DeliveryResult> {
      const incident = await deps.store.get(message.incidentId);
      if (!incident) return { ok: false, retryable: false, error: 'incident no longer exists' };
      const reference = await supportChannel(deps, incident.serviceUrl, incident.tenantId);
      if (!reference) return { ok: false, retryable: true, retryAfterMs: 60_000, error: 'no support channel is set' };
      // The card's message in Teams; no link when it is unknown (the bot serves no incident pages).
      const card = supportEscalationCard(incident, deps.matcher.catalog, teamsLink(incident) ?? undefined, appHintOf(incident, deps.matcher));
      const error = await proactively(deps, reference, async (context) => {
        await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
      });
      if (error === undefined) return { ok: true };
      const status = httpStatusOf(error);
      const retryable = status === undefined || status === 408 || status === 412 || status === 429 || status >= 500;
      return { ok: false, retryable, error: status === undefined ? 'Teams could not be reached' : `Teams answered ${status}` };
    },
  };
}

/**
 * Re-render an incident's card where it was posted (e.g. "delivered to support" once the outbox
 * reports delivery). Failures are logged, never thrown: the state is in the store either way.
 */
export async function refreshIncidentCard(deps: Omit<SupportChannelDeps, 'configuredChannelId'>, incidentId: string): Promise<boolean> {
  const incident = await deps.store.get(incidentId);
  if (!incident?.activityId || !incident.serviceUrl) return false;
  const card = renderIncident(incident, deps.matcher);
  const reference: Partial<ConversationReference> = {
    channelId: 'msteams',
    serviceUrl: incident.serviceUrl,
    conversation: { id: incident.conversationId, isGroup: false, conversationType: '', name: '', tenantId: incident.tenantId },
  };
  const error = await proactively(deps, reference, async (context) => {
    await context.updateActivity({ type: 'message', id: incident.activityId, attachments: [CardFactory.adaptiveCard(card)] });
  });
  if (error === undefined) return true;
  deps.logger.warn({ incidentId, statusCode: httpStatusOf(error) }, 'could not refresh the incident card');
  return false;
}

/**
 * Run `logic` in a proactive turn and return what it threw. The adapter hands errors thrown in a
 * turn to onTurnError instead of rejecting, so the caller would otherwise always see success.
 */
async function proactively(
  deps: Pick<SupportChannelDeps, 'adapter' | 'botAppId'>,
  reference: Partial<ConversationReference>,
  logic: (context: TurnContext) => Promise<void>,
): Promise<unknown> {
  let failure: unknown;
  try {
    await deps.adapter.continueConversationAsync(deps.botAppId, reference, async (context) => {
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
