// A real client in a real browser: the bot (local mode, SQLite in a temp dir) and the Microsoft 365
// Agents Playground, driven through headless Chromium. What a person trying the app would see.
// Needs Debian's /usr/bin/chromium (never downloads a browser); without it the test skips loudly,
// and under CI=true it fails instead.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, freePort, startBot, startPlayground, type Child } from '../../scripts/dev.js';

// Debian's package; E2E_CHROMIUM points elsewhere (e.g. to check the missing-browser path).
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOTS = join(ROOT, 'test-results', 'e2e');
const UI_TIMEOUT = 20_000;
// Generous: two cores shared with the rest of the suite; the bot compiles through tsx at start.
const START_TIMEOUT = 120_000;
const TEST_TIMEOUT = 90_000;

const haveChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true' || process.env.CI === '1';

interface CatalogFile {
  app: { name: string };
  entries: { id: string; ref?: string; message: string; cause: string; resolution: { steps: string[] } }[];
}

/** A catalog entry as the card shows it, straight from catalog/<app>.yaml. */
function catalogEntry(file: string, ref: string) {
  const catalog = parse(readFileSync(join(ROOT, 'catalog', file), 'utf8')) as CatalogFile;
  const entry = catalog.entries.find((e) => e.ref === ref);
  if (!entry) throw new Error(`catalog/${file} has no entry ${ref}`);
  return { app: catalog.app.name, ...entry };
}

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();
const firstSentence = (text: string) => collapse(text).split('. ')[0] ?? '';

/** Retry an observation until it holds (the UI updates asynchronously); no fixed sleeps. */
const eventually = <T>(observe: () => Promise<T>) => expect.poll(observe, { timeout: UI_TIMEOUT, interval: 100 });

describe('Connector Doctor in the Agents Playground (headless Chromium)', () => {
  const children: Child[] = [];
  const logs: string[] = [];
  let workDir = '';
  let browser: BrowserContext | undefined;
  let page: Page;

  beforeAll(async () => {
    if (!haveChromium) {
      const banner = `\n${'!'.repeat(78)}\n  E2E BROWSER TEST NOT RUN: ${CHROMIUM} is missing.\n  Install it: apt-get update && apt-get install -y chromium\n${'!'.repeat(78)}\n`;
      if (inCi) throw new Error(`CI=true and ${CHROMIUM} is missing: the browser test must run in CI.${banner}`);
      process.stderr.write(banner);
      return;
    }
    workDir = mkdtempSync(join(tmpdir(), 'cd-e2e-'));
    mkdirSync(SCREENSHOTS, { recursive: true });
    const keep = (name: string) => (line: string) => {
      logs.push(`[${name}] ${line}`);
      if (logs.length > 200) logs.shift();
    };
    try {
      const bot = await startBot({
        port: await freePort(),
        env: { ...process.env, DATABASE_URL: `sqlite:${join(workDir, 'connector-doctor.db')}`, LOG_LEVEL: 'warn' },
        onLine: keep('bot'),
      });
      children.push(bot.child);
      const playground = await startPlayground({
        messagesUrl: bot.messagesUrl,
        port: await freePort(),
        cwd: workDir,
        onLine: keep('playground'),
      });
      children.push(playground.child);

      browser = await chromium.launchPersistentContext(join(workDir, 'chromium-profile'), {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
        // Tall enough that a whole diagnosis card is on screen for the screenshots.
        viewport: { width: 1280, height: 2000 },
      });
      // Loopback only: the Playground's UI asks a CDN for fonts; nothing leaves the machine.
      await browser.route('**/*', (route) => {
        const host = new URL(route.request().url()).hostname;
        return host === '127.0.0.1' || host === 'localhost' ? route.continue() : route.abort();
      });
      page = browser.pages()[0] ?? (await browser.newPage());
      page.setDefaultTimeout(UI_TIMEOUT);
      await page.goto(playground.url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
      await page.getByRole('treeitem', { name: 'Personal Chat' }).click();
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\nlast output:\n${logs.slice(-40).join('\n')}`);
    }
  }, START_TIMEOUT);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await Promise.all(children.map((child) => child.stop()));
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  beforeEach((context) => {
    // Reached only off CI (beforeAll throws under CI=true): say it again per test, then skip.
    if (!haveChromium) {
      process.stderr.write(`SKIPPED (no ${CHROMIUM}): ${context.task.name}\n`);
      context.skip();
    }
    context.onTestFailed(async () => {
      const name = context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      if (browser) await page.screenshot({ path: join(SCREENSHOTS, `failed-${name}.png`) }).catch(() => undefined);
      process.stderr.write(`--- last output of the bot and the Playground ---\n${logs.slice(-60).join('\n')}\n`);
    });
  });

  /** Paste text into the compose box the way a clipboard paste arrives, then send it. */
  async function paste(text: string): Promise<void> {
    const box = page.getByRole('textbox', { name: /message/i }).or(page.locator('[data-lexical-editor="true"]')).first();
    await box.click();
    await box.evaluate((element, pasted) => {
      // Runs in the page; the test's TypeScript has no DOM library, hence the narrow typing.
      const dom = globalThis as unknown as {
        DataTransfer: new () => { setData(type: string, value: string): void };
        ClipboardEvent: new (type: string, init: object) => Event;
      };
      const data = new dom.DataTransfer();
      data.setData('text/plain', pasted);
      element.dispatchEvent(new dom.ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, text);
    await eventually(async () => collapse(await box.innerText())).toBe(collapse(text));
    await page.keyboard.press('Enter');
  }

  /** The newest Adaptive Card in the chat that contains `text`. */
  function card(text: string | RegExp): Locator {
    return page.locator('.ac-adaptiveCard').filter({ hasText: text }).last();
  }

  async function cardText(locator: Locator): Promise<string> {
    return collapse(await locator.innerText());
  }

  /** The card's first line: a diagnosis card names the app there. */
  async function cardTitle(locator: Locator): Promise<string> {
    return (await locator.innerText()).trim().split('\n')[0] ?? '';
  }

  it('answers a pasted Box error with the app, the cause and the fix, and Mark resolved updates the card', async () => {
    const box = catalogEntry('box.yaml', 'mda-05');
    await paste(box.message);

    const diagnosis = card(firstSentence(box.cause));
    await diagnosis.waitFor();
    await eventually(() => cardTitle(diagnosis)).toContain(box.app);
    const shown = await cardText(diagnosis);
    expect(shown).toContain(collapse(box.cause));
    expect(shown).toContain('How to fix it');
    expect(shown).toContain(collapse(box.resolution.steps[0] ?? '').slice(0, 60));
    expect(shown).toMatch(/Open — reported by/);
    await diagnosis.screenshot({ path: join(SCREENSHOTS, '1-box-diagnosis.png') });

    await diagnosis.getByRole('button', { name: 'Mark resolved' }).click();
    const resolved = card(/Resolved by/);
    await resolved.waitFor();
    await eventually(() => cardText(resolved)).toMatch(/Resolved by Alex Wilber at/);
    expect(await cardText(resolved)).toContain(collapse(box.cause));
    await eventually(() => resolved.getByRole('button', { name: 'Reopen' }).count()).toBe(1);
    expect(await resolved.getByRole('button', { name: 'Mark resolved' }).count()).toBe(0);
    await resolved.screenshot({ path: join(SCREENSHOTS, '2-box-resolved.png') });
  }, TEST_TIMEOUT);

  it('asks which app an ambiguous error comes from, and choosing Okta shows Okta\'s diagnosis', async () => {
    const okta = catalogEntry('okta.yaml', 'mda-15');
    await paste(okta.message);

    const questions = page.locator('.ac-adaptiveCard').filter({ hasText: 'This error comes from several apps' });
    const question = questions.last();
    await question.waitFor();
    expect(await cardText(question)).toContain('Okta');
    expect(await question.getByRole('button', { name: /^It's / }).count()).toBeGreaterThan(1);
    await question.screenshot({ path: join(SCREENSHOTS, '3-ambiguous.png') });

    await question.getByRole('button', { name: "It's Okta" }).click();
    // The question turns into Okta's diagnosis in place.
    await eventually(() => questions.count()).toBe(0);
    const diagnosis = card(firstSentence(okta.cause));
    await eventually(() => cardTitle(diagnosis)).toContain(okta.app);
    await eventually(() => cardText(diagnosis)).toContain(collapse(okta.cause));
    expect(await cardText(diagnosis)).toContain('How to fix it');
    await diagnosis.screenshot({ path: join(SCREENSHOTS, '4-okta-chosen.png') });
    await page.screenshot({ path: join(SCREENSHOTS, '5-chat.png') });
  }, TEST_TIMEOUT);
});
