import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { CHAT_CHANNEL } from '../domain/intake-channel.js';

export interface ChatVisitor {
  visitorKey: string;
  teamId: string;
  email: string | null;
}

/** A message of a visitor's conversation as the widget shows it. */
export interface ChatLine {
  id: number;
  from: 'visitor' | 'agent';
  /** As stored (Slack's encoding: &amp;, &lt;, &gt;). */
  text: string;
  at: number;
  /** The agent's user id (named by the caller), or null. */
  agentId: string | null;
  /** The widget's own id of a visitor's message (so it can replace what it showed while sending). */
  clientId: string | null;
}

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
export type ChatStore = ReturnType<typeof createChatStore>;

/** Chat visitors (by the SHA-256 of their token) and what their widget shows. */
export function createChatStore(db: Knex) {
  return {
    /** A new visitor: returns the token to keep in their browser (32 random bytes) and their visitor key. */
    async create(teamId: string, now: number): Promise<{ token: string; visitor: ChatVisitor }> {
      const token = randomBytes(32).toString('base64url');
      const visitorKey = randomBytes(12).toString('hex');
      await db('chat_visitors').insert({ token_hash: hash(token), visitor_key: visitorKey, team_id: teamId, created_at: now });
      return { token, visitor: { visitorKey, teamId, email: null } };
    },

    /** The visitor holding this token, or null (an unknown or forged token reads nothing). */
    async byToken(token: string): Promise<ChatVisitor | null> {
      if (typeof token !== 'string' || token.length < 22 || token.length > 100) return null;
      const row = (await db('chat_visitors').where({ token_hash: hash(token) }).first('visitor_key', 'team_id', 'email')) as { visitor_key: string; team_id: string; email: string | null } | undefined;
      return row ? { visitorKey: row.visitor_key, teamId: row.team_id, email: row.email } : null;
    },

    /** The visitor of a conversation: their email address, and the last message an open widget of theirs was sent. */
    async byKey(visitorKey: string): Promise<{ email: string | null; shownUpTo: number } | null> {
      const row = (await db('chat_visitors').where({ visitor_key: visitorKey }).first('email', 'shown_up_to')) as { email: string | null; shown_up_to: number } | undefined;
      return row ? { email: row.email, shownUpTo: Number(row.shown_up_to) } : null;
    },

    async markShown(visitorKey: string, messageId: number): Promise<void> {
      await db('chat_visitors').where({ visitor_key: visitorKey }).where('shown_up_to', '<', messageId).update({ shown_up_to: messageId });
    },

    /**
     * The visitor's mail reply token: the one they have, else `minted` (kept from then on). Two instances minting
     * at once keep the first.
     */
    async mailToken(visitorKey: string, minted: string): Promise<string> {
      await db('chat_visitors').where({ visitor_key: visitorKey }).whereNull('mail_token').update({ mail_token: minted });
      const row = (await db('chat_visitors').where({ visitor_key: visitorKey }).first('mail_token')) as { mail_token: string | null } | undefined;
      return row?.mail_token ?? minted;
    },

    /** The visitor (their conversation key and team) a mail reply token was given to, or null. */
    async byMailToken(token: string): Promise<{ visitorKey: string; teamId: string } | null> {
      const row = (await db('chat_visitors').where({ mail_token: token }).first('visitor_key', 'team_id')) as { visitor_key: string; team_id: string } | undefined;
      return row ? { visitorKey: row.visitor_key, teamId: row.team_id } : null;
    },

    async setEmail(visitorKey: string, email: string): Promise<void> {
      await db('chat_visitors').where({ visitor_key: visitorKey }).update({ email });
    },

    /**
     * The public messages of the visitor's conversation after message `since`, oldest first: theirs and the replies
     * to them name the visitor in thread_ts, whichever ticket holds them (a merge moves them to another).
     */
    async linesSince(visitorKey: string, since: number, limit = 200): Promise<ChatLine[]> {
      const rows = (await db('messages')
        .where({ thread_ts: visitorKey, visibility: 'public' })
        .where('id', '>', since)
        .orderBy('id')
        .limit(limit)
        .select('id', 'author_role', 'text', 'sent_at', 'user_id', 'ts')) as { id: number; author_role: string; text: string; sent_at: number; user_id: string | null; ts: string }[];
      return rows.map((r) => {
        const visitor = r.author_role === 'requester';
        return { id: Number(r.id), from: visitor ? 'visitor' : 'agent', text: r.text, at: Number(r.sent_at), agentId: visitor ? null : r.user_id, clientId: visitor ? r.ts.slice(r.ts.lastIndexOf(':') + 1) : null };
      });
    },

    /** Visitors whose conversations got a public message after message `since`, and the latest id seen. */
    async changedSince(since: number): Promise<{ visitorKeys: string[]; latest: number }> {
      const rows = (await db('messages')
        .where('id', '>', since)
        .where({ channel_id: CHAT_CHANNEL, visibility: 'public' })
        .select('thread_ts', 'id')) as { thread_ts: string; id: number }[];
      return { visitorKeys: [...new Set(rows.map((r) => r.thread_ts))], latest: rows.reduce((max, r) => Math.max(max, Number(r.id)), since) };
    },

    async latestMessageId(): Promise<number> {
      const row = (await db('messages').max({ id: 'id' }).first()) as { id: number | null } | undefined;
      return Number(row?.id ?? 0);
    },
  };
}
