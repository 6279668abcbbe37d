// Heavy pastes must not starve everyone else: 100 people paste 64 KB each at once; while those
// are still being matched (in the worker threads), a button press and /healthz are answered.
// The proof is the order of answers, not a duration. Pastes past the queue bound are answered at
// once with "busy, try again in a minute" instead of waiting without end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSY_MESSAGE } from '../../src/diagnosis/pool.js';
import { actionsOf } from '../helpers/adaptive-card-schema.js';
import { post, startApp, type RunningApp } from '../helpers/running-bot.js';
import { BOX_PASTE, press, shown, type Card } from '../incidents/fixtures/bot-http.js';
import { failOnLoggedErrors } from '../helpers/logged-errors.js';

const SENDERS = 100;

/** 64 KB of log lines with one connector error in the middle, as people paste from a log viewer. */
function heavyPaste(n: number): string {
  const line = (i: number) => `2026-11-30T10:${String(i % 60).padStart(2, '0')}:00Z INFO sync worker-${n} processed batch ${i} of tenant contoso in ${i % 97} ms\n`;
  let text = '';
  for (let i = 0; text.length < 32 * 1024; i++) text += line(i);
  text += `${BOX_PASTE}\n`;
  for (let i = 0; text.length < 64 * 1024 - 200; i++) text += line(i + 1000);
  return text;
}

function message(text: string, who: string) {
  return {
    type: 'message',
    id: `m-${who}`,
    channelId: 'msteams',
    text,
    from: { id: `29:${who}`, name: who },
    recipient: { id: '28:bot', name: 'Connector Doctor' },
    conversation: { id: `a:${who}`, conversationType: 'personal', tenantId: 'tenant-load' },
    serviceUrl: 'http://127.0.0.1:9/',
    deliveryMode: 'expectReplies',
  };
}

type Activities = { activities: { text?: string; attachments?: { content: Card }[] }[] };

let app: RunningApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});
failOnLoggedErrors(() => app);

describe('100 senders pasting 64 KB at once', () => {
  it('a press and /healthz are answered while heavy pastes are still in flight; the overflow is told to come back', async () => {
    // A card to press, from before the flood.
    const first = (await post(`${app.url}/api/messages`, message(BOX_PASTE, 'presser'))).json() as Activities;
    const card = first.activities.flatMap((a) => a.attachments ?? [])[0]!.content;
    const data = actionsOf(card).find((a) => a.verb === 'resolve')!.data as Record<string, unknown>;

    const order: string[] = [];
    const pastes = Array.from({ length: SENDERS }, (_, i) =>
      post(`${app.url}/api/messages`, message(heavyPaste(i), `heavy-${i}`)).then((res) => {
        order.push('paste');
        return res;
      }),
    );
    // Wait until the threads are busy with the flood before asking anything else.
    for (let i = 0; i < 200; i++) {
      const metrics = await (await fetch(`${app.url}/metrics`)).text();
      if (/connector_doctor_diagnosis_queue\{state="running"\} [1-9]/.test(metrics)) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const health = fetch(`${app.url}/healthz`).then((res) => {
      order.push('healthz');
      return res.status;
    });
    const pressed = press(app.url, 'resolve', data, { conversationId: 'a:presser' }).then((answer) => {
      order.push('press');
      return answer;
    });
    expect(await health).toBe(200);
    const answer = await pressed;
    expect(shown(answer.card)).toMatch(/Resolved by/);

    const results = await Promise.all(pastes);
    // Both were answered before the last heavy paste was.
    expect(order.indexOf('healthz')).toBeLessThan(order.lastIndexOf('paste'));
    expect(order.indexOf('press')).toBeLessThan(order.lastIndexOf('paste'));
    expect(order.filter((o) => o === 'paste')).toHaveLength(SENDERS);

    // Everyone got an answer: a card, or (past the queue bound) "busy, try again in a minute".
    const kinds = results.map((res) => {
      expect(res.status).toBe(200);
      const { activities } = res.json() as Activities;
      if (activities.some((a) => a.attachments?.length)) return 'card';
      return activities.map((a) => a.text).join(' ');
    });
    expect(kinds.filter((k) => k === 'card').length).toBeGreaterThan(0);
    expect(kinds.every((k) => k === 'card' || k === BUSY_MESSAGE)).toBe(true);
    expect(kinds.filter((k) => k === BUSY_MESSAGE).length).toBeGreaterThan(0);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^connector_doctor_busy_refusals_total ${kinds.filter((k) => k === BUSY_MESSAGE).length}$`, 'm'));
  }, 120_000);
});
