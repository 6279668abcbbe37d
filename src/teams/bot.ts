// The Teams conversation: commands, pastes to diagnose, card buttons (Action.Execute invokes and
// their Action.Submit fallback), and the welcome card. Replies stay in the thread they answer.
import {
  CardFactory,
  MessageFactory,
  TeamsActivityHandler,
  TurnContext,
  type Activity,
  type ConversationReference,
  type InvokeResponse,
} from 'botbuilder';
import { ADAPTIVE_CARD_CONTENT_TYPE, type AdaptiveCard } from '../cards/render.js';
import { plainText } from '../cards/plain-text.js';
import { appName, appsCard, helpCard, searchCard, statsCard, welcomeCard } from '../cards/views.js';
import { ALL_APPS_ID, DEFAULT_MAX_INPUT_CHARS, normalize, redact } from '../core/index.js';
import { slowDownMessage, slowDownPressMessage, type RateDecision, type RateLimiter } from '../core/ratelimit.js';
import type { Catalog, Finding } from '../core/types.js';
import type { Person } from '../incidents/types.js';
import { activityLogFields, type Logger } from '../log.js';
import { runCardAction, type CardActionDeps, type CardActionResult } from './card-actions.js';
import { renderIncident } from './incident-view.js';
import { SUPPORT_CHANNEL_SETTING, supportChannelReference } from './support-channel.js';

/** One card per finding, up to this many; then a summary line. */
export const MAX_CARDS_PER_MESSAGE = 5;
/** Teams gives an invoke about 5 s; the update for other viewers must not eat that budget. */
const UPDATE_WAIT_MS = 2500;

export interface BotDeps extends CardActionDeps {
  logger: Logger;
  /** Per-user and per-conversation limits on messages (pastes, commands). */
  rateLimiter?: RateLimiter;
  /** The same for card button presses (Action.Execute invokes and their Action.Submit fallback). */
  pressLimiter?: RateLimiter;
}

export const ERROR_CONTENT_TYPE = 'application/vnd.microsoft.error';

export function cardAttachment(card: AdaptiveCard) {
  return CardFactory.adaptiveCard(card);
}

function invokeError(status: number, code: string, message: string): InvokeResponse {
  return { status, body: { statusCode: status, type: ERROR_CONTENT_TYPE, value: { code, message } } };
}

function personFrom(activity: Activity): Person | undefined {
  const from = activity.from;
  if (!from || typeof from.id !== 'string' || from.id === '') return undefined;
  const person: Person = { id: from.id, name: typeof from.name === 'string' && from.name.trim() ? from.name : 'someone' };
  if (typeof from.aadObjectId === 'string' && from.aadObjectId) person.aadObjectId = from.aadObjectId;
  return person;
}

type Command =
  | { kind: 'help' }
  | { kind: 'apps' }
  | { kind: 'stats' }
  | { kind: 'search'; words: string }
  | { kind: 'set-support-channel' };

/** A short message that is exactly a command; anything else is a paste. */
export function parseCommand(text: string): Command | undefined {
  if (text.length > 300) return undefined;
  const line = text.trim().replace(/^\//, '').replace(/[.!?]+$/, '');
  const lower = line.toLowerCase().replace(/\s+/g, ' ');
  if (lower === 'help' || lower === '?') return { kind: 'help' };
  if (lower === 'apps') return { kind: 'apps' };
  if (lower === 'stats') return { kind: 'stats' };
  if (lower === 'set support channel') return { kind: 'set-support-channel' };
  // One short line only: a multi-line paste that happens to start with "search" is an error to diagnose.
  const search = line.includes('\n') || line.length > 120 ? null : /^search(?:\s+(.*))?$/i.exec(line);
  if (search) return { kind: 'search', words: (search[1] ?? '').trim() };
  return undefined;
}

export class ConnectorDoctorBot extends TeamsActivityHandler {
  constructor(private readonly deps: BotDeps) {
    super();
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
      const decision = this.take(this.deps.pressLimiter, context.activity);
      if (!decision.allowed) {
        this.deps.metrics.messagesReceived.inc({ kind: 'rate-limited' });
        return invokeError(429, 'TooManyRequests', slowDownPressMessage(decision));
      }
      this.deps.metrics.messagesReceived.inc({ kind: 'invoke' });
      try {
        return await this.handleCardInvoke(context);
      } catch (error) {
        this.deps.logger.error({ ...activityLogFields(context.activity), err: error }, 'card action failed');
        return invokeError(500, 'InternalError', 'Something went wrong on my side. Please try again in a moment.');
      }
    }
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
    const result = await runCardAction(this.deps, { verb: action.verb, data: action.data, conversationId, actor });
    if (!result.ok) return invokeError(400, result.code, result.message);
    await this.updateOtherViewers(context, result, activity.replyToId, true);
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
    const result = await runCardAction(this.deps, { verb: value.verb, data: value, conversationId, actor });
    if (!result.ok) {
      await context.sendActivity(`That button did not work: ${result.message}`);
      return;
    }
    const updated = await this.updateOtherViewers(context, result, activity.replyToId, false);
    if (!updated) await context.sendActivity(MessageFactory.attachment(cardAttachment(result.presserCard)));
    // A Submit has no private answer: say in the chat why the press changed nothing.
    else if (result.notice) await context.sendActivity(plainText(result.notice));
  }

  /** Replace the card in place for everyone in the conversation. Returns false if it could not. */
  private async updateOtherViewers(context: TurnContext, result: Extract<CardActionResult, { ok: true }>, replyToId: string | undefined, bounded: boolean): Promise<boolean> {
    const activityId = replyToId || result.incident.activityId;
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
          { ...activityLogFields(context.activity), err: { name: (error as Error)?.name, statusCode: (error as { statusCode?: number })?.statusCode } },
          'card update failed',
        );
        return false;
      },
    );
    // A Submit press has no invoke deadline: wait for Teams so the card is not posted twice.
    if (!bounded) return updating;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), UPDATE_WAIT_MS);
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
      await context.sendActivity('Paste a connector error from Defender for Cloud Apps and I will explain it. Type help to see what else I can do.');
      return;
    }
    const command = parseCommand(text);
    if (command) {
      this.deps.metrics.messagesReceived.inc({ kind: 'command' });
      await this.runCommand(context, command);
      return;
    }
    this.deps.metrics.messagesReceived.inc({ kind: 'paste' });
    // The matcher normalises on its own; handing it already-decoded text would decode entities twice.
    await this.diagnose(context, raw);
  }

  private async runCommand(context: TurnContext, command: Command): Promise<void> {
    const { matcher, store } = this.deps;
    const send = (card: AdaptiveCard) => context.sendActivity(MessageFactory.attachment(cardAttachment(card)));
    switch (command.kind) {
      case 'help':
        await send(helpCard());
        return;
      case 'apps':
        await send(appsCard(matcher.catalog));
        return;
      case 'search':
        if (command.words === '') {
          await context.sendActivity('Tell me what to look for, e.g. search okta token.');
          return;
        }
        // The card echoes the words: a token typed after "search" must not come back.
        await send(searchCard(matcher.catalog, redact(command.words).text));
        return;
      case 'stats': {
        const now = this.deps.clock();
        const [week, month, outbox] = await Promise.all([store.stats(now, 7), store.stats(now, 30), store.outboxCounts()]);
        await send(statsCard([week, month], matcher.catalog, outbox));
        return;
      }
      case 'set-support-channel': {
        const activity = context.activity;
        if (activity.conversation?.conversationType !== 'channel') {
          await context.sendActivity('Run set support channel in the team channel where support should receive escalations (mention me there).');
          return;
        }
        const reference = supportChannelReference(TurnContext.getConversationReference(activity) as ConversationReference, activity);
        await store.putSetting(SUPPORT_CHANNEL_SETTING, reference);
        // Teams renders Markdown in bot messages: a name like [x](https://...) must stay text.
        const who = plainText(personFrom(activity)?.name ?? 'someone');
        this.deps.logger.info({ ...activityLogFields(activity) }, 'support channel set');
        await context.sendActivity(`Done: escalations will be posted in this channel from now on (set by ${who}).`);
        return;
      }
    }
  }

  private async diagnose(context: TurnContext, text: string): Promise<void> {
    const { matcher, store, metrics, logger } = this.deps;
    const activity = context.activity;
    const reporter = personFrom(activity);
    const conversationId = activity.conversation?.id;
    if (!reporter || !conversationId) {
      await context.sendActivity('I can only diagnose messages sent by a person in a conversation.');
      return;
    }
    const started = performance.now();
    const diagnosis = matcher.diagnose(text);
    metrics.matchSeconds.observe((performance.now() - started) / 1000);
    logger.info({ ...activityLogFields(activity), findings: diagnosis.findings.map((f) => f.verdict), redactions: diagnosis.redactions, truncated: diagnosis.truncated }, 'paste diagnosed');
    if (diagnosis.findings.length === 0) {
      await context.sendActivity('I could not find an error message in that. Paste the error as the Defender for Cloud Apps portal shows it, or type help.');
      return;
    }
    const shown = diagnosis.findings.slice(0, MAX_CARDS_PER_MESSAGE);
    for (const finding of shown) {
      metrics.findings.inc({ verdict: finding.verdict });
      const { incident } = await store.openOrRepeat({
        conversationId,
        tenantId: activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id,
        serviceUrl: activity.serviceUrl,
        reporter,
        excerpt: finding.excerpt,
        verdict: finding.verdict,
        entryIds: finding.matches.map((m) => m.entry.id),
        appId: appIdOf(finding),
        at: this.deps.clock(),
      });
      const card = renderIncident(incident, matcher, finding);
      const response = await context.sendActivity(MessageFactory.attachment(cardAttachment(card)));
      if (response?.id) await store.attachCard(incident.id, response.id);
    }
    for (const finding of diagnosis.findings.slice(MAX_CARDS_PER_MESSAGE)) metrics.findings.inc({ verdict: finding.verdict });
    const notes: string[] = [];
    if (diagnosis.findings.length > MAX_CARDS_PER_MESSAGE) {
      const rest = diagnosis.findings.slice(MAX_CARDS_PER_MESSAGE);
      notes.push(
        `I found ${diagnosis.findings.length} errors in that message and showed the first ${MAX_CARDS_PER_MESSAGE}. ` +
          `Not shown: ${plainText(summarizeFindings(rest, matcher.catalog))}. Paste those separately to get a card for each.`,
      );
    }
    if (diagnosis.truncated) {
      const length = text.length.toLocaleString('en-US');
      notes.push(`Your message was long (${length} characters), so I only read the first ${DEFAULT_MAX_INPUT_CHARS.toLocaleString('en-US')}. Paste the rest separately if it holds another error.`);
    }
    if (diagnosis.redactions > 0) notes.push(`I removed ${diagnosis.redactions} secret${diagnosis.redactions === 1 ? '' : 's'} from it before doing anything else.`);
    if (notes.length > 0) await context.sendActivity(notes.join(' '));
  }
}

/** "Salesforce, Zendesk and 1 error I do not know": what the cards left out, in a few words. */
function summarizeFindings(findings: Finding[], catalog: Catalog): string {
  const names: string[] = [];
  let unknown = 0;
  let ambiguous = 0;
  for (const finding of findings) {
    const appId = appIdOf(finding);
    if (appId && appId !== ALL_APPS_ID) names.push(appName(catalog, appId));
    else if (appId) names.push('an error any app can show');
    else if (finding.verdict === 'ambiguous') ambiguous += 1;
    else unknown += 1;
  }
  const shown = names.slice(0, 8);
  const parts = [...shown];
  if (names.length > shown.length) parts.push(`${names.length - shown.length} more`);
  if (ambiguous > 0) parts.push(`${ambiguous} that several apps can show`);
  if (unknown > 0) parts.push(`${unknown} I do not know`);
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** The app of a finding when the matcher settled it. */
function appIdOf(finding: Finding): string | undefined {
  if (finding.verdict !== 'match') return undefined;
  return finding.matches[0]?.entry.app;
}
