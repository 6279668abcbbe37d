// botMessagePreview send: the person pressed Send under Teams' preview. The bot posts the live
// cards into the invoke's conversation through the paste's own path (postFindings: an incident
// each, card presses update it in place), attributed to whoever asked. Where Teams does not let the
// bot post (a chat between two people, a chat or team without the app, a read-only channel),
// nothing is left recorded (an incident opened for a card Teams refused is withdrawn) and the
// person is told why, in the dialog; when Teams stops part-way, which cards are in the chat.
import { TeamsInfo, type InvokeResponse, type TurnContext } from 'botbuilder';
import type { Person } from '../../incidents/types.js';
import { activityLogFields } from '../../log.js';
import { PostInterrupted, personFrom, postFindings, type PasteDeps } from '../paste.js';
import { httpStatusOf } from '../retry.js';
import { carriedIn, findingsFromCarry } from './carry.js';
import { EXPIRED_LINE } from './preview.js';
import { closeDialog, dialogMessage, previewedCard, type ActionRequest } from './protocol.js';

/** Whether Teams lets the bot into the conversation: `refused` only on Teams' own no. */
export type RosterAnswer = 'member' | 'refused' | 'unknown';

export interface PostDeps extends PasteDeps {
  /** Asks Teams whether the bot is in the turn's conversation; TeamsInfo's roster by default. */
  probeRoster?: (context: TurnContext) => Promise<RosterAnswer>;
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

export async function answerSend(context: TurnContext, request: ActionRequest, deps: PostDeps): Promise<InvokeResponse> {
  const post = findingsFromCarry(carriedIn(previewedCard(request.botActivityPreview)), deps.matcher);
  if (!post) return dialogMessage(400, EXPIRED_LINE);
  const activity = context.activity;
  const reporter = personFrom(activity);
  const conversationId = activity.conversation?.id;
  if (!reporter || !conversationId) return dialogMessage(400, 'The request does not say who sent it or where.');
  // Asked before anything is recorded: an incident whose card could not be posted would stay open forever.
  if ((await (deps.probeRoster ?? probeTeamsRoster)(context)) === 'refused') {
    deps.logger.info({ ...activityLogFields(activity) }, 'message extension: not posted, the bot is not in the conversation');
    return cannotPost(context);
  }
  try {
    await postFindings(context, post, deps, { reporter, conversationId, refreshUserIds: await deps.members.idsFor(context), channelData: attribution(reporter) });
  } catch (error) {
    if (!(error instanceof PostInterrupted)) throw error;
    // What Teams did not take was withdrawn from the store: the answer says what is in the chat.
    const refused = isRefusal(error.cause);
    deps.logger.warn({ ...activityLogFields(activity), statusCode: httpStatusOf(error.cause), posted: error.posted, cards: error.total }, 'message extension: Teams did not take the post');
    if (error.posted > 0) return dialogMessage(200, partlyPosted(error.posted, error.total, refused));
    if (refused) return cannotPost(context);
    return dialogMessage(503, TEAMS_DID_NOT_TAKE);
  }
  deps.logger.info({ ...activityLogFields(activity), cards: post.shown.length }, 'message extension posted');
  return closeDialog();
}
