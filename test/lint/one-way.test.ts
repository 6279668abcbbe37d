// One way to do each thing, kept true: the all-apps id is spelled once (ALL_APPS_ID), the backoff,
// the Retry-After parser and the error-cause walk live only in src/core/retry-policy.ts, and every
// runnable module asks isEntryPoint (src/entry-point.ts) before it starts; and nothing in the
// project cites a file outside it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(ROOT, dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : files(relative(ROOT, path), ext);
    return ext.test(name) ? [relative(ROOT, path)] : [];
  });
}
const sources = (dir: string) => files(dir, /\.ts$/);

const code = ['src', 'scripts', 'bench'].flatMap(sources).map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') }));
const filesMatching = (pattern: RegExp) => code.filter(({ text }) => pattern.test(text)).map(({ file }) => file).sort();

describe('one way to do each thing', () => {
  it("the all-apps id is written once, as ALL_APPS_ID in src/core/catalog.ts", () => {
    expect(filesMatching(/['"]all-apps['"]/)).toEqual(['src/core/catalog.ts']);
    expect(filesMatching(/\b(ALL_APPS|ANY_APP_ID|ANY_APP)\b/)).toEqual([]);
  });

  it('exponential backoff, the Retry-After parser and the cause walk exist once (src/core/retry-policy.ts)', () => {
    expect(filesMatching(/\b2 \*\* /)).toEqual(['src/core/retry-policy.ts']);
    expect(filesMatching(/function \w*[Rr]etryAfter\w*\(\s*value/)).toEqual(['src/core/retry-policy.ts']);
    expect(filesMatching(/= \(?\w+ as \{ cause\?: unknown \}\)?\.cause/)).toEqual(['src/core/retry-policy.ts']);
  });

  it('a module that runs as a program asks isEntryPoint, never process.argv[1] or an unguarded main()', () => {
    expect(filesMatching(/process\.argv\[1\]/)).toEqual([]);
    const unguarded = code.filter(({ text }) => /^(void |await )?main\(\)/m.test(text)).map(({ file }) => file);
    // Left as they are while issue 10 (performance) works in bench/: run only, never imported.
    expect(unguarded.sort()).toEqual(['bench/http.ts', 'bench/profile/cpuprofile-summary.ts', 'bench/profile/heap-diff.ts', 'bench/profile/memory-growth.ts']);
  });

  it('cites no file outside the project (the machine it was written on, sibling folders)', () => {
    // Split so that this test does not cite them itself.
    const outside = ['/wo' + 'rk/', '../sha' + 'red'];
    const project = [...['src', 'scripts', 'bench', 'test', 'docs', 'catalog', 'manifest'].flatMap((dir) => files(dir, /\.(ts|md|ya?ml|json)$/)), 'README.md'];
    const citing = project.filter((file) => outside.some((path) => readFileSync(join(ROOT, file), 'utf8').includes(path)));
    expect(citing).toEqual([]);
  });
});
