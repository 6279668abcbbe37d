// The one "am I the program?" check every entry point uses (bot, CLIs, scripts, bench).
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isEntryPoint } from '../../src/entry-point.js';

const index = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
const url = pathToFileURL(index).href;

describe('isEntryPoint', () => {
  it('is true for the script node started, by absolute, relative or linked path', () => {
    expect(isEntryPoint(url, ['node', index])).toBe(true);
    expect(isEntryPoint(url, ['node', path.relative(process.cwd(), index)])).toBe(true);
    const dir = mkdtempSync(path.join(tmpdir(), 'cd-entry-'));
    try {
      symlinkSync(index, path.join(dir, 'bot.ts'));
      expect(isEntryPoint(url, ['node', path.join(dir, 'bot.ts')])).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is false when imported (a test, another module) or with no script at all', () => {
    expect(isEntryPoint(url, ['node', fileURLToPath(import.meta.url)])).toBe(false);
    expect(isEntryPoint(url, ['node'])).toBe(false);
    expect(isEntryPoint(url, ['node', '/no/such/file.ts'])).toBe(false);
  });
});
