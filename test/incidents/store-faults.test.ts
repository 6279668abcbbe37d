// Store faults as an operator meets them, through the whole bot over HTTP: the SQLite file deleted
// while running, the disk turned read-only or full (a real small tmpfs where the machine allows
// mounting one, else the same SQLite errors forced through pragmas), and a row lock held longer
// than Teams waits, on SQLite and on PostgreSQL. Readiness tells the truth, the person always gets
// an answer, and nothing is written into a file that is gone.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { StoreError } from '../../src/core/errors.js';
import { openStore } from '../../src/incidents/index.js';
import { start, type StartOptions } from '../../src/index.js';
import { createLogger } from '../../src/log.js';
import { STORE_BUSY_MESSAGE, STORE_DOWN_MESSAGE } from '../../src/teams/bot.js';
import { STORE_DOWN_REQUEST } from '../../src/teams/store-fault.js';
import { UNRECORDED_LINE } from '../../src/cards/incident-card.js';
import { actionsOf } from '../helpers/adaptive-card-schema.js';
import { post } from '../helpers/running-bot.js';
import { BOX_PASTE, INTERNALS, eventually, press, shown, type Card } from './fixtures/bot-http.js';
import { createPgRun, type PgRun } from './pg-harness.js';

interface Bot {
  url: string;
  logs: () => string;
  stop: () => Promise<void>;
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function startBot(databaseUrl: string, options: StartOptions = {}): Promise<Bot> {
  let logText = '';
  const logger = createLogger('info', new Writable({ write(chunk: Buffer, _e, done) { logText += chunk.toString(); done(); } }));
  const running = await start(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseUrl }), logger, options);
  const bot = { url: `http://127.0.0.1:${running.port}`, logs: () => logText, stop: running.stop };
  stops.push(bot.stop);
  return bot;
}

let pasteCount = 0;
/** Paste the Box error in a conversation of its own; what came back (cards, texts). */
async function paste(bot: Bot, text = BOX_PASTE): Promise<{ cards: Card[]; texts: string[]; conversationId: string }> {
  const n = ++pasteCount;
  const conversationId = `a:faults-${n}`;
  const res = await post(`${bot.url}/api/messages`, {
    type: 'message',
    id: `m-${n}`,
    channelId: 'msteams',
    text,
    from: { id: `29:person-${n}`, name: 'Ada Ops' },
    recipient: { id: '28:bot', name: 'Connector Doctor' },
    conversation: { id: conversationId, conversationType: 'personal', tenantId: 'tenant-faults' },
    serviceUrl: 'http://127.0.0.1:9/',
    deliveryMode: 'expectReplies',
  });
  expect(res.status).toBe(200);
  const { activities } = res.json() as { activities: { text?: string; attachments?: { content: Card }[] }[] };
  return {
    cards: activities.flatMap((a) => a.attachments ?? []).map((a) => a.content),
    texts: activities.map((a) => a.text ?? '').filter(Boolean),
    conversationId,
  };
}

const withButtons = (cards: Card[]) => cards.filter((card) => actionsOf(card).some((a) => a.verb === 'resolve'));

/** The diagnosis still reaches the person: the Box card, saying it was not recorded, with no button that acts on an incident. */
function expectUnrecordedBoxCard(cards: Card[]): void {
  expect(cards).toHaveLength(1);
  const card = cards[0]!;
  expect(shown(card)).toMatch(/^Box connector: /);
  expect(shown(card)).toContain(`Not recorded\n${UNRECORDED_LINE}`);
  expect(JSON.stringify(card)).not.toMatch(/Action\.(Execute|Submit)/);
  expect(card).not.toHaveProperty('refresh');
}

/** The press is answered on the card: as it was, its buttons still there, saying nothing changed and to press again. */
function expectBusyCard(answer: Awaited<ReturnType<typeof press>>): void {
  expect(answer.status).toBe(200);
  expect(answer.body.type).toBe('application/vnd.microsoft.card.adaptive');
  expect(shown(answer.card)).toContain(STORE_BUSY_MESSAGE);
  expect(shown(answer.card)).not.toMatch(/Resolved by/);
  expect(actionsOf(answer.card).some((a) => a.verb === 'resolve')).toBe(true);
  expect(JSON.stringify(answer.body)).not.toMatch(INTERNALS);
}

async function readiness(bot: Bot): Promise<{ status: number; body: { failing?: string[] } }> {
  const res = await fetch(`${bot.url}/readyz`);
  return { status: res.status, body: (await res.json()) as { failing?: string[] } };
}

async function storeFailures(bot: Bot, operation: string): Promise<number> {
  const text = await (await fetch(`${bot.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`connector_doctor_store_failures_total{operation="${operation}"} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

async function lockWaits(bot: Bot): Promise<number> {
  const text = await (await fetch(`${bot.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('connector_doctor_store_lock_waits_total '));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** A small tmpfs of our own, or undefined where this machine does not let us mount one. */
function mountTmpfs(sizeKb: number): string | undefined {
  const dir = mkdtempSync(path.join(tmpdir(), 'cd-faults-mnt-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  stops.push(async () => {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
const remount = (dir: string, mode: 'ro' | 'rw') => execFileSync('mount', ['-o', `remount,${mode}`, dir], { stdio: 'ignore' });

describe('SQLite file deleted while the bot runs', () => {
  it('turns readiness off, logs an error, and acknowledges no write into the ghost', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cd-faults-'));
    stops.push(async () => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'bot.db');
    const bot = await startBot(`sqlite:${file}`);
    const before = await paste(bot);
    expect(withButtons(before.cards)).toHaveLength(1);
    expect((await readiness(bot)).status).toBe(200);

    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });

    expect(await eventually('/readyz says the store is failing', async () => {
      const ready = await readiness(bot);
      return ready.status === 503 && ready.body.failing?.includes('store');
    }, 5_000)).toBe(true);
    expect(bot.logs()).toMatch(/"level":50[^\n]*was deleted while the bot was running; nothing more is written to it/);

    // Every paste is answered with its diagnosis, but records nothing and shows no buttons that would lead nowhere.
    for (let i = 0; i < 3; i += 1) expectUnrecordedBoxCard((await paste(bot)).cards);
    // Escalate on the card from before is not acknowledged either; the presser is told, in plain words.
    const data = actionsOf(before.cards[0]).find((a) => a.verb === 'resolve')!.data as Record<string, unknown>;
    const pressed = await press(bot.url, 'resolve', data, { conversationId: before.conversationId });
    expect(pressed.status).toBe(200);
    expect(pressed.body).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: STORE_DOWN_MESSAGE });
    // A command that needs the store says so (not "something went wrong").
    const stats = await paste(bot, 'stats');
    expect(stats.texts).toEqual([STORE_DOWN_REQUEST]);
    expect(existsSync(file)).toBe(false);
    // Every failure is counted; the log says it once (per operation and kind), not once per request.
    expect(await storeFailures(bot, 'openOrRepeat')).toBeGreaterThanOrEqual(3);
    expect(bot.logs().split('\n').filter((l) => l.includes('"operation":"openOrRepeat"'))).toHaveLength(1);
    expect(bot.logs()).not.toMatch(/"stack"/);
  });
});

describe('SQLite on a read-only disk', () => {
  it('start is refused with one line saying so (not "ready" with every paste failing), and starts once the disk is writable', async () => {
    const mnt = mountTmpfs(8 * 1024);
    if (!mnt) {
      // No mounting here: the same SQLite refusal, forced on the connection.
      const failure = await startBot('sqlite::memory:', { openStore: (url, o) => openStore(url, { ...o, sqlitePragmas: ['query_only = 1'] }) }).then(() => undefined, (e: unknown) => e);
      expect(failure).toBeInstanceOf(StoreError);
      expect((failure as StoreError).kind).toBe('read-only');
      return;
    }
    const url = `sqlite:${path.join(mnt, 'bot.db')}`;
    // A database with incidents in it, then the disk goes read-only (Linux refuses that while files are open for writing).
    const first = await startBot(url);
    expect(withButtons((await paste(first)).cards)).toHaveLength(1);
    await first.stop();
    remount(mnt, 'ro');
    try {
      const failure = await startBot(url).then(() => undefined, (e: unknown) => e);
      expect(failure).toBeInstanceOf(StoreError);
      expect((failure as StoreError).kind).toBe('read-only');
      expect((failure as Error).message).toBe('The SQLite database is read-only: check the permissions of the file and its folder, and that the disk is mounted read-write.');
    } finally {
      remount(mnt, 'rw');
    }
    const fixed = await startBot(url);
    expect((await readiness(fixed)).status).toBe(200);
    expect(withButtons((await paste(fixed)).cards)).toHaveLength(1);
  });
});

describe('SQLite on a full disk', () => {
  it('readiness goes off while the disk is full (the paste is still answered), and comes back once space is freed', async () => {
    const mnt = mountTmpfs(4 * 1024);
    if (!mnt) {
      const failure = await startBot('sqlite::memory:', { openStore: (url, o) => openStore(url, { ...o, sqlitePragmas: ['max_page_count = 1'] }) }).then(() => undefined, (e: unknown) => e);
      expect((failure as StoreError).kind).toBe('full');
      return;
    }
    const bot = await startBot(`sqlite:${path.join(mnt, 'bot.db')}`);
    expect(withButtons((await paste(bot)).cards)).toHaveLength(1);

    const filler = path.join(mnt, 'filler');
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k', 'count=1000'], { stdio: 'ignore' });
    } catch {
      // dd stops with "No space left on device": that is the point.
    }
    expect(await eventually('/readyz says the store is failing', async () => (await readiness(bot)).body.failing?.includes('store'), 5_000)).toBe(true);
    const failures = await storeFailures(bot, 'openOrRepeat');
    const refused = await paste(bot);
    expectUnrecordedBoxCard(refused.cards);
    expect(await storeFailures(bot, 'openOrRepeat')).toBe(failures + 1);
    expect(bot.logs()).toMatch(/"kind":"full"/);

    rmSync(filler);
    expect(await eventually('/readyz is ready again', async () => (await readiness(bot)).status === 200, 5_000)).toBe(true);
    expect(bot.logs()).toMatch(/"level":30[^\n]*incident store is writable again/);
    expect(withButtons((await paste(bot)).cards)).toHaveLength(1);
  });

  it('start is refused when the disk has no room', async () => {
    const mnt = mountTmpfs(2 * 1024);
    if (!mnt) {
      // No mounting here: the same SQLite refusal, forced on the connection.
      const failure = await startBot('sqlite::memory:', { openStore: (url, o) => openStore(url, { ...o, sqlitePragmas: ['max_page_count = 1'] }) }).then(() => undefined, (e: unknown) => e);
      expect((failure as StoreError).kind).toBe('full');
      return;
    }
    writeFileSync(path.join(mnt, 'filler'), Buffer.alloc(1800 * 1024));
    const failure = await startBot(`sqlite:${path.join(mnt, 'bot.db')}`).then(() => undefined, (e: unknown) => e);
    expect(failure).toBeInstanceOf(StoreError);
    expect((failure as StoreError).kind).toBe('full');
  });
});

describe('a lock held longer than Teams waits', () => {
  it('SQLite: another process holds the write lock; the press answers "busy, try again" within the busy timeout', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cd-faults-'));
    stops.push(async () => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'bot.db');
    const bot = await startBot(`sqlite:${file}`);
    const { cards, conversationId } = await paste(bot);
    const data = actionsOf(cards[0]).find((a) => a.verb === 'resolve')!.data as Record<string, unknown>;

    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const answer = await press(bot.url, 'resolve', data, { conversationId });
      expect(answer.status).toBe(200);
      expectBusyCard(answer);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    const again = await press(bot.url, 'resolve', data, { conversationId });
    expect(shown(again.card)).toMatch(/Resolved by/);
  });

  it('SQLite: while a press waits for another process\'s lock, the event loop stays free (/healthz answers before the press does)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cd-faults-'));
    stops.push(async () => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'bot.db');
    let waiting = () => {};
    const metLock = new Promise<void>((resolve) => {
      waiting = resolve;
    });
    const bot = await startBot(`sqlite:${file}`, {
      openStore: (url, o) => openStore(url, { ...o, onLockWait: () => (o?.onLockWait?.(), waiting()) }),
    });
    const { cards, conversationId } = await paste(bot);
    const data = actionsOf(cards[0]).find((a) => a.verb === 'resolve')!.data as Record<string, unknown>;

    // The holder lives in this process, like the bot: a wait inside SQLite (synchronous) would freeze both.
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    try {
      let answered = false;
      const pressing = press(bot.url, 'resolve', data, { conversationId }).then((answer) => {
        answered = true;
        return answer;
      });
      // The press has met the lock and is waiting for it...
      expect(await Promise.race([metLock.then(() => 'waiting'), pressing.then(() => 'answered')])).toBe('waiting');
      expect(answered).toBe(false);
      // ...and the bot still answers others meanwhile.
      const health = await fetch(`${bot.url}/healthz`);
      expect(health.status).toBe(200);
      expect(answered).toBe(false);
      const answer = await pressing;
      expect(await lockWaits(bot)).toBeGreaterThan(0);
      expectBusyCard(answer);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  describe('PostgreSQL', () => {
    let run: PgRun;
    afterAll(async () => {
      await run?.drop();
    });

    it('a row lock held by someone else: the press answers "busy, try again" (lock_timeout), then works once it is released', async () => {
      run = await createPgRun();
      const url = await run.freshSchemaUrl();
      const bot = await startBot(url);
      const { cards, conversationId } = await paste(bot);
      const data = actionsOf(cards[0]).find((a) => a.verb === 'resolve')!.data as Record<string, unknown>;

      const holder = new pg.Client({ connectionString: url });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT * FROM incidents WHERE id = $1 FOR UPDATE', [data.incidentId]);
        const answer = await press(bot.url, 'resolve', data, { conversationId });
        expect(answer.status).toBe(200);
        expectBusyCard(answer);
        expect(await storeFailures(bot, 'apply')).toBe(1);
        expect(bot.logs()).toMatch(/"operation":"apply","code":"STORE_BUSY","kind":"busy"/);
      } finally {
        await holder.query('ROLLBACK');
        await holder.end();
      }
      const again = await press(bot.url, 'resolve', data, { conversationId });
      expect(shown(again.card)).toMatch(/Resolved by/);
    });
  });
});
