// Validates rendered cards against the official Adaptive Cards 1.5 JSON Schema, plus what the
// schema leaves out (type, version, verbs, the refresh action), Teams' size limit, and no invisible
// characters anywhere. The only elements beyond the 1.5 schema allowed are Teams' charts listed in
// CHART_TYPES, each with a fallback the schema checks in its place.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const require = createRequire(import.meta.url);
// A copy of microsoft/AdaptiveCards schemas/1.5.0/adaptive-card.json (MIT, see the LICENSE beside it),
// kept in the repo so the tests run on any clone.
const SCHEMA_PATH = fileURLToPath(new URL('../fixtures/schemas/adaptive-card-1.5.json', import.meta.url));

let validator: ValidateFunction | undefined;

function compile(): ValidateFunction {
  if (validator) return validator;
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  const copy: Record<string, unknown> = { ...schema, $id: schema.id };
  delete copy.id;
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
  const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  validator = ajv.compile(copy);
  return validator;
}

/** Teams chart elements (not in the 1.5 schema) a card may use, exactly these. */
export const CHART_TYPES = new Set(['Chart.HorizontalBar']);

/** Zero-width and other invisible format characters: copied along with the text they hide in. */
const INVISIBLE = /[\u200B-\u200F\u2060-\u2064\uFEFF\u00AD]/;

/** Each chart replaced by its fallback (for the schema), with what is wrong with the chart itself. */
function withoutCharts(node: unknown, problems: string[]): unknown {
  if (Array.isArray(node)) return node.map((item) => withoutCharts(item, problems));
  if (typeof node !== 'object' || node === null) return node;
  const record = node as Record<string, unknown>;
  if (typeof record.type === 'string' && record.type.startsWith('Chart.')) {
    if (!CHART_TYPES.has(record.type)) problems.push(`chart type ${record.type} is not allowed`);
    const data = record.data;
    if (!Array.isArray(data) || data.length === 0 || !data.every((d) => typeof (d as { x?: unknown }).x === 'string' && typeof (d as { y?: unknown }).y === 'number')) {
      problems.push(`${record.type} needs data points {x: string, y: number}`);
    }
    if (typeof record.fallback !== 'object' || record.fallback === null) {
      problems.push(`${record.type} without a fallback element for clients without charts`);
      return { type: 'TextBlock', text: '' };
    }
    return withoutCharts(record.fallback, problems);
  }
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, withoutCharts(value, problems)]));
}

/** Whether a `${...}` of a template is left anywhere but in TextRun text (pasted text shown literally may hold one). */
function templateLeftovers(node: unknown, inTextRun = false): boolean {
  if (typeof node === 'string') return !inTextRun && node.includes('${');
  if (Array.isArray(node)) return node.some((item) => templateLeftovers(item));
  if (typeof node !== 'object' || node === null) return false;
  const record = node as Record<string, unknown>;
  return Object.entries(record).some(([key, value]) => templateLeftovers(value, record.type === 'TextRun' && key === 'text'));
}

/** Problems with a card as Teams would receive it; empty when it is valid. */
export function cardProblems(card: unknown): string[] {
  const problems: string[] = [];
  if (typeof card !== 'object' || card === null) return ['not an object'];
  const c = card as Record<string, unknown>;
  if (c.type !== 'AdaptiveCard') problems.push(`type is ${String(c.type)}`);
  if (c.version !== '1.5') problems.push(`version is ${String(c.version)}`);
  const json = JSON.stringify(card);
  if (templateLeftovers(card)) problems.push('unexpanded template expression left in the card');
  if (Buffer.byteLength(json, 'utf8') > 28 * 1024) problems.push('card above 28 KB');
  if (INVISIBLE.test(json)) problems.push('invisible characters in the card');
  const refresh = refreshOf(card);
  if (refresh && (refresh.action?.type !== 'Action.Execute' || typeof refresh.action.verb !== 'string' || refresh.action.verb === '')) {
    problems.push('refresh without an Action.Execute and verb');
  }
  if (refresh?.userIds !== undefined && (!Array.isArray(refresh.userIds) || refresh.userIds.length > 60)) problems.push('refresh lists more than 60 users');
  visitActions(card, (action) => {
    if (action.type === 'Action.Execute' && (typeof action.verb !== 'string' || action.verb === '')) problems.push('Action.Execute without verb');
    if (action.type === 'Action.Execute' && (typeof action.fallback !== 'object' || (action.fallback as { type?: unknown }).type !== 'Action.Submit')) {
      problems.push(`Action.Execute ${String(action.verb)} without an Action.Submit fallback`);
    }
  });
  const withoutTeams = withoutCharts({ ...c }, problems) as Record<string, unknown>;
  delete withoutTeams.msteams;
  const validate = compile();
  if (!validate(withoutTeams)) {
    for (const error of validate.errors ?? []) problems.push(`${error.instancePath} ${error.message ?? ''}`);
  }
  return problems;
}

/** The card's automatic refresh (Universal Actions), if it has one. */
export function refreshOf(card: unknown): { action?: Record<string, unknown> & { type?: unknown; verb?: unknown; data?: unknown }; userIds?: unknown } | undefined {
  const refresh = (card as { refresh?: unknown } | undefined)?.refresh;
  return typeof refresh === 'object' && refresh !== null ? (refresh as ReturnType<typeof refreshOf>) : undefined;
}

/**
 * Calls `visit` for every object with a string `type` starting with "Action.": the buttons, in
 * the body, the actions and show-cards. The card's refresh action is not a button (see refreshOf).
 */
export function visitActions(node: unknown, visit: (action: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) visitActions(item, visit);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  if (typeof record.type === 'string' && record.type.startsWith('Action.')) visit(record);
  for (const [key, value] of Object.entries(record)) {
    if (key === 'refresh' && record.type === 'AdaptiveCard') continue;
    visitActions(value, visit);
  }
}

/** All buttons of a card, top-level, in the body and inside show-cards, in order. */
export function actionsOf(card: unknown): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  visitActions(card, (action) => found.push(action));
  return found;
}

/**
 * Every TextBlock/Fact text of a card joined by newlines (a RichTextBlock's runs make one line),
 * for "the user sees ..." assertions. Date and time functions stay as written (see readingInUtc).
 */
export function visibleText(card: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const r = node as Record<string, unknown>;
    if (r.type === 'RichTextBlock' && Array.isArray(r.inlines)) {
      parts.push(r.inlines.map((run) => (typeof run === 'string' ? run : String((run as { text?: unknown }).text ?? ''))).join(''));
      return;
    }
    if (typeof r.text === 'string') parts.push(r.text);
    if (typeof r.title === 'string' && typeof r.value === 'string') parts.push(`${r.title}: ${r.value}`);
    else if (typeof r.title === 'string') parts.push(r.title);
    for (const v of Object.values(r)) walk(v);
  };
  walk(card);
  return parts.join('\n');
}

/**
 * Every string a client reads as Markdown: TextBlock text, Fact titles and values. Untrusted text
 * (pastes, names, notes) must never be in one; it goes in TextRuns, which render literally.
 */
export function markdownFields(card: unknown): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const r = node as Record<string, unknown>;
    if (r.type === 'TextBlock' && typeof r.text === 'string') found.push(r.text);
    if (typeof r.title === 'string' && typeof r.value === 'string') found.push(r.title, r.value);
    for (const v of Object.values(r)) walk(v);
  };
  walk(card);
  return found;
}

/** What a reader sees once Markdown escapes are consumed. */
export function unescapeDisplay(text: string): string {
  return text.replace(/\\([\\`*_[\]()<>#~|!{}.+=)-])/g, '$1');
}

/**
 * Card date and time functions as a reader in UTC sees them, in a fixed form for assertions:
 * "{{DATE(2026-12-01T10:42:00Z, SHORT)}} {{TIME(2026-12-01T10:42:00Z)}}" -> "2026-12-01 10:42 UTC".
 */
export function readingInUtc(text: string): string {
  return text
    .replace(/\{\{DATE\((\d{4}-\d{2}-\d{2})T[\d:]+Z(?:, ?(?:SHORT|LONG|COMPACT))?\)\}\} \{\{TIME\(\d{4}-\d{2}-\d{2}T(\d{2}:\d{2}):\d{2}Z\)\}\}/g, '$1 $2 UTC')
    .replace(/\{\{TIME\(\d{4}-\d{2}-\d{2}T(\d{2}:\d{2}):\d{2}Z\)\}\}/g, '$1 UTC');
}
