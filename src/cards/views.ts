// The command cards (help, welcome, apps, search): catalog data into templates. The incident,
// support and stats cards have their own modules.
import { ALL_APPS_ID, type Catalog } from '../core/index.js';
import { searchCatalog } from '../core/search.js';
import { literalText, plainText, truncateText } from './plain-text.js';
import { renderCard, type AdaptiveCard } from './render.js';
import { appName, firstLine } from './words.js';

export function helpCard(): AdaptiveCard {
  return renderCard('help', {});
}

export function welcomeCard(): AdaptiveCard {
  return renderCard('welcome', {});
}

export function appsCard(catalog: Catalog): AdaptiveCard {
  const counts = new Map<string, number>();
  for (const entry of catalog.entries) counts.set(entry.app, (counts.get(entry.app) ?? 0) + 1);
  // Errors any connector can show are listed last, as "Any app", and are not counted as an app.
  const apps = catalog.apps
    .map((app) => ({ id: app.id, name: appName(catalog, app.id), count: counts.get(app.id) ?? 0 }))
    .sort((a, b) => Number(a.id === ALL_APPS_ID) - Number(b.id === ALL_APPS_ID) || a.name.localeCompare(b.name))
    .map((app) => ({ name: plainText(app.name), errors: `${app.count} known error${app.count === 1 ? '' : 's'}` }));
  const appCount = catalog.apps.filter((app) => app.id !== ALL_APPS_ID).length;
  return renderCard('apps', { appCount: String(appCount), entryCount: String(catalog.entries.length), apps });
}

const SEARCH_RESULTS_SHOWN = 8;

export function searchCard(catalog: Catalog, query: string): AdaptiveCard {
  const found = searchCatalog(catalog, query);
  return renderCard('search', {
    query: literalText(truncateText(query, 200)),
    results: found.slice(0, SEARCH_RESULTS_SHOWN).map((entry) => ({
      appName: plainText(appName(catalog, entry.app)),
      message: plainText(firstLine(entry.message)),
      cause: plainText(entry.cause),
    })),
    moreNote: found.length > SEARCH_RESULTS_SHOWN ? `${found.length - SEARCH_RESULTS_SHOWN} more match; add words to narrow the search.` : '',
  });
}
