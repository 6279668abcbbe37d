// The built-in catalog as a user meets it: every row of Microsoft's table present with its exact
// wording, usable advice, apps found by the names people use; and extras that add, override or fail
// loudly with the file, entry and field named.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  ALL_APPS_ID,
  PRODUCT_ALIASES,
  PRODUCT_HINTS,
  buildCatalog,
  catalogJsonSchema,
  defaultCatalogDir,
  loadCatalog,
} from '../../src/core/catalog.js';
import { CatalogError, CodedError, toCodedError } from '../../src/core/errors.js';
import type { AppInfo, CatalogEntry } from '../../src/core/types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const extras = (name: string) => path.join(root, 'test/fixtures/catalog-extra', name);

// Microsoft's "Troubleshoot App Connector errors" table (newest version), copied from
// reference/connector-errors.json: ref, app as the table names it, errorMessage exactly as the
// portal shows it, and the learn.microsoft.com page of that app's connector.
const REFERENCE: [ref: string, app: string, message: string, page: string][] = [
  ["mda-01", "All apps", "HttpRequestFailure: Server returned: 500 Internal server error", "enable-instant-visibility-protection-and-governance-actions-for-your-apps"],
  ["mda-02", "All apps", "Service timeout", "enable-instant-visibility-protection-and-governance-actions-for-your-apps"],
  ["mda-03", "Atlassian", "Get events: Request failed with status code 402. Payment Required. Audit Log Entitlement validation failed", "protect-atlassian"],
  ["mda-04", "AWS", "NullPointerException", "protect-aws"],
  ["mda-05", "Box", "AuthFatalFailureException: com.box.boxjavalibv2.exceptions.BoxServerException: {\"error\":\"invalid_grant\",\"error_description\":\"Invalid refresh token\"}", "protect-box"],
  ["mda-06", "Box", "BoxRestException: Failed to parse response.", "protect-box"],
  ["mda-07", "Box", "ContextManagerServiceException: com.adallom.adalib.httputils.exceptions.TokenRefreshException: {\"error\":\"invalid_grant\",\"error_description\":\"Invalid refresh token\"}'", "protect-box"],
  ["mda-08", "Box", "BoxServerException: User cannot access this feature without having an enterprise", "protect-box"],
  ["mda-09", "Box", "BoxServerException: Unauthorized - Cannot authorize with this service", "protect-box"],
  ["mda-10", "Exchange Online", "HttpRequestFailure: Server returned: 401 Unauthorized", "protect-office-365"],
  ["mda-11", "Exchange Online", "HttpRequestFailure: Server returned: 404 Not Found", "protect-office-365"],
  ["mda-12", "Google Workspace", "GoogleJsonResponseException: 401 Unauthorized", "protect-google-workspace"],
  ["mda-13", "Google Workspace", "GoogleJsonResponseException: 403 Forbidden", "protect-google-workspace"],
  ["mda-14", "Google Workspace", "TokenResponseException: 400 Bad Request", "protect-google-workspace"],
  ["mda-15", "Okta", "HttpRequestFailure: Server returned: 401 Unauthorized", "protect-okta"],
  ["mda-16", "Okta", "IOException:", "protect-okta"],
  ["mda-17", "Okta", "HttpRequestFailure: Server returned: 404 Not Found", "protect-okta"],
  ["mda-18", "Microsoft 365", "HttpRequestFailure: Server returned: 400 Bad Request: {\"error\":{\"code\":\"AF20012\",\"message\":\"Specified tenant ID (Tenant_ID goes here) is incorrectly configured in the system.\"", "protect-office-365"],
  ["mda-19", "Microsoft 365", "Microsoft.Office.Compliance.Audit.DataServiceException: Tenant 998cea7e-35cd-46a5-ab3c-8ec88a45d7d5 does not exist or {\"error\":\"code\":\"AF20023\",\"message\":\"The subscription was disabled.\"", "protect-office-365"],
  ["mda-20", "Microsoft 365", "HttpRequestFailure: Server returned: 401 Unauthorized", "protect-office-365"],
  ["mda-21", "Microsoft 365", "TokenRefreshException: {\"error\":\"invalid_grant\",\"error_description\":\"AADSTS70002: Error validating credentials. AADSTS70008: The provided authorization code or refresh token is expired. Send a new interactive authorization request for this user and resource.", "protect-office-365"],
  ["mda-22", "Microsoft 365", "SocketTimeoutException: Read timed out", "protect-office-365"],
  ["mda-23", "Microsoft 365", "NullPointerException", "protect-office-365"],
  ["mda-24", "Microsoft 365", "IgniteException", "protect-office-365"],
  ["mda-25", "Microsoft 365", "ContextManagerServiceException: com.adallom.adalib.httputils.exceptions.TokenRefreshException: {\"error\":\"invalid_grant\",\"error_description\":\"AADSTS70002: Error validating credentials. AADSTS70008: The provided authorization code or refresh token is expired. Send a new interactive authorization request for this user and resource.", "protect-office-365"],
  ["mda-26", "Microsoft 365", "HttpRequestFailure: Server returned: 400 Bad Request", "protect-office-365"],
  ["mda-27", "Salesforce", "SocketTimeoutException: Read timed out", "protect-salesforce"],
  ["mda-28", "Salesforce", "HttpRequestFailure: Server returned: 400 Bad Request", "protect-salesforce"],
  ["mda-29", "Salesforce", "Get Permissions: NoHttpResponseException: *******.salesforce.com:443 failed to respond", "protect-salesforce"],
  ["mda-30", "Slack", "team_not_authorized", "protect-slack"],
  ["mda-31", "ServiceNow", "RuntimeException: com.adallom.adalib.httputils.exceptions.HttpRequestFailure: Server returned: 403 Forbidden", "protect-servicenow"],
  ["mda-32", "Smartsheet", "Operation you are attempting to perform is not supported by your plan", "protect-smartsheet"],
  ["mda-33", "Workday", "Get events: {\"code\":403,\"serverResponse\"\nGet users: {\"code\":403,\"serverResponse\"\n…\n\"body\":\"{\"error\":\"permission denied\"}\"", "protect-workday"],
  ["mda-34", "Workday", "\"code\":400,\"serverResponse\"\n…\nbody\":\"{\"error\":\"invalid_grant\"}", "protect-workday"],
  ["mda-35", "Workday", "\"code\":401,\"serverResponse\":\n…\nbody\":\"{\"error\":\"invalid_client\"}\"", "protect-workday"],
  ["mda-36", "Zendesk", "Get user: Success Get events: Request failed with status code 403", "protect-zendesk"],
];

function entryFailure(fn: () => unknown): CatalogError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CatalogError) return error;
    throw error;
  }
  throw new Error('expected a CatalogError');
}

const catalog = loadCatalog();

describe('built-in catalog', () => {
  it('covers every row of the reference table exactly once, with the portal message byte for byte', () => {
    expect(REFERENCE).toHaveLength(36);
    for (const [ref, appName, message] of REFERENCE) {
      const entries = catalog.entries.filter((entry) => entry.ref === ref);
      expect(entries, ref).toHaveLength(1);
      const entry = entries[0]!;
      expect(entry.message, ref).toBe(message);
      expect(entry.app, ref).toBe(catalog.app(appName)?.id);
    }
    expect(catalog.entries).toHaveLength(36);
  });

  it('has one file per app and names the app of each entry after its file', () => {
    const files = readdirSync(defaultCatalogDir()).filter((name) => name.endsWith('.yaml'));
    expect(files.sort()).toEqual(catalog.apps.map((app) => `${app.id}.yaml`).sort());
    for (const entry of catalog.entries) expect(entry.source).toBe(`catalog/${entry.app}.yaml`);
  });

  it('gives every entry a cause, numbered steps, an actor and a current learn.microsoft.com page', () => {
    for (const entry of catalog.entries) {
      expect(entry.cause.length, entry.id).toBeGreaterThan(40);
      expect(entry.resolution.steps.length, entry.id).toBeGreaterThan(0);
      for (const step of entry.resolution.steps) {
        expect(step.trim().length, entry.id).toBeGreaterThan(10);
        // The renderer numbers the steps; a step must not carry its own number.
        expect(step, entry.id).not.toMatch(/^\s*\d+[.)]/);
      }
      expect(['app-admin', 'mda-admin', 'microsoft-support', 'anyone']).toContain(entry.resolution.actor);
      const url = new URL(entry.learnMore);
      expect(url.protocol, entry.id).toBe('https:');
      expect(url.hostname, entry.id).toBe('learn.microsoft.com');
      expect(url.pathname, entry.id).toMatch(/^\/en-us\/defender-cloud-apps\//);
    }
  });

  it('links each entry to the current page of its connector, not the stale connect-*.md pages', () => {
    for (const [ref, , , page] of REFERENCE) {
      const entry = catalog.entries.find((candidate) => candidate.ref === ref)!;
      expect(new URL(entry.learnMore).pathname, ref).toBe(`/en-us/defender-cloud-apps/${page}`);
      expect(new URL(entry.learnMore).pathname).not.toMatch(/\/connect-|cloud-app-security/);
    }
  });

  it('writes causes and steps in its own words rather than copying Microsoft\'s one-liners', () => {
    const copied = ['Internal error', 'Contact support', 'Token expired', 'Check the status of the app', 'Try again later.'];
    for (const entry of catalog.entries) {
      expect(copied).not.toContain(entry.cause.trim());
      for (const step of entry.resolution.steps) expect(copied).not.toContain(step.trim());
    }
  });

  it('says which errors a retry can clear and which need a support case', () => {
    expect(catalog.entry('all-apps-service-timeout')?.resolution.retryHelps).toBe(true);
    expect(catalog.entry('microsoft-365-read-timeout')?.resolution.retryHelps).toBe(true);
    expect(catalog.entry('box-invalid-refresh-token')?.resolution.retryHelps).toBe(false);
    for (const id of ['aws-null-pointer', 'microsoft-365-null-pointer']) {
      const entry = catalog.entry(id)!;
      expect(entry.resolution.actor).toBe('microsoft-support');
      expect(entry.resolution.supportCase).toBeTruthy();
    }
    expect(catalog.entry('atlassian-audit-log-entitlement')?.resolution.actor).toBe('app-admin');
  });

  it('keeps messages several apps share as separate entries, one per app', () => {
    const shared: [string, string[]][] = [
      ['HttpRequestFailure: Server returned: 401 Unauthorized', ['exchange-online', 'microsoft-365', 'okta']],
      ['HttpRequestFailure: Server returned: 404 Not Found', ['exchange-online', 'okta']],
      ['HttpRequestFailure: Server returned: 400 Bad Request', ['microsoft-365', 'salesforce']],
      ['SocketTimeoutException: Read timed out', ['microsoft-365', 'salesforce']],
      ['NullPointerException', ['aws', 'microsoft-365']],
    ];
    for (const [message, apps] of shared) {
      const found = catalog.entries.filter((entry) => entry.message === message);
      expect(found.map((entry) => entry.app).sort(), message).toEqual(apps);
      expect(new Set(found.map((entry) => entry.id)).size).toBe(apps.length);
    }
  });

  it('carries the vendor signals real pastes contain', () => {
    const signals = (id: string) => catalog.entry(id)!.signals;
    expect(signals('microsoft-365-refresh-token-expired').codes).toEqual(expect.arrayContaining(['AADSTS70008', 'AADSTS70002']));
    expect(signals('microsoft-365-tenant-not-configured').codes).toContain('AF20012');
    expect(signals('microsoft-365-audit-disabled').codes).toContain('AF20023');
    expect(signals('okta-invalid-token').codes).toContain('E0000011');
    expect(signals('box-invalid-refresh-token').phrases).toEqual(expect.arrayContaining(['invalid_grant', 'Invalid refresh token']));
    expect(signals('box-token-refresh-invalid-grant').exceptions).toEqual(
      expect.arrayContaining(['TokenRefreshException', 'com.adallom.adalib.httputils.exceptions.TokenRefreshException']),
    );
    expect(signals('google-workspace-forbidden').codes).toContain('insufficientPermissions');
    expect(signals('salesforce-bad-request').codes).toContain('INVALID_SESSION_ID');
    expect(signals('slack-discovery-api-not-enabled').phrases).toContain('team_not_authorized');
    expect(signals('workday-invalid-client').phrases).toContain('invalid_client');
    expect(signals('workday-permission-denied').phrases).toContain('permission denied');
    expect(signals('atlassian-audit-log-entitlement').phrases).toContain('Audit Log Entitlement');
    expect(signals('box-invalid-refresh-token').hosts).toContain('api.box.com');
    expect(signals('microsoft-365-audit-disabled').hosts).toContain('manage.office.com');
    expect(signals('microsoft-365-refresh-token-expired').hosts).toContain('login.microsoftonline.com');
    expect(signals('okta-invalid-token').hosts).toContain('*.okta.com');
    expect(signals('salesforce-bad-request').hosts).toContain('*.my.salesforce.com');
    expect(signals('servicenow-forbidden').hosts).toContain('*.service-now.com');
    expect(signals('smartsheet-plan-not-supported').hosts).toContain('api.smartsheet.com');
    expect(signals('workday-permission-denied').hosts).toContain('*.myworkday.com');
    expect(signals('zendesk-not-admin').hosts).toContain('*.zendesk.com');
    expect(signals('google-workspace-token-bad-request').hosts).toContain('oauth2.googleapis.com');
  });

  it('never lets an error code or a host point at two different apps', () => {
    for (const kind of ['codes', 'hosts'] as const) {
      const owner = new Map<string, string>();
      for (const entry of catalog.entries) {
        for (const value of entry.signals[kind]) {
          const key = value.toLowerCase();
          expect(owner.get(key) ?? entry.app, `${kind} ${value}`).toBe(entry.app);
          owner.set(key, entry.app);
        }
      }
    }
  });
});

describe('apps as people name them', () => {
  it.each([
    ['O365', 'microsoft-365'],
    ['Office 365', 'microsoft-365'],
    ['office365', 'microsoft-365'],
    ['M365', 'microsoft-365'],
    ['Microsoft 365', 'microsoft-365'],
    ['G Suite', 'google-workspace'],
    ['GSuite', 'google-workspace'],
    ['google apps', 'google-workspace'],
    ['EXO', 'exchange-online'],
    ['Exchange', 'exchange-online'],
    ['Amazon Web Services', 'aws'],
    ['aws', 'aws'],
    ['SFDC', 'salesforce'],
    ['SNOW', 'servicenow'],
    ['Service-Now', 'servicenow'],
    ['Atlassian Guard', 'atlassian'],
    ['All apps', 'all-apps'],
  ])('%s is %s', (name, id) => {
    expect(catalog.app(name)?.id).toBe(id);
  });

  it('does not mistake the product itself for an app', () => {
    for (const alias of ['Cloud App Security', 'MCAS', 'Defender for Cloud Apps', 'MDA', 'Microsoft Defender for Cloud Apps']) {
      expect(PRODUCT_ALIASES.map((name) => name.toLowerCase())).toContain(alias.toLowerCase());
      expect(catalog.app(alias), alias).toBeUndefined();
    }
    for (const app of catalog.apps) {
      for (const hint of app.hints) expect(PRODUCT_HINTS, `${app.id} ${hint}`).not.toContain(hint.toLowerCase());
    }
  });

  it('gives every real app hints and the all-apps pseudo app none', () => {
    for (const app of catalog.apps) {
      if (app.id === ALL_APPS_ID) expect(app.hints).toEqual([]);
      else expect(app.hints.length, app.id).toBeGreaterThan(0);
    }
    expect(catalog.app('box')?.hints).toContain('com.box');
    expect(catalog.app('okta')?.hints).toContain('okta.com');
    expect(catalog.app('microsoft-365')?.hints).toContain('login.microsoftonline.com');
    expect(catalog.app('google-workspace')?.hints).toContain('googleapis.com');
    expect(catalog.app('salesforce')?.hints).toContain('salesforce.com');
    expect(catalog.app('workday')?.hints).toContain('myworkday.com');
  });

  it('is frozen, so no caller can change advice for everyone else', () => {
    const entry = catalog.entry('box-invalid-refresh-token')!;
    expect(() => (entry.resolution.steps as string[]).push('tampered')).toThrow();
    expect(() => (catalog.apps as AppInfo[]).pop()).toThrow();
  });
});

describe('schema for editors', () => {
  it('catalog/schema.json is the current schema (regenerate: npm run catalog:lint -- --write-schema)', () => {
    const committed: unknown = JSON.parse(readFileSync(path.join(root, 'catalog/schema.json'), 'utf8'));
    expect(committed).toEqual(catalogJsonSchema());
  });

  it('every catalog file points editors at the schema and passes it', () => {
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(catalogJsonSchema());
    for (const name of readdirSync(path.join(root, 'catalog')).filter((file) => file.endsWith('.yaml'))) {
      const text = readFileSync(path.join(root, 'catalog', name), 'utf8');
      expect(text.startsWith('# yaml-language-server: $schema=./schema.json\n'), name).toBe(true);
      expect(validate(parseYaml(text)), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
});

describe('organisation extras (CATALOG_EXTRA_DIR)', () => {
  const extended = loadCatalog({ extraDir: extras('valid') });

  it('adds a new app with its own entries and names', () => {
    const app = extended.app('People Portal');
    expect(app?.id).toBe('acme-hr');
    const entry = extended.entry('acme-hr-api-key-revoked')!;
    expect(entry.app).toBe('acme-hr');
    expect(entry.ref).toBeUndefined();
    expect(entry.learnMore).toBe('https://wiki.acme.example/runbooks/acme-hr-connector');
    expect(entry.source).toContain('acme-hr.yaml');
  });

  it('adds entries and aliases to a built-in app from a file that names only its id', () => {
    const entry = extended.entry('box-acme-proxy-blocked')!;
    expect(entry.app).toBe('box');
    expect(entry.learnMore).toBe(catalog.app('box')!.learnMore);
    expect(extended.app('Box Drive')?.id).toBe('box');
    expect(extended.app('Box.com')?.id).toBe('box');
    expect(extended.entries).toHaveLength(38);
  });

  it('overrides parts of a built-in entry by id and keeps the rest', () => {
    const before = catalog.entry('box-invalid-refresh-token')!;
    const after = extended.entry('box-invalid-refresh-token')!;
    expect(after.learnMore).toBe('https://wiki.acme.example/runbooks/box-reconnect');
    expect(after.resolution.steps).toEqual([
      'Open a ticket in the IAM queue; the IAM on-call reconnects Box with the break-glass admin.',
    ]);
    expect(after.resolution.supportCase).toBe('Never; the IAM team owns Box connections.');
    expect(after.resolution.actor).toBe(before.resolution.actor);
    expect(after.resolution.retryHelps).toBe(before.resolution.retryHelps);
    expect(after.message).toBe(before.message);
    expect(after.cause).toBe(before.cause);
    expect(after.signals).toEqual(before.signals);
  });

  it('appends signals without losing the built-in ones', () => {
    const phrases = extended.entry('microsoft-365-refresh-token-expired')!.signals.phrases;
    expect(phrases).toContain('ACME-M365-TOKEN');
    expect(phrases).toEqual(expect.arrayContaining(catalog.entry('microsoft-365-refresh-token-expired')!.signals.phrases));
  });

  it('leaves the built-in catalog untouched for the next load', () => {
    expect(loadCatalog().entry('box-invalid-refresh-token')!.learnMore).toBe(catalog.entry('box-invalid-refresh-token')!.learnMore);
  });

  it('rejects an entry whose id already exists unless it is listed under overrides', () => {
    const error = entryFailure(() => loadCatalog({ extraDir: extras('duplicate-id') }));
    expect(error.code).toBe('CATALOG_INVALID');
    expect(error.message).toContain(path.join(extras('duplicate-id'), 'box.yaml'));
    expect(error.message).toContain('entry box-invalid-refresh-token');
    expect(error.message).toContain('catalog/box.yaml');
    expect(error.message).toContain('overrides');
  });

  it.each([
    ['an override of an id no entry has', 'unknown-override', 'overrides.yaml: entry override box-no-such-entry: field id: no entry has this id'],
    ['entries for an app nobody defined, listing the apps there are', 'unknown-app', 'dropbox.yaml: field app.id: unknown app dropbox; define it with name and learnMore, or use one of: all-apps, atlassian'],
    ['defining a built-in app a second time', 'redefine-app', 'box.yaml: field app.name: app box is already defined in catalog/box.yaml'],
  ])('rejects %s', (_what, fixture, expected) => {
    const error = entryFailure(() => loadCatalog({ extraDir: extras(fixture) }));
    expect(error.message).toContain(`${extras(fixture)}${path.sep}${expected}`);
  });

  it('names file, entry and field of every bad field at once', () => {
    const error = entryFailure(() => loadCatalog({ extraDir: extras('bad-field') }));
    const file = path.join(extras('bad-field'), 'box.yaml');
    const lines = error.problems.map((problem) => `${problem.entry}|${problem.field}|${problem.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        'box-acme-missing-cause|cause|is required',
        expect.stringMatching(/^box-acme-missing-cause\|resolution\.actor\|.*app-admin/),
        expect.stringMatching(/^box-acme-missing-cause\|resolution\.retryHelps\|.*boolean/),
        'box-acme-missing-cause|resolution.steps|needs at least one step',
        'entries[1]|id|is required',
        'entries[1]|learnMore|must be an https:// URL',
      ]),
    );
    expect(error.problems.every((problem) => problem.file === file)).toBe(true);
    expect(error.message).toContain(`${file}: entry box-acme-missing-cause: field resolution.steps: needs at least one step`);
  });

  it('reports broken YAML with its line', () => {
    const error = entryFailure(() => loadCatalog({ extraDir: extras('bad-yaml') }));
    expect(error.message).toMatch(/broken\.yaml: YAML syntax error at line 7, column \d+: /);
  });

  it('reports a missing extra folder instead of starting without the organisation\'s entries', () => {
    const error = entryFailure(() => loadCatalog({ extraDir: extras('no-such-folder') }));
    expect(error.message).toContain('no-such-folder: folder not found');
  });

  it('checks the built-in folder with the same rules', () => {
    const error = entryFailure(() => loadCatalog({ dir: extras('unknown-app') }));
    expect(error.message).toContain('dropbox.yaml: field app.id: unknown app dropbox');
  });
});

describe('buildCatalog for small in-memory catalogs', () => {
  const app = (id: string, aliases: string[] = []): AppInfo => ({
    id,
    name: id.toUpperCase(),
    aliases,
    hints: [],
    learnMore: 'https://learn.microsoft.com/x',
  });
  const entry = (id: string, appId: string): CatalogEntry => ({
    id,
    app: appId,
    message: `${id} failed`,
    signals: { codes: [], exceptions: [], statuses: [], phrases: [], hosts: [] },
    cause: 'because',
    resolution: { steps: ['do it'], actor: 'anyone', retryHelps: true },
    learnMore: 'https://learn.microsoft.com/x',
    source: 'test',
  });

  it('finds apps and entries', () => {
    const tiny = buildCatalog([app('alpha', ['A1'])], [entry('alpha-down', 'alpha')]);
    expect(tiny.app('a 1')?.id).toBe('alpha');
    expect(tiny.app('ALPHA')?.id).toBe('alpha');
    expect(tiny.entry('alpha-down')?.message).toBe('alpha-down failed');
    expect(tiny.entry('missing')).toBeUndefined();
  });

  it('refuses duplicate ids, unknown apps, shared aliases and product names as aliases', () => {
    expect(() => buildCatalog([app('alpha')], [entry('x', 'alpha'), entry('x', 'alpha')])).toThrow(/entry x: id already defined/);
    expect(() => buildCatalog([app('alpha')], [entry('x', 'beta')])).toThrow(/unknown app beta/);
    expect(() => buildCatalog([app('alpha', ['Shared']), app('beta', ['shared'])], [])).toThrow(/already names app alpha/);
    expect(() => buildCatalog([app('alpha', ['MCAS'])], [])).toThrow(/names the product itself/);
  });
});

describe('coded errors', () => {
  it('CatalogError is a CodedError with the problems attached', () => {
    const error = new CatalogError([{ file: 'catalog/box.yaml', entry: 'box-x', field: 'cause', message: 'is required' }]);
    expect(error).toBeInstanceOf(CodedError);
    expect(error.name).toBe('CatalogError');
    expect(error.message).toBe('Invalid catalog: catalog/box.yaml: entry box-x: field cause: is required');
    expect(error.problems).toHaveLength(1);
  });

  it('turns anything thrown into a coded error without leaking its text', () => {
    const inner = new Error('ECONNREFUSED 10.0.0.5:5432 select * from incidents');
    const coded = toCodedError(inner);
    expect(coded.code).toBe('INTERNAL');
    expect(coded.message).not.toContain('ECONNREFUSED');
    expect(coded.cause).toBe(inner);
    const catalogError = new CatalogError([{ file: 'f', message: 'm' }]);
    expect(toCodedError(catalogError)).toBe(catalogError);
  });
});
