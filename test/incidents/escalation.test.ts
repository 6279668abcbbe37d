// What the support desk receives: the incident, the catalog's words for the error, who
// escalated and why, and a link back; never a secret.

import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/core/retry-policy.js';
import { buildEscalationPayload, createWebhookSink, signBody, teamsLink, WebhookConfigError } from '../../src/incidents/index.js';
import type { AppInfo, CatalogEntry } from '../../src/core/types.js';
import type { Incident } from '../../src/incidents/types.js';

const entry: CatalogEntry = {
  id: 'box-invalid-refresh-token',
  app: 'box',
  message: 'Box: invalid refresh token',
  signals: { codes: [], exceptions: [], statuses: [], phrases: ['invalid_grant'], hosts: [] },
  cause: 'The refresh token expired or was revoked.',
  resolution: { steps: ['Reconnect Box.'], actor: 'app-admin', retryHelps: false },
  learnMore: 'https://learn.microsoft.com/defender-cloud-apps/connect-box',
  source: 'catalog/box.yaml',
};
const box: AppInfo = { id: 'box', name: 'Box', aliases: [], hints: [], learnMore: entry.learnMore };
const catalog = { entry: (id: string) => (id === entry.id ? entry : undefined), app: (id: string) => (id === 'box' ? box : undefined) };

const incident: Incident = {
  id: 'inc-1',
  conversationId: '19:abc@thread.tacv2;messageid=1700000000000',
  tenantId: 'tenant-1',
  activityId: '1700000000123',
  reporter: { id: '29:ada', name: 'Ada Ops' },
  excerpt: 'invalid_grant Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ',
  verdict: 'match',
  entryIds: ['box-invalid-refresh-token', 'unknown-entry'],
  appId: 'box',
  state: 'escalated',
  version: 2,
  repeatCount: 1,
  createdAt: new Date('2026-11-30T10:00:00Z'),
  updatedAt: new Date('2026-11-30T10:05:00Z'),
  escalatedAt: new Date('2026-11-30T10:05:00Z'),
  escalatedBy: { id: '29:bob', name: 'Bob Admin', aadObjectId: 'aad-bob' },
  escalationNote: 'Sync blocked since 9:00; password=hunter22',
};

describe('escalation payload', () => {
  it('carries the incident, the catalog entry, who escalated, the note and a link back', () => {
    const payload = buildEscalationPayload(incident, { catalog });
    expect(payload.incident).toMatchObject({
      id: 'inc-1',
      state: 'escalated',
      verdict: 'match',
      app: { id: 'box', name: 'Box' },
      repeatCount: 1,
      reportedBy: { name: 'Ada Ops' },
      createdAt: '2026-11-30T10:00:00.000Z',
    });
    expect(payload.incident.entries).toEqual([
      { id: 'box-invalid-refresh-token', message: entry.message, cause: entry.cause, learnMore: entry.learnMore },
      { id: 'unknown-entry' },
    ]);
    expect(payload.escalation).toEqual({ by: { name: 'Bob Admin', id: '29:bob', aadObjectId: 'aad-bob' }, note: expect.stringContaining('Sync blocked'), at: '2026-11-30T10:05:00.000Z' });
    expect(payload.links).toEqual({ teams: payload.link });
    expect(payload.link).toBe(payload.links.teams);
    expect(payload.links.teams).toBe(
      'https://teams.microsoft.com/l/message/19%3Aabc%40thread.tacv2/1700000000123?tenantId=tenant-1&parentMessageId=1700000000000',
    );
  });

  it('links to a card in a group, meeting or 1:1 chat as a chat message, which Teams opens only with the chat context', () => {
    const chat = encodeURIComponent('{"contextType":"chat"}');
    for (const conversationId of ['19:group@thread.v2', '19:meeting_abc@thread.v2', '19:aaa_bbb@unq.gbl.spaces']) {
      expect(teamsLink({ conversationId, activityId: '1700000000123', tenantId: 'tenant-1' })).toBe(
        `https://teams.microsoft.com/l/message/${encodeURIComponent(conversationId)}/1700000000123?tenantId=tenant-1&context=${chat}`,
      );
    }
    // A channel's top-level post has no thread to name, and is no chat.
    expect(teamsLink({ conversationId: '19:ops@thread.tacv2', activityId: '1700000000123' })).toBe('https://teams.microsoft.com/l/message/19%3Aops%40thread.tacv2/1700000000123');
  });

  it('never contains a secret, even if one slipped into the excerpt or the note', () => {
    const text = JSON.stringify(buildEscalationPayload(incident, { catalog }));
    expect(text).not.toContain('hunter22');
    expect(text).not.toContain('eyJhbGciOiJIUzI1NiJ9');
    expect(text).toContain('[REDACTED]');
  });

  it('links to the Teams conversation, and to nothing the bot does not serve', () => {
    const payload = buildEscalationPayload({ ...incident, conversationId: '19:chat@unq.gbl.spaces', activityId: undefined });
    expect(payload.link).toBe('https://teams.microsoft.com/l/chat/19%3Achat%40unq.gbl.spaces/conversations?tenantId=tenant-1');
    expect(teamsLink({ conversationId: 'local-playground-conv' })).toBeNull();
    expect(teamsLink({ conversationId: 'a:personal-with-the-bot', activityId: '1700000000123' })).toBeNull();
    expect(buildEscalationPayload({ ...incident, conversationId: 'local' }).link).toBeNull();
    // No /incidents/<id> page exists (it would show incidents to anyone): no such link, whatever the setup.
    expect(JSON.stringify(buildEscalationPayload({ ...incident, conversationId: 'local' }))).not.toContain('/incidents/');
  });
});

describe('webhook helpers', () => {
  it('signs the raw body with HMAC-SHA256 as receivers recompute it', () => {
    // Known-answer: echo -n '{"a":1}' | openssl dgst -sha256 -hmac key
    expect(signBody('{"a":1}', 'key')).toBe('sha256=88a67f24bbcdaed0e6c997404bb79a743baf44c6bab2f4c27328e3009d22e342');
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-30T10:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 30 Nov 2026 10:02:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 30 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('refuses a webhook that would send escalations in clear over the network, without echoing the URL', () => {
    expect(() => createWebhookSink({ url: 'http://desk.example.com/hook?token=abc', secret: 's' })).toThrow(WebhookConfigError);
    try {
      createWebhookSink({ url: 'http://user:pw@desk.example.com/hook', secret: 's' });
    } catch (error) {
      expect((error as Error).message).not.toContain('pw');
      expect((error as Error).message).not.toContain('desk.example.com');
    }
    expect(() => createWebhookSink({ url: 'https://desk.example.com/hook', secret: '' })).toThrow(/SECRET/);
    expect(createWebhookSink({ url: 'https://desk.example.com/hook', secret: 's' }).target).toBe('webhook');
    expect(createWebhookSink({ url: 'http://127.0.0.1:9/hook', secret: 's' }).target).toBe('webhook');
    expect(createWebhookSink({ url: 'http://localhost:9/hook', secret: 's' }).target).toBe('webhook');
  });
});
