// `npm run catalog:lint` as an operator runs it: a clean report on the shipped catalog, and a
// failing exit with a readable reason for each kind of mistake in an organisation's extras.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/catalog-lint.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const extras = (name: string) => path.join(root, 'test/fixtures/catalog-extra', name);

function run(args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(args, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('catalog lint', () => {
  it('passes the shipped catalog and prints coverage per app with a total', () => {
    const { code, out, err } = run([]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('Checked 14 built-in file(s)');
    expect(out).toMatch(/^ {2}box +5 {2}mda-05 mda-06 mda-07 mda-08 mda-09$/m);
    expect(out).toMatch(/^ {2}microsoft-365 +9 {2}mda-18 .* mda-26$/m);
    expect(out).toMatch(/^ {2}all-apps +2 {2}mda-01 mda-02$/m);
    expect(out).toContain('total: 36 entries in 14 apps; 36 of 36 reference rows covered; missing: none');
    expect(out).toContain('"HttpRequestFailure: Server returned: 401 Unauthorized" is shown by exchange-online, microsoft-365, okta');
    expect(out).toMatch(/Catalog OK$/);
  });

  it('passes valid extras and counts what they add', () => {
    const { code, out } = run(['--extra', extras('valid')]);
    expect(code).toBe(0);
    expect(out).toContain('and 3 extra file(s)');
    expect(out).toMatch(/^ {2}acme-hr +1 {2}-$/m);
    expect(out).toMatch(/^ {2}box +6 {2}mda-05/m);
    expect(out).toContain('total: 38 entries in 15 apps');
  });

  it('fails on entries and overrides that would shadow each other', () => {
    const { code, out, err } = run(['--extra', extras('shadow')]);
    expect(code).toBe(1);
    expect(err).toContain(
      'shadow: ' + path.join(extras('shadow'), 'box.yaml') + ': entry box-acme-failed-parse repeats built-in entry box-failed-to-parse-response',
    );
    expect(err).toContain('list box-failed-to-parse-response under overrides: instead');
    expect(err).toContain('entry okta-invalid-token is overridden in 2 places');
    expect(err).toContain('Catalog has 0 error(s) and 2 shadowing problem(s)');
    // Another app showing the same text is allowed: the user gets asked which app.
    expect(out).toContain('note: ');
    expect(out).toContain('entry acme-legacy-npe (app acme-legacy) has the same message as built-in aws-null-pointer');
  });

  it("fails on an entry users could never get back: its own message is not recognised", () => {
    const { code, err } = run(['--extra', extras('unreachable')]);
    expect(code).toBe(1);
    expect(err).toContain(
      `shadow: ${path.join(extras('unreachable'), 'acme-sync.yaml')}: entry acme-sync-stalled: its own message pasted as is is not recognised`,
    );
    expect(err).toContain('Catalog has 0 error(s) and 1 shadowing problem(s)');
  });

  it('fails on an entry whose every signal is generic, as start-up does', () => {
    const { code, err } = run(['--extra', extras('generic')]);
    expect(code).toBe(1);
    expect(err).toContain(`shadow: ${path.join(extras('generic'), 'acme-hr.yaml')}: entry acme-hr-request-failed: has only generic signals`);
    expect(err).toContain('answers generic errors of other software');
    expect(err).toContain('Catalog has 0 error(s) and 2 shadowing problem(s)');
  });

  it('fails on an override that adds a generic signal to a built-in entry, naming the override’s file', () => {
    const { code, err } = run(['--extra', extras('generic-override')]);
    expect(code).toBe(1);
    expect(err).toContain(`shadow: ${path.join(extras('generic-override'), 'overrides.yaml')}: entry okta-invalid-token: answers generic errors of other software`);
  });

  it.each([
    ['bad-field', 'entry box-acme-missing-cause: field resolution.steps: needs at least one step'],
    ['bad-yaml', 'YAML syntax error at line 7'],
    ['duplicate-id', 'entry box-invalid-refresh-token: field id: already defined in catalog/box.yaml'],
    ['unknown-override', 'entry override box-no-such-entry: field id: no entry has this id'],
    ['unknown-app', 'unknown app dropbox'],
    ['redefine-app', 'app box is already defined in catalog/box.yaml'],
  ])('fails on %s with a message naming the problem', (fixture, expected) => {
    const { code, err } = run(['--extra', extras(fixture)]);
    expect(code).toBe(1);
    expect(err).toContain(`error: ${extras(fixture)}`);
    expect(err).toContain(expected);
  });

  it('still prints what it could check when a file is broken', () => {
    const { out } = run(['--extra', extras('bad-yaml')]);
    expect(out).toContain('36 of 36 reference rows covered');
  });

  it('lists missing reference rows when the built-in folder lacks them', () => {
    const { code, out } = run(['--dir', extras('valid')]);
    expect(code).toBe(1);
    expect(out).toContain('0 of 36 reference rows covered; missing: mda-01 mda-02');
  });

  it('rejects unknown options with usage and exit code 2', () => {
    const { code, err } = run(['--frobnicate']);
    expect(code).toBe(2);
    expect(err).toContain('Usage: npm run catalog:lint');
  });

  it('runs as a command and sets the exit code', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/catalog-lint.ts', '--extra', extras('unknown-override')], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no entry has this id');
    expect(result.stdout).toContain('Coverage');
  });
});
