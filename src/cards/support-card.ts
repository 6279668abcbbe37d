// The post in support's Teams channel for an escalation: the app and the error by name, who
// escalated and reported it and when, their note, how to get back to the original card, and
// Acknowledge / Take it, which show on this post and on the original card alike.
import { ALL_APPS_ID, type Catalog } from '../core/index.js';
import type { Incident } from '../incidents/types.js';
import type { Badge, Line, SupportEscalationCardData } from './data.js';
import type { IncidentHistory } from './history.js';
import { shownEntry } from './incident-card.js';
import { bold, excerptFields, line, personName, text, withinBudget } from './lines.js';
import { plainText } from './plain-text.js';
import { renderCard, withRefresh, type AdaptiveCard } from './render.js';
import { appName, firstLine, listWords, readerTime, safeUrl } from './words.js';

export interface SupportCardInput {
  incident: Incident;
  catalog: Catalog;
  history?: IncidentHistory;
  /** Teams link back to the card (or its chat); undefined when Teams offers none. */
  link?: string;
  /** The app the paste names, for errors any app can show. */
  appHint?: string;
  pressNotice?: string;
}

function supportBadge(incident: Incident, history: IncidentHistory): Badge {
  if (incident.state === 'resolved') {
    return { style: 'good', lines: [line(bold('✔ Resolved in the chat'), text(' by '), text(personName(incident.resolvedBy)), text(`, ${readerTime(incident.resolvedAt ?? incident.updatedAt)}`))] };
  }
  if (incident.state === 'open') return { style: 'default', lines: [line(bold('↩ No longer escalated'), text(': it was resolved and reopened in the chat'))] };
  if (history.taken) return { style: 'good', lines: [line(bold('⚑ Taken by '), text(personName(history.taken.by)), text(`, ${readerTime(history.taken.at)}`))] };
  if (history.acknowledged) {
    return { style: 'accent', lines: [line(bold('☑ Acknowledged by '), text(personName(history.acknowledged.by)), text(`, ${readerTime(history.acknowledged.at)}`))] };
  }
  return { style: 'warning', lines: [line(bold('✉ Waiting for support'), text(': nobody has acknowledged it yet'))] };
}

/** The diagnosis in support's words, naming the error, never an internal id. */
function diagnosisWords(input: SupportCardInput, history: IncidentHistory): string {
  const { incident, catalog } = input;
  if (incident.verdict === 'none') return history.choice?.kind === 'none' ? 'Diagnosis: none of the suggested apps, said the chat; not in the catalog.' : 'Diagnosis: not in the catalog.';
  if (incident.verdict === 'ambiguous' && !incident.appId) {
    const apps = [...new Set(incident.entryIds.map((id) => catalog.entry(id)?.app).filter((a): a is string => a !== undefined))];
    return `Diagnosis: a known message of several apps (${listWords(apps.map((a) => appName(catalog, a)))}); the app is not settled.`;
  }
  if (history.choice) return 'Diagnosis: a known error, chosen in the chat from what the bot suggested.';
  return 'Diagnosis: a known error the bot recognised.';
}

/** Why there is no link back: personal chats cannot be opened by anyone else. */
function noLinkNote(incident: Incident): string {
  if (incident.conversationId.startsWith('a:')) {
    return "No link back: the card is in the reporter's personal chat with me, which only they can open. Ask them there.";
  }
  return 'No link back: Teams gives no link to this conversation. Ask the people who escalated it.';
}

export function supportEscalationCard(input: SupportCardInput): AdaptiveCard {
  const { incident, catalog } = input;
  const history = input.history ?? {};
  const entry = shownEntry(incident, catalog);
  const hinted = input.appHint && input.appHint !== ALL_APPS_ID ? catalog.app(input.appHint)?.name : undefined;
  const app = entry?.app === ALL_APPS_ID && hinted ? hinted : appName(catalog, incident.appId ?? entry?.app);
  const link = safeUrl(input.link) ?? '';
  const lines: Line[] = [
    line(text('Escalated by '), bold(personName(incident.escalatedBy)), text(`, ${readerTime(incident.escalatedAt ?? incident.updatedAt)}`)),
    line(text('Reported by '), bold(personName(incident.reporter)), text(`, ${readerTime(incident.createdAt)}${incident.repeatCount > 0 ? ` · seen ${incident.repeatCount + 1} times` : ''}`)),
  ];
  if (history.choice) lines.push(line(text(history.choice.kind === 'none' ? 'None of the suggested apps, said ' : 'App chosen by '), bold(personName(history.choice.by)), text(`, ${readerTime(history.choice.at)}`)));
  if (incident.escalationNote) lines.push(line(bold('Note: '), text(incident.escalationNote)));
  const escalated = incident.state === 'escalated';
  const data = (limit: number): SupportEscalationCardData => ({
    incidentId: incident.id,
    title: plainText(`Escalated: ${!entry ? 'an error the catalog does not know' : entry.app === ALL_APPS_ID && !hinted ? `${firstLine(entry.message)} (an error any connector can show)` : `${app}: ${firstLine(entry.message)}`}`),
    badge: supportBadge(incident, history),
    lines,
    diagnosis: plainText(diagnosisWords(input, history)),
    cause: entry ? plainText(entry.cause) : '',
    ...excerptFields(incident.excerpt, limit),
    linkUrl: link,
    noLinkNote: link ? '' : plainText(noLinkNote(incident)),
    pressNotice: input.pressNotice ? plainText(input.pressNotice) : '',
    showAcknowledge: escalated && !history.acknowledged && !history.taken,
    showTake: escalated && !history.taken,
  });
  // Support channels are usually large: only a manual refresh there (no user list).
  return withinBudget((limit) => withRefresh(renderCard('support-escalation', data(limit)), incident.id));
}
