// The diagnose CLI as people and scripts run it: a real process, real catalog, stdin and arguments.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = path.join(root, 'src/cli/diagnose.ts');
const extras = (name: string): string => path.join(root, 'test/fixtures/catalog-extra', name);

function run(args: string[], input = '', env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const { CATALOG_EXTRA_DIR: _ignored, ...base } = process.env;
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    env: { ...base, ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('diagnose CLI', () => {
  it('prints a readable diagnosis of TEXT and asks which app when several fit', () => {
    const r = run(['HttpRequestFailure: Server returned: 401 Unauthorized']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Several apps show this error (Exchange Online, Microsoft 365, Okta)');
    expect(r.out).toContain('--app NAME');
    expect(r.out).toMatch(/1\. /);
  });

  it('--json prints exactly one document in the contract, reading stdin', () => {
    const r = run(['--json', '--app', 'O365'], 'HttpRequestFailure: Server returned: 401 Unauthorized\n');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(Object.keys(doc)).toEqual(['findings', 'truncated', 'redactions']);
    expect(doc.findings).toHaveLength(1);
    const [finding] = doc.findings;
    expect(finding.verdict).toBe('match');
    expect(finding.excerpt).toBe('HttpRequestFailure: Server returned: 401 Unauthorized');
    expect(finding.matches).toHaveLength(1);
    const [match] = finding.matches;
    expect(match).toMatchObject({ id: 'microsoft-365-unauthorized', ref: 'mda-20', app: 'microsoft-365', message: 'HttpRequestFailure: Server returned: 401 Unauthorized' });
    expect(typeof match.cause).toBe('string');
    expect(match.resolution).toMatch(/^1\. .+\n2\. /);
    expect(match.learnMore).toMatch(/^https:\/\/learn\.microsoft\.com\//);
    expect(match.score).toBeGreaterThan(0.5);
    expect(match.score).toBeLessThanOrEqual(1);
  });

  it('--json lists several errors in order and never prints a secret', () => {
    const paste = 'Authorization: Bearer abc.def.ghi-secret-value\nIgniteException\n\nGet events: Request failed with status code 403';
    const r = run(['--json'], paste);
    const doc = JSON.parse(r.out);
    expect(doc.findings.map((f: { matches: { ref: string }[] }) => f.matches[0]?.ref)).toEqual(['mda-24', 'mda-36']);
    expect(doc.redactions).toBe(1);
    expect(r.out).not.toContain('secret-value');
  });

  it('--jsonl answers line by line and keeps going after a bad line', () => {
    const input = ['"IgniteException"', 'not json', '42', '', '"team_not_authorized"'].join('\n');
    const r = run(['--jsonl'], input);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0].findings[0].matches[0].id).toBe('microsoft-365-ignite-exception');
    expect(lines[1]).toMatchObject({ line: 2 });
    expect(lines[1].error).toMatch(/JSON/);
    expect(lines[2]).toMatchObject({ line: 3 });
    expect(lines[3].findings[0].matches[0].id).toBe('slack-discovery-api-not-enabled');
  });

  it('exits 1 when nothing is a catalogued error', () => {
    const r = run(['--json', 'thanks, all good now']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).findings).toEqual([{ verdict: 'none', excerpt: 'thanks, all good now', matches: [] }]);
  });

  it('exits 2 on an unknown app or option, naming the apps it knows', () => {
    const unknown = run(['--app', 'Lotus Notes', 'IgniteException']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('Unknown app "Lotus Notes"');
    expect(unknown.err).toContain('Google Workspace');
    expect(run(['--bogus', 'x']).code).toBe(2);
    expect(run(['--json', '--jsonl']).code).toBe(2);
  });

  it('reads the organisation catalog from CATALOG_EXTRA_DIR', () => {
    const r = run(['--json', 'AcmeHrException: API key revoked'], '', { CATALOG_EXTRA_DIR: extras('valid') });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).findings[0].matches[0]).toMatchObject({ id: 'acme-hr-api-key-revoked', ref: null, appName: 'Acme HR' });
  });

  it('exits 3 with the problems named when the catalog cannot be loaded', () => {
    const r = run(['IgniteException'], '', { CATALOG_EXTRA_DIR: extras('bad-yaml') });
    expect(r.code).toBe(3);
    expect(r.err).toContain('broken.yaml');
    expect(r.out).toBe('');
  });
});
