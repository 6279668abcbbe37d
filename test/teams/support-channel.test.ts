// The Teams support-channel sink as the outbox uses it: posts the escalation card in the stored
// channel, and tells the outbox whether a failure is worth retrying.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openStore } from '../../src/incidents/index.js';
import type { IncidentStore, OutboxMessage } from '../../src/incidents/types.js';
import { createLogger } from '../../src/log.js';
import { createAdapter } from '../../src/teams/adapter.js';
import { createBotFrameworkAuthentication } from '../../src/teams/auth.js';
import { SUPPORT_CHANNEL_SETTING, createSupportChannelSink, refreshIncidentCard } from '../../src/teams/support-channel.js';
import { actionsOf, readingInUtc, unescapeDisplay, visibleText } from '../helpers/adaptive-card-schema.js';
import { realMatcher } from '../helpers/bot-harness.js';
import { startTeamsStandIn, type TeamsStandIn } from '../helpers/teams-standin.js';

const logger = createLogger('silent');
const at = new Date('2026-12-01T10:30:00Z');
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

async function escalatedIncident(serviceUrl: string, excerpt = 'Service timeout') {
  const { incident } = await store.openOrRepeat({
    conversationId: 'a:ada', serviceUrl, reporter: { id: '29:ada', name: 'Ada Ops' },
    excerpt, verdict: 'match', entryIds: ['all-apps-service-timeout'], appId: 'all-apps', at,
  });
  await store.attachCard(incident.id, 'card-1');
  await store.apply(
    { incidentId: incident.id, conversationId: 'a:ada', actor: { id: '29:bob', name: 'Bob Desk' }, action: { kind: 'escalate', note: 'customer waiting' }, at },
    ['teams-channel'],
    () => ({ kind: 'test' }),
  );
  return incident.id;
}

function sinkFor() {
  const adapter = createAdapter({ auth: createBotFrameworkAuthentication(loadConfig({}).botFramework), logger });
  const deps = { adapter, botAppId: '', store, matcher: realMatcher(), logger };
  return { deps, sink: createSupportChannelSink(deps) };
}

const message = (incidentId: string): OutboxMessage => ({
  id: 'm1', incidentId, target: 'teams-channel', idempotencyKey: 'k1', payload: {}, attempts: 1, nextAttemptAt: at,
});

describe('support channel sink', () => {
  it('posts the escalation card, with who escalated and their note, in the stored channel', async () => {
    teams = await startTeamsStandIn();
    await store.putSetting(SUPPORT_CHANNEL_SETTING, { channelId: 'msteams', serviceUrl: teams.serviceUrl, conversation: { id: '19:support@thread.tacv2', isGroup: true, conversationType: 'channel' } });
    const incidentId = await escalatedIncident(teams.serviceUrl);
    const { sink } = sinkFor();
    expect(await sink.deliver(message(incidentId))).toEqual({ ok: true });
    const posted = await teams.next((c) => c.method === 'POST');
    expect(posted.conversationId).toBe('19:support@thread.tacv2');
    const card = (posted.body as { attachments: { content: unknown }[] }).attachments[0]!.content;
    const shown = readingInUtc(unescapeDisplay(visibleText(card)));
    expect(shown.split('\n')[0]).toBe('Escalated: Service timeout (an error any connector can show)');
    expect(shown).toContain('Escalated by Bob Desk, 2026-12-01 10:30 UTC');
    expect(shown).toContain('Note: customer waiting');
    expect(actionsOf(card).map((a) => a.verb).filter(Boolean)).toEqual(['support-acknowledge', 'support-take']);
  });

  it('remembers where it posted, so support\'s buttons there are accepted and the post can be updated', async () => {
    teams = await startTeamsStandIn();
    await store.putSetting(SUPPORT_CHANNEL_SETTING, { channelId: 'msteams', serviceUrl: teams.serviceUrl, conversation: { id: '19:support@thread.tacv2', isGroup: true, conversationType: 'channel' } });
    const incidentId = await escalatedIncident(teams.serviceUrl);
    expect(await sinkFor().sink.deliver(message(incidentId))).toEqual({ ok: true });
    const posted = await teams.next((c) => c.method === 'POST');
    const postId = 'posted-1';
    expect(posted.conversationId).toBe('19:support@thread.tacv2');
    const recorded = (await store.events(incidentId)).at(-1);
    expect(recorded).toMatchObject({ kind: 'support-posted', actor: { name: 'Connector Doctor' } });
    expect(JSON.parse(recorded!.detail!)).toEqual({ conversationId: `19:support@thread.tacv2;messageid=${postId}`, activityId: postId, serviceUrl: teams.serviceUrl });
  });

  it('an error any app can show is posted under the app the paste names', async () => {
    teams = await startTeamsStandIn();
    await store.putSetting(SUPPORT_CHANNEL_SETTING, { channelId: 'msteams', serviceUrl: teams.serviceUrl, conversation: { id: '19:support@thread.tacv2', isGroup: true, conversationType: 'channel' } });
    const incidentId = await escalatedIncident(teams.serviceUrl, 'Salesforce connector: Service timeout');
    expect(await sinkFor().sink.deliver(message(incidentId))).toEqual({ ok: true });
    const posted = await teams.next((c) => c.method === 'POST');
    const shown = unescapeDisplay(visibleText((posted.body as { attachments: { content: unknown }[] }).attachments[0]!.content));
    expect(shown.split('\n')[0]).toBe('Escalated: Salesforce: Service timeout');
    expect(shown).not.toContain('Any app');
  });

  it('without a support channel, asks the outbox to retry later', async () => {
    const incidentId = await escalatedIncident('http://127.0.0.1:9/');
    const result = await sinkFor().sink.deliver(message(incidentId));
    expect(result).toMatchObject({ ok: false, retryable: true });
  });

  it('a refusal from Teams (403: bot removed from the team) is not retried', async () => {
    teams = await startTeamsStandIn({ alwaysAnswer: 403 });
    await store.putSetting(SUPPORT_CHANNEL_SETTING, { channelId: 'msteams', serviceUrl: teams.serviceUrl, conversation: { id: '19:support@thread.tacv2', isGroup: true, conversationType: 'channel' } });
    const incidentId = await escalatedIncident(teams.serviceUrl);
    const result = await sinkFor().sink.deliver(message(incidentId));
    expect(result).toEqual({ ok: false, retryable: false, error: 'Teams answered 403' });
  });

  it('Teams throttling the post (429 with Retry-After): the outbox is told to wait as long as Teams asked, as for alert cards', async () => {
    teams = await startTeamsStandIn();
    teams.refuseWith = 429;
    // Short: the Bot Framework client itself first retries a 429 three times after its Retry-After.
    teams.refuseRetryAfter = '1';
    await store.putSetting(SUPPORT_CHANNEL_SETTING, { channelId: 'msteams', serviceUrl: teams.serviceUrl, conversation: { id: '19:support@thread.tacv2', isGroup: true, conversationType: 'channel' } });
    const incidentId = await escalatedIncident(teams.serviceUrl);
    const result = await sinkFor().sink.deliver(message(incidentId));
    expect(result).toEqual({ ok: false, retryable: true, retryAfterMs: 1_000, error: 'Teams answered 429' });
  });

  it('a refresh that Teams refuses reports failure instead of pretending', async () => {
    teams = await startTeamsStandIn({ alwaysAnswer: 404 });
    const incidentId = await escalatedIncident(teams.serviceUrl);
    expect(await refreshIncidentCard(sinkFor().deps, incidentId)).toBe(false);
  });

  it('refreshIncidentCard replaces the posted card with the current state', async () => {
    teams = await startTeamsStandIn();
    const incidentId = await escalatedIncident(teams.serviceUrl);
    const { deps } = sinkFor();
    expect(await refreshIncidentCard(deps, incidentId)).toBe(true);
    const put = await teams.next((c) => c.method === 'PUT');
    expect(put.activityId).toBe('card-1');
    expect(put.conversationId).toBe('a:ada');
    expect(visibleText((put.body as { attachments: { content: unknown }[] }).attachments[0]!.content)).toContain('✉ Escalated to support by Bob Desk');
  });
});
