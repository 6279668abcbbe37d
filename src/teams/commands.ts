// The commands a person can type (help, apps, search, stats, set support channel, set alerts
// channel): what counts as one, and what each answers.
import { CardFactory, MessageFactory, TurnContext, type ConversationReference } from 'botbuilder';
import type { AdaptiveCard } from '../cards/render.js';
import { statsCard } from '../cards/stats-card.js';
import { appsCard, helpCard, searchCard } from '../cards/views.js';
import { redact } from '../core/redact.js';
import type { Matcher } from '../core/types.js';
import type { IncidentStore } from '../incidents/types.js';
import { activityLogFields, type Logger } from '../log.js';
import { ALERTS_CHANNEL_SETTING } from './alerts-channel.js';
import { SUPPORT_CHANNEL_SETTING, supportChannelReference } from './support-channel.js';

export type Command =
  | { kind: 'help' }
  | { kind: 'apps' }
  | { kind: 'stats' }
  | { kind: 'search'; words: string }
  | { kind: 'set-support-channel' }
  | { kind: 'set-alerts-channel' };

/** A short message that is exactly a command; anything else is a paste. */
export function parseCommand(text: string): Command | undefined {
  if (text.length > 300) return undefined;
  const line = text.trim().replace(/^\//, '').replace(/[.!?]+$/, '');
  const lower = line.toLowerCase().replace(/\s+/g, ' ');
  if (lower === 'help' || lower === '?') return { kind: 'help' };
  if (lower === 'apps') return { kind: 'apps' };
  if (lower === 'stats') return { kind: 'stats' };
  if (lower === 'set support channel') return { kind: 'set-support-channel' };
  if (lower === 'set alerts channel' || lower === 'set alert channel') return { kind: 'set-alerts-channel' };
  // One short line only: a multi-line paste that happens to start with "search" is an error to diagnose.
  const search = line.includes('\n') || line.length > 120 ? null : /^search(?:\s+(.*))?$/i.exec(line);
  if (search) return { kind: 'search', words: (search[1] ?? '').trim() };
  return undefined;
}

export interface CommandDeps {
  matcher: Matcher;
  store: IncidentStore;
  clock: () => Date;
  logger: Logger;
}

export async function runCommand(context: TurnContext, command: Command, deps: CommandDeps): Promise<void> {
  const { matcher, store } = deps;
  const send = (card: AdaptiveCard) => context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
  switch (command.kind) {
    case 'help':
      await send(helpCard());
      return;
    case 'apps':
      await send(appsCard(matcher.catalog));
      return;
    case 'search':
      if (command.words === '') {
        await context.sendActivity('Tell me what to look for, e.g. search okta token.');
        return;
      }
      // The card echoes the words: a token typed after "search" must not come back.
      await send(searchCard(matcher.catalog, redact(command.words).text));
      return;
    case 'stats': {
      const now = deps.clock();
      const [week, month, outbox, alerts] = await Promise.all([store.stats(now, 7), store.stats(now, 30), store.outboxCounts(), store.alertCounts(now, 30)]);
      await send(statsCard([week, month], matcher.catalog, outbox, alerts));
      return;
    }
    case 'set-support-channel':
      await setChannel(context, deps, {
        setting: SUPPORT_CHANNEL_SETTING,
        what: 'support channel',
        elsewhere: 'Run set support channel in the team channel where support should receive escalations (mention me there).',
        // Who typed it is right above in the channel; a display name echoed in a message could render as a link.
        done: 'Done: escalations will be posted in this channel from now on. Cards that could not be sent can be sent again now.',
      });
      return;
    case 'set-alerts-channel':
      await setChannel(context, deps, {
        setting: ALERTS_CHANNEL_SETTING,
        what: 'alerts channel',
        elsewhere: 'Run set alerts channel in the team channel where connector alerts should be diagnosed (mention me there).',
        done: 'Done: each new connector alert will start a thread in this channel with its diagnosis. Alerts waiting to be posted go out within a minute.',
      });
      return;
  }
}

/** Remember the channel a command was typed in (the channel itself, not the thread) under `setting`. */
async function setChannel(context: TurnContext, deps: CommandDeps, words: { setting: string; what: string; elsewhere: string; done: string }): Promise<void> {
  const activity = context.activity;
  if (activity.conversation?.conversationType !== 'channel') {
    await context.sendActivity(words.elsewhere);
    return;
  }
  const reference = supportChannelReference(TurnContext.getConversationReference(activity) as ConversationReference, activity);
  await deps.store.putSetting(words.setting, reference);
  deps.logger.info({ ...activityLogFields(activity) }, `${words.what} set`);
  await context.sendActivity(words.done);
}
