// Starting the bot as an operator would: a port that is already taken is a clear message, not a
// crash with a stack trace, and it leaves nothing half-open behind.
import { createServer as createNetServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { CatalogError, ConfigError } from '../../src/core/errors.js';
import { start } from '../../src/index.js';
import { openStore } from '../../src/incidents/index.js';
import { createLogger } from '../../src/log.js';
import { Writable } from 'node:stream';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

describe('start', () => {
  let blocker: Server;
  let port: number;

  beforeAll(async () => {
    blocker = createNetServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    port = (blocker.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });

  it('names the taken port and how to fix it instead of crashing', async () => {
    const config = loadConfig({ PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: 'sqlite::memory:' });
    const logger = createLogger('fatal', new Writable({ write(_chunk, _encoding, done) { done(); } }));
    const failure = await start(config, logger).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).message).toContain(`Port ${port}`);
    expect((failure as ConfigError).message).toContain('PORT');
  });

  it('closes the store it opened when a later step fails (here: the port)', async () => {
    const config = loadConfig({ PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: 'sqlite::memory:' });
    const logger = createLogger('fatal', new Writable({ write(_chunk, _encoding, done) { done(); } }));
    let closed = 0;
    const failure = await start(config, logger, {
      openStore: async (url, options) => {
        const store = await openStore(url, options);
        return { ...store, close: async () => { closed += 1; await store.close(); } };
      },
    }).then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    expect(closed).toBe(1);
  });

  it('a bad catalog refuses start-up before the database is opened (nothing created, nothing to close)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cd-start-'));
    try {
      const file = path.join(dir, 'data', 'bot.db');
      const extra = fileURLToPath(new URL('../fixtures/catalog-extra/bad-yaml', import.meta.url));
      const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${file}`, CATALOG_EXTRA_DIR: extra });
      const logger = createLogger('fatal', new Writable({ write(_chunk, _encoding, done) { done(); } }));
      let opened = 0;
      const failure = await start(config, logger, {
        openStore: async (url, options) => {
          opened += 1;
          return openStore(url, options);
        },
      }).then(() => undefined, (error: unknown) => error);
      expect(failure).toBeInstanceOf(CatalogError);
      expect((failure as CatalogError).message).toContain('broken.yaml');
      expect(opened).toBe(0);
      expect(existsSync(path.dirname(file))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
