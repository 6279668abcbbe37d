// The Bot Framework adapter: authentication injected (the security module's, or botbuilder's
// configuration-based default), turn errors logged with the activity id and answered with a short
// apology, and the endpoint server.ts calls for POST /api/messages.
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type InvokeResponse,
  type TurnContext,
  type Activity,
  type ActivityHandler,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type Request as BotRequest,
  type Response as BotResponse,
} from 'botbuilder';
import { AuthenticationError, type AuthenticateRequestResult, type BotFrameworkAuthentication } from 'botframework-connector';
import { REFUSAL_BODY } from './auth.js';
import { BusyError, isStoreError } from '../core/errors.js';
import { STORE_DOWN_REQUEST } from './store-fault.js';
import { activityLogFields, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { teamsRetryMiddleware } from './retry.js';
import { validateAndFixActivity } from './activity.js';

export const APOLOGY = 'Sorry, something went wrong on my side. Please try again in a moment.';

/** botbuilder's own authentication from its standard configuration keys. */
export function configurationAuthentication(settings: Record<string, string | undefined>): BotFrameworkAuthentication {
  return new ConfigurationBotFrameworkAuthentication(settings as ConfigurationBotFrameworkAuthenticationOptions);
}

export interface AdapterDeps {
  auth: BotFrameworkAuthentication;
  logger: Logger;
}

/**
 * CloudAdapter that can run an activity whose request was already authenticated: the endpoint
 * checks the token once and hands the result over, instead of CloudAdapter.process checking it
 * again (and validating the body with zod on every request).
 */
export class BotAdapter extends CloudAdapter {
  constructor(readonly authentication: BotFrameworkAuthentication) {
    super(authentication);
  }

  /** CloudAdapter's own turn: callerId, connector and user-token clients, middleware, expectReplies/invoke results. */
  runAuthenticated(result: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(result, activity, logic);
  }
}

export function createAdapter({ auth, logger }: AdapterDeps): BotAdapter {
  const adapter = new BotAdapter(auth);
  // Teams answers 429/412/502/504 under load: every send and card update backs off and retries.
  adapter.use(teamsRetryMiddleware({ onRetry: (retry) => logger.warn({ ...retry }, 'retrying a call to Teams') }));
  adapter.onTurnError = async (context, error) => {
    if (error instanceof BusyError) logger.warn({ ...activityLogFields(context.activity), code: error.code }, 'turn refused: too busy');
    // The store logged and counted its failure already (once a minute): no stack, no line per request.
    else if (isStoreError(error)) logger.debug({ ...activityLogFields(context.activity), code: error.code }, 'turn failed: store');
    else logger.error({ ...activityLogFields(context.activity), err: error }, 'turn failed');
    // Invokes get their own error answer; a message deserves a human one.
    if (context.activity?.type === 'message') {
      try {
        // Too much work queued (BusyError): say so and when to come back, not just "sorry".
        // The store is down: say that, not just "sorry".
        await context.sendActivity(error instanceof BusyError ? error.userMessage : isStoreError(error) ? STORE_DOWN_REQUEST : APOLOGY);
      } catch (sendError) {
        logger.warn({ ...activityLogFields(context.activity), err: { name: (sendError as Error)?.name } }, 'could not send the apology');
      }
    }
  };
  return adapter;
}

/** Label values for the turn histogram; anything else is `other` (activity types are client input). */
const KNOWN_TYPES = new Set(['message', 'invoke', 'conversationUpdate', 'messageReaction', 'installationUpdate', 'event']);

export interface EndpointDeps {
  adapter: BotAdapter;
  bot: ActivityHandler;
  metrics: Metrics;
  logger?: Logger;
}

/** What CloudAdapter.process answers a body that is not a JSON object. */
export const NOT_AN_OBJECT = 'The request body must be a JSON object (a Bot Framework activity).';

/**
 * POST /api/messages: one activity through the adapter. What CloudAdapter.process does, with the
 * token checked once (by the adapter's authentication, before the turn) and no internals in any
 * answer: a refusal is 401 and one word (its reason goes to the log and the refusals counter), a
 * body that is no activity is 400, and a failure outside the turn (the turn's own errors are
 * answered by onTurnError) is a plain 500.
 */
export function createMessageEndpoint({ adapter, bot, metrics, logger }: EndpointDeps) {
  const logic = async (context: TurnContext) => {
    const type = KNOWN_TYPES.has(context.activity.type) ? context.activity.type : 'other';
    const stop = metrics.turnSeconds.startTimer({ type });
    try {
      await bot.run(context);
    } finally {
      stop();
    }
  };
  return async (req: unknown, res: unknown): Promise<void> => {
    const request = req as BotRequest;
    const response = res as BotResponse;
    const end = (status: number, body?: unknown) => {
      response.status(status);
      if (body !== undefined) response.send(body);
      response.end();
    };
    if (request.method !== undefined && request.method !== 'POST') return end(405);
    const body = request.body as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return end(400, NOT_AN_OBJECT);
    if (typeof (body as { type?: unknown }).type !== 'string' || (body as { type: string }).type === '') return end(400);
    const activity = validateAndFixActivity(body as Activity);
    const header = request.headers?.authorization ?? request.headers?.Authorization;
    let authenticated: AuthenticateRequestResult;
    try {
      authenticated = await adapter.authentication.authenticateRequest(activity, typeof header === 'string' ? header : '');
    } catch (error) {
      // Same answer CloudAdapter gives a refusal: 401 and one word, nothing about why.
      if (error instanceof AuthenticationError) return end(401, REFUSAL_BODY);
      logger?.error({ err: { name: (error as Error)?.name } }, 'authentication failed unexpectedly; request refused');
      return end(500);
    }
    try {
      const answer = await adapter.runAuthenticated(authenticated, activity, logic);
      return end(answer?.status ?? 200, answer?.body);
    } catch (error) {
      logger?.error({ ...activityLogFields(activity), err: error }, 'activity could not be processed');
      return end(500);
    }
  };
}
