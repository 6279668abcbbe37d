// Expands the Adaptive Card templates in cards/*.json with typed data. Templates are parsed once
// and compiled into plain functions (compile.ts), so a render builds objects instead of evaluating
// expressions; whatever the compiled code does not reproduce is expanded by adaptivecards-templating
// as before. Pasted text only ever arrives as data, never as part of a template.
//
// adaptivecards-templating (with adaptive-expressions and antlr4ts, about a sixth of start-up and
// several MiB) is loaded only when needed: `npm run build` records each template's parse
// (dist/card-templates.json, with the template it came from), so the compiled templates are built
// without it; it loads for a template whose record is missing or stale, and for a card the
// compiled code leaves to it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Template } from 'adaptivecards-templating';
import { compileTemplate, decodePrepared, encodePrepared, Unsupported, type CompiledTemplate, type EncodedPrepared } from './compile.js';
import ambiguous from '../../cards/ambiguous.json' with { type: 'json' };
import apps from '../../cards/apps.json' with { type: 'json' };
import catalogEntry from '../../cards/catalog-entry.json' with { type: 'json' };
import diagnosis from '../../cards/diagnosis.json' with { type: 'json' };
import help from '../../cards/help.json' with { type: 'json' };
import noMatch from '../../cards/no-match.json' with { type: 'json' };
import note from '../../cards/note.json' with { type: 'json' };
import search from '../../cards/search.json' with { type: 'json' };
import stats from '../../cards/stats.json' with { type: 'json' };
import supportEscalation from '../../cards/support-escalation.json' with { type: 'json' };
import welcome from '../../cards/welcome.json' with { type: 'json' };
import type { CardDataByName, CardName } from './data.js';

export type { CardName } from './data.js';

/** Teams refuses messages above ~28 KB; cards are kept under this many bytes of JSON. */
export const CARD_BUDGET_BYTES = 28 * 1024;

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  version: string;
  body?: unknown[];
  actions?: unknown[];
  [key: string]: unknown;
}

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

const templateJson: Record<CardName, unknown> = {
  diagnosis,
  ambiguous,
  'no-match': noMatch,
  help,
  welcome,
  apps,
  search,
  stats,
  'support-escalation': supportEscalation,
  'catalog-entry': catalogEntry,
  note,
};

const templates = new Map<CardName, Template>();
let templating: typeof import('adaptivecards-templating') | undefined;

function template(name: CardName): Template {
  let cached = templates.get(name);
  if (!cached) {
    templating ??= createRequire(import.meta.url)('adaptivecards-templating') as typeof import('adaptivecards-templating');
    cached = new templating.Template(templateJson[name]);
    templates.set(name, cached);
  }
  return cached;
}

/** The library's own parse of a template (strings with ${...} become expressions). */
function preparedOf(name: CardName): unknown {
  return (template(name) as unknown as { _preparedPayload: unknown })._preparedPayload;
}

/** Per card: the template as JSON text and its parse, as `npm run build` recorded them. */
export type TemplateSnapshot = Partial<Record<CardName, { template: string; prepared: EncodedPrepared }>>;

/** The parse of every template, by the library, in a form JSON carries (written at build time). */
export function buildTemplateSnapshot(): TemplateSnapshot {
  const snapshot: TemplateSnapshot = {};
  for (const name of Object.keys(templateJson) as CardName[]) {
    const encoded = encodePrepared(preparedOf(name));
    if (encoded !== undefined) snapshot[name] = { template: JSON.stringify(templateJson[name]), prepared: encoded };
  }
  return snapshot;
}

function readTemplateSnapshot(): TemplateSnapshot {
  try {
    // dist/src/cards/render.js -> dist/card-templates.json (none beside the TypeScript sources).
    return JSON.parse(readFileSync(new URL('../../card-templates.json', import.meta.url), 'utf8')) as TemplateSnapshot;
  } catch {
    return {};
  }
}

let snapshot: TemplateSnapshot | undefined;

/** Tests: use this snapshot from now on (undefined: read the built one again); compiled templates are rebuilt. */
export function useTemplateSnapshot(next: TemplateSnapshot | undefined): void {
  snapshot = next;
  compiled.clear();
}

/** The recorded parse of a template, when it was recorded from the template as it is now. */
function recordedPrepared(name: CardName): unknown {
  snapshot ??= readTemplateSnapshot();
  const record = snapshot[name];
  if (!record || record.template !== JSON.stringify(templateJson[name])) return undefined;
  return decodePrepared(record.prepared);
}

/** Each template compiled once; null when it uses an expression compile.ts does not compile. */
const compiled = new Map<CardName, CompiledTemplate | null>();

export function compiledTemplate(name: CardName): CompiledTemplate | null {
  let found = compiled.get(name);
  if (found === undefined) {
    try {
      found = compileTemplate(recordedPrepared(name) ?? preparedOf(name));
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      found = null;
    }
    compiled.set(name, found);
  }
  return found;
}

/** The card as adaptivecards-templating expands it: the reference the compiled templates are held to. */
export function expandWithTemplating<N extends CardName>(name: N, data: CardDataByName[N]): AdaptiveCard {
  const card = template(name).expand({ $root: data }) as AdaptiveCard;
  delete card.$schema;
  return card;
}

type RenderObserver = (name: CardName, data: unknown, card: AdaptiveCard, compiled: boolean) => void;
let observer: RenderObserver | undefined;

/** Tests: told of every render (to hold it to expandWithTemplating). Returns the observer it replaces. */
export function observeRenders(next: RenderObserver | undefined): RenderObserver | undefined {
  const previous = observer;
  observer = next;
  return previous;
}

export function renderCard<N extends CardName>(name: N, data: CardDataByName[N]): AdaptiveCard {
  const fast = compiledTemplate(name);
  let card: AdaptiveCard | undefined;
  if (fast) {
    try {
      // Compiled without the $schema hint (compileTemplate), which helps editors, not clients.
      card = fast(data) as AdaptiveCard;
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
    }
  }
  const viaCompiled = card !== undefined;
  card ??= expandWithTemplating(name, data);
  observer?.(name, data, card, viaCompiled);
  return card;
}

/** The verb of the card's automatic refresh (and of the "Check again" button): answers the current card. */
export const REFRESH_VERB = 'refresh';

/** Teams refreshes a card automatically only for listed users, and lists no more than this many. */
export const MAX_REFRESH_USERS = 60;

/**
 * Make the card refresh itself when someone opens the chat later (Universal Actions): Teams calls
 * the bot with the refresh verb and shows the card it answers. `userIds` (Teams user ids) are who
 * gets the automatic refresh; without them, or above 60, only a manual refresh.
 */
export function withRefresh(card: AdaptiveCard, incidentId: string, userIds?: readonly string[]): AdaptiveCard {
  const data = { verb: REFRESH_VERB, incidentId };
  const refresh: Record<string, unknown> = { action: { type: 'Action.Execute', title: 'Refresh', verb: REFRESH_VERB, data } };
  if (userIds && userIds.length > 0 && userIds.length <= MAX_REFRESH_USERS) refresh.userIds = [...userIds];
  return { ...card, refresh };
}

export function cardBytes(card: AdaptiveCard): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}
