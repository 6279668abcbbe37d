// "Diagnose with Connector Doctor" up to the post: the message a person chose is diagnosed like a
// paste and shown as the card the bot would post, first in a dialog (fetchTask), then in Teams'
// own send preview (submitAction answered with botMessagePreview); Edit goes back to the dialog.
// Nothing is recorded until Send (post.ts).
import { randomBytes } from 'node:crypto';
import type { InvokeResponse, MessageActionsPayload, TurnContext } from 'botbuilder';
import { noteCard } from '../../cards/note-card.js';
import type { AdaptiveCard } from '../../cards/render.js';
import { secretNotice } from '../../cards/secrets.js';
import { normalize } from '../../core/normalize.js';
import { DEFAULT_MAX_INPUT_CHARS, type Diagnosis, type Finding } from '../../core/index.js';
import type { Incident, Person } from '../../incidents/types.js';
import { activityLogFields } from '../../log.js';
import { incidentCardFor } from '../incident-view.js';
import { findingsToPost, gistOf, personFrom, type FindingsToPost, type PasteDeps } from '../paste.js';
import { CARRY_INPUT_ID, carriedIn, carryOf, findingsFromCarry } from './carry.js';
import { messageText } from './message-text.js';
import { botMessagePreview, dialog, dialogMessage, previewedCard, type ActionRequest } from './protocol.js';

export const DIALOG_TITLE = 'Diagnose with Connector Doctor';
export const POST_BUTTON = 'Post to this chat';
/** Marks the dialog's Post button among whatever else Teams puts in a submit's data. */
export const POST_DATA = { connectorDoctor: 'post' } as const;

/** Teams answers an invoke after about 5 s; a diagnosis still running by then is answered without. */
const DEFAULT_DEADLINE_MS = 4_000;

export const NOTHING_TITLE = 'No connector error in this message';
export const NOTHING_LINE = 'Nothing in it looks like an app connector error from Defender for Cloud Apps, so there is nothing to post.';
export const EXPIRED_LINE = 'I could not read this preview. Close it and choose Diagnose with Connector Doctor on the message again.';
export const SLOW_LINE = 'This message is taking me too long to read right now. Please try again in a minute.';

export interface PreviewDeps extends PasteDeps {
  /** How long a diagnosis may take before the invoke is answered without it. */
  deadlineMs?: number;
}

type Diagnosed =
  | { kind: 'findings'; post: FindingsToPost }
  | { kind: 'nothing'; diagnosis: Diagnosis }
  | { kind: 'late' };

/** The message diagnosed like a paste, within the invoke's time. */
async function diagnoseMessage(context: TurnContext, payload: MessageActionsPayload | undefined, deps: PreviewDeps): Promise<Diagnosed> {
  const text = messageText(payload);
  // A message of only an image, a mention or a sticker: nothing to read, nothing to match.
  if (normalize(text).trim() === '') return { kind: 'nothing', diagnosis: { findings: [], redactions: 0, redactedKinds: [], truncated: false } };
  const started = performance.now();
  const diagnosing = deps.diagnose ? deps.diagnose(text) : Promise.resolve(deps.matcher.diagnose(text));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), deps.deadlineMs ?? DEFAULT_DEADLINE_MS);
  });
  // A diagnosis that loses the race still settles later; its failure is not this turn's.
  diagnosing.catch(() => undefined);
  const diagnosis = await Promise.race([diagnosing, late]).finally(() => clearTimeout(timer));
  if (diagnosis === 'late') return { kind: 'late' };
  deps.metrics.matchSeconds.observe((performance.now() - started) / 1000);
  deps.logger.info(
    { ...activityLogFields(context.activity), textLength: text.length, findings: diagnosis.findings.map((f) => f.verdict), redactions: diagnosis.redactions, truncated: diagnosis.truncated },
    'message extension diagnosed a message',
  );
  if (diagnosis.findings.length === 0) return { kind: 'nothing', diagnosis };
  // A new preview: its id goes with it through Post, Edit and Send.
  return { kind: 'findings', post: { ...findingsToPost(diagnosis, text.length), previewId: randomBytes(12).toString('base64url') } };
}

/** What the preview says beside the card: what posting does, and what else the message holds. */
function previewNotes(post: FindingsToPost, button: string): string[] {
  const notes = [`${button} posts this card here as Connector Doctor and opens an incident: Mark resolved and Escalate to support then work for everyone in the conversation.`];
  const total = post.shown.length + post.rest.length;
  if (total > 1) {
    notes.push(post.rest.length === 0
      ? `This message holds ${total} errors: each gets its own card.`
      : `This message holds ${total} errors: the first ${post.shown.length} get a card each, and a line names the others.`);
  }
  if (post.truncated) {
    notes.push(`The message is long (${post.textLength.toLocaleString('en-US')} characters): I read only its first ${DEFAULT_MAX_INPUT_CHARS.toLocaleString('en-US')}.`);
  }
  return notes;
}

/** The incident-to-be the preview shows: the first finding, reported by whoever asked. */
function previewIncident(finding: Finding, reporter: Person, conversationId: string, at: Date): Incident {
  return {
    id: 'preview',
    conversationId,
    reporter,
    excerpt: finding.excerpt,
    verdict: finding.verdict,
    entryIds: finding.matches.map((m) => m.entry.id),
    appId: gistOf(finding).appId,
    state: 'open',
    version: 0,
    repeatCount: 0,
    createdAt: at,
    updatedAt: at,
  };
}

/** The card to post, as a preview: in the dialog with the Post button, in Teams' send preview without. */
async function previewCard(context: TurnContext, post: FindingsToPost, deps: PreviewDeps, where: 'dialog' | 'send'): Promise<AdaptiveCard> {
  const reporter = personFrom(context.activity) ?? { id: 'unknown', name: 'someone' };
  const first = post.shown[0]!;
  const secrets = post.redactions > 0 ? { count: post.redactions, kinds: post.redactedKinds, from: 'message' as const } : undefined;
  return incidentCardFor({ matcher: deps.matcher, store: deps.store }, previewIncident(first, reporter, context.activity.conversation?.id ?? '', deps.clock()), {
    history: secrets ? { secrets } : {},
    preview: {
      notes: previewNotes(post, where === 'dialog' ? POST_BUTTON : 'Send'),
      carry: { inputId: CARRY_INPUT_ID, value: carryOf(post) },
      submit: where === 'dialog' ? { title: POST_BUTTON, data: { ...POST_DATA } } : undefined,
    },
  });
}

/** Why a message action could not show anything, as the invoke's answer. */
function nothingToShow(result: Exclude<Diagnosed, { kind: 'findings' }>, where: 'dialog' | 'message'): InvokeResponse {
  if (result.kind === 'late') return dialogMessage(200, SLOW_LINE);
  const secrets = secretNotice(result.diagnosis.redactions, result.diagnosis.redactedKinds, 'message');
  // A dialog opened from the menu shows a card; Teams renders a plain message after a submit.
  return where === 'dialog' ? dialog(DIALOG_TITLE, noteCard(NOTHING_TITLE, [NOTHING_LINE, secrets])) : dialogMessage(200, [`${NOTHING_TITLE}. ${NOTHING_LINE}`, secrets].filter(Boolean).join(' '));
}

/** fetchTask: the person chose the command on a message; the diagnosis in a dialog, with Post. */
export async function answerFetchTask(context: TurnContext, request: ActionRequest, deps: PreviewDeps): Promise<InvokeResponse> {
  if (request.commandContext !== 'message' || !request.messagePayload) {
    return dialogMessage(400, 'Diagnose with Connector Doctor works on a message: choose it from the message\'s "..." menu (More actions).');
  }
  const result = await diagnoseMessage(context, request.messagePayload, deps);
  if (result.kind !== 'findings') return nothingToShow(result, 'dialog');
  return dialog(DIALOG_TITLE, await previewCard(context, result.post, deps, 'dialog'));
}

/**
 * submitAction: Post to this chat in the dialog (the preview comes back in the data), or a client
 * that sends the message straight away; answered with Teams' send preview of the card.
 */
export async function answerSubmit(context: TurnContext, request: ActionRequest, deps: PreviewDeps): Promise<InvokeResponse> {
  if (request.data.connectorDoctor === POST_DATA.connectorDoctor) {
    const post = findingsFromCarry(request.data[CARRY_INPUT_ID], deps.matcher);
    if (!post) return dialogMessage(400, EXPIRED_LINE);
    return botMessagePreview(await previewCard(context, post, deps, 'send'));
  }
  if (!request.messagePayload) return dialogMessage(400, 'This request has no message to diagnose. Choose Diagnose with Connector Doctor from a message\'s "..." menu.');
  const result = await diagnoseMessage(context, request.messagePayload, deps);
  if (result.kind !== 'findings') return nothingToShow(result, 'message');
  return botMessagePreview(await previewCard(context, result.post, deps, 'send'));
}

/** botMessagePreview edit: back to the dialog with the same diagnosis. */
export async function answerEdit(context: TurnContext, request: ActionRequest, deps: PreviewDeps): Promise<InvokeResponse> {
  const post = findingsFromCarry(carriedIn(previewedCard(request.botActivityPreview)), deps.matcher);
  if (!post) return dialogMessage(400, EXPIRED_LINE);
  return dialog(DIALOG_TITLE, await previewCard(context, post, deps, 'dialog'));
}
