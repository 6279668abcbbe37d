// botMessagePreview send: the person pressed Send under Teams' preview. The bot posts the live
// cards into the invoke's conversation through the paste's own path (postFindings: an incident
// each, card presses update it in place), attributed to whoever asked. Where Teams does not let the
// bot post (a chat between two people, a chat or team without the app, a read-only channel),
// nothing is left recorded (an incident opened for a card Teams refused is withdrawn) and the
// person is told why, in the dialog; when Teams stops part-way, which cards are in the chat.
// Send is answered within Teams' time whatever Teams does with the posts ("still being posted",
// the posting carries on), and Send pressed again on the same preview never posts it twice.
import { createHash } from 'node:crypto';
import { TeamsInfo, TurnContext, type InvokeResponse } from 'botbuilder';
import type { Person } from '../../incidents/types.js';
import { activityLogFields } from '../../log.js';
import { PostInterrupted, personFrom, postFindings, type FindingsToPost, type PasteDeps } from '../paste.js';
import { httpStatusOf } from '../retry.js';
import { carriedIn, findingsFromCarry } from './carry.js';
import { EXPIRED_LINE } from './preview.js';
import { closeDialog, dialogMessage, previewedCard, type ActionRequest } from './protocol.js';

/** Whether Teams lets the bot into the conversation: `refused` only on Teams' own no. */
export type RosterAnswer = 'member' | 'refused' | 'unknown';

export interface PostDeps extends PasteDeps {
  /** Asks Teams whether the bot is in the turn's conversation; TeamsInfo's roster by default. */
  probeRoster?: (context: TurnContext) => Promise<RosterAnswer>;
  /** Sends under way or done, by preview: Send pressed again never posts twice. None: each Send posts. */
  sends?: SendLedger;
  /** How long Send may take before it is answered "still being posted"; DEFAULT_SEND_BUDGET_MS by default. */
  sendBudgetMs?: number;
}

/** The roster question may hold up the answer this long; past it, posting itself will tell. */
const ROSTER_TIMEOUT_MS = 1_500;

export const NOT_IN_PERSONAL_CHAT =
  'I could not post here: Teams does not let apps post in a chat between two people. Nothing was recorded. ' +
  'To track this error, paste it to me in a chat with Connector Doctor, or use Diagnose with Connector Doctor in a group chat or channel where I am added.';
export const NOT_A_MEMBER =
  'I could not post here: Connector Doctor is not added to this conversation, and Teams did not add it. Nothing was recorded. ' +
  'Add Connector Doctor to this chat or team (or ask its owner to), then choose Diagnose with Connector Doctor on the message again.';

export const TEAMS_DID_NOT_TAKE = 'Teams did not take the card just now, so nothing was posted and nothing was recorded. Please press Send again in a moment.';

/** Some cards went out, then Teams stopped taking them: what is in the chat, and what is not. */
export function partlyPosted(posted: number, total: number, refused: boolean): string {
  const why = refused ? 'Teams refused the next one' : 'Teams did not take the next one';
  return `I posted ${posted} of the ${total} cards here, then ${why}: the other ${total - posted} ${total - posted === 1 ? 'was' : 'were'} neither posted nor recorded. ` +
    'To track them too, paste them to me in a chat with Connector Doctor.';
}

/** Teams' answer when the bot is not in a conversation: 403 (BotNotInConversationRoster) or 404. */
function isRefusal(error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status === 403 || status === 404) return true;
  const code = (error as { code?: unknown; body?: { error?: { code?: unknown } } } | undefined);
  return code?.code === 'BotNotInConversationRoster' || code?.body?.error?.code === 'BotNotInConversationRoster';
}

/** One roster entry is enough: Teams refuses the question outright where the bot is not a member. */
export async function probeTeamsRoster(context: TurnContext): Promise<RosterAnswer> {
  let timer: NodeJS.Timeout | undefined;
  const asking = TeamsInfo.getPagedMembers(context, 1).then(() => 'member' as const, (error: unknown) => (isRefusal(error) ? 'refused' as const : 'unknown' as const));
  const timeout = new Promise<'unknown'>((resolve) => {
    timer = setTimeout(() => resolve('unknown'), ROSTER_TIMEOUT_MS);
  });
  return Promise.race([asking, timeout]).finally(() => clearTimeout(timer));
}

function cannotPost(context: TurnContext): InvokeResponse {
  return dialogMessage(200, context.activity.conversation?.conversationType === 'personal' ? NOT_IN_PERSONAL_CHAT : NOT_A_MEMBER);
}

/** Teams shows the card as "<person> via Connector Doctor": who asked for it, from the activity. */
function attribution(reporter: Person): Record<string, unknown> {
  return { onBehalfOf: [{ itemId: 0, mentionType: 'person', mri: reporter.id, displayName: reporter.name }] };
}

/** Teams shows an error after about 5 s: Send is answered within this, posted or not yet. */
export const DEFAULT_SEND_BUDGET_MS = 4_000;

export const STILL_POSTING =
  'Teams is slow to take the card right now: it is still being posted here, and will appear in this conversation shortly. ' +
  'You can close this. Pressing Send again will not post it twice.';

/** What one Send came to: the answer, and whether any card went out (then it is never posted again). */
interface SendOutcome {
  response: InvokeResponse;
  posted: boolean;
}

/**
 * The Sends under way or done, by the preview they post: Send pressed again on the same preview
 * (Teams timed out, a double click) waits for the first one instead of posting twice. A Send that
 * posted nothing is forgotten, so pressing again retries it. Kept in memory, bounded, for a while.
 */
export interface SendLedger {
  run(key: string, send: () => Promise<SendOutcome>): Promise<SendOutcome>;
}

export function createSendLedger(options: { now: () => number; keepMs?: number; maxKeys?: number }): SendLedger {
  const keepMs = options.keepMs ?? 15 * 60_000;
  const maxKeys = options.maxKeys ?? 5_000;
  const sends = new Map<string, { at: number; outcome: Promise<SendOutcome> }>();
  return {
    run(key, send) {
      const now = options.now();
      const known = sends.get(key);
      if (known && now - known.at < keepMs) return known.outcome;
      const outcome = send();
      sends.delete(key);
      sends.set(key, { at: now, outcome });
      while (sends.size > maxKeys) sends.delete(sends.keys().next().value as string);
      const forget = () => {
        if (sends.get(key)?.outcome === outcome) sends.delete(key);
      };
      outcome.then((done) => (done.posted ? undefined : forget()), forget);
      return outcome;
    },
  };
}

/** The same turn's context, usable after the invoke is answered (the adapter revokes the turn's own then). */
function outliving(context: TurnContext): TurnContext {
  const copy = new TurnContext(context);
  // The copy constructor leaves the turn state (the connector client, the bot's identity) behind.
  for (const [key, value] of context.turnState) copy.turnState.set(key, value);
  return copy;
}

export async function answerSend(context: TurnContext, request: ActionRequest, deps: PostDeps): Promise<InvokeResponse> {
  const started = performance.now();
  const carried = carriedIn(previewedCard(request.botActivityPreview));
  const post = findingsFromCarry(carried, deps.matcher);
  if (!post) return dialogMessage(400, EXPIRED_LINE);
  const activity = context.activity;
  const reporter = personFrom(activity);
  const conversationId = activity.conversation?.id;
  if (!reporter || !conversationId) return dialogMessage(400, 'The request does not say who sent it or where.');
  // The preview's own id; a preview from before ids were carried is known by its content.
  const previewKey = post.previewId ?? createHash('sha256').update(String(carried)).digest('base64url');
  const key = `${conversationId}\n${reporter.id}\n${previewKey}`;
  const later = outliving(context);
  const sending = (deps.sends ?? unshared).run(key, () => postPreview(later, post, reporter, conversationId, deps));
  const budget = Math.max(0, (deps.sendBudgetMs ?? DEFAULT_SEND_BUDGET_MS) - (performance.now() - started));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), budget);
  });
  const outcome = await Promise.race([sending, late]).finally(() => clearTimeout(timer));
  if (outcome !== 'late') return outcome.response;
  // Answered in time; the posting carries on, and says how it ended in the log.
  sending.then(
    (done) => deps.logger.info({ ...activityLogFields(activity), status: done.response.status, posted: done.posted }, 'message extension: the post finished after the answer'),
    (error: unknown) => deps.logger.error({ ...activityLogFields(activity), err: error }, 'message extension: the post failed after the answer'),
  );
  deps.logger.warn({ ...activityLogFields(activity) }, 'message extension: still posting when the answer was due');
  return dialogMessage(200, STILL_POSTING);
}

/** Without a ledger (a bare call in a test), every Send posts. */
const unshared: SendLedger = { run: (_key, send) => send() };

/** Check the roster, post the cards, and say how it went. */
async function postPreview(context: TurnContext, post: FindingsToPost, reporter: Person, conversationId: string, deps: PostDeps): Promise<SendOutcome> {
  const activity = context.activity;
  // Asked before anything is recorded: Teams' no here costs nothing to take back.
  if ((await (deps.probeRoster ?? probeTeamsRoster)(context)) === 'refused') {
    deps.logger.info({ ...activityLogFields(activity) }, 'message extension: not posted, the bot is not in the conversation');
    return { response: cannotPost(context), posted: false };
  }
  try {
    await postFindings(context, post, deps, { reporter, conversationId, refreshUserIds: await deps.members.idsFor(context), channelData: attribution(reporter), source: 'message' });
  } catch (error) {
    if (!(error instanceof PostInterrupted)) throw error;
    // What Teams did not take was withdrawn from the store: the answer says what is in the chat.
    const refused = isRefusal(error.cause);
    deps.logger.warn({ ...activityLogFields(activity), statusCode: httpStatusOf(error.cause), posted: error.posted, cards: error.total }, 'message extension: Teams did not take the post');
    if (error.posted > 0) return { response: dialogMessage(200, partlyPosted(error.posted, error.total, refused)), posted: true };
    return { response: refused ? cannotPost(context) : dialogMessage(200, TEAMS_DID_NOT_TAKE), posted: false };
  }
  deps.logger.info({ ...activityLogFields(activity), cards: post.shown.length }, 'message extension posted');
  return { response: closeDialog(), posted: true };
}
