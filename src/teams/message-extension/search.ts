// "Search known errors": the catalog from the compose box or the command box. Opened with nothing
// typed, it lists the errors people met most in the last 30 days, then the rest of the catalog;
// typed words search like the `search` command (app names, aliases, one typo forgiven). Each result
// is the app, the portal's message and the cause in a line; choosing one puts the read-only
// catalog card in the compose box. Pages with Teams' skip/count.
import { CardFactory, type InvokeResponse, type MessagingExtensionAttachment, type TurnContext } from 'botbuilder';
import { catalogEntryCard, catalogResultPreview } from '../../cards/catalog-card.js';
import { isStoreError } from '../../core/errors.js';
import { redact } from '../../core/redact.js';
import { searchCatalog } from '../../core/search.js';
import type { CatalogEntry, Matcher } from '../../core/types.js';
import type { IncidentStore } from '../../incidents/types.js';
import { activityLogFields, type Logger } from '../../log.js';
import { searchResults, type SearchRequest } from './protocol.js';

/** "The errors people met most": incidents of this many days. */
export const FREQUENT_DAYS = 30;

export interface SearchDeps {
  matcher: Matcher;
  store: Pick<IncidentStore, 'stats'>;
  clock: () => Date;
  logger: Logger;
}

/** Most frequent errors of the last 30 days first (with their count), then the catalog in its order. */
async function initialList(deps: SearchDeps, context: TurnContext): Promise<{ entry: CatalogEntry; seen: number }[]> {
  const { catalog } = deps.matcher;
  let frequent: { entryId: string; count: number }[] = [];
  try {
    frequent = (await deps.store.stats(deps.clock(), FREQUENT_DAYS)).byError ?? [];
  } catch (error) {
    // The store is down: the catalog still answers, without what is frequent.
    if (!isStoreError(error)) throw error;
    deps.logger.warn({ ...activityLogFields(context.activity), err: { code: error.code, kind: error.kind } }, 'search: no incident statistics, listing the catalog alone');
  }
  const listed = new Set<string>();
  const list: { entry: CatalogEntry; seen: number }[] = [];
  for (const { entryId, count } of frequent) {
    const entry = catalog.entry(entryId);
    if (!entry || count <= 0 || listed.has(entry.id)) continue;
    listed.add(entry.id);
    list.push({ entry, seen: count });
  }
  for (const entry of catalog.entries) if (!listed.has(entry.id)) list.push({ entry, seen: 0 });
  return list;
}

function resultOf(deps: SearchDeps, entry: CatalogEntry, seen: number): MessagingExtensionAttachment {
  const preview = catalogResultPreview(deps.matcher.catalog, entry, seen);
  return {
    ...CardFactory.adaptiveCard(catalogEntryCard(deps.matcher.catalog, entry)),
    preview: { contentType: CardFactory.contentTypes.thumbnailCard, content: preview },
  };
}

export async function answerSearch(context: TurnContext, request: SearchRequest, deps: SearchDeps): Promise<InvokeResponse> {
  // A token pasted into the search box is neither searched for nor kept anywhere.
  const words = redact(request.query).text.trim();
  const list = request.initialRun || words === ''
    ? await initialList(deps, context)
    : searchCatalog(deps.matcher.catalog, words).map((entry) => ({ entry, seen: 0 }));
  const page = list.slice(request.skip, request.skip + request.count);
  deps.logger.info(
    { ...activityLogFields(context.activity), initialRun: request.initialRun || words === '', queryLength: request.query.length, found: list.length, skip: request.skip, shown: page.length },
    'message extension search',
  );
  return searchResults(page.map(({ entry, seen }) => resultOf(deps, entry, seen)));
}
