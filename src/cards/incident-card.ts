// The card of an incident in the chat where it was pasted: a diagnosis, the question "which app?",
// or "I don't know this error yet". First the app and the cause in one line, then the state as a
// badge (words and an icon, never colour alone), the facts and the steps; the paste, the "why"
// and the alternatives are one click away behind "Show details".
import { ALL_APPS_ID, type Catalog, type CatalogEntry } from '../core/index.js';
import type { Incident } from '../incidents/types.js';
import type { AmbiguousCardData, Badge, DiagnosisCardData, IncidentCardCommon, Line, NoMatchCardData } from './data.js';
import type { IncidentHistory } from './history.js';
import { bold, excerptFields, line, personName, text, withinBudget } from './lines.js';
import { literalText, plainText, truncateText } from './plain-text.js';
import { asPreview, previewBadge, type IncidentPreview } from './preview.js';
import { renderCard, withRefresh, type AdaptiveCard } from './render.js';
import { secretNotice } from './secrets.js';
import {
  entryParts,
  appName,
  certaintyOf,
  certaintyWords,
  firstLine,
  firstSentence,
  headline,
  listWords,
  pasteContains,
  readerTime,
  safeUrl,
} from './words.js';

const MAX_SUGGESTIONS = 3;
const MAX_ALTERNATIVES = 3;

export interface IncidentCardInput {
  incident: Incident;
  catalog: Catalog;
  /** What the audit trail adds: who chose, what support did, secrets removed. */
  history?: IncidentHistory;
  /** The matcher's score (0..1) for the shown entry, when known. */
  score?: number;
  /** Other explanations worth a button ("It's Box instead"), best first. */
  alternatives?: CatalogEntry[];
  /** The app the paste itself names ("ServiceNow connector: ..."), for errors any app can show. */
  appHint?: string;
  /** No-match cards: what the bot recognised in the paste (codes, hosts, app names). */
  understood?: string[];
  /** Whether escalations have somewhere to go now; unknown (undefined) offers the note form. */
  hasDestination?: boolean;
  /** For the person whose press came too late: why nothing changed. Never on the card everyone sees. */
  pressNotice?: string;
  /** Who gets the card refreshed automatically when they open the chat. */
  refreshUserIds?: readonly string[];
  /**
   * The diagnosis could not be stored (the database is down, full or read-only): the card still
   * explains the error, but has no buttons, since there is no incident for them to act on.
   */
  unrecorded?: boolean;
  /**
   * No incident yet: the card a message extension previews before posting. Like `unrecorded`, no
   * buttons act on an incident; the badge says what posting will do.
   */
  preview?: IncidentPreview;
}

/** The catalog entry an incident's card explains, once the app is known. */
export function shownEntry(incident: Incident, catalog: Catalog): CatalogEntry | undefined {
  const entries = incident.entryIds.map((id) => catalog.entry(id)).filter((e): e is CatalogEntry => e !== undefined);
  if (incident.verdict === 'match') return entries[0];
  if (incident.verdict === 'ambiguous' && incident.appId) {
    return entries.find((e) => e.app === incident.appId) ?? entries[0];
  }
  return undefined;
}

function escalatedBadge(incident: Incident, history: IncidentHistory, destination: boolean): Badge {
  const by = [text(' by '), text(personName(incident.escalatedBy)), text(`, ${readerTime(incident.escalatedAt ?? incident.updatedAt)}`)];
  const lines: Line[] = [];
  let style: Badge['style'] = 'warning';
  switch (incident.escalationDelivery) {
    case 'delivered':
      lines.push(line(bold('✉ Escalated to support'), ...by, text(' · delivered')));
      break;
    case 'pending':
      lines.push(line(bold('✉ Escalated to support'), ...by, text(' · delivery pending')));
      break;
    case 'dead-lettered':
      style = 'attention';
      lines.push(line(bold('⚠ Escalation failed'), ...by));
      lines.push(
        line(
          text(
            destination
              ? "Support's channel or webhook refused it, or is no longer set up. Contact support directly, or press Send to support again."
              : "Support's channel or webhook refused it, or is no longer set up, and there is nowhere to send it now. Contact support directly; Escalate to support says how to set a destination up.",
          ),
        ),
      );
      break;
    case undefined:
      // Nobody was told: say so, or a tired reader waits for an answer that never comes.
      style = 'attention';
      lines.push(line(bold('⚠ Escalation not sent'), ...by));
      lines.push(line(text('No support channel or webhook was set up, so nobody was told. Contact support directly, or set one up and send it again.')));
      break;
  }
  if (history.acknowledged) lines.push(line(bold('☑ Acknowledged by support: '), text(personName(history.acknowledged.by)), text(`, ${readerTime(history.acknowledged.at)}`)));
  if (history.taken) lines.push(line(bold('⚑ Taken by support: '), text(personName(history.taken.by)), text(`, ${readerTime(history.taken.at)}`)));
  // While escalated, everyone in the chat sees what was told to support.
  if (incident.escalationNote) lines.push(line(bold('Note for support: '), text(incident.escalationNote)));
  return { style, lines };
}

/** Said on a card whose incident could not be stored. */
export const UNRECORDED_LINE = 'I could not record this incident, so this card has no buttons. The fix below still applies; paste the error again in a few minutes to track it.';

function unrecordedBadge(): Badge {
  return { style: 'attention', lines: [line(bold('⚠ Not recorded')), line(text(UNRECORDED_LINE))] };
}

/** Whether a button sends something to the bot: an Execute or Submit, or a ShowCard whose form ends in one. */
function actsOnIncident(item: unknown): boolean {
  if (!item || typeof item !== 'object') return false;
  const type = String((item as { type?: unknown }).type);
  if (type === 'Action.Execute' || type === 'Action.Submit') return true;
  // "Escalate to support" opens a note form: without its Send button it is a form going nowhere.
  return type === 'Action.ShowCard' && JSON.stringify((item as { card?: unknown }).card ?? {}).match(/"Action\.(Execute|Submit)"/) !== null;
}

/**
 * The card without anything that acts on an incident (Execute and Submit buttons, the forms that
 * lead to them, the refresh): Show details and Learn more stay.
 */
function withoutIncidentActions(node: unknown): unknown {
  if (Array.isArray(node)) return node.filter((item) => !actsOnIncident(item)).map(withoutIncidentActions);
  if (!node || typeof node !== 'object') return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'refresh' || key === 'selectAction') continue;
    // An ActionSet left empty is invalid Adaptive Card JSON: drop it with its last button.
    copy[key] = withoutIncidentActions(value);
  }
  return copy;
}

function dropEmptyActionSets(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node
      .filter((item) => !(item && typeof item === 'object' && (item as { type?: unknown }).type === 'ActionSet' && ((item as { actions?: unknown[] }).actions ?? []).length === 0))
      .map(dropEmptyActionSets);
  }
  if (!node || typeof node !== 'object') return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'actions' && Array.isArray(value) && value.length === 0) continue;
    copy[key] = dropEmptyActionSets(value);
  }
  return copy;
}

function incidentBadge(incident: Incident, history: IncidentHistory, destination: boolean): Badge {
  const badge: Badge = (() => {
    switch (incident.state) {
      case 'open':
        return {
          style: 'accent',
          lines: [line(bold('⚒ Open'), text(' · reported by '), text(personName(incident.reporter)), text(`, ${readerTime(incident.createdAt)}`))],
        };
      case 'resolved':
        return {
          style: 'good',
          lines: [line(bold('✔ Resolved'), text(' by '), text(personName(incident.resolvedBy)), text(`, ${readerTime(incident.resolvedAt ?? incident.updatedAt)}`))],
        };
      case 'escalated':
        return escalatedBadge(incident, history, destination);
    }
  })();
  if (history.alert) {
    // An alert is seen again where it came from, not in a conversation.
    if (incident.repeatCount > 0) badge.lines.push(line(text(`↻ Seen ${incident.repeatCount + 1} times, last ${readerTime(history.lastSeen ?? incident.updatedAt)}`)));
    if (history.cleared) badge.lines.push(line(bold('✓ Cleared at the source'), text(` at ${readerTime(history.cleared)}`)));
  } else if (incident.repeatCount > 0) {
    badge.lines.push(line(text(`↻ Seen ${incident.repeatCount + 1} times in this conversation`)));
  }
  return badge;
}

/** Where the alert behind an incident came from, and the way back to it. */
function alertFields(history: IncidentHistory): Pick<IncidentCardCommon, 'alertLines' | 'alertLinkUrl' | 'alertLinkTitle' | 'excerptHeading'> {
  const alert = history.alert;
  if (!alert) return { alertLines: [], alertLinkUrl: '', alertLinkTitle: '', excerptHeading: 'What you pasted' };
  const from = alert.source === 'generic' ? 'Alert: ' : `Alert from ${alert.sourceName}: `;
  const link = safeUrl(alert.link);
  return {
    alertLines: [line(bold(`⚐ ${from}`), text(alert.title))],
    alertLinkUrl: link ?? '',
    alertLinkTitle: link ? (alert.source === 'generic' ? 'Open the alert' : `Open in ${alert.sourceName}`) : '',
    // Nobody pasted an alert.
    excerptHeading: 'What the alert said',
  };
}

/** Said as the title of an alert's card when its text holds no connector error the bot knows. */
export const ALERT_WITHOUT_ERROR = 'Alert without a recognisable connector error';

function choiceLines(incident: Incident, catalog: Catalog, history: IncidentHistory): Line[] {
  const choice = history.choice;
  if (!choice) return [];
  const what = choice.kind === 'none' ? 'None of these' : appName(catalog, incident.appId);
  return [line(bold(`☝ ${what}`), text(' — chosen by '), text(personName(choice.by)), text(`, ${readerTime(choice.at)}`))];
}

function commonFields(input: IncidentCardInput, history: IncidentHistory) {
  const { incident } = input;
  const unsent = incident.state === 'escalated' && (incident.escalationDelivery === undefined || incident.escalationDelivery === 'dead-lettered');
  const destination = input.hasDestination !== false;
  return (limit: number): IncidentCardCommon => ({
    incidentId: incident.id,
    badge: input.preview ? previewBadge(input.preview) : input.unrecorded ? unrecordedBadge() : incidentBadge(incident, history, destination),
    choice: choiceLines(incident, input.catalog, history),
    secretNotice: history.secrets ? plainText(secretNotice(history.secrets.count, history.secrets.kinds, history.alert ? 'alert' : history.secrets.from === 'message' ? 'message' : 'paste')) : '',
    pressNotice: input.pressNotice ? plainText(input.pressNotice) : '',
    ...excerptFields(incident.excerpt, limit),
    showResolve: incident.state !== 'resolved',
    showReopen: incident.state === 'resolved',
    escalateForm: incident.state === 'open' && destination,
    escalateExplain: (incident.state === 'open' || unsent) && !destination,
    showResend: unsent && destination,
    ...alertFields(history),
  });
}

function diagnosisData(input: IncidentCardInput, entry: CatalogEntry, history: IncidentHistory, common: (limit: number) => IncidentCardCommon) {
  const { incident, catalog } = input;
  // An error any app can show is about the app the paste names, when it names one.
  const hinted = entry.app === ALL_APPS_ID && input.appHint && input.appHint !== ALL_APPS_ID ? catalog.app(input.appHint)?.name : undefined;
  const app = entry.app === ALL_APPS_ID ? (hinted ?? 'the app') : appName(catalog, entry.app);
  const alternatives = (input.alternatives ?? []).filter((e) => e.id !== entry.id).slice(0, MAX_ALTERNATIVES);
  const chosen = history.choice !== undefined && history.choice.kind !== 'none';
  const { facts: entryFacts, steps, learnMoreUrl } = entryParts(catalog, entry, app);
  const facts = [
    ...entryFacts,
    // A person's choice replaces the matcher's certainty: it is shown above as who chose and when.
    ...(chosen ? [] : [{ title: 'How sure', value: certaintyWords(certaintyOf(incident.excerpt, entry, input.score), alternatives.length) }]),
  ];
  return (limit: number): DiagnosisCardData => ({
    ...common(limit),
    title: plainText(`${entry.app === ALL_APPS_ID && !hinted ? 'Any connector' : `${app} connector`}: ${headline(entry.cause)}`),
    facts,
    steps,
    // Shown only when it adds something: not when the paste already says it.
    knownAs: pasteContains(incident.excerpt, entry.message) ? '' : plainText(`The portal calls it: ${firstLine(entry.message)}`),
    cause: plainText(entry.cause),
    supportCase: entry.resolution.supportCase ? plainText(`When to open a support case: ${entry.resolution.supportCase}`) : '',
    alternatives: alternatives.map((alt) => {
      const altApp = appName(catalog, alt.app);
      return {
        entryId: alt.id,
        // The alternative often has the very same portal message; what tells the two apart is the cause.
        text: plainText(`${altApp}: ${firstSentence(alt.cause)}`),
        buttonTitle: alt.app === entry.app ? "It's this one instead" : `It's ${truncateText(altApp, 40)} instead`,
      };
    }),
    learnMoreUrl,
  });
}

/** The card for an incident in its current state: diagnosis, ambiguous or no-match. */
export function incidentCard(input: IncidentCardInput): AdaptiveCard {
  const { incident, catalog } = input;
  const history = input.history ?? {};
  const common = commonFields(input, history);
  const inert = (card: AdaptiveCard) => dropEmptyActionSets(withoutIncidentActions(card)) as AdaptiveCard;
  const finish = (card: AdaptiveCard) => {
    if (input.preview) return asPreview(inert(card), input.preview);
    return input.unrecorded ? inert(card) : withRefresh(card, incident.id, input.refreshUserIds);
  };
  const entry = shownEntry(incident, catalog);
  if (entry) {
    const data = diagnosisData(input, entry, history, common);
    return withinBudget((limit) => finish(renderCard('diagnosis', data(limit))));
  }
  const entries = incident.entryIds.map((id) => catalog.entry(id)).filter((e): e is CatalogEntry => e !== undefined);
  if (incident.verdict === 'ambiguous' && entries.length > 0) {
    const byApp = new Map<string, CatalogEntry>();
    for (const e of entries) if (!byApp.has(e.app)) byApp.set(e.app, e);
    const candidates = [...byApp.values()].map((e) => ({
      appId: e.app,
      appName: plainText(appName(catalog, e.app)),
      buttonName: truncateText(appName(catalog, e.app), 40),
      // The message is the same for every candidate; what differs, and helps people choose, is why.
      message: plainText(firstSentence(e.cause)),
    }));
    const data = (limit: number): AmbiguousCardData => ({
      ...common(limit),
      // "Box and Okta both show this message", "Box, Okta and Slack all show it".
      candidateList: plainText(`${listWords(candidates.map((c) => appName(catalog, c.appId)))} ${candidates.length === 2 ? 'both' : 'all'}`),
      candidates,
    });
    return withinBudget((limit) => finish(renderCard('ambiguous', data(limit))));
  }
  const suggestions = entries.slice(0, MAX_SUGGESTIONS).map((e) => ({
    appName: plainText(appName(catalog, e.app)),
    message: plainText(firstLine(e.message)),
  }));
  const data = (limit: number): NoMatchCardData => ({
    ...common(limit),
    headline: history.alert ? ALERT_WITHOUT_ERROR : "I don't know this error yet",
    understood: literalText((input.understood ?? []).join(', ')),
    suggestions,
  });
  return withinBudget((limit) => finish(renderCard('no-match', data(limit))));
}
