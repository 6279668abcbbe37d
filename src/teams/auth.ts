// Who may talk to /api/messages: we validate the channel's JWT ourselves (RS256 family over a cached,
// time-boxed JWKS, node:crypto) so that every forgery is an AuthenticationError with a generic message,
// which CloudAdapter.process answers with 401 and that message only. Outgoing calls stay botbuilder's.
import { createPublicKey, verify as verifySignature, type JsonWebKey, type KeyObject } from 'node:crypto';
import { CallerIdConstants, ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import type { Activity } from 'botbuilder';
import {
  AuthenticationConstants,
  AuthenticationError,
  BotFrameworkAuthentication,
  ClaimsIdentity,
  GovernmentConstants,
  type AuthenticateRequestResult,
  type BotFrameworkClient,
  type ConnectorFactory,
  type UserTokenClient,
} from 'botframework-connector';
import { ConfigError } from '../core/errors.js';
import { CachingConnectorFactory, botAppIdOf, createClientCaches, type ClientCaches } from './connector-cache.js';

/** botbuilder's standard configuration keys, read from the environment (`process.env` fits). */
export type BotAuthConfig = Record<string, string | boolean | undefined>;

/** Why a request was refused. For logs and metrics only: never sent to the caller. */
export type RefusalReason =
  | 'missing-header'
  | 'malformed-token'
  | 'algorithm'
  | 'key-id'
  | 'issuer'
  | 'audience'
  | 'expired'
  | 'not-yet-valid'
  | 'service-url'
  | 'unknown-key'
  | 'endorsement'
  | 'signature'
  | 'keys-unavailable'
  | 'unsupported'
  /** Validation itself failed unexpectedly; still a refusal, never a 500. */
  | 'validation-error';

/** The only text a refused caller ever sees. */
export const REFUSAL_BODY = 'Unauthorized';

/**
 * A refused request. Extends botbuilder's AuthenticationError so CloudAdapter.process answers 401 with
 * `message` as the body; `reason` stays server-side. `statusCode` is 503 when keys could not be fetched,
 * for servers that map it themselves (see authFailureStatus).
 */
export class AuthRefusal extends AuthenticationError {
  declare readonly reason: RefusalReason;
  constructor(reason: RefusalReason) {
    super(REFUSAL_BODY, reason === 'keys-unavailable' ? 503 : 401);
    this.name = 'AuthRefusal';
    // CloudAdapter.process console.error()s every refusal. An expected refusal needs no stack: one line
    // naming the reason keeps the log readable (and a flood of forgeries from becoming a flood of stacks).
    this.stack = `AuthRefusal: request refused (${reason})`;
    Object.defineProperty(this, 'reason', { value: reason, enumerable: false });
    Object.defineProperty(this, 'statusCode', { value: this.statusCode, enumerable: false });
  }
}

/** HTTP status for an error thrown by authentication, or undefined when it is not an authentication failure. */
export function authFailureStatus(err: unknown): 401 | 503 | undefined {
  if (err instanceof AuthRefusal) return err.statusCode === 503 ? 503 : 401;
  if (err instanceof AuthenticationError) return 401;
  return undefined;
}

export interface AuthOptions {
  /** Upper bound for fetching the OpenID metadata and the JWKS together, bodies included. Default 5000 ms. */
  fetchTimeoutMs?: number;
  /** Milliseconds since the epoch; injected so tests can move time. Default Date.now. */
  clock?: () => number;
  /** Default: the global fetch. */
  fetchImpl?: typeof fetch;
  /** How long fetched keys are trusted before a refresh. Default 24 h (botbuilder's default). */
  keysTtlMs?: number;
  /** A token with an unknown key id triggers a refresh at most this often. Default 5 min. */
  unknownKeyRefreshMs?: number;
  /** After a failed fetch, wait this long before the next attempt (requests fail fast meanwhile). Default 30 s. */
  failedFetchRetryMs?: number;
  /** Allowed clock skew for exp/nbf. Default 300 s, as botbuilder. */
  clockToleranceSec?: number;
  /** Called for each refusal, with the internal reason (log it; never send it). */
  onRefusal?: (reason: RefusalReason) => void;
}

const DEFAULTS = {
  fetchTimeoutMs: 5_000,
  keysTtlMs: 24 * 60 * 60 * 1000,
  unknownKeyRefreshMs: 5 * 60 * 1000,
  failedFetchRetryMs: 30 * 1000,
  clockToleranceSec: 300,
};

/** Largest metadata or JWKS document we read; real ones are a few KB. */
const MAX_DOCUMENT_BYTES = 512 * 1024;
/** Real Bot Framework tokens are ~1.5 KB; anything far larger is not worth parsing. */
const MAX_TOKEN_CHARS = 16 * 1024;

const HASH_OF_ALG: Record<string, string> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };

interface SigningKey {
  kid: string;
  key: KeyObject;
  alg?: string;
  endorsements?: string[];
}

/** Thrown by fetchDocument; its message is for logs only. */
class KeyFetchError extends Error {}

/**
 * The signing keys behind one OpenID metadata URL: fetched with a time box, cached for keysTtlMs,
 * refreshed on an unknown kid at most every unknownKeyRefreshMs, concurrent refreshes shared.
 * When a refresh fails, keys already known keep working.
 */
export class OpenIdKeySet {
  private keys: Map<string, SigningKey> | undefined;
  private fetchedAt = 0;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private lastFailureAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  private readonly options: Required<Pick<AuthOptions, 'fetchTimeoutMs' | 'keysTtlMs' | 'unknownKeyRefreshMs' | 'failedFetchRetryMs'>> & {
    clock: () => number;
    fetchImpl: typeof fetch;
  };
  /** The last fetch failure, for logs (never for responses). */
  lastError: string | undefined;

  constructor(
    readonly metadataUrl: string,
    options: AuthOptions = {},
  ) {
    this.options = {
      fetchTimeoutMs: options.fetchTimeoutMs ?? DEFAULTS.fetchTimeoutMs,
      keysTtlMs: options.keysTtlMs ?? DEFAULTS.keysTtlMs,
      unknownKeyRefreshMs: options.unknownKeyRefreshMs ?? DEFAULTS.unknownKeyRefreshMs,
      failedFetchRetryMs: options.failedFetchRetryMs ?? DEFAULTS.failedFetchRetryMs,
      clock: options.clock ?? Date.now,
      fetchImpl: options.fetchImpl ?? fetch,
    };
  }

  /** The key with this id, undefined when the issuer does not publish it; throws AuthRefusal('keys-unavailable') when no keys could ever be fetched. */
  async getKey(kid: string): Promise<SigningKey | undefined> {
    const now = this.options.clock();
    if (!this.keys || now - this.fetchedAt >= this.options.keysTtlMs) {
      await this.refresh(now);
    } else if (!this.keys.has(kid) && now - this.lastAttemptAt >= this.options.unknownKeyRefreshMs) {
      await this.refresh(now);
    }
    if (!this.keys) throw new AuthRefusal('keys-unavailable');
    return this.keys.get(kid);
  }

  private refresh(now: number): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (now - this.lastFailureAt < this.options.failedFetchRetryMs) return Promise.resolve();
    this.lastAttemptAt = now;
    this.inFlight = this.load()
      .then((keys) => {
        this.keys = keys;
        this.fetchedAt = this.options.clock();
        this.lastError = undefined;
      })
      .catch((err: unknown) => {
        this.lastFailureAt = this.options.clock();
        this.lastError = err instanceof Error ? err.message : String(err);
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /** Whether usable keys are in hand; fetches them first when none are (for start-up warm-up and readiness). */
  async ready(): Promise<boolean> {
    if (!this.keys) await this.refresh(this.options.clock());
    return this.keys !== undefined;
  }

  /** Metadata then JWKS, both under one deadline: a slow host cannot stretch the wait to twice the time box. */
  private async load(): Promise<Map<string, SigningKey>> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.fetchTimeoutMs);
    try {
      const metadata = await this.fetchDocument(this.metadataUrl, controller.signal);
      const jwksUri = isRecord(metadata) ? metadata['jwks_uri'] : undefined;
      if (typeof jwksUri !== 'string' || !/^https?:\/\//i.test(jwksUri)) throw new KeyFetchError('OpenID metadata has no usable jwks_uri');
      const jwks = await this.fetchDocument(jwksUri, controller.signal);
      const list = isRecord(jwks) ? jwks['keys'] : undefined;
      if (!Array.isArray(list)) throw new KeyFetchError('JWKS document has no keys array');
      const keys = new Map<string, SigningKey>();
      for (const jwk of list) {
        const key = toSigningKey(jwk);
        if (key) keys.set(key.kid, key);
      }
      if (keys.size === 0) throw new KeyFetchError('JWKS document has no usable RSA signing key');
      return keys;
    } finally {
      clearTimeout(timer);
    }
  }

  /** GET a JSON document; connect, headers and body are all bounded by the caller's deadline. */
  private async fetchDocument(url: string, signal: AbortSignal): Promise<unknown> {
    try {
      const res = await this.options.fetchImpl(url, { signal, headers: { accept: 'application/json' } });
      if (!res.ok) throw new KeyFetchError(`GET ${url} answered ${res.status}`);
      return JSON.parse(await readCapped(res, url)) as unknown;
    } catch (err) {
      if (err instanceof KeyFetchError) throw err;
      if (signal.aborted) throw new KeyFetchError(`GET ${url} timed out after ${this.options.fetchTimeoutMs} ms`);
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      throw new KeyFetchError(`GET ${url} failed (${err instanceof Error ? err.message : String(err)}${cause})`);
    }
  }
}

/** The body as text, refusing to buffer more than MAX_DOCUMENT_BYTES whatever the host streams. */
async function readCapped(res: Response, url: string): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_DOCUMENT_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new KeyFetchError(`GET ${url} returned an oversized document`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function toSigningKey(jwk: unknown): SigningKey | undefined {
  if (!isRecord(jwk)) return undefined;
  const { kid, kty, n, e, use, alg, endorsements } = jwk;
  if (typeof kid !== 'string' || kid === '' || kty !== 'RSA' || typeof n !== 'string' || typeof e !== 'string') return undefined;
  if (use !== undefined && use !== 'sig') return undefined;
  try {
    const key = createPublicKey({ key: { kty: 'RSA', n, e } satisfies JsonWebKey, format: 'jwk' });
    return {
      kid,
      key,
      ...(typeof alg === 'string' ? { alg } : {}),
      ...(Array.isArray(endorsements) ? { endorsements: endorsements.filter((x): x is string => typeof x === 'string') } : {}),
    };
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export interface ChannelTokenRules {
  /** The `iss` every channel token must carry (ToBotFromChannelTokenIssuer). */
  issuer: string;
  /** Whether `aud` names this bot (MicrosoftAppId). */
  isValidAppId: (appId: string) => boolean | Promise<boolean>;
  keys: OpenIdKeySet;
  clock: () => number;
  clockToleranceSec: number;
}

/**
 * Validate `Authorization: Bearer <jwt>` as a Bot Framework channel token for this activity.
 * Cheap checks (shape, alg, issuer, audience, lifetime, serviceUrl) run before any key is fetched,
 * so garbage never costs a network call. Throws AuthRefusal; returns the authenticated claims.
 */
export async function verifyChannelToken(
  authHeader: string | undefined,
  activity: Pick<Partial<Activity>, 'serviceUrl' | 'channelId'>,
  rules: ChannelTokenRules,
): Promise<ClaimsIdentity> {
  if (!authHeader || authHeader.trim() === '') throw new AuthRefusal('missing-header');
  if (authHeader.length > MAX_TOKEN_CHARS) throw new AuthRefusal('malformed-token');
  const match = /^Bearer +([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)$/i.exec(authHeader.trim());
  if (!match) throw new AuthRefusal('malformed-token');
  const [, headerPart = '', payloadPart = '', signaturePart = ''] = match;
  const header = decodeSegment(headerPart);
  const claims = decodeSegment(payloadPart);
  if (!header || !claims) throw new AuthRefusal('malformed-token');

  const alg = header['alg'];
  const hash = typeof alg === 'string' ? HASH_OF_ALG[alg] : undefined;
  if (typeof alg !== 'string' || !hash || signaturePart === '') throw new AuthRefusal('algorithm');
  const kid = header['kid'];
  if (typeof kid !== 'string' || kid === '') throw new AuthRefusal('key-id');

  if (claims['iss'] !== rules.issuer) throw new AuthRefusal('issuer');
  const aud = claims['aud'];
  if (typeof aud !== 'string' || aud === '' || !(await rules.isValidAppId(aud))) throw new AuthRefusal('audience');

  const nowSec = rules.clock() / 1000;
  const exp = claims['exp'];
  if (typeof exp !== 'number' || !Number.isFinite(exp) || nowSec > exp + rules.clockToleranceSec) throw new AuthRefusal('expired');
  const nbf = claims['nbf'];
  if (nbf !== undefined && (typeof nbf !== 'number' || !Number.isFinite(nbf) || nowSec + rules.clockToleranceSec < nbf)) {
    throw new AuthRefusal('not-yet-valid');
  }

  const serviceUrl = claims[AuthenticationConstants.ServiceUrlClaim];
  if (typeof serviceUrl !== 'string' || serviceUrl === '' || serviceUrl !== activity.serviceUrl) throw new AuthRefusal('service-url');

  const key = await rules.keys.getKey(kid);
  if (!key || (key.alg !== undefined && key.alg !== alg)) throw new AuthRefusal('unknown-key');
  if (key.endorsements && key.endorsements.length > 0 && !key.endorsements.includes(activity.channelId ?? '')) {
    throw new AuthRefusal('endorsement');
  }
  const signed = Buffer.from(`${headerPart}.${payloadPart}`, 'ascii');
  const signature = Buffer.from(signaturePart, 'base64url');
  let valid = false;
  try {
    valid = verifySignature(hash, signed, key.key, signature);
  } catch {
    valid = false;
  }
  if (!valid) throw new AuthRefusal('signature');

  return new ClaimsIdentity(
    Object.entries(claims).map(([type, value]) => ({ type, value: typeof value === 'string' ? value : JSON.stringify(value) })),
    true,
  );
}

/** Where inbound tokens come from and whom outbound calls address, resolved like botbuilder's BotFrameworkAuthenticationFactory. */
export interface CloudSettings {
  tokenIssuer: string;
  openIdMetadataUrl: string;
  /** Audience of outbound calls to the channel (ToChannelFromBotOAuthScope). */
  oauthScope: string | undefined;
  callerId: string | undefined;
}

function text(config: BotAuthConfig, key: string): string | undefined {
  const value = config[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Mirrors BotFrameworkAuthenticationFactory.create: any explicit endpoint key means "all keys are intentional". */
export function resolveCloudSettings(config: BotAuthConfig): CloudSettings {
  const metadataUrl = text(config, 'ToBotFromChannelOpenIdMetadataUrl') ?? text(config, AuthenticationConstants.BotOpenIdMetadataKey);
  const parameterized = [
    'ToChannelFromBotLoginUrl',
    'ToChannelFromBotOAuthScope',
    'ToBotFromChannelTokenIssuer',
    'OAuthUrl',
    AuthenticationConstants.OAuthUrlKey,
    'ToBotFromEmulatorOpenIdMetadataUrl',
    'CallerId',
  ].some((key) => text(config, key) !== undefined) || metadataUrl !== undefined;

  if (parameterized) {
    const tokenIssuer = text(config, 'ToBotFromChannelTokenIssuer');
    if (!tokenIssuer || !metadataUrl) {
      throw new ConfigError(
        'Invalid configuration: when any of the ToBot*/ToChannel*/OAuthUrl/CallerId settings is set, both ToBotFromChannelTokenIssuer and ToBotFromChannelOpenIdMetadataUrl must be set too.',
      );
    }
    return { tokenIssuer, openIdMetadataUrl: metadataUrl, oauthScope: text(config, 'ToChannelFromBotOAuthScope'), callerId: text(config, 'CallerId') };
  }
  const channelService = text(config, AuthenticationConstants.ChannelService);
  if (!channelService) {
    return {
      tokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
      openIdMetadataUrl: AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
      oauthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
      callerId: CallerIdConstants.PublicAzureChannel,
    };
  }
  if (channelService === GovernmentConstants.ChannelService) {
    return {
      tokenIssuer: GovernmentConstants.ToBotFromChannelTokenIssuer,
      openIdMetadataUrl: GovernmentConstants.ToBotFromChannelOpenIdMetadataUrl,
      oauthScope: GovernmentConstants.ToChannelFromBotOAuthScope,
      callerId: CallerIdConstants.USGovChannel,
    };
  }
  throw new ConfigError(`Invalid configuration: ChannelService "${channelService}" is not a known cloud; set the ToBot*/ToChannel* settings explicitly.`);
}

/**
 * BotFrameworkAuthentication for CloudAdapter: inbound channel tokens are validated here; everything
 * outbound (connector factory, user token client) is delegated to botbuilder's own
 * ConfigurationBotFrameworkAuthentication built from the same settings. Without MicrosoftAppId,
 * authentication is disabled (local mode) exactly as botbuilder does it.
 */
export class TeamsBotAuthentication extends BotFrameworkAuthentication {
  private readonly inner: ConfigurationBotFrameworkAuthentication;
  private readonly credentials: ConfigurationServiceClientCredentialFactory;
  private readonly cloud: CloudSettings | undefined;
  private readonly rules: ChannelTokenRules | undefined;
  private readonly onRefusal: ((reason: RefusalReason) => void) | undefined;
  /** The key set in use (undefined in local mode); exposed for readiness checks and tests. */
  readonly keys: OpenIdKeySet | undefined;
  /** Connector and user-token clients, built once per bot app id and address instead of per turn. */
  readonly clients: ClientCaches = createClientCaches();

  constructor(config: BotAuthConfig, options: AuthOptions = {}) {
    super();
    this.credentials = new ConfigurationServiceClientCredentialFactory(config);
    this.inner = new ConfigurationBotFrameworkAuthentication(config, this.credentials);
    this.onRefusal = options.onRefusal;
    if (text(config, 'MicrosoftAppId') === undefined) return;
    this.cloud = resolveCloudSettings(config);
    this.keys = new OpenIdKeySet(this.cloud.openIdMetadataUrl, options);
    this.rules = {
      issuer: this.cloud.tokenIssuer,
      isValidAppId: (appId) => this.credentials.isValidAppId(appId),
      keys: this.keys,
      clock: options.clock ?? Date.now,
      clockToleranceSec: options.clockToleranceSec ?? DEFAULTS.clockToleranceSec,
    };
  }

  /**
   * Fetch the signing keys now (call at start-up so the first Teams message does not wait, and from
   * /readyz). True in local mode or when keys are in hand; never throws.
   */
  async warmUp(): Promise<boolean> {
    return this.keys ? this.keys.ready() : true;
  }

  /** True when no MicrosoftAppId is configured: every request is accepted anonymously. */
  get isLocalMode(): boolean {
    return this.rules === undefined;
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    if (!this.rules || !this.cloud) {
      const result = await this.inner.authenticateRequest(activity, authHeader);
      return result.connectorFactory ? { ...result, connectorFactory: this.cached(result.connectorFactory, result.claimsIdentity) } : result;
    }
    const claimsIdentity = await this.refuseLoudly(() => verifyChannelToken(authHeader, activity, this.rules as ChannelTokenRules));
    return {
      audience: this.cloud.oauthScope as string,
      claimsIdentity,
      ...(this.cloud.callerId !== undefined ? { callerId: this.cloud.callerId } : {}),
      connectorFactory: this.createConnectorFactory(claimsIdentity),
    };
  }

  /** Streaming (Direct Line ASE / named pipes) is not a Teams path: refused unless in local mode. */
  override async authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    if (!this.rules) return this.inner.authenticateStreamingRequest(authHeader, channelIdHeader);
    return this.refuseLoudly(() => Promise.reject(new AuthRefusal('unsupported')));
  }

  /** Skill-to-bot calls are not a Teams path: refused unless in local mode. */
  override async authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    if (!this.rules) return this.inner.authenticateChannelRequest(authHeader);
    return this.refuseLoudly(() => Promise.reject(new AuthRefusal('unsupported')));
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.cached(this.inner.createConnectorFactory(claimsIdentity), claimsIdentity);
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    // botbuilder builds it from the bot app id alone (and the configuration), like the factory.
    return this.clients.userTokens.get(botAppIdOf(claimsIdentity), () => this.inner.createUserTokenClient(claimsIdentity));
  }

  private cached(factory: ConnectorFactory, claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return new CachingConnectorFactory(factory, botAppIdOf(claimsIdentity), this.clients.connectors);
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.cloud?.oauthScope ?? AuthenticationConstants.ToChannelFromBotOAuthScope;
  }

  private async refuseLoudly<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      // Anything unexpected while validating is still a refusal: never a 500 with internals.
      const refusal = err instanceof AuthRefusal ? err : new AuthRefusal('validation-error');
      this.onRefusal?.(refusal.reason);
      throw refusal;
    }
  }
}

/**
 * The authentication CloudAdapter should use: `new CloudAdapter(createBotFrameworkAuthentication(process.env))`.
 * Options are for tests and tuning: fetchTimeoutMs (default 5 s), clock, fetchImpl, cache TTLs.
 */
export function createBotFrameworkAuthentication(config: BotAuthConfig, options: AuthOptions = {}): TeamsBotAuthentication {
  return new TeamsBotAuthentication(config, options);
}
