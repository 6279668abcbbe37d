// The diagnose CLI as people and scripts run it: a real process, real catalog, stdin and arguments.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { onStdoutError } from '../../src/cli/diagnose.js';
import { bigLogPaste, fieldPastes } from '../fixtures/pastes/field.js';

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
    maxBuffer: 64 * 1024 * 1024,
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
    expect(Object.keys(doc)).toEqual(['findings', 'truncated', 'redactions', 'redactedKinds']);
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

  it('--jsonl reads a 1,000-line log file and answers every line, in order', () => {
    const pastes = fieldPastes.filter((p) => p.app === undefined);
    const texts = Array.from({ length: 1000 }, (_, i) => pastes[i % pastes.length]!.text);
    const r = run(['--jsonl'], `${texts.map((t) => JSON.stringify(t)).join('\n')}\n`);
    expect(r.code).toBe(0);
    const docs = r.out.trim().split('\n').map((l) => JSON.parse(l) as { findings: { verdict: string; matches: { id: string }[] }[] });
    expect(docs).toHaveLength(1000);
    docs.forEach((doc, i) => {
      const paste = pastes[i % pastes.length]!;
      const recognised = doc.findings.filter((f) => f.verdict !== 'none');
      expect(recognised.map((f) => f.verdict)).toEqual(paste.expect.map((e) => e.verdict));
    });
  });

  it('says when a paste is longer than 64 KB and still diagnoses its first part', () => {
    const r = run([], bigLogPaste().text);
    expect(r.code).toBe(0);
    expect(r.out).toContain('okta-invalid-token (mda-15)');
    expect(r.out).toContain('Note: the text is longer than 64 KB; only its first 65,536 characters were read.');
    const json = run(['--json'], bigLogPaste().text);
    expect(JSON.parse(json.out)).toMatchObject({ truncated: true, findings: [{ verdict: 'match', matches: [{ id: 'okta-invalid-token' }] }] });
  });

  it("shows an organisation's overrides from CATALOG_EXTRA_DIR: its runbook, steps and link", () => {
    const paste = 'AuthFatalFailureException: com.box.boxjavalibv2.exceptions.BoxServerException: {"error":"invalid_grant","error_description":"Invalid refresh token"}';
    const text = run([paste], '', { CATALOG_EXTRA_DIR: extras('valid') });
    expect(text.code).toBe(0);
    expect(text.out).toContain('1. Open a ticket in the IAM queue; the IAM on-call reconnects Box with the break-glass admin.');
    expect(text.out).toContain('Learn more: https://wiki.acme.example/runbooks/box-reconnect');
    const json = JSON.parse(run(['--json', paste], '', { CATALOG_EXTRA_DIR: extras('valid') }).out);
    expect(json.findings[0].matches[0]).toMatchObject({ id: 'box-invalid-refresh-token', learnMore: 'https://wiki.acme.example/runbooks/box-reconnect' });
    expect(json.findings[0].matches[0].resolution).toContain('IAM queue');
    // Added signals work too, and an alias the organisation added is accepted by --app.
    expect(JSON.parse(run(['--json', 'token refresh failed: ACME-M365-TOKEN'], '', { CATALOG_EXTRA_DIR: extras('valid') }).out).findings[0].matches[0].id).toBe(
      'microsoft-365-refresh-token-expired',
    );
    expect(run(['--app', 'Box Drive', 'BoxRestException: 407 Proxy Authentication Required'], '', { CATALOG_EXTRA_DIR: extras('valid') }).out).toContain('box-acme-proxy-blocked');
    // Without the folder, the built-in text comes back.
    expect(run([paste]).out).not.toContain('IAM queue');
  });

  it('--app naming an app that never shows this error says so instead of asking for --app again', () => {
    const r = run(['--app', 'G Suite', 'HttpRequestFailure: Server returned: 401 Unauthorized']);
    // Not a recognised Google Workspace error: the other apps' entries are suggestions, not a match.
    expect(r.code).toBe(1);
    expect(r.out).toContain('Google Workspace shows no error like this in the catalog. The apps that do: Exchange Online, Microsoft 365, Okta.');
    expect(r.out).not.toContain('nothing in the text says which');
  });

  it('exits 1 when nothing is a catalogued error', () => {
    const r = run(['--json', 'IllegalStateException: widget registry is closed']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).findings).toEqual([{ verdict: 'none', excerpt: 'IllegalStateException: widget registry is closed', matches: [] }]);
  });

  it('finds nothing at all (exit 1) in text that is no error: chat, thanks, an agenda naming apps', () => {
    for (const text of ['thanks, all good now', 'Agenda: 1. Box renewal 2. Okta MFA rollout 3. ServiceNow CAB']) {
      const json = run(['--json', text]);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.out).findings).toEqual([]);
    }
    const plain = run(['thanks, all good now']);
    expect(plain.code).toBe(1);
    expect(plain.out).toContain('No error found');
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

  it('--jsonl whose reader stops after one line (`| head -1`) ends quietly: no stack, no path', async () => {
    const { CATALOG_EXTRA_DIR: _ignored, ...env } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', script, '--jsonl'], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.stdin.on('error', () => undefined);
    const line = `${JSON.stringify('HttpRequestFailure: Server returned: 401 Unauthorized')}\n`;
    // Far more output than a pipe holds: the CLI is still writing when its reader goes away.
    child.stdin.end(line.repeat(4_000));
    await new Promise<void>((resolve) => {
      child.stdout.once('data', () => {
        child.stdout.destroy();
        resolve();
      });
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    expect({ code, err }).toEqual({ code: 0, err: '' });
  }, 60_000);

  it('a write error other than a closed reader is told in one line, without internals', () => {
    const said: string[] = [];
    const codes: number[] = [];
    onStdoutError(Object.assign(new Error('write EIO'), { code: 'EIO' }), (c) => codes.push(c), (t) => said.push(t));
    onStdoutError(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), (c) => codes.push(c), (t) => said.push(t));
    expect({ said, codes }).toEqual({ said: ['diagnose could not write its output.'], codes: [74, 0] });
  });
});
