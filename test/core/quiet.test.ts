// Text that is no error at all (chat, thanks, questions, status updates, agendas naming an app)
// gets no finding: the bot answers with one short line instead of an "unknown error" card.
// Error-shaped text the catalog does not know still gets its `none` finding.
import { describe, expect, it } from 'vitest';
import { createMatcher, loadCatalog } from '../../src/core/index.js';
import { quietMessages } from '../fixtures/pastes/quiet.js';

const catalog = loadCatalog();
const matcher = createMatcher(catalog);

/** 64 KB of random words in the catalog's own prose (causes and steps), seeded: word salad a bot must not take for an error. */
function randomWords(seed: number, size = 64 * 1024): string {
  const vocabulary = [...new Set(catalog.entries.flatMap((e) => [e.cause, ...e.resolution.steps]).join(' ').split(/[^A-Za-z]+/).filter((w) => /^[a-z]{2,}$/.test(w)))];
  let s = seed;
  const next = (): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const lines: string[] = [];
  let length = 0;
  while (length < size) {
    const line = Array.from({ length: 6 + Math.floor(next() * 9) }, () => vocabulary[Math.floor(next() * vocabulary.length)]).join(' ');
    lines.push(line);
    length += line.length + 1;
  }
  return lines.join('\n').slice(0, size);
}

describe('the frozen quiet set (83 messages written without reading the matcher)', () => {
  it('holds the 83 messages it was written with', () => {
    expect(quietMessages).toHaveLength(83);
  });

  it.each(quietMessages.map((m) => [m.name, m.text] as const))('%s: no finding', (_name, text) => {
    expect(matcher.diagnose(text).findings).toEqual([]);
  });
});

describe('word salad', () => {
  it.each([1, 2, 3])('64 KB of random words (seed %i) gives no finding', (seed) => {
    const text = randomWords(seed);
    expect(text.length).toBe(64 * 1024);
    expect(matcher.diagnose(text).findings).toEqual([]);
  });
});

describe('error-shaped text the catalog does not know keeps its `none` finding', () => {
  it.each([
    ['an exception name', 'IllegalStateException: widget registry is closed'],
    ['a stack trace', 'boom\n\tat com.contoso.Widget.run(Widget.java:12)'],
    ['an error code with its colon', 'WGT40012: the widget quota is used up'],
    ['an error code of a family the catalog knows', 'we get AADSTS50126 when the connector signs in'],
    ['an HTTP failure status in its context', 'Widget frobnication failed with HTTP 418 on widgets.example'],
    ['a status with its reason phrase', 'GET /widgets -> 503 Service Unavailable'],
    ['an error JSON body', '{"error":"widget_gone","error_description":"The widget was deleted"}'],
    ['a Python dict repr of an error', "{'ok': False, 'error': 'widget_gone'}"],
    ['an error log record', '2026-11-30T10:00:00Z ERROR widget sync stopped'],
    ['a command-line tool’s error line', 'Error from server (NotFound): widgets "w1" not found'],
  ])('%s', (_kind, text) => {
    const findings = matcher.diagnose(text).findings;
    expect(findings).toHaveLength(1);
    expect(findings[0]?.verdict).toBe('none');
  });

  it.each([
    ['a ticket number is not an error code', 'INC0012345 can be closed, Box is syncing again since 09:40'],
    ['a room number is not a status', 'CAB is in room 401 today, not the usual one'],
    ['"errors" with nothing in it is no error body', '{"job":"sync","errors":[],"error":null}'],
    ['the words error and failure in a sentence', 'zero failures overnight, and the error rate dashboard is green'],
    ['an object property name after a status word', 'what is the status constructor of the Okta connector'],
  ])('but not %s', (_kind, text) => {
    expect(matcher.diagnose(text).findings).toEqual([]);
  });
});

describe('lines that only introduce an error are not errors of their own', () => {
  it.each([
    ['a log record header above the exception', '2026-11-29 08:15:02,331 ERROR [pool-4-thread-2] c.a.c.g.GoogleConnector - token refresh failed\ncom.google.api.client.auth.oauth2.TokenResponseException: 400 Bad Request\n{\n  "error" : "unauthorized_client"\n}'],
    ['an HTTP status line above the body', 'HTTP/1.1 400 Bad Request\n{"error":"invalid_grant","error_description":"AADSTS70008: The provided authorization code or refresh token has expired."}'],
  ])('%s: one finding, the error', (_kind, text) => {
    const findings = matcher.diagnose(text).findings;
    expect(findings.map((f) => f.verdict)).toEqual(['match']);
  });
});

describe('a sentence that only begins with a log-level word is chat (issue 11 verification)', () => {
  it.each([
    'Error budget for Q4 is at 20%, let’s discuss Monday',
    'Exception handling review moved to 3pm',
    'Failed: my attempt at sourdough',
    'Exception request for the CAB: can we skip the Okta change freeze?',
    'Fatal attraction is on TV tonight',
    'Error: coffee machine empty again',
    'FAILED: the quiz at the offsite, we came last',
    'Errors and omissions excepted, see the attached plan',
  ])('%s: no finding', (text) => {
    expect(matcher.diagnose(text).findings).toEqual([]);
  });

  it.each([
    ['a level word with a failure after its colon', 'Error: the nightly export failed'],
    ['a level word followed by a code', 'ERROR 0x80070005'],
    ['an upper-case level with a failure', 'FAILED: connection refused by host'],
    ['a short header before the colon', 'Exception in worker: widget registry not found'],
    ['a system error name and an address', 'Error: connect ECONNREFUSED 10.0.0.12:8443'],
  ])('but %s keeps its `none` finding', (_kind, text) => {
    expect(matcher.diagnose(text).findings.map((f) => f.verdict)).toEqual(['none']);
  });
});
