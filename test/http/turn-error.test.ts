// When something breaks inside a turn (here: the database), the person who pasted gets a short
// apology and the button presser a clean error; the log keeps the activity id and the cause.
// The real adapter, bot and server, with a store that fails.
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/incidents/index.js';
import type { IncidentStore } from '../../src/incidents/types.js';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics.js';
import { createServer } from '../../src/server.js';
import { APOLOGY, configurationAuthentication, createAdapter, createMessageEndpoint } from '../../src/teams/adapter.js';
import { ConnectorDoctorBot } from '../../src/teams/bot.js';
import { fixedClock, realMatcher } from '../helpers/bot-harness.js';
import { post } from '../helpers/running-bot.js';

const INTERNAL = 'SQLITE_CORRUPT: database disk image is malformed (/var/lib/connector-doctor/db.sqlite)';

let url = '';
let logText = '';
let close: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  const real = await openStore('sqlite::memory:');
  const broken: IncidentStore = Object.assign(Object.create(real) as IncidentStore, {
    openOrRepeat: () => Promise.reject(new Error(INTERNAL)),
    get: () => Promise.reject(new Error(INTERNAL)),
  });
  const logger = createLogger('info', new Writable({ write(chunk: Buffer, _e, done) { logText += chunk.toString(); done(); } }));
  const metrics = createMetrics({ outboxCounts: () => real.outboxCounts() });
  const adapter = createAdapter({ auth: configurationAuthentication({}), logger });
  const bot = new ConnectorDoctorBot({
    store: broken, matcher: realMatcher(), metrics, logger, clock: fixedClock(),
    escalation: { targets: async () => [], buildPayload: () => ({}) },
  });
  const server = createServer({ messages: createMessageEndpoint({ adapter, bot, metrics }), readiness: {}, metrics, logger });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  close = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await real.close();
  };
});
afterAll(() => close());

const base = {
  channelId: 'msteams',
  deliveryMode: 'expectReplies',
  from: { id: '29:ada', name: 'Ada Ops' },
  conversation: { id: 'a:personal-ada', conversationType: 'personal' },
  recipient: { id: '28:connector-doctor', name: 'Connector Doctor' },
};

describe('a turn that fails inside', () => {
  it('a paste gets a short apology with nothing internal; the log has the activity id and the cause', async () => {
    const res = await post(url, { ...base, type: 'message', id: 'paste-broken-1', text: 'BoxServerException: Unauthorized - Cannot authorize with this service' });
    expect(res.status).toBe(200);
    const { activities } = res.json() as { activities: { text?: string; attachments?: unknown[] }[] };
    expect(activities.map((a) => a.text)).toEqual([APOLOGY]);
    expect(res.text).not.toMatch(/SQLITE|malformed|\/var\/lib|stack/i);
    expect(logText).toContain('paste-broken-1');
    expect(logText).toContain('SQLITE_CORRUPT');
  });

  it('a button press gets an error answer Teams can show, with nothing internal', async () => {
    // Teams sends invokes without expectReplies: the answer is the HTTP response itself.
    const res = await post(url, {
      ...base,
      deliveryMode: undefined,
      serviceUrl: 'http://127.0.0.1:9/',
      type: 'invoke',
      name: 'adaptiveCard/action',
      id: 'press-broken-1',
      value: { action: { type: 'Action.Execute', verb: 'resolve', data: { verb: 'resolve', incidentId: 'inc-1' } } },
    });
    expect(res.status).toBe(500);
    expect(res.json()).toEqual({
      statusCode: 500,
      type: 'application/vnd.microsoft.error',
      value: { code: 'InternalError', message: 'Something went wrong on my side. Please try again in a moment.' },
    });
    expect(logText).toContain('press-broken-1');
  });
});
