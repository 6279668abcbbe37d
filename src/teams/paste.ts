// A paste: diagnose it, and answer with one card per error found (5 at most, then a summary), each
// recorded as an incident; or, when it holds no error at all, with one short line and nothing kept.
// postFindings is the posting half, shared with the message extension's "Post to this chat".
import { CardFactory, MessageFactory, type Activity, type TurnContext } from 'botbuilder';
import { historyOf } from '../cards/history.js';
import type { AdaptiveCard } from '../cards/render.js';
import { plainText } from '../cards/plain-text.js';
import { secretNotice } from '../cards/secrets.js';
import { appName } from '../cards/words.js';
import { isStoreError } from '../core/errors.js';
import { ALL_APPS_ID, DEFAULT_MAX_INPUT_CHARS, type Catalog, type DiagnoseOptions, type Diagnosis, type Finding } from '../core/index.js';
import type { Incident, IncidentEvent, NewIncident, Person } from '../incidents/types.js';
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
  const { matcher, metrics, logger } = deps;
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
  logger.info({ ...activityLogFields(activity), findings: diagnosis.findings.map((f) => f.verdict), redactions: diagnosis.redactions, redactedKinds: diagnosis.redactedKinds, truncated: diagnosis.truncated }, 'paste diagnosed');
  if (diagnosis.findings.length === 0) {
    // Chat, thanks, a question: one short line, no card, no incident. A secret in it still deserves a word.
    const secrets = secretNotice(diagnosis.redactions, diagnosis.redactedKinds);
    await context.sendActivity(secrets ? `${QUIET_LINE}\n\n${plainText(secrets)}` : QUIET_LINE);
    return;
  }
  try {
    await postFindings(context, findingsToPost(diagnosis, text.length), deps, { reporter, conversationId, refreshUserIds: await deps.members.idsFor(context) });
  } catch (error) {
    // What could not be posted was taken back from the store; the failure itself is the turn's.
    throw error instanceof PostInterrupted ? error.cause : error;
  }
}

/**
 * Teams did not take a card: what postFindings had recorded for it is withdrawn, and this says how
 * many cards went out before it. `cause` is Teams' error.
 */
export class PostInterrupted extends Error {
  override readonly cause: unknown;
  constructor(readonly posted: number, readonly total: number, cause: unknown) {
    super(`posted ${posted} of ${total} cards`);
    this.name = 'PostInterrupted';
    this.cause = cause;
  }
}

/** What a summary line needs of a finding that got no card of its own. */
export interface FindingGist {
  verdict: Finding['verdict'];
  /** The app, when the matcher settled it. */
  appId?: string;
}

export function gistOf(finding: Finding): FindingGist {
  const appId = appIdOf(finding);
  return appId ? { verdict: finding.verdict, appId } : { verdict: finding.verdict };
}

/** A diagnosed message, ready to post: the findings that get a card, and what the summary says of the rest. */
export interface FindingsToPost {
  /** At most MAX_CARDS_PER_MESSAGE, one card and one incident each. */
  shown: Finding[];
  rest: FindingGist[];
  redactions: number;
  redactedKinds: string[];
  truncated: boolean;
  /** Characters in the message as sent, for the "only read the first ..." note. */
  textLength: number;
  /** The message extension's preview this is (one per Diagnose): Send pressed twice posts it once. */
  previewId?: string;
}

/** A diagnosis as posted: the first MAX_CARDS_PER_MESSAGE findings get a card, the rest a line. */
export function findingsToPost(diagnosis: Diagnosis, textLength: number): FindingsToPost {
  return {
    shown: diagnosis.findings.slice(0, MAX_CARDS_PER_MESSAGE),
    rest: diagnosis.findings.slice(MAX_CARDS_PER_MESSAGE).map(gistOf),
    redactions: diagnosis.redactions,
    redactedKinds: diagnosis.redactedKinds,
    truncated: diagnosis.truncated,
    textLength,
  };
}

export interface PostOptions {
  /** Who asked: from the Teams activity, never from card data. */
  reporter: Person;
  conversationId: string;
  refreshUserIds?: readonly string[];
  /** Added to each card's message and the note line (e.g. Teams' user attribution for a message extension's post). */
  channelData?: Record<string, unknown>;
  /** `message`: a message diagnosed with the message extension, often someone else's; its words say "that message", not "your paste". */
  source?: 'paste' | 'message';
}

/**
 * One card per finding in the turn's conversation, each recorded as an incident whose card
 * presses update it in place, then a line for what was left out. A paste and a message
 * extension's "Post to this chat" both post through here. A card Teams does not take (the bot
 * is not in that conversation, a read-only channel, Teams down) leaves nothing behind: its
 * incident is withdrawn (or its repeat uncounted) and PostInterrupted says how many cards did go
 * out; the cards after it are not tried.
 */
export async function postFindings(context: TurnContext, post: FindingsToPost, deps: PasteDeps, options: PostOptions): Promise<void> {
  const { matcher, store, metrics, logger } = deps;
  const activity = context.activity;
  const { reporter, conversationId, refreshUserIds } = options;
  // Asked once for all the cards of this paste (it reads a setting from the store).
  let destination: Promise<boolean> | undefined;
  const views = { matcher, store, hasDestination: () => (destination ??= deps.escalation.targets().then((targets) => targets.length > 0)) };
  const message = (card: AdaptiveCard): Partial<Activity> => {
    const reply = MessageFactory.attachment(CardFactory.adaptiveCard(card));
    if (options.channelData) reply.channelData = options.channelData;
    return reply;
  };
  const fromMessage = options.source === 'message';
  for (const [index, finding] of post.shown.entries()) {
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
    let repeated: boolean;
    // The audit trail as the store recorded it, for the card (undefined: the card reads it).
    let events: IncidentEvent[] | undefined;
    try {
      ({ incident, repeated, events } = await store.openOrRepeat(opening));
    } catch (error) {
      // The database is down, full or read-only: the person still gets the diagnosis, without
      // buttons and saying it was not recorded. The store counted and logged the failure itself.
      if (!isStoreError(error)) throw error;
      // The store logged and counted the failure (once a minute per kind): this line only at debug, not one per paste.
      logger.debug({ ...activityLogFields(activity), err: { code: error.code, kind: error.kind } }, 'incident not recorded; answering with the diagnosis alone');
      const unrecorded = unrecordedIncident(opening, index);
      const secrets = index === 0 && post.redactions > 0 ? { count: post.redactions, kinds: post.redactedKinds, ...(fromMessage ? { from: 'message' as const } : {}) } : undefined;
      // Nothing here asks the store again: it is what just failed.
      const card = await incidentCardFor({ matcher, store }, unrecorded, { unrecorded: true, history: secrets ? { secrets } : {} });
      try {
        await context.sendActivity(message(card));
      } catch (error) {
        throw new PostInterrupted(index, post.shown.length, error);
      }
      continue;
    }
    // The first card says what was removed from the message: it stays said when the card refreshes.
    if (index === 0 && post.redactions > 0) ({ incident, events } = await recordSecrets(deps, incident, reporter, post, fromMessage));
    const card = await incidentCardFor(views, incident, { refreshUserIds, ...(events ? { history: historyOf(events) } : {}) });
    let response: Awaited<ReturnType<TurnContext['sendActivity']>>;
    try {
      response = await context.sendActivity(message(card));
    } catch (error) {
      await withdraw(deps, incident, repeated, reporter, activity);
      throw new PostInterrupted(index, post.shown.length, error);
    }
    if (response?.id) await store.attachCard(incident.id, response.id);
  }
  for (const gist of post.rest) metrics.findings.inc({ verdict: gist.verdict });
  const notes: string[] = [];
  if (post.rest.length > 0) {
    const total = post.shown.length + post.rest.length;
    notes.push(
      `I found ${total} errors in that message and showed the first ${post.shown.length}. ` +
        `Not shown: ${plainText(summarizeFindings(post.rest, matcher.catalog))}. ` +
        (fromMessage ? 'To get a card for each, paste those errors to me separately.' : 'Paste those separately to get a card for each.'),
    );
  }
  if (post.truncated) {
    const length = post.textLength.toLocaleString('en-US');
    const whose = fromMessage ? 'That message was long' : 'Your message was long';
    notes.push(`${whose} (${length} characters), so I only read the first ${DEFAULT_MAX_INPUT_CHARS.toLocaleString('en-US')}. Paste the rest separately if it holds another error.`);
  }
  if (notes.length > 0) {
    const note = MessageFactory.text(notes.join(' '));
    if (options.channelData) note.channelData = options.channelData;
    await context.sendActivity(note);
  }
}

/** Take back what was recorded for a card Teams did not take; a store failing now is logged, not thrown over Teams' error. */
async function withdraw(deps: PasteDeps, incident: Incident, repeated: boolean, reporter: Person, activity: Activity): Promise<void> {
  try {
    await deps.store.withdraw(incident.id, { repeated }, reporter, deps.clock());
    deps.logger.info({ ...activityLogFields(activity), repeated }, 'card not posted; its incident record withdrawn');
  } catch (error) {
    if (!isStoreError(error)) throw error;
    deps.logger.warn({ ...activityLogFields(activity), err: { code: error.code, kind: error.kind } }, 'card not posted, and its incident record could not be withdrawn');
  }
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

/** Note on the incident how many secrets (of which kinds) the paste had, for its card; with the trail that now says so, when the store handed it back. */
async function recordSecrets(
  deps: PasteDeps,
  incident: Incident,
  reporter: Person,
  post: Pick<FindingsToPost, 'redactions' | 'redactedKinds'>,
  fromMessage: boolean,
): Promise<{ incident: Incident; events?: IncidentEvent[] }> {
  const outcome = await deps.store.apply(
    {
      incidentId: incident.id,
      conversationId: incident.conversationId,
      actor: reporter,
      action: { kind: 'record-secrets', count: post.redactions, kinds: post.redactedKinds, ...(fromMessage ? { from: 'message' as const } : {}) },
      at: deps.clock(),
    },
    [],
    () => null,
  );
  if (outcome.status === 'applied') return { incident: outcome.incident, events: outcome.events };
  return { incident: outcome.status === 'not-found' ? incident : outcome.incident };
}

/** "Salesforce, Zendesk and 1 error I do not know": what the cards left out, in a few words. */
function summarizeFindings(findings: FindingGist[], catalog: Catalog): string {
  const names: string[] = [];
  let unknown = 0;
  let ambiguous = 0;
  for (const { appId, verdict } of findings) {
    if (appId && appId !== ALL_APPS_ID) names.push(appName(catalog, appId));
    else if (appId) names.push('an error any app can show');
    else if (verdict === 'ambiguous') ambiguous += 1;
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

