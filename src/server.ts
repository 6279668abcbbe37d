// The HTTP face of the bot: restify routes only; no listen() here so tests drive it on port 0.
// This file knows nothing of botbuilder: the Teams endpoint arrives as a function.
import restify, { type Request, type Response, type Server } from 'restify';
import type { AlertEndpoint } from './alerts/endpoint.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';

/** Teams sends small activities; a body above this is refused before parsing. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface ServerDeps {
  /** Handles one Bot Framework activity already parsed into `req.body` (see teams/adapter.ts). */
  messages: (req: Request, res: Response) => Promise<void>;
  /** Readiness checks by name (store writable, catalog loaded, Teams keys); any false, throw or time-out -> 503 naming it. */
  readiness: Record<string, () => Promise<boolean> | boolean>;
  /** Things an operator should know that do not make the instance unready (e.g. no alerts channel): shown in /readyz as `notices`. */
  notices?: () => Promise<Record<string, string>>;
  /** Longest a readiness check may take before it counts as failing. Default 1500 ms. */
  readinessTimeoutMs?: number;
  metrics: Metrics;
  logger: Logger;
  /** POST /api/alerts (ALERTS_TOKEN set); without it the route does not exist (404). */
  alerts?: AlertEndpoint;
}

/** Where alert senders (Logic Apps, flows, playbooks) post. */
const ALERTS_PATH = '/api/alerts';

function sendJson(res: Response, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.status(status);
  res.json(body);
}

/**
 * Is this JSON a Bot Framework activity we can hand to the adapter? botbuilder throws outside its
 * handler for bodies without a type, fails every reply of an activity without a conversation, and
 * sends replies to a default public host when serviceUrl is missing: refuse those up front.
 */
export function looksLikeActivity(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const { type, conversation, serviceUrl, deliveryMode } = body as { type?: unknown; conversation?: unknown; serviceUrl?: unknown; deliveryMode?: unknown };
  if (typeof type !== 'string' || type.length === 0 || type.length > 64) return false;
  const conversationId = typeof conversation === 'object' && conversation !== null ? (conversation as { id?: unknown }).id : undefined;
  if (typeof conversationId !== 'string' || conversationId.length === 0) return false;
  // With expectReplies the answers travel in the HTTP response; otherwise they go to serviceUrl.
  if (deliveryMode === 'expectReplies' && serviceUrl === undefined) return true;
  return typeof serviceUrl === 'string' && /^https?:\/\/[^\s]+$/i.test(serviceUrl) && URL.canParse(serviceUrl);
}

export function createServer(deps: ServerDeps): Server {
  const { logger } = deps;
  const server = restify.createServer({ name: 'connector-doctor', handleUncaughtExceptions: false });

  // Every check about who may post and what it may send runs inside the route's own handler chain,
  // before its body parser: the router decodes percent-escapes and cuts at ';' when it picks a route
  // (`/api/%61lerts`, `/api/alerts;x` reach the alerts handler), so a guard comparing the raw path
  // in server.pre would disagree with it. Bound to the route, no spelling of a path skips a check.
  // Nothing is parsed globally: a request for no route is never read.
  const parseBody = restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false, mapFiles: false });

  // Any error restify raises (bad JSON, oversize, unknown route, wrong method) leaves with a
  // generic body: no parser message, no stack, no path.
  // Requests the alerts token let in: a refusal the HTTP layer answers for them (unreadable JSON, 413)
  // is counted with the alerts' other refusals.
  const admittedAlerts = new WeakSet<Request>();

  server.on('restifyError', (req: Request, res: Response, err: { statusCode?: number; name?: string; toJSON?: () => unknown }, next: () => void) => {
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (admittedAlerts.has(req)) deps.alerts?.refused(status === 413 ? 'too-large' : status === 415 ? 'unsupported-media-type' : status >= 500 ? 'failed' : 'invalid');
    const code = status === 413 ? 'PayloadTooLarge' : status === 404 ? 'NotFound' : status === 405 ? 'MethodNotAllowed' : status < 500 ? 'BadRequest' : 'InternalError';
    if (status >= 500) logger.error({ err: { name: err.name }, route: req.path?.() }, 'request failed');
    err.toJSON = () => ({ code, message: publicMessage(status) });
    return next();
  });

  server.post('/api/messages', plainJsonOnly('Send the activity as application/json.'), ...parseBody, async (req: Request, res: Response) => {
    if (!looksLikeActivity(req.body)) {
      sendJson(res, 400, { code: 'BadRequest', message: 'Expected a Bot Framework activity as JSON.' });
      return;
    }
    try {
      await deps.messages(req, res);
    } catch (err) {
      logger.error({ err: { name: (err as Error)?.name } }, 'activity handling failed');
      sendJson(res, 500, { code: 'InternalError', message: publicMessage(500) });
    }
  });

  const alerts = deps.alerts;
  if (alerts) {
    // The token (and the sender's rate) is checked before anything is read: a stranger learns
    // nothing (401, one word) and costs nothing; a sender over its rate is told when to come back.
    const admit = (req: Request, res: Response, next: (proceed?: boolean) => void) => {
      const admission = alerts.admit(req.headers.authorization);
      if (admission.ok) {
        admittedAlerts.add(req);
        return next();
      }
      if (admission.status === 401) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        res.status(401);
        res.end('Unauthorized');
      } else {
        res.setHeader('Retry-After', String(admission.retryAfterSeconds));
        sendJson(res, 429, { code: 'TooManyRequests', message: `Too many alerts at once. Send again in ${admission.retryAfterSeconds} s.` });
      }
      return next(false);
    };
    server.post(ALERTS_PATH, admit, plainJsonOnly('Send the alert as application/json.', () => alerts.refused('unsupported-media-type')), ...parseBody, async (req: Request, res: Response) => {
      try {
        const reply = await alerts.handle(req.body);
        for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
        sendJson(res, reply.status, reply.body);
      } catch (err) {
        logger.error({ err: { name: (err as Error)?.name } }, 'alert handling failed');
        alerts.refused('failed');
        sendJson(res, 500, { code: 'InternalError', message: publicMessage(500) });
      }
    });
  }

  server.get('/healthz', async (_req: Request, res: Response) => {
    sendJson(res, 200, { status: 'ok' });
  });

  // Every check runs at once, each bounded: a hung database answers 503 in about a second, not never.
  server.get('/readyz', async (_req: Request, res: Response) => {
    const timeoutMs = deps.readinessTimeoutMs ?? 1_500;
    const entries = await Promise.all(
      Object.entries(deps.readiness).map(async ([name, check]): Promise<[string, 'ok' | 'failing']> => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        });
        try {
          return [name, (await Promise.race([Promise.resolve().then(check), late])) ? 'ok' : 'failing'];
        } catch {
          return [name, 'failing'];
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    const failing = entries.filter(([, state]) => state === 'failing').map(([name]) => name);
    const notices = await (deps.notices?.() ?? Promise.resolve({})).catch((): Record<string, string> => ({}));
    sendJson(res, failing.length === 0 ? 200 : 503, {
      status: failing.length === 0 ? 'ready' : 'not-ready',
      ...(failing.length > 0 ? { failing } : {}),
      checks,
      ...(Object.keys(notices).length > 0 ? { notices } : {}),
    });
  });

  server.get('/metrics', async (_req: Request, res: Response) => {
    const text = await deps.metrics.render();
    res.setHeader('Content-Type', deps.metrics.contentType);
    res.writeHead(200);
    res.end(text);
  });

  return server;
}

/**
 * Before a body is read: plain JSON only. restify inflates `Content-Encoding: gzip` bodies but caps
 * only the compressed bytes (200 KB of gzip became 200 MB in memory), and it would parse a plain
 * HTML form into an activity, so any web page could post into a local-mode bot.
 */
function plainJsonOnly(message: string, onRefused?: () => void) {
  return (req: Request, res: Response, next: (proceed?: boolean) => void) => {
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      onRefused?.();
      sendJson(res, 415, { code: 'UnsupportedMediaType', message: message.replace('application/json', 'plain JSON') });
      return next(false);
    }
    if (!isJson(req.headers['content-type'])) {
      onRefused?.();
      sendJson(res, 415, { code: 'UnsupportedMediaType', message });
      return next(false);
    }
    return next();
  };
}

/** application/json, with or without parameters (charset); also the +json types. */
function isJson(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

function publicMessage(status: number): string {
  switch (status) {
    case 404:
      return 'Not found.';
    case 405:
      return 'Method not allowed.';
    case 413:
      return 'The request body is too large.';
    default:
      return status < 500 ? 'The request could not be read.' : 'Something went wrong.';
  }
}
