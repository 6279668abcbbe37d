// A paste: diagnose it, and answer with one card per error found (5 at most, then a summary), each
// recorded as an incident; or, when it holds no error at all, with one short line and nothing kept.
import { CardFactory, MessageFactory, type Activity, type TurnContext } from 'botbuilder';
import { plainText } from '../cards/plain-text.js';
import { secretNotice } from '../cards/secrets.js';
import { appName } from '../cards/words.js';
import { isStoreError } from '../core/errors.js';
import { ALL_APPS_ID, DEFAULT_MAX_INPUT_CHARS, type Catalog, type DiagnoseOptions, type Diagnosis, type Finding } from '../core/index.js';
import type { Incident, NewIncident, Person } from '../incidents/types.js';
import { activityLogFields, type Logger } from '../log.js';
import type { CardActionDeps } from './card-actions.js';
import { incidentCardFor } from './incident-view.js';
import type { MemberDirectory } from './members.js';

/** One card per finding, up to this many; then a summary line. */
export const MAX_CARDS_PER_MESSAGE = 5;

/** What the bot says to a message with no error in it (chat, a question, thanks). */
export const QUIET_LINE = "That doesn't look like a connector error. Paste the message from the App Connectors page, or type help.";

export interface PasteDeps extends CardActionDeps {
  logger: Logger;
  members: MemberDirectory;
  /** Matching off the event loop; default: the matcher, inline. */
  diagnose?: (text: string, options?: DiagnoseOptions) => Promise<Diagnosis>;
}

/** The person who sent an activity, from the activity itself (never from card data). */
export function personFrom(activity: Activity): Person | undefined {
  const from = activity.from;
  if (!from || typeof from.id !== 'string' || from.id === '') return undefined;
  const person: Person = { id: from.id, name: typeof from.name === 'string' && from.name.trim() ? from.name : 'someone' };
  if (typeof from.aadObjectId === 'string' && from.aadObjectId) person.aadObjectId = from.aadObjectId;
  return person;
}

export async function answerPaste(context: TurnContext, text: string, deps: PasteDeps): Promise<void> {
  const { matcher, store, metrics, logger } = deps;
  const activity = context.activity;
  const reporter = personFrom(activity);
  const conversationId = activity.conversation?.id;
  if (!reporter || !conversationId) {
    await context.sendActivity('I can only diagnose messages sent by a person in a conversation.');
    return;
  }
  const started = performance.now();
  const diagnosis = deps.diagnose ? await deps.diagnose(text) : matcher.diagnose(text);
  metrics.matchSeconds.observe((performance.now() - started) / 1000);
  logger.info({ ...activityLogFields(activity), findings: diagnosis.findings.map((f) => f.verdict), redactions: diagnosis.redactions, truncated: diagnosis.truncated }, 'paste diagnosed');
  const secrets = secretNotice(diagnosis.redactions, diagnosis.redactedKinds);
  if (diagnosis.findings.length === 0) {
    // Chat, thanks, a question: one short line, no card, no incident. A secret in it still deserves a word.
    await context.sendActivity(secrets ? `${QUIET_LINE}\n\n${plainText(secrets)}` : QUIET_LINE);
    return;
  }
  const refreshUserIds = await deps.members.idsFor(context);
  const views = { matcher, store, hasDestination: async () => (await deps.escalation.targets()).length > 0 };
  const shown = diagnosis.findings.slice(0, MAX_CARDS_PER_MESSAGE);
  for (const [index, finding] of shown.entries()) {
    metrics.findings.inc({ verdict: finding.verdict });
    const opening: NewIncident = {
      conversationId,
      tenantId: activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id,
      serviceUrl: activity.serviceUrl,
      reporter,
      excerpt: finding.excerpt,
      verdict: finding.verdict,
      entryIds: finding.matches.map((m) => m.entry.id),
      appId: appIdOf(finding),
      at: deps.clock(),
    };
    let incident: Incident;
    try {
      ({ incident } = await store.openOrRepeat(opening));
    } catch (error) {
      // The database is down, full or read-only: the person still gets the diagnosis, without
      // buttons and saying it was not recorded. The store counted and logged the failure itself.
      if (!isStoreError(error)) throw error;
      logger.warn({ ...activityLogFields(activity), err: { code: error.code, kind: error.kind } }, 'incident not recorded; answering with the diagnosis alone');
      const unrecorded = unrecordedIncident(opening, index);
      const secrets = index === 0 && diagnosis.redactions > 0 ? { count: diagnosis.redactions, kinds: diagnosis.redactedKinds } : undefined;
      // Nothing here asks the store again: it is what just failed.
      const card = await incidentCardFor({ matcher, store }, unrecorded, { unrecorded: true, history: secrets ? { secrets } : {} });
      await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
      continue;
    }
    // The first card says what was removed from the message: it stays said when the card refreshes.
    if (index === 0 && diagnosis.redactions > 0) incident = await recordSecrets(deps, incident, reporter, diagnosis);
    const card = await incidentCardFor(views, incident, { refreshUserIds });
    const response = await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
    if (response?.id) await store.attachCard(incident.id, response.id);
  }
  for (const finding of diagnosis.findings.slice(MAX_CARDS_PER_MESSAGE)) metrics.findings.inc({ verdict: finding.verdict });
  const notes: string[] = [];
  if (diagnosis.findings.length > MAX_CARDS_PER_MESSAGE) {
    const rest = diagnosis.findings.slice(MAX_CARDS_PER_MESSAGE);
    notes.push(
      `I found ${diagnosis.findings.length} errors in that message and showed the first ${MAX_CARDS_PER_MESSAGE}. ` +
        `Not shown: ${plainText(summarizeFindings(rest, matcher.catalog))}. Paste those separately to get a card for each.`,
    );
  }
  if (diagnosis.truncated) {
    const length = text.length.toLocaleString('en-US');
    notes.push(`Your message was long (${length} characters), so I only read the first ${DEFAULT_MAX_INPUT_CHARS.toLocaleString('en-US')}. Paste the rest separately if it holds another error.`);
  }
  if (notes.length > 0) await context.sendActivity(notes.join(' '));
}

/** What the card shows for a diagnosis the store could not keep: open, reported now, no id anyone can press on. */
function unrecordedIncident(opening: NewIncident, index: number): Incident {
  return {
    ...opening,
    id: `unrecorded-${index}`,
    state: 'open',
    version: 0,
    repeatCount: 0,
    createdAt: opening.at,
    updatedAt: opening.at,
  };
}

/** Note on the incident how many secrets (of which kinds) the paste had, for its card. */
async function recordSecrets(deps: PasteDeps, incident: Incident, reporter: Person, diagnosis: Diagnosis): Promise<Incident> {
  const outcome = await deps.store.apply(
    {
      incidentId: incident.id,
      conversationId: incident.conversationId,
      actor: reporter,
      action: { kind: 'record-secrets', count: diagnosis.redactions, kinds: diagnosis.redactedKinds },
      at: deps.clock(),
    },
    [],
    () => null,
  );
  return outcome.status === 'not-found' ? incident : outcome.incident;
}

/** "Salesforce, Zendesk and 1 error I do not know": what the cards left out, in a few words. */
function summarizeFindings(findings: Finding[], catalog: Catalog): string {
  const names: string[] = [];
  let unknown = 0;
  let ambiguous = 0;
  for (const finding of findings) {
    const appId = appIdOf(finding);
    if (appId && appId !== ALL_APPS_ID) names.push(appName(catalog, appId));
    else if (appId) names.push('an error any app can show');
    else if (finding.verdict === 'ambiguous') ambiguous += 1;
    else unknown += 1;
  }
  const shown = names.slice(0, 8);
  const parts = [...shown];
  if (names.length > shown.length) parts.push(`${names.length - shown.length} more`);
  if (ambiguous > 0) parts.push(`${ambiguous} that several apps can show`);
  if (unknown > 0) parts.push(`${unknown} I do not know`);
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** The app of a finding when the matcher settled it. */
function appIdOf(finding: Finding): string | undefined {
  if (finding.verdict !== 'match') return undefined;
  return finding.matches[0]?.entry.app;
}

