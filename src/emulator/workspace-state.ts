/**
 * In-memory workspace: users, channels, messages (incl. thread replies), ephemerals, views, trigger ids and
 * response_url contexts. No HTTP here — the Web API methods and the driver both read and write this state.
 */
import type { EmuChannel, EmuEphemeral, EmuMessage, EmuOpenView, EmuUploadedFile, EmuUser, SlackFile } from './types.js';
import { slackId, tsToMicros } from './slack-ts.js';

/** Slack: "trigger_id … expires in 3 seconds" (research doc §1.5); single use. */
export const TRIGGER_TTL_MS = 3000;

export interface TriggerRecord {
  user: string;
  issuedAt: number;
  used: boolean;
}

/** What a response_url was issued for, so replace_original / in_channel know where to act. */
export interface ResponseUrlContext {
  channel: string;
  user: string;
  /** The message the action came from (block_actions / message shortcut) — target of replace/delete_original. */
  messageTs?: string;
  isEphemeral?: boolean;
  threadTs?: string;
}

export interface OpenView extends EmuOpenView {
  /** The root of the modal stack this view belongs to (views.push adds to a stack, max 3). */
  rootId: string;
  externalId?: string;
  previousViewId?: string;
}

/** A file announced with files.getUploadURLExternal; `bytes` arrive with the POST to its upload_url. */
export interface PendingUpload {
  id: string;
  filename: string;
  length: number;
  altText?: string;
  snippetType?: string;
  bytes?: Buffer;
}

export class WorkspaceState {
  readonly users = new Map<string, EmuUser>();
  readonly channels = new Map<string, EmuChannel>();
  /** All messages of a channel (top level and replies), sorted by ts. */
  private readonly messagesByChannel = new Map<string, EmuMessage[]>();
  readonly ephemerals: EmuEphemeral[] = [];
  readonly views = new Map<string, OpenView>();
  readonly homeViews = new Map<string, { view: any; hash: string; id: string }>();
  readonly triggers = new Map<string, TriggerRecord>();
  readonly responseUrls = new Map<string, ResponseUrlContext>();
  readonly files = new Map<string, SlackFile>();
  readonly pendingUploads = new Map<string, PendingUpload>();
  /** Files the bot uploaded and completed, in upload order. */
  readonly uploads = new Map<string, EmuUploadedFile>();

  constructor(readonly teamId: string, private readonly botUserId: string) {}

  addUser(u: EmuUser): EmuUser {
    const user = { teamId: this.teamId, ...u };
    this.users.set(user.id, user);
    return user;
  }

  addChannel(c: EmuChannel): EmuChannel {
    const channel = { ...c, members: [...new Set(c.members)] };
    this.channels.set(channel.id, channel);
    if (!this.messagesByChannel.has(channel.id)) this.messagesByChannel.set(channel.id, []);
    return channel;
  }

  /** The IM channel between the bot and a user (created on first use, stable id afterwards). */
  openIm(userId: string): EmuChannel {
    for (const c of this.channels.values()) {
      if (c.isIm && c.members.includes(userId) && c.members.includes(this.botUserId)) return c;
    }
    const id = `D${userId.replace(/^[A-Z]/, '')}${slackId('', 3)}`;
    return this.addChannel({ id, name: id, isIm: true, isPrivate: true, members: [this.botUserId, userId] });
  }

  isMember(channelId: string, userId: string): boolean {
    return this.channels.get(channelId)?.members.includes(userId) ?? false;
  }

  join(channelId: string, userId: string): void {
    const c = this.mustChannel(channelId);
    if (!c.members.includes(userId)) c.members.push(userId);
  }

  leave(channelId: string, userId: string): void {
    const c = this.mustChannel(channelId);
    c.members = c.members.filter((m) => m !== userId);
  }

  mustChannel(channelId: string): EmuChannel {
    const c = this.channels.get(channelId);
    if (!c) throw new Error(`emulator: unknown channel ${channelId} (addChannel it first)`);
    return c;
  }

  /** Inserts keeping ts order (driver messages may carry historical ts values). */
  addMessage(m: EmuMessage): EmuMessage {
    const list = this.messagesByChannel.get(m.channel) ?? [];
    this.messagesByChannel.set(m.channel, list);
    const key = tsToMicros(m.ts);
    let i = list.length;
    while (i > 0 && tsToMicros(list[i - 1].ts) > key) i--;
    list.splice(i, 0, m);
    return m;
  }

  message(channelId: string, ts: string): EmuMessage | undefined {
    return this.messagesByChannel.get(channelId)?.find((m) => m.ts === ts);
  }

  allMessages(channelId: string): EmuMessage[] {
    return this.messagesByChannel.get(channelId) ?? [];
  }

  /** Top-level messages: not in a thread, thread parents, and replies broadcast to the channel. */
  topLevel(channelId: string): EmuMessage[] {
    return this.allMessages(channelId).filter((m) => !m.thread_ts || m.thread_ts === m.ts || m.reply_broadcast);
  }

  replies(channelId: string, threadTs: string): EmuMessage[] {
    return this.allMessages(channelId).filter((m) => m.thread_ts === threadTs && m.ts !== threadTs);
  }

  /** Thread summary fields Slack adds to a parent (conversations.history/replies, thread_broadcast root). */
  threadSummary(channelId: string, parent: EmuMessage): Record<string, any> {
    const replies = this.replies(channelId, parent.ts).filter((r) => !r.deleted);
    if (replies.length === 0) return {};
    const replyUsers = [...new Set(replies.map((r) => r.user ?? r.bot_id ?? ''))];
    return {
      thread_ts: parent.ts,
      reply_count: replies.length,
      reply_users_count: replyUsers.length,
      latest_reply: replies[replies.length - 1].ts,
      reply_users: replyUsers,
      is_locked: false,
      subscribed: false,
    };
  }

  /** A Slack client only threads under a parent: a thread_ts naming a reply is mapped to that reply's parent. */
  resolveThreadTs(channelId: string, threadTs: string): string {
    const m = this.message(channelId, threadTs);
    return m?.thread_ts && m.thread_ts !== m.ts ? m.thread_ts : threadTs;
  }

  issueTrigger(user: string): string {
    const id = `${Date.now()}.${Math.floor(Math.random() * 1e9)}.${slackId('', 16).toLowerCase()}`;
    this.triggers.set(id, { user, issuedAt: Date.now(), used: false });
    return id;
  }

  /** Consumes a trigger id; returns the user it was issued for or a Slack error code. */
  consumeTrigger(id: unknown): { user: string } | { error: 'invalid_trigger_id' | 'expired_trigger_id' | 'exchanged_trigger_id' } {
    const t = typeof id === 'string' ? this.triggers.get(id) : undefined;
    if (!t) return { error: 'invalid_trigger_id' };
    if (t.used) return { error: 'exchanged_trigger_id' };
    if (Date.now() - t.issuedAt > TRIGGER_TTL_MS) return { error: 'expired_trigger_id' };
    t.used = true;
    return { user: t.user };
  }

  viewsOfStack(rootId: string): OpenView[] {
    return [...this.views.values()].filter((v) => v.rootId === rootId);
  }
}
