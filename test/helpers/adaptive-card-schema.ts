// Validates rendered cards against the official Adaptive Cards 1.5 JSON Schema, plus what the
// schema leaves out (type, version, verbs) and Teams' size limit.
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

/** Problems with a card as Teams would receive it; empty when it is valid. */
export function cardProblems(card: unknown): string[] {
  const problems: string[] = [];
  if (typeof card !== 'object' || card === null) return ['not an object'];
  const c = card as Record<string, unknown>;
  if (c.type !== 'AdaptiveCard') problems.push(`type is ${String(c.type)}`);
  if (c.version !== '1.5') problems.push(`version is ${String(c.version)}`);
  const json = JSON.stringify(card);
  if (json.includes('${')) problems.push('unexpanded template expression left in the card');
  if (Buffer.byteLength(json, 'utf8') > 28 * 1024) problems.push('card above 28 KB');
  visitActions(card, (action) => {
    if (action.type === 'Action.Execute' && (typeof action.verb !== 'string' || action.verb === '')) problems.push('Action.Execute without verb');
    if (action.type === 'Action.Execute' && (typeof action.fallback !== 'object' || (action.fallback as { type?: unknown }).type !== 'Action.Submit')) {
      problems.push(`Action.Execute ${String(action.verb)} without an Action.Submit fallback`);
    }
  });
  const withoutTeams = { ...c };
  delete withoutTeams.msteams;
  const validate = compile();
  if (!validate(withoutTeams)) {
    for (const error of validate.errors ?? []) problems.push(`${error.instancePath} ${error.message ?? ''}`);
  }
  return problems;
}

/** Calls `visit` for every object with a string `type` starting with "Action.". */
export function visitActions(node: unknown, visit: (action: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) visitActions(item, visit);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  if (typeof record.type === 'string' && record.type.startsWith('Action.')) visit(record);
  for (const value of Object.values(record)) visitActions(value, visit);
}

/** All actions of a card, top-level and inside show-cards, in order. */
export function actionsOf(card: unknown): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  visitActions(card, (action) => found.push(action));
  return found;
}

/** Every TextBlock/Fact text of a card joined by newlines, for "the user sees ..." assertions. */
export function visibleText(card: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const r = node as Record<string, unknown>;
    if (typeof r.text === 'string') parts.push(r.text);
    if (typeof r.title === 'string' && typeof r.value === 'string') parts.push(`${r.title}: ${r.value}`);
    else if (typeof r.title === 'string') parts.push(r.title);
    for (const v of Object.values(r)) walk(v);
  };
  walk(card);
  return parts.join('\n');
}

/** What a reader sees once Markdown escapes and invisible joiners are removed. */
export function unescapeDisplay(text: string): string {
  return text.replace(/\\([\\`*_[\]()<>#~|!{}.+=)-])/g, '$1').replace(/\u200D/g, '');
}
