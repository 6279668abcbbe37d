// The classes of error issue 14 found out of sample, each fixed by a general rule (see
// docs/matching.md): the tuning pastes in fixtures/pastes/field.ts say what users get; these say
// why, one rule at a time.
import { describe, expect, it } from 'vitest';
import { createMatcher, loadCatalog, type Finding } from '../../src/core/index.js';
import { buildProvenance, exceptionOwner, isForeignFrame } from '../../src/core/provenance.js';

const matcher = createMatcher(loadCatalog());
const findings = (text: string, app?: string): Finding[] => matcher.diagnose(text, app ? { app } : undefined).findings;
const only = (text: string, app?: string): Finding => {
  const all = findings(text, app);
  expect(all).toHaveLength(1);
  return all[0] as Finding;
};
const ids = (f: Finding): string[] => f.matches.map((m) => m.entry.id);

describe('an inner code the entry does not carry: the wrapper around it is not the entry', () => {
  it('the 401 wrapper around E0000004 is none of the 401 entries; around E0000011 it is Okta’s', () => {
    const other = only('HttpRequestFailure: Server returned: 401 Unauthorized {"errorCode":"E0000004","errorSummary":"Authentication failed"}');
    expect(other.verdict).toBe('none');
    for (const m of other.matches) expect(m.score).toBeLessThan(0.5);
    expect(ids(only('HttpRequestFailure: Server returned: 401 Unauthorized {"errorCode":"E0000011","errorSummary":"Invalid token provided"}'))).toEqual(['okta-invalid-token']);
  });

  it('reads the code of an OAuth error body, quoted, escaped or as a Python dict', () => {
    for (const body of ['{"error":"invalid_client"}', '{\\"error\\":\\"invalid_client\\"}', "{'error': 'invalid_client'}"]) {
      expect(only(`AuthFatalFailureException: com.box.boxjavalibv2.exceptions.BoxServerException: ${body}`).verdict, body).toBe('none');
    }
  });

  it('a code only one app has still names its error inside a line of several', () => {
    const d = findings('Okta: E0000011 Invalid token provided, Slack: {"ok":false,"error":"team_not_authorized"}');
    expect(d.map(ids)).toEqual([['okta-invalid-token'], ['slack-discovery-api-not-enabled']]);
  });

  it('an all-apps entry is a status, whatever code the app put inside', () => {
    expect(ids(only('HttpRequestFailure: Server returned: 500 Internal server error {"error":"server_error_x1"}'))).toEqual(['all-apps-server-error-500']);
  });
});

describe('a generic exception from another app’s host or package does not carry an entry’s app', () => {
  it('NullPointerException thrown in the Okta SDK is none; in the AWS SDK it is AWS’s', () => {
    expect(only('java.lang.NullPointerException\n\tat com.okta.sdk.impl.ds.DefaultDataStore.getResource(DefaultDataStore.java:180)').verdict).toBe('none');
    expect(ids(only('java.lang.NullPointerException\n\tat com.amazonaws.services.cloudtrail.AWSCloudTrailClient.lookupEvents(AWSCloudTrailClient.java:88)'))).toEqual(['aws-null-pointer']);
  });

  it('what only one app has still carries it across another app’s frames', () => {
    expect(ids(only('INVALID_SESSION_ID: Session expired or invalid\n    at com.okta.sdk.Client.call(Client.java:12)'))).toEqual(['salesforce-bad-request']);
  });
});

describe('a runtime exception’s detail message is not known to an entry that is only its name', () => {
  it('IOException with a detail of its own and no app is none; bare, or with the app, it is Okta’s', () => {
    for (const text of [
      'Our backup job failed: java.io.IOException: No space left on device at org.apache.commons.io.FileUtils.copy',
      'java.io.IOException: Connection reset by peer at sun.nio.ch.SocketDispatcher.read while calling https://proxy.acme.local:8080/',
    ]) {
      const f = only(text);
      expect(f.verdict, text).toBe('none');
      for (const m of f.matches) expect(m.score).toBeLessThan(0.5);
    }
    expect(ids(only('IOException:'))).toEqual(['okta-io-exception']);
    expect(ids(only('Okta connector: java.io.IOException: Connection reset'))).toEqual(['okta-io-exception']);
    expect(ids(only('java.io.IOException: Connection reset by peer (https://contoso.okta.com/api/v1/logs)'))).toEqual(['okta-io-exception']);
  });

  it('NullPointerException bare is AWS’s or Microsoft 365’s; with the JVM’s detail and no app it is none', () => {
    expect(only('NullPointerException').verdict).toBe('ambiguous');
    expect(only('java.lang.NullPointerException: Cannot invoke "String.length()" because "name" is null').verdict).toBe('none');
  });

  it('a library’s exception (IgniteException) keeps its detail: only runtime classes are everybody’s', () => {
    expect(ids(only('org.apache.ignite.IgniteException: Failed to execute compute task'))).toEqual(['microsoft-365-ignite-exception']);
  });
});

describe('an app named on one line belongs to that line', () => {
  it('is not applied to the error on the next line; a host there still settles ties', () => {
    const named = findings('Our Okta connector is fine, only this one fails:\nHttpRequestFailure: Server returned: 401 Unauthorized');
    expect(named.map((f) => f.verdict)).toEqual(['ambiguous']);
    expect(named[0]?.appHints).toEqual([]);
    const host = findings('GET https://contoso.okta.com/api/v1/logs\nHttpRequestFailure: Server returned: 401 Unauthorized');
    expect(host.filter((f) => f.verdict !== 'none').map(ids)).toEqual([['okta-invalid-token']]);
  });
});

describe('a label just above an error names its app', () => {
  const OKTA_401 = 'HttpRequestFailure: Server returned: 401 Unauthorized';
  it.each([
    ['a person’s label line', `Okta connector failing:\n${OKTA_401}`],
    ['an alert card’s heading', `Connector alert: Okta\n${OKTA_401}`],
    ['a label two lines up, over a fact line', `App: Okta\nTime: 11/30/2026 9:14 PM\n${OKTA_401}`],
  ])('%s', (_kind, text) => {
    const f = only(text);
    expect(ids(f)).toEqual(['okta-invalid-token']);
    expect(f.appHints).toEqual(['okta']);
  });

  it('the named app rules out other apps’ entries, as on the error’s own line', () => {
    expect(only('Smartsheet connector failing:\nHttpRequestFailure: Server returned: 400 Bad Request').verdict).toBe('none');
  });

  it.each([
    ['a sentence of two clauses', `Okta is fine, this one fails:\n${OKTA_401}`],
    ['a label naming two apps', `Connector alert: Okta or Exchange Online\n${OKTA_401}`],
    ['a label further up than the window', `Connector alert: Okta\nTime: 9:14 PM\nTenant: contoso\nRegion: EU\n${OKTA_401}`],
    ['a label above another error', `Connector alert: Okta\nAADSTS50126: Error validating credentials\n${OKTA_401}`],
  ])('not %s', (_kind, text) => {
    const recognised = findings(text).filter((f) => f.verdict !== 'none');
    expect(recognised.map((f) => f.verdict)).toEqual(['ambiguous']);
  });

  it('a catalog code under another app’s label is an unknown error of that app, not chat', () => {
    const f = only('Box connector failing:\nINVALID_SESSION_ID: Session expired or invalid');
    expect(f.verdict).toBe('none');
    expect(f.appHints).toEqual(['box']);
    expect(only('Box: INVALID_SESSION_ID: Session expired or invalid').verdict).toBe('none');
  });
});

describe('a terse report: the named app settles which entry carries the status', () => {
  it('matches on the status read in its context, anchored by the app', () => {
    const f = only('Okta connector: 401 Unauthorized');
    expect(f.verdict).toBe('match');
    expect(ids(f)).toEqual(['okta-invalid-token']);
    expect(f.matches[0]?.evidence.map((e) => e.kind)).toEqual(expect.arrayContaining(['status', 'app-hint']));
  });

  it('reads .NET’s status names after a status word', () => {
    expect(ids(only('Okta connector failed, Status Code: Unauthorized'))).toEqual(['okta-invalid-token']);
  });

  it('a bare number counts only when it ends the report right after the app', () => {
    expect(ids(only('Exchange Online 401'))).toEqual(['exchange-online-unauthorized']);
    expect(findings('Exchange Online has 401 mailboxes left to migrate')).toEqual([]);
  });

  it('not when the error holds another entry’s own words', () => {
    expect(only('Box: HttpRequestFailure: Server returned: 401 Unauthorized').verdict).toBe('none');
  });

  it('the caller’s app counts as named', () => {
    expect(ids(only('401 Unauthorized', 'Okta'))).toEqual(['okta-invalid-token']);
  });
});

describe('client library forms', () => {
  it('a status with the entry’s own upstream host points at it', () => {
    expect(ids(only('requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: https://contoso.okta.com/api/v1/logs'))).toEqual(['okta-invalid-token']);
  });

  it('an SDK’s exception line above the body is one error with it', () => {
    const text = "slack_sdk.errors.SlackApiError: The request to the Slack API failed. (url: https://slack.com/api/discovery.enterprise.info)\nThe server responded with: {'ok': False, 'error': 'team_not_authorized'}";
    const f = only(text);
    expect(ids(f)).toEqual(['slack-discovery-api-not-enabled']);
    expect(f.excerpt).toBe(text);
  });

  it('an SDK’s exception line above a body the catalog does not know is one unknown error with it', () => {
    const text = "slack_sdk.errors.SlackApiError: The request to the Slack API failed. (url: https://slack.com/api/auth.test)\nThe server responded with: {'ok': False, 'error': 'invalid_auth'}";
    const f = only(text);
    expect(f.verdict).toBe('none');
    expect(f.excerpt).toBe(text);
  });

  it('an unknown error above a known one of no app it names stays its own finding', () => {
    const d = findings('AADSTS50126: Error validating credentials due to invalid username or password.\nteam_not_authorized');
    expect(d.map((f) => f.verdict)).toEqual(['none', 'match']);
  });
});

describe('whose code a stack frame runs in', () => {
  const provenance = buildProvenance(loadCatalog());
  it.each([
    ['at com.acme.billing.InvoiceJob.run(InvoiceJob.java:112)', true],
    ['at Contoso.Billing.InvoiceService.GetLatest(Int32 customerId) in C:\\src\\x.cs:line 42', true],
    ['at java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)', false],
    ['at org.apache.http.impl.io.SessionInputBufferImpl.fillBuffer(SessionInputBufferImpl.java:153)', false],
    ['at com.adallom.connectors.okta.OktaLogReader.next(OktaLogReader.java:93)', false],
    ['at com.okta.sdk.impl.ds.DefaultDataStore.getResource(DefaultDataStore.java:180)', false],
    ['at Okta.Sdk.Internal.HttpClient.SendAsync()', false],
    ['at createError (/app/node_modules/axios/lib/core/createError.js:16:15)', false],
  ])('%s: somebody else’s = %s', (frame, foreign) => {
    expect(isForeignFrame(provenance, frame)).toBe(foreign);
  });

  it('an exception is an app’s own only in that app’s package', () => {
    expect(exceptionOwner(provenance, 'com.box.boxjavalibv2.exceptions.BoxServerException')).toBe('box');
    expect(exceptionOwner(provenance, 'java.lang.NullPointerException')).toBeUndefined();
    expect(exceptionOwner(provenance, 'com.adallom.adalib.httputils.exceptions.HttpRequestFailure')).toBeUndefined();
  });
});
