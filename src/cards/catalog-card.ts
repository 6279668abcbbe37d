// A known error from the catalog as a compact, read-only card (what the message extension's search
// inserts in the compose box: the cause, the steps, Learn more) and the short preview Teams lists
// it with in the search results.
import { ALL_APPS_ID, type Catalog, type CatalogEntry } from '../core/index.js';
import { plainText } from './plain-text.js';
import { renderCard, type AdaptiveCard } from './render.js';
import { appName, cutAtWord, entryParts, firstLine, firstSentence, headline, plural } from './words.js';

/** The card a person sends to a chat from the search: no buttons that act on anything. */
export function catalogEntryCard(catalog: Catalog, entry: CatalogEntry): AdaptiveCard {
  const anyApp = entry.app === ALL_APPS_ID;
  const app = anyApp ? 'the app' : appName(catalog, entry.app);
  const { facts, steps, learnMoreUrl } = entryParts(catalog, entry, app);
  return renderCard('catalog-entry', {
    title: plainText(`${anyApp ? 'Any connector' : `${app} connector`}: ${headline(entry.cause)}`),
    message: plainText(`The portal says: ${firstLine(entry.message)}`),
    facts,
    cause: plainText(entry.cause),
    steps,
    // The catalog's ref (a row of Microsoft's table) and the entry id are internal: not on the card.
    source: plainText('From the Connector Doctor catalog. Paste the whole error to Connector Doctor to track it as an incident.'),
    learnMoreUrl,
  });
}

/** How a search result reads in Teams' list: the app, the portal's message, the cause in a line. */
export interface CatalogResultPreview {
  title: string;
  subtitle: string;
  text: string;
}

/** A result's lines are one line each in a list about 320 px wide: longer ones are cut with an ellipsis. */
const SUBTITLE_CHARS = 44;
const TEXT_CHARS = 140;

function oneLine(text: string, max: number): string {
  return text.length <= max ? text : `${cutAtWord(text, max - 1)}…`;
}

/** `seen`: incidents with this error in the last 30 days, said first when there were any. */
export function catalogResultPreview(catalog: Catalog, entry: CatalogEntry, seen = 0): CatalogResultPreview {
  const cause = oneLine(firstSentence(entry.cause), TEXT_CHARS);
  return {
    title: appName(catalog, entry.app),
    subtitle: oneLine(firstLine(entry.message), SUBTITLE_CHARS),
    text: seen > 0 ? `Seen ${plural(seen, 'time')} in the last 30 days. ${cause}` : cause,
  };
}
