/**
 * The Web API methods the bot uses, implemented against WorkspaceState. Errors are thrown as SlackApiError
 * and turned into Slack's HTTP 200 `{ok:false,error}` shape by the server (doc §2.2). Error codes per method
 * follow the table in doc §2.4.
 */
import type { EmuChannel, EmuMessage, EmuUser } from './types.js';
import type { WorkspaceState } from './workspace-state.js';
import { validateBlocks } from './block-kit-validator.js';
import { ViewMethods } from './view-methods.js';
import { SlackApiError, str } from './api-error.js';
import { botProfile, fileObject, messageToApi, publicFile, type EmulatorIdentity } from './payloads.js';
import { slackId, tsToMicros } from './slack-ts.js';

export { SlackApiError };

export interface WebApiHost {
  readonly state: WorkspaceState;
  readonly identity: EmulatorIdentity;
  nextTs(): string;
  /** Called after the bot successfully posted a message (drives the message-event echo). */
  onBotMessagePosted(message: EmuMessage): void;
  /** URL for a new Socket Mode connection (apps.connections.open). */
  newSocketUrl(): string;
  /** 'http://127.0.0.1:PORT/' (upload_url and url_private point here). */
  baseUrl(): string;
  /** The bot token's OAuth scopes (what a method may return depends on them, e.g. profile.email). */
  botScopes(): ReadonlySet<string>;
}

type Args = Record<string, any>;
type Handler = (args: Args) => Record<string, any>;

/** Slack: "Messages longer than 40,000 characters" are rejected/truncated (doc §2.5; we reject so bots notice). */
const MAX_TEXT = 40_000;


function bool(v: unknown): boolean {
  return v === true || v === 'true' || v === '1' || v === 1;
}

/** Slack's answer to a missing required argument (e.g. java-slack-sdk#302: "[ERROR] missing required field: title"). */
function requireArgs(args: Args, names: string[]): void {
  const missing = names.filter((n) => args[n] === undefined || args[n] === '');
  if (missing.length > 0) {
    throw new SlackApiError('invalid_arguments', { response_metadata: { messages: missing.map((n) => `[ERROR] missing required field: ${n}`) } });
  }
}

const MIME_TYPES: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', pdf: 'application/pdf',
  txt: 'text/plain', csv: 'text/csv', json: 'application/json', zip: 'application/zip',
};

function mimeType(filename: string): string {
  return MIME_TYPES[filename.split('.').pop()!.toLowerCase()] ?? 'application/octet-stream';
}

function isPlainObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * chat.postMessage `metadata`: {event_type, event_payload} (docs.slack.dev/messaging/message-metadata). Like
 * `blocks`, form bodies carry it as JSON that parseApiArgs already decoded, so a string left here is malformed.
 */
function parseMetadata(v: unknown): EmuMessage['metadata'] {
  if (v === undefined || v === '') return undefined;
  if (!isPlainObject(v)) throw new SlackApiError('invalid_metadata_format');
  if (typeof v.event_type !== 'string' || v.event_type === '' || !isPlainObject(v.event_payload)) throw new SlackApiError('invalid_metadata_schema');
  return { event_type: v.event_type, event_payload: v.event_payload };
}

function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64');
}

function decodeCursor(cursor: unknown): number {
  if (cursor === undefined || cursor === '') return 0;
  const m = /^offset:(\d+)$/.exec(Buffer.from(String(cursor), 'base64').toString('utf8'));
  if (!m) throw new SlackApiError('invalid_cursor');
  return Number(m[1]);
}

function paginate<T>(items: T[], args: Args, defaultLimit: number, maxLimit: number): { page: T[]; nextCursor: string } {
  const limit = Math.min(Math.max(Number(args.limit ?? defaultLimit) || defaultLimit, 1), maxLimit);
  const offset = decodeCursor(args.cursor);
  const page = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? encodeCursor(offset + limit) : '';
  return { page, nextCursor: next };
}

export class WebApiMethods {
  private readonly handlers: Record<string, Handler>;
  /** Modal and Home tab views (also used by the driver for response_action update/push). */
  readonly views: ViewMethods;

  constructor(private readonly host: WebApiHost) {
    this.views = new ViewMethods(host.state, host.identity);
    this.handlers = {
      'auth.test': () => this.authTest(),
      'apps.connections.open': () => ({ url: this.host.newSocketUrl() }),
      'chat.postMessage': (a) => this.postMessage(a),
      'chat.update': (a) => this.update(a),
      'chat.postEphemeral': (a) => this.postEphemeral(a),
      'chat.delete': (a) => this.deleteMessage(a),
      'chat.getPermalink': (a) => this.getPermalink(a),
      'reactions.add': (a) => this.reactionsAdd(a),
      'reactions.remove': (a) => this.reactionsRemove(a),
      'views.open': (a) => this.views.viewsOpen(a),
      'views.push': (a) => this.views.viewsPush(a),
      'views.update': (a) => this.views.viewsUpdate(a),
      'views.publish': (a) => this.views.viewsPublish(a),
      'users.info': (a) => this.usersInfo(a),
      'users.list': (a) => this.usersList(a),
      'users.lookupByEmail': (a) => this.usersLookupByEmail(a),
      'conversations.info': (a) => ({ channel: this.channelInfo(this.visibleChannel(a.channel)) }),
      'conversations.members': (a) => this.conversationsMembers(a),
      'conversations.history': (a) => this.conversationsHistory(a),
      'conversations.replies': (a) => this.conversationsReplies(a),
      'conversations.open': (a) => this.conversationsOpen(a),
      'conversations.join': (a) => this.conversationsJoin(a),
      'conversations.list': (a) => this.conversationsList(a),
      'files.getUploadURLExternal': (a) => this.getUploadURLExternal(a),
      'files.completeUploadExternal': (a) => this.completeUploadExternal(a),
    };
  }

  has(method: string): boolean {
    return Object.hasOwn(this.handlers, method);
  }

  /** The names of the implemented methods. */
  methods(): string[] {
    return Object.keys(this.handlers);
  }

  /** Runs a method; throws SlackApiError for Slack-level failures. */
  call(method: string, args: Args): Record<string, any> {
    return { ok: true, ...this.handlers[method](args) };
  }

  private get state(): WorkspaceState {
    return this.host.state;
  }

  private get id(): EmulatorIdentity {
    return this.host.identity;
  }

  // ---- auth -------------------------------------------------------------------------------------------

  private authTest(): Args {
    return {
      url: `https://${this.id.teamDomain}.slack.com/`,
      team: this.id.teamDomain,
      user: this.id.botName,
      team_id: this.id.teamId,
      user_id: this.id.botUserId,
      bot_id: this.id.botId,
      is_enterprise_install: false,
    };
  }

  // ---- helpers ------------------------------------------------------------------------------------------

  private channelOrThrow(channelId: unknown): EmuChannel {
    const c = typeof channelId === 'string' ? this.state.channels.get(channelId) : undefined;
    if (!c) throw new SlackApiError('channel_not_found');
    return c;
  }

  /** Private channels and IMs the bot is not part of are invisible to it: Slack answers channel_not_found. */
  private visibleChannel(channelId: unknown): EmuChannel {
    const c = this.channelOrThrow(channelId);
    if ((c.isPrivate || c.isIm) && !c.members.includes(this.id.botUserId)) throw new SlackApiError('channel_not_found');
    return c;
  }

  private botMemberOrThrow(c: EmuChannel): void {
    if (!c.members.includes(this.id.botUserId)) throw new SlackApiError('not_in_channel');
  }

  private liveMessageOrThrow(channelId: string, ts: unknown): EmuMessage {
    const m = typeof ts === 'string' ? this.state.message(channelId, ts) : undefined;
    if (!m || m.deleted) throw new SlackApiError('message_not_found');
    return m;
  }

  /** Text/blocks checks shared by postMessage, update, postEphemeral. Returns the parsed blocks (if any). */
  private checkContent(args: Args): any[] | undefined {
    const text = str(args.text) ?? '';
    let blocks = args.blocks;
    if (typeof blocks === 'string') {
      if (blocks.trim() === '') blocks = undefined;
      else throw new SlackApiError('invalid_blocks_format');
    }
    const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
    if (!text && !hasBlocks && !args.attachments) throw new SlackApiError('no_text');
    if (text.length > MAX_TEXT) throw new SlackApiError('msg_too_long');
    if (blocks !== undefined) {
      const problems = validateBlocks(blocks, 'message');
      if (problems.length > 0) throw new SlackApiError('invalid_blocks', { response_metadata: { messages: problems } });
    }
    return blocks;
  }

  private botProfile(): any {
    return botProfile(this.id.botId, this.id.botName, this.id.appId, this.id.teamId);
  }

  // ---- chat ---------------------------------------------------------------------------------------------

  /** Where a bot post lands. A user id means the app's DM with that user (chat.postMessage docs: "channel … or user ID"). */
  private botTarget(channelArg: unknown): EmuChannel {
    const userAsChannel = typeof channelArg === 'string' && /^[UW]/.test(channelArg) && this.state.users.has(channelArg);
    const channel = userAsChannel ? this.state.openIm(channelArg) : this.channelOrThrow(channelArg);
    this.botMemberOrThrow(channel);
    return channel;
  }

  /** A new (not yet stored) message by the bot user. */
  private botMessage(channel: EmuChannel, text: string, threadTs: string | undefined): EmuMessage {
    const message: EmuMessage = {
      channel: channel.id,
      ts: this.host.nextTs(),
      user: this.id.botUserId,
      bot_id: this.id.botId,
      app_id: this.id.appId,
      bot_profile: this.botProfile(),
      team: this.id.teamId,
      text,
      reactions: [],
    };
    // Slack threads under the parent even if the caller named a reply ("use its parent instead", doc §2.5).
    if (threadTs) message.thread_ts = this.state.resolveThreadTs(channel.id, threadTs);
    return message;
  }

  /** Shared by chat.postMessage and response_url `in_channel` posts. */
  postBotMessage(args: Args): EmuMessage {
    const channel = this.botTarget(args.channel);
    const blocks = this.checkContent(args);
    const metadata = parseMetadata(args.metadata);
    const threadTs = str(args.thread_ts);
    const message = this.botMessage(channel, str(args.text) ?? '', threadTs);
    if (blocks) message.blocks = blocks;
    if (metadata) message.metadata = metadata;
    if (threadTs && bool(args.reply_broadcast)) {
      message.reply_broadcast = true;
      message.subtype = 'thread_broadcast';
    }
    this.state.addMessage(message);
    this.host.onBotMessagePosted(message);
    return message;
  }

  private postMessage(args: Args): Args {
    const message = this.postBotMessage(args);
    return { channel: message.channel, ts: message.ts, message: messageToApi(this.state, message) };
  }

  private update(args: Args): Args {
    const channel = this.channelOrThrow(args.channel);
    const message = this.liveMessageOrThrow(channel.id, str(args.ts));
    if (message.bot_id !== this.id.botId) throw new SlackApiError('cant_update_message');
    const blocks = this.checkContent({ ...args, text: args.text ?? (args.blocks ? '' : message.text) });
    if (args.text !== undefined) message.text = String(args.text);
    if (blocks !== undefined) message.blocks = blocks;
    message.edited = { user: this.id.botUserId, ts: this.host.nextTs() };
    return { channel: channel.id, ts: message.ts, text: message.text, message: messageToApi(this.state, message) };
  }

  private postEphemeral(args: Args): Args {
    const channel = this.channelOrThrow(args.channel);
    const user = str(args.user);
    if (!user || !this.state.users.has(user)) throw new SlackApiError('user_not_found');
    this.botMemberOrThrow(channel);
    if (!channel.members.includes(user)) throw new SlackApiError('user_not_in_channel');
    const blocks = this.checkContent(args);
    const ts = this.host.nextTs();
    this.state.ephemerals.push({
      channel: channel.id,
      user,
      text: str(args.text) ?? '',
      ...(blocks ? { blocks } : {}),
      ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}),
      via: 'chat.postEphemeral',
      ts,
    });
    return { message_ts: ts };
  }

  private deleteMessage(args: Args): Args {
    const channel = this.channelOrThrow(args.channel);
    const message = this.liveMessageOrThrow(channel.id, str(args.ts));
    if (message.bot_id !== this.id.botId) throw new SlackApiError('cant_delete_message');
    message.deleted = true;
    return { channel: channel.id, ts: message.ts };
  }

  private getPermalink(args: Args): Args {
    const channel = this.channelOrThrow(args.channel);
    const message = this.liveMessageOrThrow(channel.id, str(args.message_ts));
    return { channel: channel.id, permalink: permalink(this.id.teamDomain, channel.id, message) };
  }

  // ---- reactions ------------------------------------------------------------------------------------------

  private reactionTarget(args: Args): { message: EmuMessage; name: string } {
    const channel = this.channelOrThrow(args.channel);
    if (!args.timestamp) throw new SlackApiError('no_item_specified');
    const name = str(args.name) ?? '';
    // Emoji names are bare (no colons): "thumbsup", "+1", "white_check_mark", "skin-tone-2".
    if (!/^[a-z0-9_+\-']{1,100}$/.test(name)) throw new SlackApiError('invalid_name');
    return { message: this.liveMessageOrThrow(channel.id, str(args.timestamp)), name };
  }

  private reactionsAdd(args: Args): Args {
    const { message, name } = this.reactionTarget(args);
    let reaction = message.reactions.find((r) => r.name === name);
    if (reaction?.users.includes(this.id.botUserId)) throw new SlackApiError('already_reacted');
    if (!reaction) message.reactions.push((reaction = { name, users: [] }));
    reaction.users.push(this.id.botUserId);
    return {};
  }

  private reactionsRemove(args: Args): Args {
    const { message, name } = this.reactionTarget(args);
    const reaction = message.reactions.find((r) => r.name === name);
    if (!reaction?.users.includes(this.id.botUserId)) throw new SlackApiError('no_reaction');
    reaction.users = reaction.users.filter((u) => u !== this.id.botUserId);
    if (reaction.users.length === 0) message.reactions = message.reactions.filter((r) => r !== reaction);
    return {};
  }

  // ---- users / conversations --------------------------------------------------------------------------------

  private usersInfo(args: Args): Args {
    const u = this.state.users.get(str(args.user) ?? '');
    if (!u) throw new SlackApiError('user_not_found');
    return { user: this.userObject(u) };
  }

  /** users.lookupByEmail: the member with that profile email (case-insensitive); `users_not_found` otherwise. */
  private usersLookupByEmail(args: Args): Args {
    const email = (str(args.email) ?? '').toLowerCase();
    const u = [...this.state.users.values()].find((x) => x.email?.toLowerCase() === email && (x.teamId ?? this.id.teamId) === this.id.teamId);
    if (!u) throw new SlackApiError('users_not_found');
    return { user: this.userObject(u) };
  }

  /** users.list: pages of the workspace's members (Slack suggests limit 200; Slack Connect users are not listed). */
  private usersList(args: Args): Args {
    const members = [...this.state.users.values()].filter((u) => (u.teamId ?? this.id.teamId) === this.id.teamId);
    const { page, nextCursor } = paginate(members, args, 100, 1000);
    return { members: page.map((u) => this.userObject(u)), cache_ts: 1700000000, response_metadata: { next_cursor: nextCursor } };
  }

  private userObject(u: EmuUser): Args {
    const team = u.teamId ?? this.id.teamId;
    const user: Args = {
      id: u.id,
      team_id: team,
      name: u.name,
      deleted: false,
      real_name: u.realName ?? u.name,
      tz: u.tz ?? 'Etc/UTC',
      profile: {
        display_name: u.name,
        real_name: u.realName ?? u.name,
        // Only a token with users:read.email sees the email field (users.info / users.list docs).
        ...(u.email && this.host.botScopes().has('users:read.email') ? { email: u.email } : {}),
        team,
      },
      is_admin: u.isAdmin ?? false,
      is_owner: u.isOwner ?? false,
      is_primary_owner: false,
      is_restricted: false,
      is_ultra_restricted: false,
      is_bot: u.isBot ?? false,
      is_app_user: false,
      updated: 1700000000,
    };
    // Slack Connect users seen from this workspace (doc §3.9, users.info "Shared channels").
    if (team !== this.id.teamId) user.is_stranger = true;
    return user;
  }

  channelInfo(c: EmuChannel): Args {
    if (c.isIm) {
      const other = c.members.find((m) => m !== this.id.botUserId) ?? '';
      return { id: c.id, created: 1700000000, is_im: true, is_org_shared: false, user: other, is_user_deleted: false, priority: 0 };
    }
    const ext = c.isExtShared ?? false;
    return {
      id: c.id,
      name: c.name,
      is_channel: true,
      is_group: false,
      is_im: false,
      is_mpim: false,
      is_private: c.isPrivate ?? false,
      created: 1700000000,
      is_archived: false,
      is_general: false,
      name_normalized: c.name,
      is_shared: ext,
      is_ext_shared: ext,
      is_org_shared: false,
      is_member: c.members.includes(this.id.botUserId),
      context_team_id: this.id.teamId,
      shared_team_ids: [this.id.teamId],
      num_members: c.members.length,
    };
  }

  private conversationsMembers(args: Args): Args {
    const c = this.visibleChannel(args.channel);
    const { page, nextCursor } = paginate(c.members, args, 100, 1000);
    return { members: page, response_metadata: { next_cursor: nextCursor } };
  }

  private conversationsHistory(args: Args): Args {
    const c = this.visibleChannel(args.channel);
    this.botMemberOrThrow(c);
    const inclusive = bool(args.inclusive);
    const latest = args.latest !== undefined ? tsToMicros(String(args.latest)) : Number.MAX_SAFE_INTEGER;
    const oldest = args.oldest !== undefined ? tsToMicros(String(args.oldest)) : 0;
    const inRange = (m: EmuMessage): boolean => {
      const t = tsToMicros(m.ts);
      return inclusive ? t >= oldest && t <= latest : t > oldest && t < latest;
    };
    // Newest first, like Slack.
    const items = this.state.topLevel(c.id).filter((m) => !m.deleted && inRange(m)).reverse();
    const { page, nextCursor } = paginate(items, args, 100, 999);
    return {
      messages: this.readMessages(page, args),
      has_more: nextCursor !== '',
      pin_count: 0,
      response_metadata: { next_cursor: nextCursor },
    };
  }

  private conversationsReplies(args: Args): Args {
    const c = this.visibleChannel(args.channel);
    const ts = str(args.ts);
    const m = ts ? this.state.message(c.id, ts) : undefined;
    if (!m || m.deleted) throw new SlackApiError('thread_not_found');
    const parentTs = this.state.resolveThreadTs(c.id, m.ts);
    const parent = this.state.message(c.id, parentTs) ?? m;
    const items = [parent, ...this.state.replies(c.id, parentTs).filter((r) => !r.deleted)];
    const { page, nextCursor } = paginate(items, args, 1000, 1000);
    return {
      messages: this.readMessages(page, args),
      has_more: nextCursor !== '',
      response_metadata: { next_cursor: nextCursor },
    };
  }

  /** Messages as history/replies return them: metadata only on request (include_all_metadata, both methods' docs). */
  private readMessages(messages: EmuMessage[], args: Args): Args[] {
    const withMetadata = bool(args.include_all_metadata);
    return messages.map((m) => ({ ...messageToApi(this.state, m), ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}) }));
  }

  private conversationsOpen(args: Args): Args {
    if (args.channel) return { channel: { id: this.visibleChannel(args.channel).id } };
    const users = (str(args.users) ?? '').split(',').map((u) => u.trim()).filter(Boolean);
    if (users.length === 0) throw new SlackApiError('users_list_not_supplied');
    if (users.length > 1) throw new SlackApiError('not_supported', { warning: 'emulator: multi-person IMs are not emulated' });
    if (!this.state.users.has(users[0])) throw new SlackApiError('user_not_found');
    const im = this.state.openIm(users[0]);
    return { channel: bool(args.return_im) ? this.channelInfo(im) : { id: im.id } };
  }

  private conversationsJoin(args: Args): Args {
    const c = this.visibleChannel(args.channel);
    if (c.isIm || c.isPrivate) throw new SlackApiError('method_not_supported_for_channel_type');
    this.state.join(c.id, this.id.botUserId);
    return { channel: this.channelInfo(c) };
  }

  // ---- files: getUploadURLExternal → POST upload_url (receiveUpload) → completeUploadExternal ------------------

  private getUploadURLExternal(args: Args): Args {
    requireArgs(args, ['filename', 'length']);
    const length = Number(args.length);
    if (!Number.isInteger(length) || length < 0) throw new SlackApiError('invalid_arguments');
    // Method docs: missing_argument "typically only occurs when the length provided is 0".
    if (length === 0) throw new SlackApiError('missing_argument');
    const id = slackId('F0', 9);
    this.state.pendingUploads.set(id, { id, filename: String(args.filename), length, altText: str(args.alt_txt), snippetType: str(args.snippet_type) });
    return { upload_url: `${this.host.baseUrl()}upload/v1/${id}`, file_id: id };
  }

  /** The bytes POSTed to an upload_url; false when no such upload is pending. */
  receiveUpload(fileId: string, bytes: Buffer): boolean {
    const upload = this.state.pendingUploads.get(fileId);
    if (upload) upload.bytes = bytes;
    return upload !== undefined;
  }

  private completeUploadExternal(args: Args): Args {
    requireArgs(args, ['files']);
    const entries: unknown = args.files;
    if (!Array.isArray(entries) || entries.length === 0 || !entries.every((f) => typeof f?.id === 'string')) throw new SlackApiError('invalid_arguments');
    const uploads = entries.map((f: { id: string; title?: unknown }) => {
      const upload = this.state.pendingUploads.get(f.id);
      if (!upload?.bytes) throw new SlackApiError('file_not_found');
      return { ...upload, bytes: upload.bytes, title: str(f.title) ?? upload.filename };
    });
    // `channels` is a comma-separated list of channel or user ids; web-api's filesUploadV2 always sends channel_id.
    const targets = (str(args.channel_id) ?? str(args.channels) ?? '').split(',').map((c) => c.trim()).filter(Boolean);
    if (targets.length > 1) throw new SlackApiError('not_supported', { warning: 'emulator: sharing to several channels at once is not emulated' });
    const channel = targets.length > 0 ? this.botTarget(targets[0]) : undefined;
    const comment = str(args.initial_comment);

    const files = uploads.map((u) => {
      const file = fileObject(this.id, this.host.baseUrl(), this.id.botUserId, { id: u.id, name: u.filename, title: u.title, mimetype: mimeType(u.filename), content: u.bytes });
      this.state.files.set(file.id, file);
      this.state.pendingUploads.delete(u.id);
      return file;
    });
    let message: EmuMessage | undefined;
    if (channel) {
      // Shared files arrive as one bot message with subtype file_share and the initial comment as text.
      message = this.botMessage(channel, comment ?? '', str(args.thread_ts));
      message.subtype = 'file_share';
      message.files = files;
      this.state.addMessage(message);
      this.host.onBotMessagePosted(message);
    }
    for (const u of uploads) {
      this.state.uploads.set(u.id, {
        id: u.id, filename: u.filename, title: u.title, bytes: u.bytes, uploadedBy: this.id.botUserId,
        ...(channel ? { channel: channel.id, messageTs: message!.ts } : {}),
        ...(message?.thread_ts ? { threadTs: message.thread_ts } : {}),
        ...(comment !== undefined ? { initialComment: comment } : {}),
        ...(u.altText !== undefined ? { altText: u.altText } : {}),
        ...(u.snippetType !== undefined ? { snippetType: u.snippetType } : {}),
      });
    }
    return { files: files.map(publicFile) };
  }

  private conversationsList(args: Args): Args {
    const types = (str(args.types) ?? 'public_channel').split(',');
    const all = [...this.state.channels.values()].filter((c) => {
      if (c.isIm) return types.includes('im') && c.members.includes(this.id.botUserId);
      if (c.isPrivate) return types.includes('private_channel') && c.members.includes(this.id.botUserId);
      return types.includes('public_channel');
    });
    const { page, nextCursor } = paginate(all, args, 100, 1000);
    return { channels: page.map((c) => this.channelInfo(c)), response_metadata: { next_cursor: nextCursor } };
  }
}

/** https://<domain>.slack.com/archives/C…/p<ts without dot>[?thread_ts=…&cid=…] (replies carry the thread). */
export function permalink(domain: string, channelId: string, m: EmuMessage): string {
  const base = `https://${domain}.slack.com/archives/${channelId}/p${m.ts.replace('.', '')}`;
  return m.thread_ts && m.thread_ts !== m.ts ? `${base}?thread_ts=${m.thread_ts}&cid=${channelId}` : base;
}
