// Alert payloads recognised by their fields: the generic shape, a Sentinel incident (the Logic App
// trigger body, or the incident object alone) and a Defender for Cloud Apps alert; HTML stripped,
// the app named, the status read; anything else refused with what is expected.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAlert, plainTextOf } from '../../src/alerts/payload.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/alerts/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
const ok = (body: unknown) => {
  const result = parseAlert(body);
  if (!result.ok) throw new Error(result.message);
  return result.alert;
};

describe('parseAlert', () => {
  it('reads the generic shape, stripping HTML from the description', () => {
    expect(ok(fixture('generic'))).toEqual({
      source: 'generic',
      sourceName: 'an alert webhook',
      id: 'flow-7f3a',
      title: 'Okta connector failed',
      text: 'Okta connector failed\nOkta connector error: HttpRequestFailure: Server returned: 401 Unauthorized from contoso.okta.com',
      app: 'Okta',
      status: 'active',
      link: 'https://security.microsoft.com/cloudapps/alerts',
    });
    expect(ok({ id: 7, title: 'x', status: 'Dismissed' })).toMatchObject({ id: '7', status: 'resolved' });
  });

  it('reads a Sentinel incident as the Logic App trigger passes it, and the incident object alone', () => {
    const alert = ok(fixture('sentinel-incident'));
    expect(alert).toMatchObject({ source: 'sentinel', id: '5d6b2a0e-9c1f-4f7a-8e3b-2f4c6d8e0a12', title: 'System alert app connector error', app: 'Box', status: 'active' });
    expect(alert.link).toMatch(/^https:\/\/portal\.azure\.com\//);
    // The error is in the alert's description, its entities decoded.
    expect(alert.text).toContain('{"error":"invalid_grant","error_description":"Invalid refresh token"}');
    expect(alert.raisedAt?.toISOString()).toBe('2026-11-30T09:58:12.000Z');
    const object = fixture('sentinel-incident').object as Record<string, unknown>;
    expect(ok(object)).toMatchObject({ source: 'sentinel', id: alert.id });
    const closed = structuredClone(object) as { properties: Record<string, unknown> };
    closed.properties.status = 'Closed';
    expect(ok(closed).status).toBe('resolved');
  });

  it('reads a Defender for Cloud Apps alert: the app from its service entity, closed when its resolution status is not open', () => {
    const alert = ok(fixture('mdca-alert'));
    expect(alert).toMatchObject({ source: 'mdca', id: '65a1f0c2e4b0a1b2c3d4e5f6', app: 'Salesforce', status: 'active', link: 'https://contoso.portal.cloudappsecurity.com/#/alerts/65a1f0c2e4b0a1b2c3d4e5f6' });
    expect(alert.text).toBe('System alert app connector error\nThe Salesforce app connector failed:\nINVALID_SESSION_ID: Session expired or invalid');
    for (const resolution of [1, 2, 3, 4, 5]) expect(ok({ ...fixture('mdca-alert'), resolutionStatusValue: resolution }).status).toBe('resolved');
  });

  it('drops a link that is not https from Microsoft payloads, and refuses it in the generic shape', () => {
    expect(ok({ ...fixture('mdca-alert'), URL: 'javascript:alert(1)' }).link).toBeUndefined();
    expect(parseAlert({ id: '1', title: 'x', link: 'http://example.com' })).toEqual({ ok: false, message: '"link" must be an https:// URL.' });
  });

  it('tells what is wrong with a generic alert, and what it expects of anything else', () => {
    expect(parseAlert({ id: '1', title: 'x', status: 'maybe' })).toEqual({ ok: false, message: '"status" must be "active" or "resolved" (or "dismissed").' });
    expect(parseAlert({ id: '1', title: 'x', description: 42 })).toEqual({ ok: false, message: '"description" must be a string.' });
    expect(parseAlert({ id: '1', title: '' })).toEqual({ ok: false, message: '"title" must be a non-empty string.' });
    expect(parseAlert({ id: 'x'.repeat(201), title: 'x' })).toMatchObject({ ok: false, message: expect.stringMatching(/longer than 200/) });
    for (const body of [null, [], 'text', 42, {}, { title: 'no id' }, { object: { properties: {} } }]) {
      expect(parseAlert(body)).toMatchObject({ ok: false, message: expect.stringMatching(/^Expected one alert as JSON/) });
    }
  });

  it('cuts a long title to one line and reads HTML even without the tags a Teams paste has', () => {
    expect(ok({ id: '1', title: `Box\n${'a'.repeat(600)}` }).title).toHaveLength(500);
    expect(plainTextOf('<b>401</b> &amp; <a href="https://x">retry</a>')).toBe('401 & retry');
    expect(plainTextOf('if a < b then 401')).toBe('if a < b then 401');
  });
});
