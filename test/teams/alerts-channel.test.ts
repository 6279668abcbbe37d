// The alerts-channel sink as the outbox uses it: with no channel it waits without using up an
// attempt, it starts a thread once, and a card Teams already accepted is updated, never posted twice.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decideAlert, dedupeKeyOf } from '../../src/alerts/dedupe.js';
import { loadConfig } from '../../src/config.js';
import { openStore } from '../../src/incidents/index.js';
import type { IncidentStore, NewAlert, OutboxMessage } from '../../src/incidents/types.js';
import { createLogger } from '../../src/log.js';
import { createAdapter } from '../../src/teams/adapter.js';
import { ALERTS_CHANNEL_TARGET, createAlertsChannelSink } from '../../src/teams/alerts-channel.js';
import { createBotFrameworkAuthentication } from '../../src/teams/auth.js';
import { realMatcher } from '../helpers/bot-harness.js';
import { startTeamsStandIn, type TeamsStandIn } from '../helpers/teams-standin.js';

const logger = createLogger('silent');
const at = new Date('2026-12-01T10:30:00Z');
const CHANNEL = '19:alerts@thread.tacv2';
let store: IncidentStore;
let teams: TeamsStandIn | undefined;

beforeEach(async () => {
  store = await openStore('sqlite::memory:');
});
afterEach(async () => {
  await store.close();
  await teams?.close();
  teams = undefined;
});

const alert: NewAlert = {
  sourceKey: 'generic:okta-1',
  dedupeKey: dedupeKeyOf('okta', 'match', ['okta-401'], 'x'),
  status: 'active',
  origin: { source: 'generic', sourceName: 'the sender', title: 'Okta connector failed' },
  reporter: { id: 'alert-source:generic', name: 'the sender' },
  excerpt: 'HttpRequestFailure: Server returned: 401 Unauthorized',
  verdict: 'match',
  entryIds: ['okta-401'],
  appId: 'okta',
  at,
};

function sinkFor(configured?: { channelId: string; serviceUrl?: string }) {
  const adapter = createAdapter({ auth: createBotFrameworkAuthentication(loadConfig({}).botFramework), logger });
  return createAlertsChannelSink({ adapter, botAppId: '', store, matcher: realMatcher(), logger, ...(configured ? { configured } : {}) });
}

async function queuedPost(): Promise<OutboxMessage> {
  await store.recordAlert(alert, decideAlert, [ALERTS_CHANNEL_TARGET]);
  const [message] = await store.claimDue(at, 10, 60_000, [ALERTS_CHANNEL_TARGET]);
  return message!;
}

describe('alerts channel sink', () => {
  it('with no alerts channel: waits a minute and says nothing was attempted (so it is never dead-lettered for it)', async () => {
    const message = await queuedPost();
    expect(await sinkFor().deliver(message)).toEqual({ ok: false, retryable: true, retryAfterMs: 60_000, error: 'no alerts channel is set', notAttempted: true });
  });

  it('a card Teams already accepted (its thread recorded) is updated in place on the next attempt, never posted twice', async () => {
    teams = await startTeamsStandIn();
    const sink = sinkFor({ channelId: CHANNEL, serviceUrl: teams.serviceUrl });
    const message = await queuedPost();
    expect(await sink.deliver(message)).toEqual({ ok: true });
    const created = teams.calls.filter((c) => c.method === 'POST' && c.path === '/v3/conversations');
    expect(created).toHaveLength(1);
    // The outbox did not hear of it (the worker died): the same message is attempted again.
    await store.recordAlert({ ...alert, at: new Date(at.getTime() + 60_000) }, decideAlert, [ALERTS_CHANNEL_TARGET]);
    expect(await sink.deliver({ ...message, attempts: 2 })).toEqual({ ok: true });
    expect(teams.calls.filter((c) => c.method === 'POST' && c.path === '/v3/conversations')).toHaveLength(1);
    const update = await teams.next((c) => c.method === 'PUT' && c.activityId === created[0]!.activityId);
    expect(JSON.stringify(update.body)).toContain('Seen 2 times');
  });

  it("Teams throttling the post (429 with Retry-After): the outbox is told to wait as long as Teams asked", async () => {
    teams = await startTeamsStandIn();
    teams.refuseWith = 429;
    // Short: the Bot Framework client itself first retries a 429 three times after its Retry-After.
    teams.refuseRetryAfter = '1';
    const result = await sinkFor({ channelId: CHANNEL, serviceUrl: teams.serviceUrl }).deliver(await queuedPost());
    expect(result).toEqual({ ok: false, retryable: true, retryAfterMs: 1_000, error: 'Teams answered 429' });
  });
});
