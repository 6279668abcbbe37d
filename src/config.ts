// Reads and validates the environment once at start; a bad value stops the bot with a message
// that names the variable, never with a stack trace from deep inside a library.
import { z } from 'zod';
import { ConfigError, toCodedError } from './core/errors.js';
import { DEFAULT_BASE_DELAY_MS, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_DELAY_MS } from './incidents/outbox.js';
import { isSecureTransport, parseWebhookUrl } from './incidents/webhook.js';

export { ConfigError };

const emptyToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const optionalString = z.preprocess(emptyToUndefined, z.string().trim().optional());
const optionalUrl = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .trim()
    .refine((value) => /^https?:\/\//i.test(value) && URL.canParse(value), 'must be an http(s) URL')
    .optional(),
);
const intInRange = (fallback: number, min: number, max: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));

const environmentSchema = z.object({
  PORT: intInRange(3978, 0, 65535),
  // Unset: 127.0.0.1 in local mode (no authentication: only this machine may talk to it), else 0.0.0.0.
  HOST: optionalString,
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .refine((value) => /^(sqlite:|postgres(ql)?:\/\/)/.test(value), 'must start with sqlite: or postgres://')
      .refine((value) => !/^sqlite:(\/\/)?$/.test(value), 'sqlite: needs a file path, e.g. sqlite:./data/connector-doctor.db')
      .refine((value) => !/^postgres/.test(value) || URL.canParse(value), 'is not a valid postgres:// URL')
      .default('sqlite:./data/connector-doctor.db'),
  ),
  CATALOG_EXTRA_DIR: optionalString,
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  MicrosoftAppId: optionalString,
  MicrosoftAppPassword: optionalString,
  MicrosoftAppType: z.preprocess(
    emptyToUndefined,
    z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional(),
  ),
  MicrosoftAppTenantId: optionalString,
  SUPPORT_WEBHOOK_URL: optionalUrl,
  SUPPORT_WEBHOOK_SECRET: optionalString,
  SUPPORT_CHANNEL_ID: optionalString,
  ESCALATION_MAX_ATTEMPTS: intInRange(DEFAULT_MAX_ATTEMPTS, 1, 100),
  // Backoff between delivery attempts; small values are for tests and local trials.
  ESCALATION_RETRY_BASE_MS: intInRange(DEFAULT_BASE_DELAY_MS, 10, 60 * 60_000),
  ESCALATION_RETRY_MAX_MS: intInRange(DEFAULT_MAX_DELAY_MS, 10, 6 * 60 * 60_000),
  RETENTION_DAYS: intInRange(90, 1, 3650),
  // Alerts (docs/alerts.md): POST /api/alerts exists only with a token.
  ALERTS_TOKEN: optionalString,
  ALERTS_CHANNEL_ID: optionalString,
  ALERTS_SERVICE_URL: optionalUrl,
  ALERTS_TENANT_ID: optionalString,
  // The Defender for Cloud Apps poller: off unless MDCA_API_URL and a credential are set.
  MDCA_API_URL: optionalUrl,
  MDCA_API_TOKEN: optionalString,
  MDCA_TENANT_ID: optionalString,
  MDCA_CLIENT_ID: optionalString,
  MDCA_CLIENT_SECRET: optionalString,
  MDCA_AUTHORITY_HOST: optionalUrl,
  MDCA_POLL_INTERVAL_SECONDS: intInRange(300, 1, 24 * 60 * 60),
});

/** An API token, or an Entra app registration's client credentials (through @azure/msal-node). */
export type MdcaCredential =
  | { kind: 'api-token'; token: string }
  | { kind: 'entra-app'; tenantId: string; clientId: string; clientSecret: string; authorityHost: string };

export interface MdcaPollerConfig {
  /** https://<tenant>.<region>.portal.cloudappsecurity.com */
  apiUrl: string;
  credential: MdcaCredential;
  pollIntervalMs: number;
}

/** Shortest ALERTS_TOKEN accepted: a guessable token would open the endpoint to anyone. */
export const MIN_ALERTS_TOKEN_CHARS = 32;

/** https, or plain http to this machine only (tests, a local relay): the webhook's rule. */
function secureUrl(name: string, value: string): string {
  if (isSecureTransport(new URL(value))) return value.replace(/\/+$/, '');
  throw new ConfigError(`Invalid configuration: ${name} must be https:// (plain http:// is accepted only for 127.0.0.1 or localhost).`);
}

export interface Config {
  port: number;
  /** Where to listen: HOST, else 127.0.0.1 in local mode and 0.0.0.0 with credentials. */
  host: string;
  databaseUrl: string;
  catalogExtraDir?: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** True when no MicrosoftAppId is set: requests are not authenticated (Playground, tests). */
  localMode: boolean;
  /**
   * Everything botbuilder's ConfigurationBotFrameworkAuthentication reads, passed through
   * untouched (MicrosoftAppId, ToBotFromChannelOpenIdMetadataUrl, ...), so sovereign clouds and
   * tests can point them elsewhere.
   */
  botFramework: Record<string, string | undefined>;
  microsoftAppId?: string;
  supportWebhookUrl?: string;
  supportWebhookSecret?: string;
  supportChannelId?: string;
  escalationMaxAttempts: number;
  /** First retry waits half to all of this; each later one doubles, up to escalationRetryMaxMs. */
  escalationRetryBaseMs: number;
  escalationRetryMaxMs: number;
  retentionDays: number;
  /** ALERTS_TOKEN split on commas or spaces (several during a rotation); empty: no /api/alerts. */
  alertsTokens: string[];
  alertsChannelId?: string;
  alertsServiceUrl?: string;
  alertsTenantId?: string;
  /** Set only when the poller is configured. */
  mdca?: MdcaPollerConfig;
}

function mdcaConfig(values: z.infer<typeof environmentSchema>): MdcaPollerConfig | undefined {
  const app = [values.MDCA_TENANT_ID, values.MDCA_CLIENT_ID, values.MDCA_CLIENT_SECRET];
  const anyCredential = values.MDCA_API_TOKEN !== undefined || app.some((v) => v !== undefined);
  if (!values.MDCA_API_URL) {
    if (anyCredential) throw new ConfigError('Invalid configuration: MDCA_API_URL is required with MDCA_API_TOKEN or MDCA_CLIENT_ID (the poller needs both)');
    return undefined;
  }
  const apiUrl = secureUrl('MDCA_API_URL', values.MDCA_API_URL);
  let credential: MdcaCredential;
  if (values.MDCA_API_TOKEN) {
    credential = { kind: 'api-token', token: values.MDCA_API_TOKEN };
  } else if (app.every((v) => v !== undefined)) {
    credential = {
      kind: 'entra-app',
      tenantId: values.MDCA_TENANT_ID!,
      clientId: values.MDCA_CLIENT_ID!,
      clientSecret: values.MDCA_CLIENT_SECRET!,
      authorityHost: secureUrl('MDCA_AUTHORITY_HOST', values.MDCA_AUTHORITY_HOST ?? 'https://login.microsoftonline.com'),
    };
  } else {
    throw new ConfigError(
      'Invalid configuration: MDCA_API_URL needs a credential: MDCA_API_TOKEN, or MDCA_TENANT_ID with MDCA_CLIENT_ID and MDCA_CLIENT_SECRET (an Entra app registration)',
    );
  }
  return { apiUrl, credential, pollIntervalMs: values.MDCA_POLL_INTERVAL_SECONDS * 1000 };
}

/** Read the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`, { cause: parsed.error });
  }
  const values = parsed.data;
  if (values.SUPPORT_WEBHOOK_URL) {
    try {
      parseWebhookUrl(values.SUPPORT_WEBHOOK_URL);
    } catch (error) {
      throw new ConfigError(`Invalid configuration: ${toCodedError(error).message}`, { cause: error });
    }
  }
  if (values.SUPPORT_WEBHOOK_URL && !values.SUPPORT_WEBHOOK_SECRET) {
    throw new ConfigError('Invalid configuration: SUPPORT_WEBHOOK_SECRET is required when SUPPORT_WEBHOOK_URL is set');
  }
  // botbuilder authenticates the bot's own calls with a secret, a certificate (both keys) or a managed identity.
  const certificate = [env.CertificateThumbprint, env.CertificatePrivateKey].filter((value) => value?.trim());
  if (certificate.length === 1) {
    throw new ConfigError('Invalid configuration: CertificateThumbprint and CertificatePrivateKey go together; set both or neither');
  }
  if (values.MicrosoftAppId && values.MicrosoftAppType !== 'UserAssignedMSI' && !values.MicrosoftAppPassword && certificate.length === 0) {
    throw new ConfigError(
      'Invalid configuration: MicrosoftAppPassword (or CertificateThumbprint with CertificatePrivateKey) is required when MicrosoftAppId is set, unless MicrosoftAppType=UserAssignedMSI',
    );
  }
  const alertsTokens = (values.ALERTS_TOKEN ?? '').split(/[\s,]+/).filter((t) => t !== '');
  if (alertsTokens.some((t) => t.length < MIN_ALERTS_TOKEN_CHARS)) {
    throw new ConfigError(`Invalid configuration: ALERTS_TOKEN must be at least ${MIN_ALERTS_TOKEN_CHARS} characters (e.g. openssl rand -hex 32)`);
  }
  const alertsServiceUrl = values.ALERTS_SERVICE_URL ? secureUrl('ALERTS_SERVICE_URL', values.ALERTS_SERVICE_URL) : undefined;
  const mdca = mdcaConfig(values);
  const botFramework: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) {
    // botbuilder's keys are PascalCase (MicrosoftApp*, ToBotFromChannel*, OAuthUrl, OAuthApiEndpoint, ...):
    // letters only, with at least one lowercase (PORT and SUPPORT_WEBHOOK_URL are ours). Pass them as they are.
    if (/^[A-Z][A-Za-z]*[a-z][A-Za-z]*$/.test(key) && value !== undefined) botFramework[key] = value;
  }
  return {
    port: values.PORT,
    host: values.HOST ?? (values.MicrosoftAppId ? '0.0.0.0' : '127.0.0.1'),
    databaseUrl: values.DATABASE_URL,
    catalogExtraDir: values.CATALOG_EXTRA_DIR,
    logLevel: values.LOG_LEVEL,
    localMode: !values.MicrosoftAppId,
    botFramework,
    microsoftAppId: values.MicrosoftAppId,
    supportWebhookUrl: values.SUPPORT_WEBHOOK_URL,
    supportWebhookSecret: values.SUPPORT_WEBHOOK_SECRET,
    supportChannelId: values.SUPPORT_CHANNEL_ID,
    escalationMaxAttempts: values.ESCALATION_MAX_ATTEMPTS,
    escalationRetryBaseMs: values.ESCALATION_RETRY_BASE_MS,
    escalationRetryMaxMs: Math.max(values.ESCALATION_RETRY_MAX_MS, values.ESCALATION_RETRY_BASE_MS),
    retentionDays: values.RETENTION_DAYS,
    alertsTokens,
    alertsChannelId: values.ALERTS_CHANNEL_ID,
    // Teams expects its service URL with the trailing slash it hands out.
    alertsServiceUrl: alertsServiceUrl ? `${alertsServiceUrl}/` : undefined,
    alertsTenantId: values.ALERTS_TENANT_ID ?? values.MicrosoftAppTenantId,
    ...(mdca ? { mdca } : {}),
  };
}
