// The HTTP edge as a web page or a neighbour on the network would meet it: only JSON activities
// are read (a plain HTML form cannot post into a local-mode bot), and a bot without credentials
// listens on this machine only unless HOST says otherwise.
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { failOnLoggedErrors } from '../helpers/logged-errors.js';
import { post, startApp, type RunningApp } from '../helpers/running-bot.js';
import { eventually, spawnBot, type BotProcess } from '../incidents/fixtures/bot-http.js';

const activity = {
  type: 'message',
  text: 'help',
  from: { id: '29:web', name: 'A web page' },
  recipient: { id: '28:bot', name: 'bot' },
  conversation: { id: 'a:web-form' },
  serviceUrl: 'http://127.0.0.1:9/',
  channelId: 'msteams',
  deliveryMode: 'expectReplies',
};

describe('only application/json activities are read', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app.stop();
  });
  failOnLoggedErrors(() => app);

  it('a form post (what any web page can send) is refused with 415 and reaches no handler', async () => {
    const form = new URLSearchParams({ type: 'message', text: 'help', 'conversation[id]': 'a:web-form', serviceUrl: 'http://127.0.0.1:9/', deliveryMode: 'expectReplies' });
    const res = await post(`${app.url}/api/messages`, form.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect(res.json()).toEqual({ code: 'UnsupportedMediaType', message: 'Send the activity as application/json.' });
    expect(app.logs()).not.toMatch(/"activityType"/);
  });

  it.each([
    ['text/plain', 'hello bot'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="type"\r\n\r\nmessage\r\n--x--'],
    ['application/json-patch', JSON.stringify(activity)],
  ])('%s is refused with 415', async (type, body) => {
    expect((await post(`${app.url}/api/messages`, body, { 'content-type': type })).status).toBe(415);
  });

  it('a body without Content-Type is refused with 415', async () => {
    const res = await fetch(`${app.url}/api/messages`, { method: 'POST', body: new Blob([JSON.stringify(activity)]) });
    expect(res.status).toBe(415);
  });

  it('the same activity as application/json (charset too) is answered', async () => {
    const res = await post(`${app.url}/api/messages`, activity, { 'content-type': 'application/json; charset=utf-8' });
    expect(res.status).toBe(200);
  });
});

describe('where a bot without credentials listens', () => {
  it('HOST unset: 127.0.0.1 in local mode, every interface once credentials are set; HOST wins when given', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'pw' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  let bot: BotProcess;
  beforeAll(async () => {
    // No HOST at all, as `npm start` on a laptop.
    bot = await spawnBot({ HOST: '', DATABASE_URL: 'sqlite::memory:' });
  });
  afterAll(async () => {
    await bot?.stop();
  });

  it('the real process binds 127.0.0.1 only, and says where in its log line and a plain banner', async () => {
    const line = await bot.waitForLog(/listening on/);
    expect(line.host).toBe('127.0.0.1');
    expect(String(line.msg)).toBe(`Connector Doctor listening on http://127.0.0.1:${String(line.port)}/api/messages`);
    const banner = `Connector Doctor is listening on http://127.0.0.1:${String(line.port)}/api/messages (on 127.0.0.1 only; LOCAL MODE, no authentication)`;
    expect(await eventually('the banner', () => bot.stderr().includes(banner))).toBe(true);
    expect((await fetch(`http://127.0.0.1:${String(line.port)}/healthz`)).status).toBe(200);
    // Any other address of this machine is refused.
    const other = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    const elsewhere = other ?? '127.0.0.2';
    const refused = await fetch(`http://${elsewhere}:${String(line.port)}/healthz`, { signal: AbortSignal.timeout(3000) }).then(
      () => 'answered',
      (error: Error) => (error.cause as { code?: string } | undefined)?.code ?? error.name,
    );
    expect(refused).toBe('ECONNREFUSED');
  });
});
