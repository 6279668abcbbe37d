// The Bot Framework adapter: authentication injected (the security module's, or botbuilder's
// configuration-based default), turn errors logged with the activity id and answered with a short
// apology, and the endpoint server.ts calls for POST /api/messages.
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type ActivityHandler,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type Request as BotRequest,
  type Response as BotResponse,
} from 'botbuilder';
import type { BotFrameworkAuthentication } from 'botframework-connector';
import { REFUSAL_BODY, type TeamsBotAuthentication } from './auth.js';
import { BusyError, isStoreError } from '../core/errors.js';
import { STORE_DOWN_REQUEST } from './store-fault.js';
import { activityLogFields, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { teamsRetryMiddleware } from './retry.js';

export const APOLOGY = 'Sorry, something went wrong on my side. Please try again in a moment.';

/** botbuilder's own authentication from its standard configuration keys. */
export function configurationAuthentication(settings: Record<string, string | undefined>): BotFrameworkAuthentication {
  return new ConfigurationBotFrameworkAuthentication(settings as ConfigurationBotFrameworkAuthenticationOptions);
}

export interface AdapterDeps {
  auth: BotFrameworkAuthentication;
  logger: Logger;
}

export function createAdapter({ auth, logger }: AdapterDeps): CloudAdapter {
  const adapter = new CloudAdapter(auth);
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
  adapter: CloudAdapter;
  bot: ActivityHandler;
  metrics: Metrics;
  /**
   * The adapter's own authentication. Given, a refused request is answered here: its reason goes
   * to the structured log and the refusals counter (onRefusal), not to CloudAdapter's console.error.
   */
  auth?: TeamsBotAuthentication;
}

/** POST /api/messages: one activity through the adapter (auth, expectReplies, invoke answers). */
export function createMessageEndpoint({ adapter, bot, metrics, auth }: EndpointDeps) {
  return async (req: unknown, res: unknown): Promise<void> => {
    if (auth && !auth.isLocalMode) {
      const request = req as BotRequest;
      const header = request.headers?.authorization ?? request.headers?.Authorization;
      try {
        await auth.authenticateRequest(request.body as unknown as Activity, typeof header === 'string' ? header : '');
      } catch {
        // Same answer CloudAdapter gives a refusal: 401 and one word, nothing about why.
        const response = res as BotResponse;
        response.status(401);
        response.send(REFUSAL_BODY);
        response.end();
        return;
      }
    }
    await adapter.process(req as BotRequest, res as BotResponse, async (context) => {
      const type = KNOWN_TYPES.has(context.activity.type) ? context.activity.type : 'other';
      const stop = metrics.turnSeconds.startTimer({ type });
      try {
        await bot.run(context);
      } finally {
        stop();
      }
    });
  };
}
