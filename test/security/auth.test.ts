// Only Teams gets in: a genuine channel token passes, every forgery is refused with a generic message,
// and a key host that is down or silent leads to a refusal instead of a 500 or a hang.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activity } from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import {
  AuthRefusal,
  authFailureStatus,
  createBotFrameworkAuthentication,
  resolveCloudSettings,
  type BotAuthConfig,
  type RefusalReason,
} from '../../src/teams/auth.js';
import { ConfigError } from '../../src/core/errors.js';
import { loadConfig } from '../../src/config.js';
import {
  channelClaims,
  generateSigningKey,
  hmacWithPublicKey,
  loopbackAuthConfig,
  refusingHost,
  signToken,
  silentHost,
  startOpenIdServer,
  TEAMS_SERVICE_URL as SERVICE_URL,
  TEST_APP_ID as APP_ID,
  unsignedToken,
  type OpenIdServer,
  type TestSigningKey,
} from './support/openid.js';

const NOW = Date.UTC(2026, 11, 1, 3, 0, 0);
const nowSec = Math.floor(NOW / 1000);

const activity = { type: 'message', channelId: 'msteams', serviceUrl: SERVICE_URL, text: 'hello' } as Activity;

const claims = (overrides: Record<string, unknown> = {}) => channelClaims(overrides, nowSec);

function configFor(metadataUrl: string): BotAuthConfig {
  return { ...loopbackAuthConfig(metadataUrl), CallerId: 'urn:botframework:azure' };
}

async function refusalOf(promise: Promise<unknown>): Promise<AuthRefusal> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuthRefusal);
  return err as AuthRefusal;
}

describe('inbound channel tokens', () => {
  let teamsKey: TestSigningKey;
  let strangerKey: TestSigningKey;
  let webchatOnlyKey: TestSigningKey;
  let openId: OpenIdServer;

  beforeAll(async () => {
    teamsKey = generateSigningKey('teams-key-1', { endorsements: ['msteams', 'webchat'] });
    strangerKey = generateSigningKey('teams-key-1');
    webchatOnlyKey = generateSigningKey('webchat-key', { endorsements: ['webchat'] });
    openId = await startOpenIdServer([teamsKey.jwk, webchatOnlyKey.jwk]);
  });
  afterAll(async () => {
    await openId.close();
  });

  it('accepts a genuine Teams token and hands botbuilder the identity, audience and connector factory', async () => {
    const auth = createBotFrameworkAuthentication(configFor(openId.metadataUrl), { clock: () => NOW });
    const result = await auth.authenticateRequest(activity, `Bearer ${signToken(teamsKey, claims())}`);
    expect(result.claimsIdentity.isAuthenticated).toBe(true);
    expect(result.claimsIdentity.getClaimValue('aud')).toBe(APP_ID);
    expect(result.claimsIdentity.getClaimValue('serviceurl')).toBe(SERVICE_URL);
    expect(result.audience).toBe('https://api.botframework.com');
    expect(result.callerId).toBe('urn:botframework:azure');
    expect(result.connectorFactory).toBeDefined();
  });

  it('accepts RS512 too (botbuilder allows the RS family)', async () => {
    const auth = createBotFrameworkAuthentication(configFor(openId.metadataUrl), { clock: () => NOW });
    const result = await auth.authenticateRequest(activity, `Bearer ${signToken(teamsKey, claims(), { alg: 'RS512' })}`);
    expect(result.claimsIdentity.isAuthenticated).toBe(true);
  });

  const forgeries: Array<[string, () => string, RefusalReason]> = [
    ['no Authorization header', () => '', 'missing-header'],
    ['garbage', () => 'Bearer garbage', 'malformed-token'],
    ['another scheme', () => `Basic ${Buffer.from('bot:pw').toString('base64')}`, 'malformed-token'],
    ['a token whose segments are not JSON', () => 'Bearer aGVsbG8.d29ybGQ.c2ln', 'malformed-token'],
    ['an unsigned token (alg none)', () => `Bearer ${unsignedToken(claims(), 'teams-key-1')}`, 'algorithm'],
    ['HS256 keyed with the public key', () => `Bearer ${hmacWithPublicKey(teamsKey, claims())}`, 'algorithm'],
    ['an ES256 header', () => `Bearer ${signToken(teamsKey, claims(), { alg: 'ES256' })}`, 'algorithm'],
    ['a token without kid', () => `Bearer ${signToken(teamsKey, claims(), { kid: undefined })}`, 'key-id'],
    ['a token signed by another key under a published kid', () => `Bearer ${signToken(strangerKey, claims())}`, 'signature'],
    ['an unknown key id', () => `Bearer ${signToken({ ...strangerKey, kid: 'nobody-knows' }, claims())}`, 'unknown-key'],
    ['the wrong audience', () => `Bearer ${signToken(teamsKey, claims({ aud: 'another-bot' }))}`, 'audience'],
    ['the wrong issuer', () => `Bearer ${signToken(teamsKey, claims({ iss: 'https://sts.windows.net/evil/' }))}`, 'issuer'],
    ['an expired token', () => `Bearer ${signToken(teamsKey, claims({ exp: nowSec - 3600 }))}`, 'expired'],
    ['a token without exp', () => `Bearer ${signToken(teamsKey, claims({ exp: undefined }))}`, 'expired'],
    ['a token not yet valid', () => `Bearer ${signToken(teamsKey, claims({ nbf: nowSec + 3600 }))}`, 'not-yet-valid'],
    ['a serviceUrl claim for another service', () => `Bearer ${signToken(teamsKey, claims({ serviceurl: 'https://evil.example/' }))}`, 'service-url'],
    ['no serviceUrl claim', () => `Bearer ${signToken(teamsKey, claims({ serviceurl: undefined }))}`, 'service-url'],
    ['a key endorsed only for another channel', () => `Bearer ${signToken(webchatOnlyKey, claims())}`, 'endorsement'],
    ['a tampered payload', () => {
      const [h, , s] = signToken(teamsKey, claims()).split('.');
      return `Bearer ${h}.${Buffer.from(JSON.stringify(claims({ aud: APP_ID, admin: true }))).toString('base64url')}.${s}`;
    }, 'signature'],
  ];

  it.each(forgeries)('refuses %s with a generic 401', async (_name, header, reason) => {
    const reasons: RefusalReason[] = [];
    const auth = createBotFrameworkAuthentication(configFor(openId.metadataUrl), { clock: () => NOW, onRefusal: (r) => reasons.push(r) });
    const refusal = await refusalOf(auth.authenticateRequest(activity, header()));
    expect(refusal).toBeInstanceOf(AuthenticationError);
    expect(refusal.message).toBe('Unauthorized');
    expect(refusal.reason).toBe(reason);
    expect(authFailureStatus(refusal)).toBe(401);
    expect(reasons).toEqual([reason]);
  });

  it('refuses cheap forgeries without ever contacting the key host', async () => {
    const before = openId.hits();
    const auth = createBotFrameworkAuthentication(configFor(openId.metadataUrl), { clock: () => NOW });
    for (const header of ['', 'Bearer garbage', `Bearer ${unsignedToken(claims())}`, `Bearer ${signToken(teamsKey, claims({ aud: 'x' }))}`]) {
      await refusalOf(auth.authenticateRequest(activity, header));
    }
    expect(openId.hits()).toBe(before);
  });

  it('fetches keys once and reuses them until the TTL runs out', async () => {
    let now = NOW;
    const auth = createBotFrameworkAuthentication(configFor(openId.metadataUrl), { clock: () => now, keysTtlMs: 60 * 60 * 1000 });
    const before = openId.hits();
    await Promise.all([1, 2, 3].map(() => auth.authenticateRequest(activity, `Bearer ${signToken(teamsKey, claims())}`)));
    expect(openId.hits() - before).toBe(2); // metadata + JWKS, shared by the concurrent requests
    now += 30 * 60 * 1000;
    await auth.authenticateRequest(activity, `Bearer ${signToken(teamsKey, claims())}`);
    expect(openId.hits() - before).toBe(2);
    now += 31 * 60 * 1000;
    await auth.authenticateRequest(activity, `Bearer ${signToken(teamsKey, claims())}`);
    expect(openId.hits() - before).toBe(4);
  });
});

describe('key rotation and unknown key ids', () => {
  it('picks up a rotated key, but refreshes for unknown kids at most once per interval', async () => {
    const oldKey = generateSigningKey('old');
    const newKey = generateSigningKey('new');
    const openId = await startOpenIdServer([oldKey.jwk]);
    try {
      let now = NOW;
      const auth = createBotFrameworkAuthentication(configFor(openId.metadataUrl), { clock: () => now, unknownKeyRefreshMs: 5 * 60 * 1000 });
      await auth.authenticateRequest(activity, `Bearer ${signToken(oldKey, claims())}`);
      expect(openId.hits()).toBe(2);

      // An attacker spraying random kids cannot make us hammer the key host.
      for (const kid of ['a', 'b', 'c', 'd']) {
        const refusal = await refusalOf(auth.authenticateRequest(activity, `Bearer ${signToken({ ...newKey, kid }, claims())}`));
        expect(refusal.reason).toBe('unknown-key');
      }
      expect(openId.hits()).toBe(2);

      openId.setKeys([oldKey.jwk, newKey.jwk]);
      now += 5 * 60 * 1000;
      const result = await auth.authenticateRequest(activity, `Bearer ${signToken(newKey, claims())}`);
      expect(result.claimsIdentity.isAuthenticated).toBe(true);
      expect(openId.hits()).toBe(4);
    } finally {
      await openId.close();
    }
  });

  it('keeps accepting known keys when the key host goes away after the first fetch', async () => {
    const key = generateSigningKey('k');
    const openId = await startOpenIdServer([key.jwk]);
    let now = NOW;
    const auth = createBotFrameworkAuthentication(configFor(openId.metadataUrl), { clock: () => now, keysTtlMs: 60_000 });
    await auth.authenticateRequest(activity, `Bearer ${signToken(key, claims())}`);
    await openId.close();
    now += 120_000;
    const result = await auth.authenticateRequest(activity, `Bearer ${signToken(key, claims())}`);
    expect(result.claimsIdentity.isAuthenticated).toBe(true);
    expect(auth.keys?.lastError).toMatch(/failed/);
  });
});

describe('hostile key hosts', () => {
  const key = generateSigningKey('k');

  it('refuses (503-class, generic body) when the key host refuses connections, without leaking the network error', async () => {
    const host = await refusingHost();
    const auth = createBotFrameworkAuthentication(configFor(host.url), { clock: () => NOW, fetchTimeoutMs: 200 });
    const refusal = await refusalOf(auth.authenticateRequest(activity, `Bearer ${signToken(key, claims())}`));
    expect(refusal.reason).toBe('keys-unavailable');
    expect(refusal.message).toBe('Unauthorized');
    expect(authFailureStatus(refusal)).toBe(503);
    expect(auth.keys?.lastError).toMatch(/failed/);
  });

  it('refuses within the time box when the key host accepts and never answers, and then fails fast', { timeout: 10_000 }, async () => {
    const host = await silentHost();
    try {
      let now = NOW;
      const auth = createBotFrameworkAuthentication(configFor(host.url), { clock: () => now, fetchTimeoutMs: 200, failedFetchRetryMs: 30_000 });
      const refusal = await refusalOf(auth.authenticateRequest(activity, `Bearer ${signToken(key, claims())}`));
      expect(refusal.reason).toBe('keys-unavailable');
      expect(auth.keys?.lastError).toMatch(/timed out/);
      expect(host.connections()).toBe(1);

      // Within the back-off window a flood of forged tokens costs no further connection.
      now += 10_000;
      for (let i = 0; i < 5; i += 1) await refusalOf(auth.authenticateRequest(activity, `Bearer ${signToken(key, claims())}`));
      expect(host.connections()).toBe(1);

      // After it, the host is tried again.
      now += 30_000;
      await refusalOf(auth.authenticateRequest(activity, `Bearer ${signToken(key, claims())}`));
      expect(host.connections()).toBeGreaterThan(1);
    } finally {
      await host.close();
    }
  });
});

describe('warming up the keys at start-up', () => {
  it('fetches the keys before the first message and says whether it could', async () => {
    const key = generateSigningKey('k');
    const openId = await startOpenIdServer([key.jwk]);
    try {
      const auth = createBotFrameworkAuthentication(configFor(openId.metadataUrl), { clock: () => NOW });
      expect(await auth.warmUp()).toBe(true);
      expect(openId.hits()).toBe(2);
      await auth.authenticateRequest(activity, `Bearer ${signToken(key, claims())}`);
      expect(openId.hits()).toBe(2);
    } finally {
      await openId.close();
    }
  });

  it('reports false (never throws) when the key host is silent, within the time box', { timeout: 10_000 }, async () => {
    const host = await silentHost();
    try {
      const auth = createBotFrameworkAuthentication(configFor(host.url), { clock: () => NOW, fetchTimeoutMs: 200 });
      expect(await auth.warmUp()).toBe(false);
    } finally {
      await host.close();
    }
  });

  it('treats an error page from the key host as keys unavailable', async () => {
    const fetchImpl = (async () => new Response('<html>Service Unavailable</html>', { status: 503 })) as typeof fetch;
    const auth = createBotFrameworkAuthentication(configFor('https://login.example.test/v1/.well-known/openidconfiguration'), { clock: () => NOW, fetchImpl });
    expect(await auth.warmUp()).toBe(false);
    expect(auth.keys?.lastError).toMatch(/answered 503/);
    const refusal = await refusalOf(auth.authenticateRequest(activity, `Bearer ${signToken(generateSigningKey('k'), claims())}`));
    expect(refusal.reason).toBe('keys-unavailable');
  });

  it('stops reading a key document that grows beyond any sensible size', async () => {
    let served = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        served += 64 * 1024;
        controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
      },
    });
    const fetchImpl = (async () => new Response(endless, { status: 200 })) as typeof fetch;
    const auth = createBotFrameworkAuthentication(configFor('https://login.example.test/v1/.well-known/openidconfiguration'), { clock: () => NOW, fetchImpl });
    expect(await auth.warmUp()).toBe(false);
    expect(auth.keys?.lastError).toMatch(/oversized/);
    expect(served).toBeLessThan(2 * 1024 * 1024);
  });

  it('is a no-op in local mode', async () => {
    expect(await createBotFrameworkAuthentication({}).warmUp()).toBe(true);
  });
});

describe('local mode and configuration', () => {
  it('accepts anonymous requests when no MicrosoftAppId is configured (local mode)', async () => {
    const auth = createBotFrameworkAuthentication({});
    expect(auth.isLocalMode).toBe(true);
    const result = await auth.authenticateRequest(activity, '');
    expect(result.claimsIdentity.isAuthenticated).toBe(true);
  });

  it('refuses streaming and skill requests when authentication is on', async () => {
    const auth = createBotFrameworkAuthentication(configFor('http://127.0.0.1:1/none'));
    expect((await refusalOf(auth.authenticateStreamingRequest('Bearer x', 'msteams'))).reason).toBe('unsupported');
    expect((await refusalOf(auth.authenticateChannelRequest('Bearer x'))).reason).toBe('unsupported');
  });

  it('resolves the public cloud, the US government cloud and explicit endpoints like botbuilder', () => {
    expect(resolveCloudSettings({ MicrosoftAppId: APP_ID })).toMatchObject({
      tokenIssuer: 'https://api.botframework.com',
      openIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
    });
    expect(resolveCloudSettings({ ChannelService: 'https://botframework.azure.us' })).toMatchObject({
      tokenIssuer: 'https://api.botframework.us',
      callerId: 'urn:botframework:azureusgov',
    });
    expect(resolveCloudSettings({ ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:9/m', ToBotFromChannelTokenIssuer: 'https://issuer.test' })).toMatchObject({
      tokenIssuer: 'https://issuer.test',
      openIdMetadataUrl: 'http://127.0.0.1:9/m',
    });
    expect(() => resolveCloudSettings({ ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:9/m' })).toThrow(ConfigError);
    expect(() => resolveCloudSettings({ ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:9/m' })).toThrow(/ToBotFromChannelTokenIssuer/);
    expect(() => resolveCloudSettings({ ChannelService: 'https://unknown.cloud' })).toThrow(/not a known cloud/);
  });

  it('hands botbuilder every standard key set in the environment, OAuthUrl and OAuthApiEndpoint included, and none of ours', () => {
    const env = { OAuthUrl: 'https://token.example', OAuthApiEndpoint: 'https://api.example', ToBotFromChannelTokenIssuer: 'https://issuer.test', CertificateThumbprint: 'ab', CertificatePrivateKey: 'key', PORT: '3978', SUPPORT_WEBHOOK_URL: 'https://desk.example/hook', SUPPORT_WEBHOOK_SECRET: 's' };
    expect(Object.keys(loadConfig(env).botFramework).sort()).toEqual(['CertificatePrivateKey', 'CertificateThumbprint', 'OAuthApiEndpoint', 'OAuthUrl', 'ToBotFromChannelTokenIssuer']);
  });

  it('maps only authentication failures to 401/503', () => {
    expect(authFailureStatus(new AuthenticationError('x', 401))).toBe(401);
    expect(authFailureStatus(new Error('boom'))).toBeUndefined();
  });
});
