// The Teams conversation: commands, pastes to diagnose, card buttons (Action.Execute invokes and
// their Action.Submit fallback), and the welcome card. Replies stay in the thread they answer.
import { CardFactory, MessageFactory, TeamsActivityHandler, TurnContext, type Activity, type InvokeResponse } from 'botbuilder';
import { plainText } from '../cards/plain-text.js';
import { ADAPTIVE_CARD_CONTENT_TYPE, REFRESH_VERB, type AdaptiveCard } from '../cards/render.js';
import { welcomeCard } from '../cards/views.js';
import { normalize, type DiagnoseOptions, type Diagnosis } from '../core/index.js';
import { createRateLimiter, slowDownMessage, slowDownPressMessage, type RateDecision, type RateLimiter } from '../core/ratelimit.js';
import { isStoreError } from '../core/errors.js';
import type { Person } from '../incidents/types.js';
import { activityLogFields, type Logger } from '../log.js';
import { runCardAction, type CardActionDeps, type CardActionResult, type CardElsewhere } from './card-actions.js';
import { parseCommand, runCommand } from './commands.js';
import { createMemberDirectory, type MemberDirectory } from './members.js';
import { createMessageExtension, type MessageExtension, type MessageExtensionDeps } from './message-extension/index.js';
import { answerPaste, personFrom } from './paste.js';
import { pressFaultMessage } from './store-fault.js';
import { teamsFailureFields, updateCard } from './support-channel.js';

export { parseCommand } from './commands.js';
export { QUIET_LINE } from './paste.js';

/** Teams gives an invoke about 5 s; the update for other viewers must not eat that budget. */
const UPDATE_WAIT_MS = 2500;
/**
 * What a press may spend in all before it is answered (the store's work, then the wait for the
 * update): Teams gives about 5 s, and the answer still has to travel back.
 */
export const PRESS_BUDGET_MS = 4000;
/** turnState key: when this press's invoke reached the bot (performance.now()). */
const PRESS_STARTED = Symbol('pressStarted');

/**
 * Automatic refreshes come from every viewer opening the chat, several cards at a time: they get a
 * budget of their own, so honest presses are never refused because of them.
 */
const DEFAULT_REFRESH_RATE_LIMITS = {
  user: { capacity: 60, refillPerSecond: 2 },
  conversation: { capacity: 300, refillPerSecond: 10 },
  maxTrackedKeys: 10_000,
};

export interface BotDeps extends CardActionDeps {
  logger: Logger;
  /** Per-user and per-conversation limits on messages (pastes, commands). */
  rateLimiter?: RateLimiter;
  /** The same for card button presses (Action.Execute invokes and their Action.Submit fallback). */
  pressLimiter?: RateLimiter;
  /** The same for automatic card refreshes; by default DEFAULT_REFRESH_RATE_LIMITS on the bot's clock. */
  refreshLimiter?: RateLimiter;
  /** Conversation members for automatic refresh; by default looked up through Teams and cached. */
  members?: MemberDirectory;
  /** Matching off the event loop (src/diagnosis/pool.ts); default: the matcher, inline. */
  diagnose?: (text: string, options?: DiagnoseOptions) => Promise<Diagnosis>;
  /** The message extension's own rate budget, roster check and time limit (defaults in message-extension/). */
  messageExtension?: Pick<MessageExtensionDeps, 'limiter' | 'probeRoster' | 'deadlineMs' | 'sendBudgetMs'>;
}

export { STORE_BUSY_MESSAGE, STORE_DOWN_MESSAGE } from './store-fault.js';

const ERROR_CONTENT_TYPE = 'application/vnd.microsoft.error';

function cardAttachment(card: AdaptiveCard) {
  return CardFactory.adaptiveCard(card);
}

function invokeError(status: number, code: string, message: string): InvokeResponse {
  return { status, body: { statusCode: status, type: ERROR_CONTENT_TYPE, value: { code, message } } };
}

export class ConnectorDoctorBot extends TeamsActivityHandler {
  private readonly members: MemberDirectory;
  private readonly refreshLimiter: RateLimiter;
  private readonly messageExtension: MessageExtension;

  constructor(private readonly deps: BotDeps) {
    super();
    const now = () => deps.clock().getTime();
    this.members = deps.members ?? createMemberDirectory({ now });
    this.refreshLimiter = deps.refreshLimiter ?? createRateLimiter({ ...DEFAULT_REFRESH_RATE_LIMITS, clock: now });
    this.messageExtension = createMessageExtension({ ...deps, ...deps.messageExtension, pasteLimiter: deps.rateLimiter, members: this.members });
    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      if (botId && (context.activity.membersAdded ?? []).some((member) => member.id === botId)) {
        await context.sendActivity(MessageFactory.attachment(cardAttachment(welcomeCard())));
      }
      await next();
    });
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name === 'adaptiveCard/action') {
      context.turnState.set(PRESS_STARTED, performance.now());
      const verb = (context.activity.value as { action?: { verb?: unknown } } | undefined)?.action?.verb;
      const decision = this.take(verb === REFRESH_VERB ? this.refreshLimiter : this.deps.pressLimiter, context.activity);
      if (!decision.allowed) {
        this.deps.metrics.messagesReceived.inc({ kind: 'rate-limited' });
        return invokeError(429, 'TooManyRequests', slowDownPressMessage(decision));
      }
      this.deps.metrics.messagesReceived.inc({ kind: 'invoke' });
      try {
        return await this.handleCardInvoke(context);
      } catch (error) {
        // The store failed before the card could even be read (busy past the budget, read-only, deleted):
        // a plain answer within Teams' budget. The store logged and counted the failure itself.
        if (isStoreError(error)) {
          this.deps.logger.debug({ ...activityLogFields(context.activity), code: error.code }, 'card action: store failed');
          return { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: pressFaultMessage(error) } };
        }
        this.deps.logger.error({ ...activityLogFields(context.activity), err: error }, 'card action failed');
        return invokeError(500, 'InternalError', 'Something went wrong on my side. Please try again in a moment.');
      }
    }
    // Search, Diagnose with Connector Doctor and its preview: answered in their own formats and statuses.
    if (context.activity.name?.startsWith('composeExtension/')) return this.messageExtension.handle(context);
    const response = await super.onInvokeActivity(context);
    if (response.status === 501) {
      // An invoke we do not support: say so clearly instead of Teams' "Unable to reach app".
      return invokeError(400, 'UnsupportedInvoke', 'This bot does not support that request.');
    }
    return response;
  }

  private async handleCardInvoke(context: TurnContext): Promise<InvokeResponse> {
    const activity = context.activity;
    const value = activity.value as { action?: { type?: unknown; verb?: unknown; data?: unknown } } | undefined;
    const action = value && typeof value === 'object' ? value.action : undefined;
    if (!action || typeof action !== 'object' || action.type !== 'Action.Execute') {
      return invokeError(400, 'BadRequest', 'Expected an Action.Execute from an Adaptive Card.');
    }
    const actor = personFrom(activity);
    const conversationId = activity.conversation?.id;
    if (!actor || !conversationId) return invokeError(400, 'BadRequest', 'The request does not say who pressed the button.');
    const result = await this.press(context, action.verb, action.data, actor, conversationId);
    if (!result.ok) return invokeError(400, result.code, result.message);
    // A refresh only reads: the viewer gets the current card, nobody else's view changes.
    if (!result.readOnly) await this.updateEverywhere(context, result, activity.replyToId, true);
    return {
      status: 200,
      body: { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: result.presserCard },
    };
  }

  private async handleSubmit(context: TurnContext, value: Record<string, unknown>): Promise<void> {
    const activity = context.activity;
    const actor = personFrom(activity);
    const conversationId = activity.conversation?.id;
    if (!actor || !conversationId) return;
    const result = await this.press(context, value.verb, value, actor, conversationId);
    if (!result.ok) {
      await context.sendActivity(`That button did not work: ${result.message}`);
      return;
    }
    // An older client has no private answer either: the card is replaced for everyone (a refresh too).
    const updated = await this.updateEverywhere(context, result, activity.replyToId, false);
    if (!updated) await context.sendActivity(MessageFactory.attachment(cardAttachment(result.presserCard)));
    // Say in the chat why the press changed nothing.
    else if (result.notice) await context.sendActivity(plainText(result.notice));
  }

  /** Run a press with who may see the answered card refreshed automatically. */
  private async press(context: TurnContext, verb: unknown, data: unknown, actor: Person, conversationId: string): Promise<CardActionResult> {
    const refreshUserIds = await this.members.idsFor(context);
    return runCardAction(this.deps, { verb, data, conversationId, actor, refreshUserIds, refreshUserIdsOf: (id) => this.members.cached(id) });
  }

  /**
   * The new card for everyone where the button was pressed, and in the other place (support's
   * post, or the original chat). Returns whether the card where it was pressed could be replaced.
   */
  private async updateEverywhere(context: TurnContext, result: Extract<CardActionResult, { ok: true }>, replyToId: string | undefined, bounded: boolean): Promise<boolean> {
    const [here] = await Promise.all([
      this.updateOtherViewers(context, result, replyToId, bounded),
      result.elsewhere ? this.updateElsewhere(context, result.elsewhere, bounded) : Promise.resolve(true),
    ]);
    return here;
  }

  /** Replace the incident's card in another conversation: a proactive turn as the bot the request came to. */
  private updateElsewhere(context: TurnContext, where: CardElsewhere, bounded: boolean): Promise<boolean> {
    const serviceUrl = where.serviceUrl ?? context.activity.serviceUrl;
    const identity = context.turnState.get(context.adapter.BotIdentityKey) ?? '';
    const updating = updateCard(context.adapter, identity, { ...where, serviceUrl }, where.card).then((error) => {
      if (error !== undefined) {
        this.deps.logger.warn({ ...activityLogFields(context.activity), ...teamsFailureFields(error) }, 'could not update the card elsewhere');
      }
      return error === undefined;
    });
    return bounded ? this.withinInvokeBudget(context, updating) : updating;
  }

  /** Replace the card in place for everyone in the conversation. Returns false if it could not. */
  private async updateOtherViewers(context: TurnContext, result: Extract<CardActionResult, { ok: true }>, replyToId: string | undefined, bounded: boolean): Promise<boolean> {
    const activityId = replyToId || result.activityId;
    if (!activityId) return false;
    const update: Partial<Activity> = {
      type: 'message',
      id: activityId,
      conversation: context.activity.conversation,
      attachments: [cardAttachment(result.card)],
    };
    // The update is awaited only briefly; if Teams is slow it finishes (or fails, logged) after the answer.
    const updating = context.updateActivity(update).then(
      () => true,
      (error: unknown) => {
        this.deps.logger.warn(
          { ...activityLogFields(context.activity), ...teamsFailureFields(error) },
          'card update failed',
        );
        return false;
      },
    );
    // A Submit press has no invoke deadline: wait for Teams so the card is not posted twice.
    return bounded ? this.withinInvokeBudget(context, updating) : updating;
  }

  /** Wait for `updating` only as long as an invoke answer can wait; false if it took longer. */
  private async withinInvokeBudget(context: TurnContext, updating: Promise<boolean>): Promise<boolean> {
    // Only what is left of the press's budget after the store's work (which may itself have waited).
    const started = context.turnState.get(PRESS_STARTED) as number | undefined;
    const spent = started === undefined ? 0 : performance.now() - started;
    const waitMs = Math.max(0, Math.min(UPDATE_WAIT_MS, PRESS_BUDGET_MS - spent));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), waitMs);
    });
    const outcome = await Promise.race([updating, timedOut]);
    if (timer) clearTimeout(timer);
    if (outcome === 'timeout') {
      this.deps.logger.warn({ ...activityLogFields(context.activity) }, 'card update still in flight; answering the press first');
      return false;
    }
    return outcome;
  }

  /** The message without the bot's own mention: `raw` (HTML as Teams sent it, for the matcher) and `plain` (for commands). */
  private textOf(context: TurnContext): { raw: string; plain: string } {
    const activity = context.activity;
    let text = typeof activity.text === 'string' ? activity.text : '';
    // removeRecipientMention dereferences activity.recipient; Teams always sends one, fuzzers do not.
    if (activity.recipient && typeof activity.recipient.id === 'string' && Array.isArray(activity.entities)) {
      try {
        text = TurnContext.removeRecipientMention(activity) ?? text;
      } catch {
        // Malformed mention entities: fall back to the text as sent; normalize() drops <at> tags.
      }
    }
    return { raw: text, plain: normalize(text).trim() };
  }

  /** Spend one token of `limiter` for the activity's sender and conversation (no limiter: always allowed). */
  private take(limiter: RateLimiter | undefined, activity: Activity): RateDecision {
    return limiter?.take(`user:${activity.from?.id ?? '?'}`, `conversation:${activity.conversation?.id ?? '?'}`) ?? { allowed: true };
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const value = activity.value;
    const isPress = value && typeof value === 'object' && !Array.isArray(value) && !(typeof activity.text === 'string' && activity.text.trim());
    const decision = this.take(isPress ? this.deps.pressLimiter : this.deps.rateLimiter, activity);
    if (!decision.allowed) {
      this.deps.metrics.messagesReceived.inc({ kind: 'rate-limited' });
      if (decision.notify) await context.sendActivity(isPress ? slowDownPressMessage(decision) : slowDownMessage(decision));
      return;
    }
    if (isPress) {
      this.deps.metrics.messagesReceived.inc({ kind: 'submit' });
      await this.handleSubmit(context, value as Record<string, unknown>);
      return;
    }
    const { raw, plain: text } = this.textOf(context);
    if (text === '') {
      this.deps.metrics.messagesReceived.inc({ kind: 'other' });
      // A card someone shared (from Search known errors) says what it has to say: no answer.
      // Client input: `attachments` may be anything, not only an array.
      const attachments: unknown[] = Array.isArray(activity.attachments) ? activity.attachments : [];
      if (attachments.length > 0 && (attachments as { contentType?: unknown }[]).every((a) => a?.contentType === ADAPTIVE_CARD_CONTENT_TYPE)) return;
      await context.sendActivity('Paste a connector error from Defender for Cloud Apps and I will explain it. Type help to see what else I can do.');
      return;
    }
    const command = parseCommand(text);
    if (command) {
      this.deps.metrics.messagesReceived.inc({ kind: 'command' });
      await runCommand(context, command, this.deps);
      return;
    }
    this.deps.metrics.messagesReceived.inc({ kind: 'paste' });
    // The matcher normalises on its own; handing it already-decoded text would decode entities twice.
    await answerPaste(context, raw, { ...this.deps, members: this.members });
  }

}
