// Secrets in an alert never reach any sink. The real bot (start(), local mode, SQLite file, pino
// at trace) receives alerts of each shape whose title, description, app, id and link carry every
// fake secret of the redaction fixtures; then every HTTP answer, every call the Teams stand-in
// received (the thread's card and its updates), every log line, /metrics and the bytes of the
// database files (running and after a clean stop) are searched for every distinctive piece.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startApp, type RunningApp } from '../helpers/running-bot.js';
import { unescapeDisplay, visibleText } from '../helpers/adaptive-card-schema.js';
import { startTeamsStandIn, type TeamsStandIn } from '../helpers/teams-standin.js';
import { SECRET_PIECES, escapeHtml, plainPaste, secretValue } from '../fixtures/secrets/pastes.js';
import { eventually } from '../incidents/fixtures/bot-http.js';
import { failOnLoggedErrors } from '../helpers/logged-errors.js';

const TOKEN = 'secrets-test-alerts-token-0123456789abcdef';
const CHANNEL = '19:alerts-secrets@thread.tacv2';
let dir: string;
let app: RunningApp;
let teams: TeamsStandIn;
const answers: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cd-alert-secrets-'));
  teams = await startTeamsStandIn();
  app = await startApp({ DATABASE_URL: `sqlite:${join(dir, 'bot.db')}`, LOG_LEVEL: 'trace', ALERTS_TOKEN: TOKEN, ALERTS_CHANNEL_ID: CHANNEL, ALERTS_SERVICE_URL: teams.serviceUrl });
});
afterAll(async () => {
  await app?.stop();
  await teams?.close();
  rmSync(dir, { recursive: true, force: true });
});
failOnLoggedErrors(() => app);

const dbBytes = () =>
  readdirSync(dir)
    .filter((f) => f.startsWith('bot.db'))
    .map((f) => readFileSync(join(dir, f)).toString('latin1'))
    .join('\n');

function leaksIn(text: string, pieces: string[]): string[] {
  const plain = unescapeDisplay(text);
  return pieces.filter((piece) => text.includes(piece) || plain.includes(piece));
}

describe('secrets in an alert', () => {
  it('are removed before anything is stored, posted, logged or answered', { timeout: 60_000 }, async () => {
    const description = `Box connector failed: AuthFatalFailureException: BoxServerException: invalid_grant\n${plainPaste()}`;
    const bodies = [
      {
        id: `gen-${secretValue('jwt')}`,
        title: `Box sync broken, password=${secretValue('password-pair')}`,
        description: `<p>${escapeHtml(description)}</p>`,
        app: 'Box',
        link: `https://alerts.contoso.example/a/1?sig=${secretValue('bearer')}`,
      },
      {
        objectSchemaType: 'Incident',
        object: {
          name: 'sentinel-secret-1',
          properties: {
            title: `Connector error client_secret=${secretValue('client-secret-pair')}`,
            description,
            status: 'New',
            incidentUrl: 'https://portal.azure.com/#incident/secret-1',
            alerts: [{ properties: { alertDisplayName: 'System alert app connector error', description: `Authorization: Bearer ${secretValue('jwt')}` } }],
          },
        },
      },
      { _id: 'mdca-secret-1', title: 'System alert app connector error', description, resolutionStatusValue: 0, entities: [{ type: 'service', label: 'Box' }] },
    ];
    for (const body of bodies) {
      const res = await post(`${app.url}/api/alerts`, body, { authorization: `Bearer ${TOKEN}` });
      answers.push(res.text);
      expect(res.status).toBe(202);
    }
    // Each again (a repeat updates the card), then cleared at the source (the card again).
    for (const body of bodies) answers.push((await post(`${app.url}/api/alerts`, body, { authorization: `Bearer ${TOKEN}` })).text);
    answers.push((await post(`${app.url}/api/alerts`, { ...bodies[2], resolutionStatusValue: 2 }, { authorization: `Bearer ${TOKEN}` })).text);
    await eventually('the alert cards to be posted', () => teams.calls.filter((c) => c.path === '/v3/conversations').length >= 1 && teams.calls.some((c) => c.method === 'PUT'));
    const opened = answers.filter((a) => a.includes('"outcome":"opened"')).length;
    expect(opened).toBeGreaterThanOrEqual(2);
    await eventually('every card to be posted', async () => (await (await fetch(`${app.url}/metrics`)).text()).includes(`connector_doctor_alerts_posted_total ${opened}`));

    const cards = teams.calls.map((c) => JSON.stringify(c.body)).join('\n');
    // The card is there, and says what was removed.
    expect(cards).toContain('Box connector');
    expect(unescapeDisplay(teams.calls.map((c) => visibleText((c.body.activity as { attachments?: { content: unknown }[] } | undefined)?.attachments?.[0]?.content ?? (c.body.attachments as { content: unknown }[] | undefined)?.[0]?.content)).join('\n'))).toMatch(
      /secrets? removed .*The alert where it came from still shows/,
    );
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    const pieces = [...SECRET_PIECES, TOKEN];
    // Sanity: the pieces are in what was sent.
    expect(leaksIn(JSON.stringify(bodies), pieces).length).toBeGreaterThan(10);
    const exits = { answers: answers.join('\n'), teams: cards, logs: app.logs(), metrics, database: dbBytes() };
    const leaks = Object.entries(exits).flatMap(([exit, text]) => leaksIn(text, pieces).map((piece) => `${exit}: ${piece.slice(0, 24)}`));
    expect(leaks).toEqual([]);
    await app.stop();
    expect(leaksIn(dbBytes(), pieces)).toEqual([]);
  });
});
