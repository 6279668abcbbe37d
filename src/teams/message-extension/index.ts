// The message extension on the bot: every composeExtension/* invoke comes here from bot.ts and
// gets an answer within Teams' time, in the format its invoke expects: search results, a dialog,
// Teams' send preview, or a line saying why not (4xx for what only a broken client sends; a 200
// with the words when a person asks too fast or the bot is busy, never a turn error). Search has a rate budget of its own, so
// searching as you type never uses up the budget of pastes or card presses; Diagnose (the matcher
// on a whole message) and Send (incidents and posted cards) cost what a paste costs, from the
// paste budget itself, so neither is a faster way around it.
import type { InvokeResponse, TurnContext } from 'botbuilder';
import { BusyError, isStoreError } from '../../core/errors.js';
import { STORE_DOWN_REQUEST } from '../store-fault.js';
import { createRateLimiter, slowDownMessage, type RateDecision, type RateLimiter, type RateLimitOptions } from '../../core/ratelimit.js';
import { activityLogFields } from '../../log.js';
import { answerSend, createSendLedger, type PostDeps } from './post.js';
import { answerEdit, answerFetchTask, answerSubmit, type PreviewDeps } from './preview.js';
import { DIAGNOSE_COMMAND, SEARCH_COMMAND, dialogMessage, readAction, readSearch, searchRefusal } from './protocol.js';
import { answerSearch } from './search.js';

export { DIAGNOSE_COMMAND, SEARCH_COMMAND } from './protocol.js';

/**
 * Search runs on every pause in typing (the Agents Playground: every keystroke): a burst of 30
 * per person, then 2 a second; a chat of many people searching at once gets 5 times that.
 */
export const DEFAULT_EXTENSION_RATE_LIMITS: Omit<RateLimitOptions, 'clock'> = {
  user: { capacity: 30, refillPerSecond: 2 },
  conversation: { capacity: 150, refillPerSecond: 10 },
  maxTrackedKeys: 10_000,
};

export interface MessageExtensionDeps extends PreviewDeps, PostDeps {
  /** Per-user and per-conversation budget of searches and the cheap steps between Diagnose and Send; DEFAULT_EXTENSION_RATE_LIMITS by default. */
  limiter?: RateLimiter;
  /** The paste budget (the bot's rateLimiter): Diagnose and Send draw on it like a paste. None: not limited. */
  pasteLimiter?: RateLimiter;
}

export interface MessageExtension {
  /** Answer a composeExtension/* invoke. */
  handle(context: TurnContext): Promise<InvokeResponse>;
}

const SEARCH_INVOKE = 'composeExtension/query';
const STORE_BUSY = 'The incident store is busy right now and nothing was recorded. Please try again in a moment.';
const INTERNAL = 'Something went wrong on my side. Please try again in a moment.';

/** A refusal in the invoke's own format: a line in the search results, or in the dialog. */
function refusal(name: string, status: number, text: string): InvokeResponse {
  return name === SEARCH_INVOKE ? searchRefusal(status, text) : dialogMessage(status, text);
}

/**
 * What a person must read (slow down, busy, the store is down): Teams shows an invoke's message
 * only in a 200 answer and turns any other status into its own "Unable to reach app", so these are
 * 200s carrying the words. The 400s stay for what only a broken client sends.
 */
function tellPerson(name: string, text: string): InvokeResponse {
  return refusal(name, 200, text);
}

/**
 * What an invoke costs: `paste` when it runs the matcher on a whole message (Diagnose: fetchTask,
 * or a submitAction carrying the message) or posts cards and opens incidents (Send); `search` for
 * the rest (a search, Post to this chat and Edit, which only re-read the preview's few excerpts).
 */
function costOf(name: string, value: unknown): 'paste' | 'search' {
  if (name === 'composeExtension/fetchTask') return 'paste';
  if (name !== 'composeExtension/submitAction') return 'search';
  const action = (value ?? {}) as { botMessagePreviewAction?: unknown; data?: { connectorDoctor?: unknown } | null };
  if (action.botMessagePreviewAction === 'send') return 'paste';
  if (action.botMessagePreviewAction !== undefined || action.data?.connectorDoctor !== undefined) return 'search';
  return 'paste';
}

function unknownCommand(name: string, commandId: string | undefined): InvokeResponse {
  const what = commandId ? `Connector Doctor has no command "${commandId.slice(0, 40)}" here.` : 'That request names no command.';
  return refusal(name, 400, `${what} Its commands are Search known errors and Diagnose with Connector Doctor.`);
}

async function route(context: TurnContext, deps: MessageExtensionDeps): Promise<InvokeResponse> {
  const name = context.activity.name ?? '';
  if (name === SEARCH_INVOKE) {
    const request = readSearch(context.activity.value);
    if (!request) return searchRefusal(400, 'That search request is malformed: it has no command or parameters I can read.');
    if (request.commandId !== SEARCH_COMMAND) return unknownCommand(name, request.commandId);
    return answerSearch(context, request, deps);
  }
  if (name === 'composeExtension/fetchTask' || name === 'composeExtension/submitAction') {
    const request = readAction(context.activity.value);
    if (!request) return dialogMessage(400, 'That request is malformed: it has no command or data I can read.');
    if (request.commandId !== DIAGNOSE_COMMAND) return unknownCommand(name, request.commandId);
    if (name === 'composeExtension/fetchTask') return answerFetchTask(context, request, deps);
    switch (request.botMessagePreviewAction) {
      case undefined:
        return answerSubmit(context, request, deps);
      case 'edit':
        return answerEdit(context, request, deps);
      case 'send':
        return answerSend(context, request, deps);
      default:
        return dialogMessage(400, 'That preview action is not one Teams defines (send or edit).');
    }
  }
  // selectItem (results have no tap action), link unfurling, settings: none of these are declared.
  return refusal(name, 400, 'Connector Doctor does not support that request.');
}

export function createMessageExtension(deps: MessageExtensionDeps): MessageExtension {
  const limiter = deps.limiter ?? createRateLimiter({ ...DEFAULT_EXTENSION_RATE_LIMITS, clock: () => deps.clock().getTime() });
  const routed: MessageExtensionDeps = { ...deps, sends: deps.sends ?? createSendLedger({ now: () => deps.clock().getTime() }) };
  return {
    async handle(context) {
      const activity = context.activity;
      const name = activity.name ?? '';
      const cost = costOf(name, activity.value);
      const keys = [`user:${activity.from?.id ?? '?'}`, `conversation:${activity.conversation?.id ?? '?'}`] as const;
      const decision: RateDecision = cost === 'paste' ? (deps.pasteLimiter?.take(...keys) ?? { allowed: true }) : limiter.take(...keys);
      if (!decision.allowed) {
        deps.metrics.messagesReceived.inc({ kind: 'rate-limited' });
        const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
        return tellPerson(name, cost === 'paste' ? slowDownMessage(decision) : `Too many requests at once. Please wait about ${seconds} second${seconds === 1 ? '' : 's'} and try again.`);
      }
      deps.metrics.messagesReceived.inc({ kind: 'extension' });
      const started = performance.now();
      let response: InvokeResponse;
      try {
        response = await route(context, routed);
      } catch (error) {
        if (error instanceof BusyError) response = tellPerson(name, error.userMessage);
        else if (isStoreError(error)) response = tellPerson(name, error.transient ? STORE_BUSY : STORE_DOWN_REQUEST);
        else {
          deps.logger.error({ ...activityLogFields(activity), err: error }, 'message extension invoke failed');
          response = refusal(name, 500, INTERNAL);
        }
      }
      const { commandId, botMessagePreviewAction: preview } = (activity.value ?? {}) as { commandId?: unknown; botMessagePreviewAction?: unknown };
      deps.logger.info(
        {
          ...activityLogFields(activity),
          commandId: typeof commandId === 'string' ? commandId.slice(0, 64) : undefined,
          previewAction: preview === 'send' || preview === 'edit' ? preview : undefined,
          status: response.status,
          ms: Math.round(performance.now() - started),
        },
        'message extension answered',
      );
      return response;
    },
  };
}
