// Builds the real bot (catalog, matcher, SQLite store in memory, metrics) for handler tests, and
// Teams-shaped activities to send it. The clock is a variable the test moves.
import { Writable } from 'node:stream';
import { TestAdapter, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import { loadCatalog } from '../../src/core/catalog.js';
import { createMatcher } from '../../src/core/match.js';
import type { RateLimiter } from '../../src/core/ratelimit.js';
import type { Matcher } from '../../src/core/types.js';
import { buildEscalationPayload } from '../../src/incidents/escalation.js';
import { openStore } from '../../src/incidents/index.js';
import type { IncidentStore } from '../../src/incidents/types.js';
import { createLogger } from '../../src/log.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import { ConnectorDoctorBot, type BotDeps } from '../../src/teams/bot.js';
import type { MemberDirectory } from '../../src/teams/members.js';

let sharedMatcher: Matcher | undefined;
export function realMatcher(): Matcher {
  sharedMatcher ??= createMatcher(loadCatalog());
  return sharedMatcher;
}

export interface Clock {
  now: Date;
  (): Date;
}

export function fixedClock(iso = '2026-12-01T10:30:00Z'): Clock {
  const clock = (() => clock.now) as Clock;
  clock.now = new Date(iso);
  return clock;
}

/**
 * A TestAdapter that also remembers every card update (updateActivity) the bot makes, in the
 * conversation of the turn or, through a proactive turn, in another one (support's channel post).
 */
export class RecordingAdapter extends TestAdapter {
  readonly updates: Partial<Activity>[] = [];
  override async updateActivity(context: TurnContext, activity: Partial<Activity>): Promise<void> {
    this.updates.push(activity);
    await super.updateActivity(context, activity);
  }

  /** A proactive turn in the referenced conversation (TestAdapter has none of its own). */
  override async continueConversationAsync(...args: unknown[]): Promise<void> {
    const reference = args[1] as Partial<ConversationReference>;
    const logic = args[args.length - 1] as (context: TurnContext) => Promise<void>;
    const activity = TurnContext.applyConversationReference({ type: 'event', name: 'ContinueConversation' }, reference, true);
    await logic(new TurnContext(this, activity));
  }
}

export interface Harness {
  bot: ConnectorDoctorBot;
  adapter: RecordingAdapter;
  store: IncidentStore;
  matcher: Matcher;
  metrics: Metrics;
  clock: Clock;
  logs: () => string;
  targets: string[];
  /** Send one activity; returns everything the bot sent in that turn. */
  send(activity: Partial<Activity>): Promise<Partial<Activity>[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Escalation targets; the array is live: push to it to set a destination up mid-test. */
  targets?: string[];
  rateLimiter?: RateLimiter;
  pressLimiter?: RateLimiter;
  refreshLimiter?: RateLimiter;
  matcher?: Matcher;
  members?: MemberDirectory;
  messageExtension?: BotDeps['messageExtension'];
  /** Matching as the pool would do it; default: the matcher, inline. */
  diagnose?: BotDeps['diagnose'];
}

const started: Harness[] = [];
/** Every harness this test file started, for failOnLoggedErrors (test/helpers/logged-errors.ts). */
export function startedHarnesses(): readonly Harness[] {
  return started;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const store = await openStore('sqlite::memory:');
  const matcher = options.matcher ?? realMatcher();
  const metrics = createMetrics({ outboxCounts: () => store.outboxCounts() });
  const clock = fixedClock();
  let logText = '';
  const logger = createLogger('info', new Writable({ write(chunk: Buffer, _e, done) { logText += chunk.toString(); done(); } }));
  const targets = options.targets ?? ['webhook'];
  const bot = new ConnectorDoctorBot({
    store,
    matcher,
    metrics,
    clock,
    logger,
    rateLimiter: options.rateLimiter,
    pressLimiter: options.pressLimiter,
    refreshLimiter: options.refreshLimiter,
    members: options.members,
    messageExtension: options.messageExtension,
    diagnose: options.diagnose,
    escalation: { targets: async () => targets, buildPayload: (incident) => buildEscalationPayload(incident, { catalog: matcher.catalog }) },
  });
  const adapter = new RecordingAdapter((context) => bot.run(context));
  const harness: Harness = {
    bot, adapter, store, matcher, metrics, clock, targets,
    logs: () => logText,
    async send(activity) {
      adapter.activeQueue.splice(0);
      await adapter.processActivity(activity);
      return adapter.activeQueue.splice(0);
    },
    close: () => store.close(),
  };
  started.push(harness);
  return harness;
}

export const USER_ADA = { id: '29:ada', name: 'Ada Ops', aadObjectId: 'aad-ada' };
export const USER_BOB = { id: '29:bob', name: 'Bob Desk', aadObjectId: 'aad-bob' };
export const BOT = { id: '28:connector-doctor', name: 'Connector Doctor' };

export function personalMessage(text: string, from = USER_ADA, conversationId = 'a:personal-ada'): Partial<Activity> {
  return {
    type: 'message',
    channelId: 'msteams',
    text,
    from,
    recipient: BOT,
    conversation: { id: conversationId, conversationType: 'personal', tenantId: 'tenant-1', isGroup: false, name: '' },
    channelData: { tenant: { id: 'tenant-1' } },
  };
}

/** A channel message: Teams puts the bot's mention in the text and in entities. */
export function channelMention(text: string, from = USER_ADA): Partial<Activity> {
  return {
    type: 'message',
    channelId: 'msteams',
    text: `<at>Connector Doctor</at> ${text}`,
    textFormat: 'plain',
    from,
    recipient: BOT,
    conversation: { id: '19:ops@thread.tacv2;messageid=1700000000000', conversationType: 'channel', tenantId: 'tenant-1', isGroup: true, name: '' },
    channelData: { tenant: { id: 'tenant-1' }, team: { id: '19:team@thread.tacv2' }, channel: { id: '19:ops@thread.tacv2' } },
    entities: [{ type: 'mention', text: '<at>Connector Doctor</at>', mentioned: BOT }],
  };
}

export function executeInvoke(verb: string, data: Record<string, unknown>, options: { from?: typeof USER_ADA; conversationId?: string; replyToId?: string } = {}): Partial<Activity> {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    channelId: 'msteams',
    from: options.from ?? USER_BOB,
    recipient: BOT,
    replyToId: options.replyToId,
    conversation: { id: options.conversationId ?? 'a:personal-ada', conversationType: 'personal', tenantId: 'tenant-1', isGroup: false, name: '' },
    value: { action: { type: 'Action.Execute', verb, data } },
  };
}

export function submitMessage(data: Record<string, unknown>, options: { from?: typeof USER_ADA; conversationId?: string; replyToId?: string } = {}): Partial<Activity> {
  return { ...personalMessage('', options.from ?? USER_BOB, options.conversationId), text: undefined, replyToId: options.replyToId, value: data };
}

/** The Adaptive Card in a bot message, if any. */
export function cardOf(activity: Partial<Activity> | undefined): Record<string, unknown> | undefined {
  const attachment = activity?.attachments?.[0];
  return attachment?.contentType === 'application/vnd.microsoft.card.adaptive' ? (attachment.content as Record<string, unknown>) : undefined;
}

/** The invoke answer the bot gave (TestAdapter queues it as an `invokeResponse` activity). */
export function invokeAnswer(replies: Partial<Activity>[]): { status: number; body: { statusCode: number; type: string; value: unknown } } {
  const reply = replies.find((a) => a.type === 'invokeResponse');
  if (!reply) throw new Error('the bot did not answer the invoke');
  return reply.value as { status: number; body: { statusCode: number; type: string; value: unknown } };
}
