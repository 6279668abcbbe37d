// An alert accepted and then the bot killed with SIGKILL before its card reached Teams: the real
// bot (src/index.ts) in a child process on an SQLite file, Teams answering 503; after a restart on
// the same file, with Teams back, the card is posted once, and the same alert again posts nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { post } from '../helpers/running-bot.js';
import { startTeamsStandIn, type TeamsStandIn } from '../helpers/teams-standin.js';
import { spawnBot, type BotProcess } from '../incidents/fixtures/bot-http.js';

const TOKEN = 'crash-test-alerts-token-0123456789abcdef';
const CHANNEL = '19:alerts-crash@thread.tacv2';
const bots: BotProcess[] = [];
let teams: TeamsStandIn | undefined;
let dir: string | undefined;

afterEach(async () => {
  for (const bot of bots.splice(0)) await bot.kill9();
  await teams?.close();
  teams = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const ALERT = { id: 'mdca-9f1', title: 'System alert app connector error', description: 'Box: AuthFatalFailureException: com.box.boxjavalibv2.exceptions.BoxServerException: invalid_grant', app: 'Box' };

describe('kill -9 between accepting an alert and posting its card', () => {
  it('posts the card after the restart, once', { timeout: 120_000 }, async () => {
    dir = mkdtempSync(join(tmpdir(), 'cd-alert-crash-'));
    teams = await startTeamsStandIn();
    teams.refuseWith = 503;
    const env = {
      DATABASE_URL: `sqlite:${join(dir, 'bot.db')}`,
      ALERTS_TOKEN: TOKEN,
      ALERTS_CHANNEL_ID: CHANNEL,
      ALERTS_SERVICE_URL: teams.serviceUrl,
      ESCALATION_RETRY_BASE_MS: '1000',
      ESCALATION_RETRY_MAX_MS: '2000',
    };
    const first = await spawnBot(env);
    bots.push(first);
    const accepted = await post(`${first.url}/api/alerts`, ALERT, { authorization: `Bearer ${TOKEN}` });
    expect(accepted.status).toBe(202);
    const { incidentId } = accepted.json() as { incidentId: string };
    // Teams refused the post and a retry is scheduled: now the bot dies without any shutdown.
    await first.waitForLog(/will retry/);
    await first.kill9();
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(teams.calls.filter((c) => c.path === '/v3/conversations')).toHaveLength(0);

    teams.refuseWith = undefined;
    const second = await spawnBot(env);
    bots.push(second);
    await second.waitForLog(/escalation delivered/);
    const posted = teams.calls.filter((c) => c.path === '/v3/conversations');
    expect(posted).toHaveLength(1);
    expect(JSON.stringify(posted[0]!.body)).toContain(incidentId);

    // The same alert once more: counted on its card, no second thread.
    const again = await post(`${second.url}/api/alerts`, ALERT, { authorization: `Bearer ${TOKEN}` });
    expect(again.json()).toMatchObject({ incidentId, outcome: 'repeated' });
    await teams.next((c) => c.method === 'PUT' && c.conversationId === `${CHANNEL};messageid=${posted[0]!.activityId}`);
    expect(teams.calls.filter((c) => c.path === '/v3/conversations')).toHaveLength(1);
  });
});
