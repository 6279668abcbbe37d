// Who is in a conversation, for a card's automatic refresh: Teams refreshes a card on view only
// for the user ids it lists, at most 60. Looked up through Teams (TeamsInfo) once per conversation
// and remembered for a while, bounded in time and in size; when Teams cannot say (local mode, a
// conversation the bot cannot list), the people the bot has seen there stand in. A personal chat
// is the sender and the bot, so it is never looked up: that would put a Teams round trip (or, when
// Teams is slow, the whole lookup timeout) on the first paste of every person. Concurrent turns of
// one conversation share one lookup.
import { TeamsInfo, type TurnContext } from 'botbuilder';
import { MAX_REFRESH_USERS } from '../cards/render.js';

export interface MemberDirectory {
  /** Member ids of the turn's conversation (60 at most), or undefined when it has more than 60. */
  idsFor(context: TurnContext): Promise<string[] | undefined>;
  /** What is known of a conversation without asking Teams; undefined when nothing (or too many). */
  cached(conversationId: string): string[] | undefined;
}

export interface MemberDirectoryOptions {
  /** Milliseconds since the epoch. */
  now: () => number;
  ttlMs?: number;
  maxConversations?: number;
  /** How long a lookup may hold up a reply before the card goes out with what is known. */
  lookupTimeoutMs?: number;
  /** The lookup itself (tests); TeamsInfo's paged members by default. */
  lookup?: (context: TurnContext, pageSize: number) => Promise<{ members: { id: string }[]; more: boolean }>;
}

interface Entry {
  /** undefined: the conversation has more members than a card can list. */
  ids: string[] | undefined;
  expires: number;
}

const teamsLookup = async (context: TurnContext, pageSize: number) => {
  const page = await TeamsInfo.getPagedMembers(context, pageSize);
  return { members: page.members ?? [], more: Boolean(page.continuationToken) };
};

export function createMemberDirectory(options: MemberDirectoryOptions): MemberDirectory {
  const ttlMs = options.ttlMs ?? 10 * 60_000;
  const max = options.maxConversations ?? 1000;
  const timeoutMs = options.lookupTimeoutMs ?? 1500;
  const lookup = options.lookup ?? teamsLookup;
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<{ members: { id: string }[]; more: boolean }>>();

  const remember = (conversationId: string, ids: string[] | undefined, lifetimeMs: number) => {
    entries.delete(conversationId);
    entries.set(conversationId, { ids, expires: options.now() + lifetimeMs });
    // A Map iterates in insertion order: the first key is the least recently stored.
    while (entries.size > max) entries.delete(entries.keys().next().value as string);
  };

  const fresh = (conversationId: string): Entry | undefined => {
    const entry = entries.get(conversationId);
    if (entry && entry.expires > options.now()) return entry;
    if (entry) entries.delete(conversationId);
    return undefined;
  };

  return {
    async idsFor(context) {
      const conversationId = context.activity.conversation?.id ?? '';
      const sender = context.activity.from?.id;
      if (context.activity.conversation?.conversationType === 'personal') return sender ? [sender] : [];
      const known = fresh(conversationId);
      if (known) return known.ids;
      let timer: NodeJS.Timeout | undefined;
      let looking = inFlight.get(conversationId);
      if (!looking) {
        looking = lookup(context, MAX_REFRESH_USERS + 1);
        inFlight.set(conversationId, looking);
        const settled = () => {
          if (inFlight.get(conversationId) === looking) inFlight.delete(conversationId);
        };
        // A lookup that loses the race may still fail later; that failure is already handled below.
        looking.then(settled, settled);
      }
      try {
        const page = await Promise.race([
          looking,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('member lookup timed out')), timeoutMs);
          }),
        ]);
        const ids = page.more || page.members.length > MAX_REFRESH_USERS ? undefined : page.members.map((m) => m.id).filter(Boolean);
        remember(conversationId, ids, ttlMs);
        return ids;
      } catch {
        // Teams could not say (local mode, a chat the bot may not list): the sender at least, and
        // not asking again for a minute.
        const ids = sender ? [sender] : [];
        remember(conversationId, ids, Math.min(ttlMs, 60_000));
        return ids;
      } finally {
        if (timer) clearTimeout(timer);
      }
    },
    cached(conversationId) {
      return fresh(conversationId)?.ids;
    },
  };
}
