// Issue 15 as it was reported, through the CLI as people run it: an AWS access key inside an S3
// error and a GitHub token in a git URL came back verbatim in `excerpt` with `redactions: 0`.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = path.join(root, 'src/cli/diagnose.ts');

const AWS_KEY = 'AKIAIDZD7XIV3ROYNS7G';
const GITHUB_TOKEN = 'ghp_yRmWpQSDRUnHaGhoHZxbyjCxDfTk2plna7PW';

function diagnoseText(input: string): string {
  const { CATALOG_EXTRA_DIR: _ignored, ...env } = process.env;
  return spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: root, input, encoding: 'utf8', env, timeout: 60_000 }).stdout;
}

function diagnoseJson(input: string): { doc: { findings: { excerpt: string }[]; redactions: number; redactedKinds: string[] }; out: string } {
  const { CATALOG_EXTRA_DIR: _ignored, ...env } = process.env;
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--json'], { cwd: root, input, encoding: 'utf8', env, timeout: 60_000 });
  return { doc: JSON.parse(r.stdout), out: r.stdout };
}

describe('diagnose CLI removes the secrets of issue 15', () => {
  it('an AWS key in an S3 XML error and a GitHub token in a git URL', () => {
    const paste = [
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our records.</Message><AWSAccessKeyId>${AWS_KEY}</AWSAccessKeyId><RequestId>4442587FB7D0A2F9</RequestId></Error>`,
      `git clone https://${GITHUB_TOKEN}@github.com/contoso/connector.git`,
      'fatal: Authentication failed',
    ].join('\n');
    const { doc, out } = diagnoseJson(paste);
    expect(out).not.toContain(AWS_KEY);
    expect(out).not.toContain(GITHUB_TOKEN.slice(4));
    expect(doc.redactions).toBe(2);
    // The kinds are reported, never the values.
    expect(doc.redactedKinds).toEqual(['aws-access-key', 'github-token']);
    const excerpts = doc.findings.map((f) => f.excerpt).join('\n');
    // What is around the secrets is still there to read.
    expect(excerpts).toContain('[REDACTED]</AWSAccessKeyId><RequestId>4442587FB7D0A2F9');
    expect(excerpts).toContain('https://[REDACTED]@github.com/contoso/connector.git');
  });

  it('the text output says how many secrets of which kinds were removed, and nothing of them', () => {
    const out = diagnoseText(`Login failed: jdbc:oracle:thin:scott/Tiger-Or4cle@//db:1521/ORCL\ngit clone https://${GITHUB_TOKEN}@github.com/contoso/c.git`);
    expect(out).toContain('Note: 2 secret(s) were removed from the text before it was read (a password, a GitHub token).');
    expect(out).not.toContain('Tiger-Or4cle');
    expect(out).not.toContain(GITHUB_TOKEN.slice(4));
  });
});
