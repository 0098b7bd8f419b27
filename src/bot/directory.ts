import type { WebClient } from '@slack/web-api';

export interface DirectoryOptions {
  /** An explicit agent list; when set, it decides instead of triage channel membership. */
  agentIds?: string[];
  /** User ids allowed to change settings besides workspace admins and owners (see isSettingsAdmin). */
  adminIds?: string[];
  cacheMs?: number;
}

export interface SlackUser {
  id: string;
  name: string;
  firstName: string;
  email: string | null;
  isAdmin: boolean;
  isBot: boolean;
  teamId: string | null;
}

export interface SlackMessage {
  ts: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  team?: string;
  text?: string;
  files?: { name?: string; title?: string; mimetype?: string; permalink?: string }[];
}

export type Directory = ReturnType<typeof createDirectory>;

/** Who the bot is: the workspace its token belongs to, its user id and its bot id. */
export interface BotIdentity {
  teamId: string;
  botUserId: string | null;
  botId: string | null;
}

/** Who is who: agents (triage channel members) and user names, cached briefly to spare Slack's rate limits. */
export function createDirectory(client: WebClient, options: DirectoryOptions = {}) {
  const ttl = options.cacheMs ?? 60_000;
  const members = ttlCache<Set<string>>(ttl);
  const users = ttlCache<SlackUser>(ttl);
  const channelNames = ttlCache<string>(ttl);
  const installation = ttlCache<BotIdentity>(24 * 3_600_000); // the bot's own team and ids (auth.test)
  const kinds = new Map<string, { isBot: boolean; at: number }>();

  async function fetchMembers(channel: string): Promise<Set<string>> {
    const ids = new Set<string>();
    for await (const page of client.paginate('conversations.members', { channel, limit: 200 })) {
      for (const id of (page as { members?: string[] }).members ?? []) ids.add(id);
    }
    return ids;
  }

  async function fetchUser(id: string): Promise<SlackUser> {
    const { user } = await client.users.info({ user: id });
    return remember(userFromSlack(id, user));
  }

  /** Whether a user is a bot or an app rarely changes: kept an hour, filled by every user lookup. */
  function remember(user: SlackUser): SlackUser {
    kinds.set(user.id, { isBot: user.isBot, at: Date.now() });
    return user;
  }
  const knownKind = (id: string) => {
    const kind = kinds.get(id);
    return kind && Date.now() - kind.at < KIND_TTL_MS ? kind : undefined;
  };

  /**
   * Which of `ids` are people. Each unknown member costs one users.info (Tier 4) when there are a few; a large
   * channel is looked up in users.list pages instead (Tier 2, 200 users a call), stopping once every member is
   * found, so a triage channel of 500 members costs a few calls, not 500. Slack Connect users are not listed:
   * they are looked up one by one.
   */
  async function people(ids: string[]): Promise<string[]> {
    let unknown = ids.filter((id) => !knownKind(id));
    if (unknown.length > FEW_USERS) {
      const missing = new Set(unknown);
      for await (const page of client.paginate('users.list', { limit: 200 })) {
        for (const member of (page as { members?: SlackApiUser[] }).members ?? []) {
          if (!member.id) continue;
          users.put(member.id, remember(userFromSlack(member.id, member)));
          missing.delete(member.id);
        }
        if (missing.size === 0) break;
      }
      unknown = [...missing];
    }
    await Promise.all(unknown.map((id) => users.get(id, () => fetchUser(id)).then(remember, () => null)));
    return ids.filter((id) => knownKind(id)?.isBot === false);
  }

  return {
    async isAgent(userId: string, triageChannelId: string): Promise<boolean> {
      if (options.agentIds && options.agentIds.length > 0) return options.agentIds.includes(userId);
      return (await members.get(triageChannelId, () => fetchMembers(triageChannelId))).has(userId);
    },
    user: (userId: string) => users.get(userId, () => fetchUser(userId)),
    /** The workspace member with this profile email, or null (users.lookupByEmail, Tier 3; needs users:read.email). */
    async userByEmail(email: string): Promise<SlackUser | null> {
      try {
        const { user } = await client.users.lookupByEmail({ email });
        return user?.id ? remember(userFromSlack(user.id, user as SlackApiUser)) : null;
      } catch (err) {
        if ((err as { data?: { error?: string } }).data?.error === 'users_not_found') return null;
        throw err;
      }
    },
    /** The people who may get a triage channel's tickets: the explicit agent list, or its human members. */
    async agentPool(triageChannelId: string): Promise<string[]> {
      if (options.agentIds && options.agentIds.length > 0) return options.agentIds;
      return people([...(await members.get(triageChannelId, () => fetchMembers(triageChannelId)))]);
    },
    /**
     * Who may change settings: THREADDESK_ADMINS, and the admins and owners of the workspace the bot is installed
     * in. A Slack Connect user may be an admin of their own organisation, never of ours (and Slack names their
     * team, not ours, in the requests they make). Being an agent is not enough.
     */
    async isSettingsAdmin(userId: string): Promise<boolean> {
      if (options.adminIds?.includes(userId)) return true;
      const [user, home] = await Promise.all([this.user(userId), this.homeTeam()]);
      return user.isAdmin && !user.isBot && (user.teamId ?? home) === home;
    },
    /** The bot's workspace and its own ids (its token's, from auth.test), asked once a day. */
    identity: () =>
      installation.get('home', async () => {
        const { team_id: teamId, user_id: botUserId, bot_id: botId } = await client.auth.test();
        if (!teamId) throw new Error('auth.test named no workspace for the bot token');
        return { teamId, botUserId: botUserId ?? null, botId: botId ?? null };
      }),
    /** The workspace the bot is installed in. */
    async homeTeam(): Promise<string> {
      return (await this.identity()).teamId;
    },
    /** One message by its ts (for a 🎫 reaction, whose event carries no text): top-level first, then as a reply. */
    async message(channel: string, ts: string): Promise<SlackMessage | null> {
      const history = await client.conversations.history({ channel, latest: ts, inclusive: true, limit: 1 });
      const top = history.messages?.find((m) => m.ts === ts);
      if (top) return top as SlackMessage;
      const replies = await client.conversations.replies({ channel, ts, limit: 1 }).catch(() => null);
      return (replies?.messages?.find((m) => m.ts === ts) as SlackMessage | undefined) ?? null;
    },
    channelName: (channel: string) => channelNames.get(channel, async () => (await client.conversations.info({ channel })).channel?.name ?? channel),
    async isMember(channel: string): Promise<boolean> {
      const info = await client.conversations.info({ channel });
      return Boolean(info.channel?.is_member || info.channel?.is_im);
    },
    /** Membership changed (member_joined_channel / member_left_channel): forget what we knew. */
    forgetChannel: (channelId: string) => members.forget(channelId),
  };
}

/** Up to this many unknown users are looked up one by one (users.info); more, by users.list pages. */
const FEW_USERS = 20;
const KIND_TTL_MS = 3_600_000;

type SlackApiUser = NonNullable<Awaited<ReturnType<WebClient['users']['info']>>['user']>;

function userFromSlack(id: string, user: SlackApiUser | undefined): SlackUser {
  const profile = user?.profile;
  const name = profile?.real_name || user?.real_name || profile?.display_name || user?.name || id;
  return {
    id,
    name,
    firstName: profile?.first_name || name.split(/\s+/)[0]!,
    email: profile?.email ?? null,
    isAdmin: Boolean(user?.is_admin || user?.is_owner),
    isBot: Boolean(user?.is_bot || user?.is_app_user) || id === 'USLACKBOT',
    teamId: user?.team_id ?? null,
  };
}

/** Remembers loaded values for `ttlMs`; a failed load is forgotten at once so the next call retries. */
function ttlCache<T>(ttlMs: number) {
  const entries = new Map<string, { at: number; value: Promise<T> }>();
  return {
    get(key: string, load: () => Promise<T>): Promise<T> {
      const hit = entries.get(key);
      if (hit && Date.now() - hit.at < ttlMs) return hit.value;
      const value = load();
      entries.set(key, { at: Date.now(), value });
      value.catch(() => entries.delete(key));
      return value;
    },
    put: (key: string, value: T) => void entries.set(key, { at: Date.now(), value: Promise.resolve(value) }),
    forget: (key: string) => void entries.delete(key),
  };
}
