// Outside local mode an instance that cannot fetch Teams' signing keys refuses every request (401),
// so /readyz must say so and the load balancer take it out; local mode has no keys to wait for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/running-bot.js';
import { generateSigningKey, loopbackAuthConfig, startOpenIdServer, type OpenIdServer } from './support/openid.js';

async function readiness(app: RunningApp): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${app.url}/readyz`);
  return { status: res.status, body: await res.json() };
}

describe('/readyz and the Teams signing keys', () => {
  let openId: OpenIdServer;
  const apps: RunningApp[] = [];
  beforeAll(async () => {
    openId = await startOpenIdServer([generateSigningKey('teams-1').jwk]);
  });
  afterAll(async () => {
    for (const app of apps) await app.stop();
    await openId?.close();
  });

  it('is ready when the keys can be fetched', async () => {
    const app = await startApp(loopbackAuthConfig(openId.metadataUrl));
    apps.push(app);
    expect(await readiness(app)).toEqual({ status: 200, body: { status: 'ready', checks: { store: 'ok', catalog: 'ok', 'teams-keys': 'ok' } } });
  });

  it('is not ready, naming teams-keys, when no key can be fetched (the instance would refuse everyone)', async () => {
    const app = await startApp(loopbackAuthConfig('http://127.0.0.1:9/openid-configuration'));
    apps.push(app);
    expect(await readiness(app)).toEqual({
      status: 503,
      body: { status: 'not-ready', failing: ['teams-keys'], checks: { store: 'ok', catalog: 'ok', 'teams-keys': 'failing' } },
    });
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it('local mode has no keys to wait for', async () => {
    const app = await startApp();
    apps.push(app);
    expect(await readiness(app)).toEqual({ status: 200, body: { status: 'ready', checks: { store: 'ok', catalog: 'ok' } } });
  });
});
