// The kinds of secret the redactor reports, each with the short English phrase a card or a log
// line shows ("1 secret removed (an Authorization header)"). A kind names what was removed, never its value.

const DESCRIPTIONS = {
  'authorization-header': 'an Authorization header',
  'bearer-token': 'a bearer token',
  jwt: 'a JSON Web Token',
  'private-key': 'a private key',
  password: 'a password',
  'secret-pair': 'a secret value',
  'url-password': 'a password in a URL',
  'url-credential': 'a credential in a URL',
  'command-line-credential': 'a credential on a command line',
  'random-secret': 'a random-looking secret',
  'aad-refresh-token': 'a Microsoft Entra refresh token',
  'client-secret': 'a Microsoft Entra client secret',
  'azure-storage-key': 'an Azure storage account key',
  'teams-webhook': 'a Teams webhook URL',
  'aws-access-key': 'an AWS access key id',
  'aws-bedrock-key': 'an Amazon Bedrock API key',
  'google-api-key': 'a Google API key',
  'google-client-secret': 'a Google OAuth client secret',
  'google-token': 'a Google OAuth token',
  'github-token': 'a GitHub token',
  'gitlab-token': 'a GitLab token',
  'slack-token': 'a Slack token',
  'slack-webhook': 'a Slack webhook URL',
  'webhook-url': 'a webhook URL',
  'atlassian-token': 'an Atlassian API token',
  'openai-key': 'an OpenAI API key',
  'anthropic-key': 'an Anthropic API key',
  'okta-token': 'an Okta API token',
  'dropbox-token': 'a Dropbox token',
  'sendgrid-key': 'a SendGrid API key',
  'npm-token': 'an npm token',
  'salesforce-session': 'a Salesforce session id',
  'stripe-key': 'a Stripe key',
  'api-key': 'an API key',
} as const;

/** What a removed secret was, as a stable machine-readable name. */
export type SecretKind = keyof typeof DESCRIPTIONS;

/** Every kind the redactor can report. */
export const SECRET_KINDS = Object.keys(DESCRIPTIONS) as SecretKind[];

/**
 * A short English phrase for a kind, with its article: 'an Authorization header', 'a GitHub token'.
 * An unknown kind (from an older record) is described as 'a secret'.
 */
export function describeSecretKind(kind: string): string {
  return Object.hasOwn(DESCRIPTIONS, kind) ? DESCRIPTIONS[kind as SecretKind] : 'a secret';
}

/**
 * When spans of different kinds cover the same secret, the one a person recognises best names it:
 * the header it came in, then the token's own format, then the key in front of it.
 */
export function kindRank(kind: SecretKind): number {
  switch (kind) {
    case 'authorization-header':
    case 'private-key':
      return 5;
    case 'password':
    case 'secret-pair':
    case 'command-line-credential':
    case 'url-password':
    case 'url-credential':
    case 'bearer-token':
      return 2;
    case 'random-secret':
      return 1;
    default:
      return 3;
  }
}
