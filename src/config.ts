// Reads and validates the environment once at start; a bad value stops the bot with a message
// that names the variable, never with a stack trace from deep inside a library.
import { z } from 'zod';
import { ConfigError, toCodedError } from './core/errors.js';
import { DEFAULT_BASE_DELAY_MS, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_DELAY_MS } from './incidents/outbox.js';
import { parseWebhookUrl } from './incidents/webhook.js';

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
});

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
  };
}
