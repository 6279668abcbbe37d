// The support channel is read from the store for every card (does Escalate have somewhere to go?)
// and remembered for a moment (SETTINGS_MAX_AGE_MS): two real bot instances (index.ts start()) on
// one PostgreSQL database, with no destination configured. `set support channel` on A is on A's
// very next card; B, which had just read "no channel", shows it once its remembered read is old.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionsOf } from '../helpers/adaptive-card-schema.js';
import { failOnLoggedErrors } from '../helpers/logged-errors.js';
import { post, startApp, type RunningApp } from '../helpers/running-bot.js';
import { BOX_PASTE, eventually, pasteExpectingReplies, shown, type Card } from './fixtures/bot-http.js';
import { createPgRun, type PgRun } from './pg-harness.js';

let run: PgRun;
let a: RunningApp;
let b: RunningApp;

beforeAll(async () => {
  run = await createPgRun();
  const env = { DATABASE_URL: await run.freshSchemaUrl() };
  // One after the other: the first one runs the migrations.
  a = await startApp(env);
  b = await startApp(env);
}, 60_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await run?.drop();
});
failOnLoggedErrors(() => [a, b]);

let pastes = 0;
/** Does the card of a fresh paste on `app` take a note for support (somewhere to send), or explain there is nowhere yet? */
async function escalateOffered(app: RunningApp): Promise<'note form' | 'nowhere to send'> {
  // A person and a conversation of its own each time: the rate limits never answer instead of the card.
  pastes += 1;
  const [card] = await pasteExpectingReplies(app.url, BOX_PASTE, { conversationId: `a:settings-${pastes}`, from: { id: `29:settings-${pastes}`, name: 'Ada Ops' } });
  const escalate = actionsOf(card).find((action) => action.type === 'Action.ShowCard') as { card: Card } | undefined;
  if (!escalate) throw new Error('the card has no Escalate');
  if (JSON.stringify(escalate.card).includes('"id":"note"')) return 'note form';
  expect(shown(escalate.card)).toContain('There is nowhere to send this yet');
  return 'nowhere to send';
}

describe('the support channel setting, remembered for a moment', () => {
  it('set on A: on A\'s very next card, and on B\'s once B\'s remembered read has aged out', async () => {
    expect(await escalateOffered(a)).toBe('nowhere to send');
    // B reads (and remembers) "no channel" now.
    expect(await escalateOffered(b)).toBe('nowhere to send');

    const channelMessage = JSON.parse(readFileSync(new URL('../fixtures/activities/channel-mention.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const set = await post(`${a.url}/api/messages`, {
      ...channelMessage,
      id: 'set-support-settings',
      text: '<at>Connector Doctor</at> set support channel',
      attachments: [],
      serviceUrl: 'http://127.0.0.1:9/',
      deliveryMode: 'expectReplies',
    });
    expect(set.status).toBe(200);
    expect(set.text).toContain('Done: escalations will be posted in this channel from now on.');

    // The instance that stored it: the very next card, with no wait.
    expect(await escalateOffered(a)).toBe('note form');
    // Another instance: within SETTINGS_MAX_AGE_MS (1 s) of its last read; no figure is asserted here
    // (store-suite.ts holds the bound exactly, on a clock the test moves).
    expect(await eventually('B to offer the note form', async () => (await escalateOffered(b)) === 'note form', 10_000)).toBe(true);
  });
});
