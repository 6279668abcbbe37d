// The Defender for Cloud Apps poller against its loopback fake (test/helpers/mdca-fake.ts, built
// from the API's documentation): new app connector system alerts are picked up once across two
// instances, the cursor survives a restart, resolutions clear cards, 401 and 429 back off (Retry-After
// honoured), and an Entra app's client credentials go through @azure/msal-node, never to the logs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEntraTokenSource } from '../../src/alerts/entra-token.js';
import { recordParsedAlert } from '../../src/alerts/ingest.js';
import { createMdcaClient, type MdcaAuth } from '../../src/alerts/mdca-client.js';
import { createPoller, isAppConnectorSystemAlert } from '../../src/alerts/poller.js';
import { loadCatalog } from '../../src/core/catalog.js';
import { createMatcher } from '../../src/core/match.js';
import { openStore } from '../../src/incidents/index.js';
import type { AlertOutcome, IncidentStore } from '../../src/incidents/types.js';
import { createLogger } from '../../src/log.js';
import { connectorAlert, startMdcaFake, type MdcaFake } from '../helpers/mdca-fake.js';

const API_TOKEN = 'mdca-api-token-canary-0123456789abcdef';
const CLIENT_SECRET = 'Qx8~entraClientSecretCanary0123456789AbCd';
const matcher = createMatcher(loadCatalog());
const T0 = Date.parse('2026-12-01T10:00:00Z');

let fake: MdcaFake;
let dir: string;
const stores: IncidentStore[] = [];
let logText = '';
const logger = createLogger('trace', new Writable({ write(chunk: Buffer, _e, done) { logText += chunk.toString(); done(); } }));

beforeEach(async () => {
  fake = await startMdcaFake({ apiToken: API_TOKEN, tenantId: 'tenant-fake', clientId: 'client-fake', clientSecret: CLIENT_SECRET });
  dir = mkdtempSync(join(tmpdir(), 'cd-poller-'));
  logText = '';
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

async function instance(holder: string, now: () => number, auth: MdcaAuth = { kind: 'api-token', token: API_TOKEN }) {
  const store = await openStore(`sqlite:${join(dir, 'bot.db')}`);
  stores.push(store);
  const outcomes: AlertOutcome[] = [];
  const ingest = { store, matcher, clock: () => new Date(now()), postTargets: ['alerts-channel'] };
  const poller = createPoller({
    client: createMdcaClient({ apiUrl: fake.apiUrl, auth, clock: () => new Date(now()) }),
    store,
    record: (alert) => recordParsedAlert(ingest, alert),
    onRecorded: (outcome) => outcomes.push(outcome),
    holder,
    clock: () => new Date(now()),
    intervalMs: 60_000,
    random: () => 0,
    logger,
  });
  return { store, poller, outcomes };
}

const opened = (outcomes: AlertOutcome[]) => outcomes.filter((o) => o.decision.kind === 'open').length;

describe('which alerts', () => {
  it('keeps system alerts about app connectors, nothing else', () => {
    expect(isAppConnectorSystemAlert(connectorAlert('a', 1, 'Box', 'x'))).toBe(true);
    expect(isAppConnectorSystemAlert({ title: 'System alert app connector error' })).toBe(true);
    expect(isAppConnectorSystemAlert({ title: 'Impossible travel activity', isSystemAlert: false })).toBe(false);
    expect(isAppConnectorSystemAlert({ title: 'System alert SIEM agent disconnected', isSystemAlert: true })).toBe(false);
  });
});

describe('the poller', () => {
  it('picks new alerts up once across two instances, and keeps its cursor across a restart', async () => {
    let now = T0;
    fake.alerts.push(
      connectorAlert('a1', T0 - 50_000, 'Box', 'AuthFatalFailureException: BoxServerException: invalid_grant'),
      { _id: 'other', timestamp: T0 - 40_000, title: 'Impossible travel activity', resolutionStatusValue: 0 },
      connectorAlert('a2', T0 - 30_000, 'Okta', 'HttpRequestFailure: Server returned: 401 Unauthorized'),
    );
    const a = await instance('instance-a', () => now);
    const b = await instance('instance-b', () => now);
    const [sa, sb] = await Promise.all([a.poller.pollOnce(), b.poller.pollOnce()]);
    expect([sa.outcome, sb.outcome].sort()).toEqual(['not-leader', 'ok']);
    expect(opened(a.outcomes) + opened(b.outcomes)).toBe(2);
    const leader = sa.outcome === 'ok' ? a : b;
    const follower = leader === a ? b : a;

    // A new alert: the leader picks it up, once; the follower still does not poll.
    now += 60_000;
    fake.alerts.push(connectorAlert('a3', T0 + 20_000, 'Salesforce', 'INVALID_SESSION_ID: Session expired or invalid'));
    expect((await follower.poller.pollOnce()).outcome).toBe('not-leader');
    expect((await leader.poller.pollOnce()).recorded).toBe(1);
    expect((await leader.poller.pollOnce()).recorded).toBe(0);
    expect(opened([...a.outcomes, ...b.outcomes])).toBe(3);
    // It asked from where it had got to, not from the beginning.
    expect(JSON.parse(fake.requests.at(-2)!.body)).toMatchObject({ filters: { date: { gte: T0 + 20_000 } }, sortField: 'date', sortDirection: 'asc' });

    // Both instances stop (the leader gives its lease up); a new process starts on the same database.
    await a.poller.stop();
    await b.poller.stop();
    now += 60_000;
    fake.alerts.push(connectorAlert('a4', T0 + 90_000, 'Box', 'HTTP 500 Internal Server Error'));
    const c = await instance('instance-c', () => now);
    const sc = await c.poller.pollOnce();
    expect(sc.outcome).toBe('ok');
    expect(c.outcomes.map((o) => o.decision.kind)).toEqual(['open']);
  });

  it('a poll whose lease lapsed while it listed writes nothing: the instance that took over has fed those alerts', async () => {
    let now = T0;
    fake.alerts.push(connectorAlert('a1', T0 - 50_000, 'Box', 'AuthFatalFailureException: BoxServerException: invalid_grant'));
    const b = await instance('b', () => now);
    const store = await openStore(`sqlite:${join(dir, 'bot.db')}`);
    stores.push(store);
    const recorded: AlertOutcome[] = [];
    const real = createMdcaClient({ apiUrl: fake.apiUrl, auth: { kind: 'api-token', token: API_TOKEN }, clock: () => new Date(now) });
    let stalled = false;
    const ingest = { store, matcher, clock: () => new Date(now), postTargets: ['alerts-channel'] };
    const a = createPoller({
      client: {
        listAlerts: async (query) => {
          const answer = await real.listAlerts(query);
          if (!stalled) {
            // This listing was slow: the lease lapsed and b polled meanwhile.
            stalled = true;
            now += 10 * 60_000;
            expect((await b.poller.pollOnce()).outcome).toBe('ok');
          }
          return answer;
        },
      },
      store,
      record: (alert) => recordParsedAlert(ingest, alert),
      onRecorded: (outcome) => recorded.push(outcome),
      holder: 'a',
      clock: () => new Date(now),
      intervalMs: 60_000,
      random: () => 0,
      logger,
    });
    expect((await a.pollOnce()).outcome).toBe('not-leader');
    expect(opened(b.outcomes)).toBe(1);
    expect(recorded).toEqual([]);
    expect((await store.get(b.outcomes[0]!.incident.id))?.repeatCount).toBe(0);
  });

  it('clears the card of an alert resolved at the source', async () => {
    let now = T0;
    const alert = connectorAlert('r1', T0 - 10_000, 'Box', 'AuthFatalFailureException: BoxServerException: invalid_grant');
    fake.alerts.push(alert);
    const { poller, outcomes } = await instance('instance-a', () => now);
    await poller.pollOnce();
    now += 60_000;
    Object.assign(alert, { resolutionStatusValue: 2, resolvedAt: now - 5_000 });
    await poller.pollOnce();
    expect(outcomes.map((o) => o.decision.kind)).toEqual(['open', 'clear']);
    expect(outcomes[1]!.incident.state).toBe('resolved');
    // The next poll sees the same resolution in its overlap and does nothing with it.
    now += 60_000;
    await poller.pollOnce();
    expect(outcomes).toHaveLength(2);
  });

  it('backs off on 429 (honouring Retry-After) and on 401, longer each time, and recovers', async () => {
    const now = T0;
    fake.alerts.push(connectorAlert('t1', T0 - 1_000, 'Box', 'invalid_grant'));
    const { poller, outcomes } = await instance('instance-a', () => now);
    fake.failNext.push({ status: 429, retryAfter: '600' });
    expect(await poller.pollOnce()).toMatchObject({ outcome: 'throttled', nextDelayMs: 600_000 });
    fake.failNext.push({ status: 401 }, { status: 401 });
    const first = await poller.pollOnce();
    const second = await poller.pollOnce();
    expect(first.outcome).toBe('unauthorized');
    expect(second.nextDelayMs).toBeGreaterThan(first.nextDelayMs);
    expect(first.nextDelayMs).toBeGreaterThanOrEqual(60_000);
    fake.failNext.push({ status: 503 });
    expect((await poller.pollOnce()).outcome).toBe('failed');
    expect(await poller.pollOnce()).toMatchObject({ outcome: 'ok', nextDelayMs: 60_000, recorded: 1 });
    expect(outcomes).toHaveLength(1);
    expect(logText).not.toContain(API_TOKEN);
  });

  it('uses an Entra app through MSAL: a bearer token, a fresh one after a 401, and no credential in the logs', async () => {
    const now = T0;
    fake.alerts.push(connectorAlert('e1', T0 - 1_000, 'Box', 'invalid_grant'));
    const tokens = createEntraTokenSource(
      { tenantId: 'tenant-fake', clientId: 'client-fake', clientSecret: CLIENT_SECRET, authorityHost: fake.authorityHost },
      { networkClient: fake.networkClient },
    );
    const { poller, outcomes } = await instance('instance-a', () => now, { kind: 'bearer', tokens });
    expect((await poller.pollOnce()).outcome).toBe('ok');
    expect(outcomes).toHaveLength(1);
    expect(fake.requests.every((r) => /^Bearer fake-access-token-\d+$/.test(String(r.headers.authorization)))).toBe(true);
    const form = new URLSearchParams(fake.tokenRequests[0]!.body);
    expect(form.get('scope')).toContain('05a65629-4c1b-48c1-a78b-804c4abdd4af/.default');
    // The API stops taking the cached token: one fresh token, and the poll goes on.
    fake.revokeTokens();
    const before = fake.tokenRequests.length;
    expect((await poller.pollOnce()).outcome).toBe('ok');
    expect(fake.tokenRequests.length).toBe(before + 1);
    expect(logText).not.toContain(CLIENT_SECRET);
    expect(logText).not.toContain('fake-access-token');
  });

  it('says "unauthorized" for a wrong client secret, without the secret or what Entra said', async () => {
    const tokens = createEntraTokenSource({ tenantId: 'tenant-fake', clientId: 'client-fake', clientSecret: 'wrong-secret-canary-xyz', authorityHost: fake.authorityHost }, { networkClient: fake.networkClient });
    const { poller } = await instance('instance-a', () => T0, { kind: 'bearer', tokens });
    expect((await poller.pollOnce()).outcome).toBe('unauthorized');
    expect(fake.requests).toHaveLength(0);
    expect(logText).not.toContain('wrong-secret-canary');
    expect(logText).not.toContain('AADSTS7000215');
  });
});
