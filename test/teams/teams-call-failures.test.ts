// A call to Teams that fails without an HTTP status (the network, or a bug in the bot) is retried
// by the outbox like an unreachable Teams, and the log says which it was: the incident and outbox
// ids with the error's name and code, never its message.
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/incidents/index.js';
import type { IncidentStore, OutboxMessage } from '../../src/incidents/types.js';
import { createLogger } from '../../src/log.js';
import { createAlertsChannelSink } from '../../src/teams/alerts-channel.js';
import { SUPPORT_CHANNEL_SETTING, createSupportChannelSink, refreshIncidentCard } from '../../src/teams/support-channel.js';
import { realMatcher } from '../helpers/bot-harness.js';

const at = new Date('2026-12-01T10:30:00Z');
let store: IncidentStore;
let logText = '';
const logger = createLogger('info', new Writable({ write(chunk: Buffer, _e, done) { logText += chunk.toString(); done(); } }));
const lines = () => logText.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

beforeEach(async () => {
  store = await openStore('sqlite::memory:');
  logText = '';
});
afterEach(async () => {
  await store.close();
});

/** An adapter whose proactive turns throw what is given, as a bug or a dropped socket would. */
const throwingAdapter = (error: unknown) => ({ continueConversationAsync: () => Promise.reject(error) });

async function escalatedIncident(posted = true): Promise<string> {
  const { incident } = await store.openOrRepeat({
    conversationId: 'a:ada', serviceUrl: 'http://127.0.0.1:9/', reporter: { id: '29:ada', name: 'Ada Ops' },
    excerpt: 'Service timeout', verdict: 'match', entryIds: ['all-apps-service-timeout'], appId: 'all-apps', at,
  });
  if (posted) await store.attachCard(incident.id, 'card-1');
  return incident.id;
}

const message = (incidentId: string): OutboxMessage => ({ id: 'outbox-1', incidentId, target: 'teams-channel', idempotencyKey: 'k1', payload: {}, attempts: 1, nextAttemptAt: at });

describe('a call to Teams that throws without a status', () => {
  beforeEach(async () => {
    await store.putSetting(SUPPORT_CHANNEL_SETTING, { channelId: 'msteams', serviceUrl: 'http://127.0.0.1:9/', conversation: { id: '19:support@thread.tacv2', isGroup: true, conversationType: 'channel' } });
  });

  it('posting to the support channel: retried, and logged with the ids and the error name, not its text', async () => {
    const incidentId = await escalatedIncident();
    const sink = createSupportChannelSink({ adapter: throwingAdapter(new TypeError('card.body is not iterable: Service timeout')), botAppId: '', store, matcher: realMatcher(), logger });
    expect(await sink.deliver(message(incidentId))).toEqual({ ok: false, retryable: true, error: 'Teams could not be reached' });
    expect(lines().find((l) => l.msg === 'could not post to the support channel')).toMatchObject({ incidentId, outboxId: 'outbox-1', err: 'TypeError' });
    expect(logText).not.toContain('not iterable');
  });

  it('refreshing a card: logged with the incident id, the error name and its code', async () => {
    const incidentId = await escalatedIncident();
    const dropped = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const refreshed = await refreshIncidentCard({ adapter: throwingAdapter(dropped), botAppId: '', store, matcher: realMatcher(), logger }, incidentId);
    expect(refreshed).toBe(false);
    expect(lines().find((l) => l.msg === 'could not refresh the incident card')).toMatchObject({ incidentId, err: 'Error', code: 'ECONNRESET' });
    expect(logText).not.toContain('socket hang up');
  });

  it('posting an alert card in the alerts channel: retried, and logged with the ids and the error name', async () => {
    // Not posted yet: the sink starts the alert's thread.
    const incidentId = await escalatedIncident(false);
    const adapter = { createConversationAsync: () => Promise.reject(new TypeError('cannot read properties of undefined')), continueConversationAsync: () => Promise.resolve() };
    const sink = createAlertsChannelSink({ adapter, botAppId: '', store, matcher: realMatcher(), logger, configured: { channelId: '19:alerts@thread.tacv2', serviceUrl: 'http://127.0.0.1:9/' } });
    expect(await sink.deliver({ ...message(incidentId), target: 'alerts-channel' })).toEqual({ ok: false, retryable: true, error: 'Teams could not be reached' });
    expect(lines().find((l) => l.msg === 'could not post to the alerts channel')).toMatchObject({ incidentId, outboxId: 'outbox-1', err: 'TypeError' });
    expect(logText).not.toContain('cannot read properties');
  });
});
