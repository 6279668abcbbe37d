// The poller inside the real bot (start(), local mode, SQLite in memory): configured with an Entra
// app registration against the loopback fakes of the Defender for Cloud Apps API and of Entra, with
// no ALERTS_TOKEN at all, a new app connector alert becomes a thread in the alerts channel, and
// neither the client secret nor a token appears in the logs or /metrics.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { start } from '../../src/index.js';
import { createLogger } from '../../src/log.js';
import { connectorAlert, startMdcaFake, type MdcaFake } from '../helpers/mdca-fake.js';
import { startTeamsStandIn, type TeamsStandIn } from '../helpers/teams-standin.js';
import { eventually, shown } from '../incidents/fixtures/bot-http.js';

const SECRET = 'Zq9~botPollerClientSecretCanary0123456789';
const CHANNEL = '19:alerts-poll@thread.tacv2';
let fake: MdcaFake;
let teams: TeamsStandIn;
let running: Awaited<ReturnType<typeof start>>;
let logText = '';

beforeAll(async () => {
  fake = await startMdcaFake({ tenantId: 'tenant-fake', clientId: 'client-fake', clientSecret: SECRET });
  fake.alerts.push(connectorAlert('bot-1', Date.now() - 60_000, 'Box', 'AuthFatalFailureException: com.box.boxjavalibv2.exceptions.BoxServerException: invalid_grant'));
  teams = await startTeamsStandIn();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: 'sqlite::memory:',
    LOG_LEVEL: 'trace',
    MDCA_API_URL: fake.apiUrl,
    MDCA_TENANT_ID: 'tenant-fake',
    MDCA_CLIENT_ID: 'client-fake',
    MDCA_CLIENT_SECRET: SECRET,
    MDCA_AUTHORITY_HOST: fake.authorityHost,
    MDCA_POLL_INTERVAL_SECONDS: '1',
    ALERTS_CHANNEL_ID: CHANNEL,
    ALERTS_SERVICE_URL: teams.serviceUrl,
  });
  const logger = createLogger(config.logLevel, new Writable({ write(chunk: Buffer, _e, done) { logText += chunk.toString(); done(); } }));
  running = await start(config, logger, { entraNetworkClient: fake.networkClient });
});
afterAll(async () => {
  await running?.stop();
  await teams?.close();
  await fake?.close();
});

describe('the bot polling Defender for Cloud Apps', () => {
  it('posts a new connector alert as a thread in the alerts channel, with no credential in its logs or metrics', async () => {
    const thread = await teams.next((c) => c.path === '/v3/conversations', 20_000);
    const card = (thread.body.activity as { attachments: { content: unknown }[] }).attachments[0]!.content;
    expect(shown(card)).toContain('Box connector: ');
    expect(shown(card)).toContain('⚐ Alert from Defender for Cloud Apps: System alert app connector error');
    expect(thread.body).toMatchObject({ channelData: { channel: { id: CHANNEL } } });
    const metrics = await (await fetch(`http://127.0.0.1:${running.port}/metrics`)).text();
    expect(metrics).toMatch(/connector_doctor_alert_polls_total\{outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/connector_doctor_alerts_received_total\{source="mdca"\} 1/);
    // Further polls post nothing new.
    await eventually('another poll', async () => /connector_doctor_alert_polls_total\{outcome="ok"\} ([3-9]|\d\d)/.test(await (await fetch(`http://127.0.0.1:${running.port}/metrics`)).text()));
    expect(teams.calls.filter((c) => c.path === '/v3/conversations')).toHaveLength(1);
    // Without ALERTS_TOKEN the endpoint does not exist; the poller does not need it.
    expect((await fetch(`http://127.0.0.1:${running.port}/api/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
    for (const text of [logText, metrics]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('fake-access-token');
    }
    expect(logText).toContain('polling Defender for Cloud Apps for app connector alerts');
  });
});
