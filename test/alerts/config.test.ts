// The alert settings as an operator meets them: off by default, a token long enough to guess at
// nothing, several tokens during a rotation, the poller only with a URL and a whole credential.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const TOKEN = 'a'.repeat(16) + 'b'.repeat(16);

describe('alert configuration', () => {
  it('is off by default: no endpoint token, no poller', () => {
    const config = loadConfig({});
    expect(config.alertsTokens).toEqual([]);
    expect(config.mdca).toBeUndefined();
  });

  it('takes one or several ALERTS_TOKEN values, each of at least 32 characters', () => {
    expect(loadConfig({ ALERTS_TOKEN: TOKEN }).alertsTokens).toEqual([TOKEN]);
    expect(loadConfig({ ALERTS_TOKEN: `${TOKEN}, ${TOKEN}x` }).alertsTokens).toEqual([TOKEN, `${TOKEN}x`]);
    expect(() => loadConfig({ ALERTS_TOKEN: 'short' })).toThrow(/ALERTS_TOKEN must be at least 32 characters/);
  });

  it('names the alerts channel, its service URL (https, or http on this machine) and tenant', () => {
    const config = loadConfig({ ALERTS_CHANNEL_ID: '19:a@thread.tacv2', ALERTS_SERVICE_URL: 'https://smba.trafficmanager.net/emea', MicrosoftAppTenantId: 't-1', MicrosoftAppId: 'app', MicrosoftAppPassword: 'p' });
    expect(config).toMatchObject({ alertsChannelId: '19:a@thread.tacv2', alertsServiceUrl: 'https://smba.trafficmanager.net/emea/', alertsTenantId: 't-1' });
    expect(() => loadConfig({ ALERTS_SERVICE_URL: 'http://teams.example.com/' })).toThrow(/ALERTS_SERVICE_URL must be https/);
  });

  it('polls only with MDCA_API_URL and a whole credential, and says which part is missing', () => {
    expect(loadConfig({ MDCA_API_URL: 'https://contoso.eu2.portal.cloudappsecurity.com/', MDCA_API_TOKEN: 'tok' }).mdca).toEqual({
      apiUrl: 'https://contoso.eu2.portal.cloudappsecurity.com',
      credential: { kind: 'api-token', token: 'tok' },
      pollIntervalMs: 300_000,
    });
    const app = loadConfig({ MDCA_API_URL: 'https://contoso.eu2.portal.cloudappsecurity.com', MDCA_TENANT_ID: 't', MDCA_CLIENT_ID: 'c', MDCA_CLIENT_SECRET: 's', MDCA_POLL_INTERVAL_SECONDS: '60' });
    expect(app.mdca).toMatchObject({ credential: { kind: 'entra-app', tenantId: 't', clientId: 'c', clientSecret: 's', authorityHost: 'https://login.microsoftonline.com' }, pollIntervalMs: 60_000 });
    expect(() => loadConfig({ MDCA_API_URL: 'https://x.portal.cloudappsecurity.com', MDCA_CLIENT_ID: 'c' })).toThrow(/MDCA_API_URL needs a credential/);
    expect(() => loadConfig({ MDCA_API_TOKEN: 'tok' })).toThrow(/MDCA_API_URL is required/);
    expect(() => loadConfig({ MDCA_API_URL: 'http://x.portal.cloudappsecurity.com', MDCA_API_TOKEN: 'tok' })).toThrow(ConfigError);
  });
});
