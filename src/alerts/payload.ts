// What an alert sender posts, recognised by its fields: a generic {id, title, description} shape,
// a Microsoft Sentinel incident as a Logic App's incident trigger hands it on, or a Defender for
// Cloud Apps alert as its REST API returns it. Pure: JSON in, one plain-text alert (or why not) out.

import { normalize } from '../core/normalize.js';

export type AlertSource = 'generic' | 'sentinel' | 'mdca';

export interface ParsedAlert {
  source: AlertSource;
  /** How people name the sender: "Microsoft Sentinel", "Defender for Cloud Apps", "an alert webhook". */
  sourceName: string;
  /** The alert's id where it came from (not yet redacted). */
  id: string;
  /** Plain text, one line. */
  title: string;
  /** The text to diagnose: the title and the description(s), HTML stripped. Not yet redacted. */
  text: string;
  /** The app the alert names (Box, Okta, ...), a strong hint for the matcher. */
  app?: string;
  status: 'active' | 'resolved';
  /** https link to the alert or incident where it came from. */
  link?: string;
  raisedAt?: Date;
}

export type ParseResult = { ok: true; alert: ParsedAlert } | { ok: false; message: string };

export const SOURCE_NAMES: Record<AlertSource, string> = {
  generic: 'an alert webhook',
  sentinel: 'Microsoft Sentinel',
  mdca: 'Defender for Cloud Apps',
};

const MAX_ID_CHARS = 200;
const MAX_TITLE_CHARS = 500;
/** The matcher reads 64 KB of a paste; an alert's text is cut there too. */
const MAX_TEXT_CHARS = 65_536;
/** A Sentinel incident can carry many alerts; their descriptions are read up to this many. */
const MAX_SENTINEL_ALERTS = 20;

export const EXPECTED_SHAPES =
  'Expected one alert as JSON: {"id", "title", "description", "app"?, "status"?, "link"?}, a Microsoft Sentinel incident ' +
  '(the Logic App incident trigger body) or a Defender for Cloud Apps alert (as its API returns it). See docs/alerts.md.';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);
const idOf = (value: unknown): string | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/**
 * Plain text of an alert field. Alert descriptions arrive as HTML (Defender for Cloud Apps says so
 * with isMarkdown, Sentinel shows them as HTML), but not always with the tags that mark a Teams
 * paste as HTML: any tag-looking text is read as HTML.
 */
export function plainTextOf(value: string): string {
  const text = value.length > MAX_TEXT_CHARS ? value.slice(0, MAX_TEXT_CHARS) : value;
  return normalize(/<\/?[a-z][^>]{0,200}>/i.test(text) ? `<div>${text}</div>` : text);
}

function oneLine(text: string, max: number): string {
  const line = plainTextOf(text).replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Title and descriptions as one text, each distinct piece once. */
function joinText(parts: (string | undefined)[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of parts) {
    if (!part) continue;
    const plain = plainTextOf(part).trim();
    if (plain === '' || seen.has(plain)) continue;
    seen.add(plain);
    out.push(plain);
  }
  const text = out.join('\n');
  return text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text;
}

function httpsLink(value: unknown): string | undefined {
  const url = str(value)?.trim();
  return url && /^https:\/\/[^\s"<>]+$/i.test(url) && URL.canParse(url) ? url : undefined;
}

function validDate(value: unknown): Date | undefined {
  const date = typeof value === 'number' ? new Date(value) : typeof value === 'string' ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/** What every payload shape becomes: the title on one line, the texts joined, the app, an https link and a date only when valid. */
function accepted(
  source: AlertSource,
  fields: { id: string; title: unknown; texts: (string | undefined)[]; app: string | undefined; status: ParsedAlert['status']; link?: unknown; raisedAt?: unknown },
): ParseResult {
  const link = httpsLink(fields.link);
  const raisedAt = validDate(fields.raisedAt);
  return {
    ok: true,
    alert: {
      source,
      sourceName: SOURCE_NAMES[source],
      id: fields.id,
      title: oneLine(String(fields.title), MAX_TITLE_CHARS),
      text: joinText(fields.texts),
      ...(fields.app ? { app: oneLine(fields.app, 100) } : {}),
      status: fields.status,
      ...(link ? { link } : {}),
      ...(raisedAt ? { raisedAt } : {}),
    },
  };
}

function tooLong(id: string): ParseResult | undefined {
  return id.length > MAX_ID_CHARS ? { ok: false, message: `The alert's id is longer than ${MAX_ID_CHARS} characters.` } : undefined;
}

/** The incident a Logic App trigger passes on: `{object: {name, properties}}`, or the incident itself. */
function sentinelIncident(body: Json): Json | undefined {
  const object = isObject(body.object) ? body.object : body;
  const properties = object.properties;
  if (!isObject(properties) || !str(properties.title)) return undefined;
  const id = String(object.id ?? '');
  const looksLikeSentinel =
    body.objectSchemaType === 'Incident' || id.includes('/Microsoft.SecurityInsights/') || 'incidentUrl' in properties || 'incidentNumber' in properties;
  return looksLikeSentinel ? object : undefined;
}

function parseSentinel(object: Json): ParseResult {
  const p = object.properties as Json;
  const id = idOf(object.name) ?? idOf(p.incidentNumber) ?? idOf(object.id);
  if (!id) return { ok: false, message: 'The Sentinel incident has no name (its id) and no incidentNumber.' };
  const long = tooLong(id);
  if (long) return long;
  const alerts = (Array.isArray(p.alerts) ? p.alerts : []).slice(0, MAX_SENTINEL_ALERTS).filter(isObject);
  const alertTexts = alerts.flatMap((a) => {
    const ap = isObject(a.properties) ? a.properties : a;
    return [str(ap.alertDisplayName), str(ap.description)];
  });
  const entities = Array.isArray(p.relatedEntities) ? p.relatedEntities.filter(isObject) : [];
  const cloudApp = entities.find((e) => String(e.kind ?? '').toLowerCase() === 'cloudapplication');
  const appProps = cloudApp && isObject(cloudApp.properties) ? cloudApp.properties : undefined;
  const app = str(appProps?.appDisplayName) ?? str(appProps?.friendlyName);
  return accepted('sentinel', {
    id,
    title: p.title,
    texts: [String(p.title), str(p.description), ...alertTexts],
    app,
    status: String(p.status ?? '').toLowerCase() === 'closed' ? 'resolved' : 'active',
    link: p.incidentUrl,
    raisedAt: p.createdTimeUtc,
  });
}

function parseMdca(body: Json): ParseResult {
  const id = idOf(body._id)!;
  const long = tooLong(id);
  if (long) return long;
  const entities = Array.isArray(body.entities) ? body.entities.filter(isObject) : [];
  // The app an alert is about is its entity of type 'service' (e.g. {"type": "service", "label": "Box"}).
  const service = entities.find((e) => e.type === 'service');
  const app = str(service?.label);
  // resolutionStatusValue: 0 open; 1 dismissed, 2 resolved, 3 false positive, 4 benign, 5 true positive (all closed).
  const resolution = typeof body.resolutionStatusValue === 'number' ? body.resolutionStatusValue : 0;
  return accepted('mdca', {
    id,
    title: body.title,
    texts: [String(body.title), str(body.description)],
    app,
    status: resolution === 0 ? 'active' : 'resolved',
    link: body.URL,
    raisedAt: body.timestamp,
  });
}

const GENERIC_STATUS: Record<string, 'active' | 'resolved'> = {
  active: 'active',
  open: 'active',
  new: 'active',
  resolved: 'resolved',
  dismissed: 'resolved',
  closed: 'resolved',
};

function parseGeneric(body: Json): ParseResult {
  const id = idOf(body.id)!;
  const long = tooLong(id);
  if (long) return long;
  if (body.description !== undefined && body.description !== null && typeof body.description !== 'string') {
    return { ok: false, message: '"description" must be a string.' };
  }
  if (body.app !== undefined && body.app !== null && typeof body.app !== 'string') return { ok: false, message: '"app" must be a string.' };
  let status: 'active' | 'resolved' = 'active';
  if (body.status !== undefined && body.status !== null) {
    const known = typeof body.status === 'string' ? GENERIC_STATUS[body.status.trim().toLowerCase()] : undefined;
    if (!known) return { ok: false, message: '"status" must be "active" or "resolved" (or "dismissed").' };
    status = known;
  }
  let link: string | undefined;
  if (body.link !== undefined && body.link !== null && body.link !== '') {
    link = httpsLink(body.link);
    if (!link) return { ok: false, message: '"link" must be an https:// URL.' };
  }
  const app = str(body.app);
  return accepted('generic', { id, title: body.title, texts: [String(body.title), str(body.description)], app, status, link });
}

/** Recognise one alert by its fields; anything else gets a message saying what is expected. */
export function parseAlert(body: unknown): ParseResult {
  if (!isObject(body)) return { ok: false, message: EXPECTED_SHAPES };
  const incident = sentinelIncident(body);
  if (incident) return parseSentinel(incident);
  if (idOf(body._id) && str(body.title)) return parseMdca(body);
  if (idOf(body.id) && str(body.title)) return parseGeneric(body);
  if (idOf(body.id) && body.title !== undefined && !str(body.title)) return { ok: false, message: '"title" must be a non-empty string.' };
  return { ok: false, message: EXPECTED_SHAPES };
}
