// How a paste is cut into distinct errors.
import { describe, expect, it } from 'vitest';
import { segment, stripLogPrefix } from '../../src/core/segment.js';
import { tokenize } from '../../src/core/mask.js';

const bodies = (text: string): string[][] => segment(text).map((s) => s.lines.map((l) => l.body));

describe('segment', () => {
  it('keeps a Java stack trace and its Caused by together', () => {
    const text = 'java.lang.IllegalStateException: boom\n\tat com.x.Y.z(Y.java:1)\nCaused by: java.io.IOException: gone\n\t... 3 more';
    const segs = segment(text);
    expect(segs).toHaveLength(1);
    expect(segs[0]?.lines.filter((l) => l.frame)).toHaveLength(2);
  });

  it('keeps a .NET trace with its inner exception together', () => {
    const text = 'System.AggregateException: One or more errors occurred.\n ---> System.TimeoutException: late\n   at A.B()\n   --- End of inner exception stack trace ---';
    expect(segment(text)).toHaveLength(1);
  });

  it('keeps a Python traceback with the exception printed after its frames', () => {
    const text = 'Traceback (most recent call last):\n  File "main.py", line 3, in <module>\n    raise ValueError("x")\nValueError: x\nIgniteException';
    expect(bodies(text).map((b) => b[b.length - 1])).toEqual(['ValueError: x', 'IgniteException']);
  });

  it('keeps a pretty-printed JSON body with the line that introduced it', () => {
    const text = 'TokenResponseException: 400 Bad Request\n{\n  "error" : "invalid_grant"\n}\nBoxRestException: Failed to parse response.';
    expect(bodies(text).map((b) => b[0])).toEqual(['TokenResponseException: 400 Bad Request', 'BoxRestException: Failed to parse response.']);
  });

  it('keeps the portal’s multi-line Workday message as one error', () => {
    const text = 'Get events: {"code":403,"serverResponse"\nGet users: {"code":403,"serverResponse"\n…\n"body":"{"error":"permission denied"}"';
    expect(segment(text)).toHaveLength(1);
  });

  it('starts a new error at every log record', () => {
    const text = '2026-11-30T01:00:00Z ERROR first\n2026-11-30T01:00:01Z ERROR second';
    expect(bodies(text)).toEqual([['first'], ['second']]);
  });

  it('separates paragraphs', () => {
    expect(segment('hello\n\nIgniteException')).toHaveLength(2);
  });
});

describe('stripLogPrefix', () => {
  it('removes timestamps, levels, threads and logger names', () => {
    expect(stripLogPrefix('2026-11-30 10:22:33,123 [pool-1-thread-2] ERROR c.a.box.Connector - BoxRestException: x')).toEqual({
      body: 'BoxRestException: x',
      record: true,
    });
    expect(stripLogPrefix('[30/11/2026 10:22:33] [WARN] Service timeout').body).toBe('Service timeout');
    expect(stripLogPrefix('Error: Request failed with status code 402').body).toBe('Request failed with status code 402');
    expect(stripLogPrefix('11/30/2026 10:22:33 PM HttpRequestFailure: x').body).toBe('HttpRequestFailure: x');
  });

  it('keeps an error that starts with its exception name', () => {
    expect(stripLogPrefix('com.adallom.x.HttpRequestFailure: Server returned: 500').body).toBe('com.adallom.x.HttpRequestFailure: Server returned: 500');
    expect(stripLogPrefix('Error validating credentials').record).toBe(false);
  });
});

describe('tokenize (masking)', () => {
  it('masks GUIDs, timestamps, emails, URLs and plain numbers but keeps codes and statuses', () => {
    const masked = tokenize('Tenant 998cea7e-35cd-46a5-ab3c-8ec88a45d7d5 at 2026-11-30T10:22:33.123Z by a.b@contoso.com via https://x.okta.com/api/v1?x=1 code AADSTS70008 status 403 took 12345 ms')
      .map((t) => t.masked)
      .filter((m) => m);
    expect(masked).toEqual(['tenant', '<guid>', 'at', '<ts>', 'by', '<email>', 'via', '<url>', 'code', 'aadsts70008', 'status', '403', 'took', '<num>', 'ms']);
  });

  it('keeps the raw words inside masked spans for host hints', () => {
    expect(tokenize('https://contoso.okta.com/x').map((t) => t.raw)).toEqual(['https', 'contoso', 'okta', 'com', 'x']);
  });
});
