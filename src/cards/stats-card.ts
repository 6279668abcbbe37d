// `stats`: incidents per period, one block each, merged into one when the periods hold the same
// incidents; the top errors as a bar chart where the client draws Adaptive Card charts, as
// numbered lines where it does not.
import type { Catalog } from '../core/types.js';
import type { AlertCounts, OutboxCounts, StatsWindow } from '../incidents/types.js';
import type { StatsCardData, StatsWindowData } from './data.js';
import { plainText } from './plain-text.js';
import { renderCard, type AdaptiveCard } from './render.js';
import { appName, cutAtWord, firstLine, formatDuration, headline, plural } from './words.js';

const TOP_ERRORS = 5;
const CHART_LABEL_CHARS = 40;

function windowData(w: StatsWindow, catalog: Catalog): Omit<StatsWindowData, 'heading'> {
  return {
    open: String(w.byState.open),
    resolved: String(w.byState.resolved),
    escalated: String(w.byState.escalated),
    medianTimeToResolve: formatDuration(w.medianTimeToResolveMs),
    byApp:
      w.byApp.length === 0
        ? 'none'
        : // The store counts pastes no app was found for (unknown or still ambiguous) under 'unknown'.
          plainText(w.byApp.map((a) => `${a.appId === 'unknown' ? 'App not identified' : appName(catalog, a.appId)} ${a.count}`).join(', ')),
    topErrors: w.topErrors.slice(0, TOP_ERRORS).map((t, index) => {
      const entry = catalog.entry(t.entryId);
      const app = entry ? appName(catalog, entry.app) : t.entryId;
      const label = entry ? `${app}: ${firstLine(entry.message)}` : t.entryId;
      // A bar's label has little room: the app and what happened (most causes start with the app), cut at a word.
      const cause = entry ? headline(entry.cause) : '';
      const short = !entry ? t.entryId : cause.startsWith(app) ? cause : `${app}: ${cause}`;
      const chartLabel = short.length > CHART_LABEL_CHARS ? `${cutAtWord(short, CHART_LABEL_CHARS - 1)}…` : short;
      return { rank: String(index + 1), label: plainText(label), chartLabel, count: t.count };
    }),
  };
}

/** `windows` in ascending order of days (7, then 30). */
export function statsCard(windows: StatsWindow[], catalog: Catalog, outbox?: OutboxCounts, alerts?: AlertCounts): AdaptiveCard {
  const blocks: { days: number[]; total: number; data: Omit<StatsWindowData, 'heading'> }[] = [];
  for (const w of windows) {
    const data = windowData(w, catalog);
    const previous = blocks.at(-1);
    // The same incidents in a longer period (nothing older than the shorter one): say it once.
    if (previous && previous.total === w.total && JSON.stringify(previous.data) === JSON.stringify(data)) previous.days.push(w.days);
    else blocks.push({ days: [w.days], total: w.total, data });
  }
  const card: StatsCardData = {
    windows: blocks.map((b) => ({
      heading: `Last ${b.days.join(' and ')} days: ${plural(b.total, 'incident')}`,
      ...b.data,
    })),
    escalations: outbox ? `${outbox.delivered} delivered, ${outbox.pending} pending, ${outbox.deadLettered} failed` : 'not available',
    alerts:
      alerts && alerts.received > 0
        ? `${alerts.received} received, ${alerts.deduplicated} deduplicated, ${alerts.posted} posted, ${alerts.cleared} cleared at the source`
        : '',
  };
  return renderCard('stats', card);
}
