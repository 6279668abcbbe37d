// Two classes of false match users lose trust over: an error the paste says is app X's answered
// with app Y's entry, and an HTTP status that no candidate has answered with one that has another.
import { describe, expect, it } from 'vitest';
import { createMatcher, loadCatalog, type Finding } from '../../src/core/index.js';

const matcher = createMatcher(loadCatalog());
const first = (text: string, app?: string): Finding => {
  const f = matcher.diagnose(text, app ? { app } : undefined).findings[0];
  if (!f) throw new Error('no finding');
  return f;
};
const ids = (f: Finding): string[] => f.matches.map((m) => m.entry.id);

describe('an error named as app X is not matched to app Y', () => {
  const events403 = 'Get events: Request failed with status code 403';

  it('Atlassian’s 403 is not Zendesk’s entry: none, Zendesk only as a weak suggestion', () => {
    const f = first(`Atlassian: ${events403}`);
    expect(f.verdict).toBe('none');
    expect(f.appHints).toEqual(['atlassian']);
    for (const m of f.matches) expect(m.score).toBeLessThan(0.5);
    expect(ids(f)).toContain('zendesk-not-admin');
  });

  it('the same words named as Zendesk, or with --app Zendesk, still match Zendesk', () => {
    expect(ids(first(`Zendesk: ${events403}`))).toEqual(['zendesk-not-admin']);
    expect(first(`Zendesk: ${events403}`).verdict).toBe('match');
    const given = first(`Atlassian: ${events403}`, 'Zendesk');
    expect(given.verdict).toBe('match');
    expect(ids(given)).toEqual(['zendesk-not-admin']);
  });

  it('without a name the words still match, as before', () => {
    const f = first(events403);
    expect(f.verdict).toBe('match');
    expect(ids(f)).toEqual(['zendesk-not-admin']);
  });

  it('the caller’s app rules out other apps’ entries, but not all-apps ones', () => {
    const okta = first('{"errorCode":"E0000011","errorSummary":"Invalid token provided"}', 'Box');
    expect(okta.verdict).toBe('none');
    expect(ids(okta)).toEqual(['okta-invalid-token']);
    const server = first('HttpRequestFailure: Server returned: 500 Internal server error', 'Box');
    expect(server.verdict).toBe('match');
    expect(ids(server)).toEqual(['all-apps-server-error-500']);
  });

  it('a named app with no entry for the status gets none, not another app’s 403 or 401', () => {
    expect(first('Atlassian: HttpRequestFailure: Server returned: 403 Forbidden').verdict).toBe('none');
    const box = first('Box: HttpRequestFailure: Server returned: 401 Unauthorized');
    expect(box.verdict).toBe('none');
    for (const m of box.matches) expect(m.score).toBeLessThan(0.5);
  });

  it('an all-apps entry still matches whatever app the text names', () => {
    const f = first('Salesforce: HttpRequestFailure: Server returned: 500 Internal server error');
    expect(f.verdict).toBe('match');
    expect(ids(f)).toEqual(['all-apps-server-error-500']);
  });

  it('a named app still settles an ambiguity between apps', () => {
    const f = first('Okta: HttpRequestFailure: Server returned: 401 Unauthorized');
    expect(f.verdict).toBe('match');
    expect(ids(f)).toEqual(['okta-invalid-token']);
  });

  it('a mention inside a URL settles ties but is incidental: it rules nothing out', () => {
    const f = first(`${events403} (GET https://contoso.atlassian.net/rest/api/3/events)`);
    expect(f.verdict).toBe('match');
    expect(ids(f)).toEqual(['zendesk-not-admin']);
    expect(f.appHints).toContain('atlassian');
  });

  it('a mention inside a stack frame is incidental', () => {
    const f = first('INVALID_SESSION_ID: Session expired or invalid\n    at com.okta.sdk.Client.call(Client.java:12)');
    expect(f.verdict).toBe('match');
    expect(f.matches[0]?.entry.app).toBe('salesforce');
  });

  it('an ordinary word that is also an alias ("token exchange") names no app', () => {
    const f = first('token exchange failed: {"errorCode":"E0000011","errorSummary":"Invalid token provided"}');
    expect(f.verdict).toBe('match');
    expect(ids(f)).toEqual(['okta-invalid-token']);
  });

  it('several apps named on one line each keep their own error', () => {
    const d = matcher.diagnose('Okta: E0000011 Invalid token provided, Slack: {"ok":false,"error":"team_not_authorized"}');
    expect(d.findings.map((f) => [f.verdict, ...ids(f)])).toEqual([
      ['match', 'okta-invalid-token'],
      ['match', 'slack-discovery-api-not-enabled'],
    ]);
  });

  it('a mention in the chat around an error does not rule out that error', () => {
    const d = matcher.diagnose('Our Zendesk connector is fine, but this one fails:\n\nIgniteException');
    expect(d.findings.filter((f) => f.verdict === 'match').map((f) => ids(f))).toEqual([['microsoft-365-ignite-exception']]);
  });
});

describe('an HTTP status no candidate has is not answered with another status', () => {
  const wrapper = 'HttpRequestFailure: Server returned:';

  it.each(['502 Bad Gateway', '409 Conflict', '429 Too Many Requests', '503 Service Unavailable', '429'])('%s: none, weak suggestions at most', (status) => {
    for (const app of [undefined, 'O365', 'Okta']) {
      const f = first(`${wrapper} ${status}`, app);
      expect(f.verdict, `${status} ${app ?? ''}`).toBe('none');
      for (const m of f.matches) expect(m.score).toBeLessThan(0.5);
    }
  });

  it('a status read from its JSON key or "status code" contradicts too', () => {
    expect(first('{"status": 502, "error": "HttpRequestFailure"}').verdict).toBe('none');
    expect(first('Get events: Request failed with status code 502').verdict).toBe('none');
  });

  it('a plain number is not taken for a status', () => {
    const f = first(`${wrapper} 401 Unauthorized, retried 503 times`);
    expect(f.verdict).toBe('ambiguous');
    expect(new Set(ids(f))).toEqual(new Set(['exchange-online-unauthorized', 'microsoft-365-unauthorized', 'okta-invalid-token']));
  });

  it('403 is ServiceNow’s wrapped 403 and 504 the all-apps timeout, as the catalog says', () => {
    expect(ids(first(`${wrapper} 403 Forbidden`))).toEqual(['servicenow-forbidden']);
    expect(ids(first(`${wrapper} 504 Gateway Timeout`))).toEqual(['all-apps-service-timeout']);
  });

  it('the real 400/401/404/500 pastes come back as before, with and without app hints', () => {
    const cases: [string, string | undefined, string, string[]][] = [
      ['400 Bad Request', undefined, 'ambiguous', ['microsoft-365-bad-request', 'salesforce-bad-request']],
      ['400 Bad Request', 'Salesforce', 'match', ['salesforce-bad-request']],
      ['401 Unauthorized', undefined, 'ambiguous', ['exchange-online-unauthorized', 'microsoft-365-unauthorized', 'okta-invalid-token']],
      ['401 Unauthorized', 'EXO', 'match', ['exchange-online-unauthorized']],
      ['404 Not Found', 'Okta', 'match', ['okta-not-found']],
      ['500 Internal server error', undefined, 'match', ['all-apps-server-error-500']],
      ['500 Internal server error', 'Okta', 'match', ['all-apps-server-error-500']],
    ];
    for (const [status, app, verdict, want] of cases) {
      const f = first(`${wrapper} ${status}`, app);
      expect(f.verdict, `${status} ${app ?? ''}`).toBe(verdict);
      expect(new Set(ids(f)), `${status} ${app ?? ''}`).toEqual(new Set(want));
    }
  });
});
