// The message extension's protocol edge: the two commands the manifest declares, what Teams sends
// with each invoke (checked, never trusted as typed), and every answer the bot gives, typed with
// the Bot Framework's own shapes. A request the bot cannot use gets a 4xx answer in the format the
// invoke expects, so Teams shows our words instead of "Unable to reach app".
import {
  CardFactory,
  MessageFactory,
  type Activity,
  type InvokeResponse,
  type MessageActionsPayload,
  type MessagingExtensionActionResponse,
  type MessagingExtensionAttachment,
  type MessagingExtensionResponse,
} from 'botbuilder';
import { z } from 'zod';
import type { AdaptiveCard } from '../../cards/render.js';

/** Ids as manifest/manifest.json declares them. */
export const DIAGNOSE_COMMAND = 'diagnoseMessage';
export const SEARCH_COMMAND = 'searchKnownErrors';
export const SEARCH_PARAMETER = 'query';

/** Teams lists at most this many results per page and asks for the next page with `skip`. */
export const MAX_PAGE = 25;

const parameter = z.object({ name: z.string().optional(), value: z.unknown().optional() });

const queryValue = z.object({
  commandId: z.string().optional(),
  parameters: z.array(parameter).max(10).optional(),
  queryOptions: z.object({ skip: z.number().optional(), count: z.number().optional() }).optional(),
});

const actionValue = z.object({
  commandId: z.string().optional(),
  commandContext: z.string().optional(),
  data: z.record(z.string(), z.unknown()).nullish(),
  botMessagePreviewAction: z.string().optional(),
  botActivityPreview: z.array(z.unknown()).max(5).optional(),
  messagePayload: z.record(z.string(), z.unknown()).nullish(),
});

export interface SearchRequest {
  commandId?: string;
  /** `initialRun`: the person opened the command without typing anything yet. */
  initialRun: boolean;
  /** What was typed, as typed (redact before echoing or logging anything of it). */
  query: string;
  skip: number;
  count: number;
}

export interface ActionRequest {
  commandId?: string;
  commandContext?: string;
  data: Record<string, unknown>;
  botMessagePreviewAction?: string;
  botActivityPreview: unknown[];
  messagePayload?: MessageActionsPayload;
}

/** A whole number within [min, max]; the fallback when absent or not a number. */
function clampInt(value: number | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.trunc(value)));
}

/** A composeExtension/query value, or undefined when it is not one. */
export function readSearch(value: unknown): SearchRequest | undefined {
  const parsed = queryValue.safeParse(value);
  if (!parsed.success) return undefined;
  const parameters = parsed.data.parameters ?? [];
  const initialRun = parameters.some((p) => p.name === 'initialRun' && (p.value === true || p.value === 'true'));
  // The manifest names the parameter `query`; a client that leaves the name out (the Agents
  // Playground does unless told) still sends its one parameter.
  const typed = parameters.filter((p) => p.name !== 'initialRun');
  const named = typed.find((p) => p.name === SEARCH_PARAMETER) ?? (typed.length === 1 ? typed[0] : undefined);
  const query = typeof named?.value === 'string' ? named.value : '';
  return {
    commandId: parsed.data.commandId,
    initialRun,
    query,
    skip: clampInt(parsed.data.queryOptions?.skip, 0, 10_000, 0),
    count: clampInt(parsed.data.queryOptions?.count, 1, MAX_PAGE, MAX_PAGE),
  };
}

/** A composeExtension/fetchTask or submitAction value, or undefined when it is not one. */
export function readAction(value: unknown): ActionRequest | undefined {
  const parsed = actionValue.safeParse(value);
  if (!parsed.success) return undefined;
  const { data, messagePayload, botActivityPreview, ...rest } = parsed.data;
  return {
    ...rest,
    data: data ?? {},
    botActivityPreview: botActivityPreview ?? [],
    messagePayload: messagePayload ? (messagePayload as MessageActionsPayload) : undefined,
  };
}

function answer(status: number, body: MessagingExtensionResponse | MessagingExtensionActionResponse): InvokeResponse {
  return { status, body };
}

/** Search results, or an empty list (Teams says it found nothing). */
export function searchResults(attachments: MessagingExtensionAttachment[]): InvokeResponse {
  return answer(200, { composeExtension: { type: 'result', attachmentLayout: 'list', attachments } } satisfies MessagingExtensionResponse);
}

/** A line in place of search results: why the search could not run. */
export function searchRefusal(status: number, text: string): InvokeResponse {
  return answer(status, { composeExtension: { type: 'message', text } } satisfies MessagingExtensionResponse);
}

/** A card in a dialog (task module). */
export function dialog(title: string, card: AdaptiveCard): InvokeResponse {
  return answer(200, {
    task: { type: 'continue', value: { title, card: CardFactory.adaptiveCard(card), width: 'large', height: 'large' } },
  } satisfies MessagingExtensionActionResponse);
}

/** A line in a dialog: what happened, or why nothing could be done. */
export function dialogMessage(status: number, text: string): InvokeResponse {
  return answer(status, { task: { type: 'message', value: text } } satisfies MessagingExtensionActionResponse);
}

/** Teams' own preview of the message the bot would post, with Edit and Send. */
export function botMessagePreview(card: AdaptiveCard): InvokeResponse {
  const activityPreview = MessageFactory.attachment(CardFactory.adaptiveCard(card)) as Activity;
  return answer(200, { composeExtension: { type: 'botMessagePreview', activityPreview } } satisfies MessagingExtensionActionResponse);
}

/** Done: Teams closes the dialog (the cards are in the conversation). */
export function closeDialog(): InvokeResponse {
  return answer(200, {} satisfies MessagingExtensionActionResponse);
}

/** The card Teams hands back with a botMessagePreview edit or send. */
export function previewedCard(botActivityPreview: unknown[]): unknown {
  const first = botActivityPreview[0] as { attachments?: { content?: unknown }[] } | undefined;
  const content = Array.isArray(first?.attachments) ? first.attachments[0]?.content : undefined;
  // Some clients send the card as a JSON string.
  if (typeof content === 'string') {
    try {
      return JSON.parse(content) as unknown;
    } catch {
      return undefined;
    }
  }
  return content;
}
