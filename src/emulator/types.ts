/**
 * Public data types of the local Slack emulator. Field names follow Slack's own
 * wire names where the value is shown to the bot (ts, thread_ts, bot_id …) so that
 * tests can compare emulator state with what the bot saw.
 */

export interface EmuUser {
  id: string;
  name: string;
  realName?: string;
  /** The user's own workspace. A value different from the emulator's teamId makes this a Slack Connect (external) user. */
  teamId?: string;
  isBot?: boolean;
  isAdmin?: boolean;
  isOwner?: boolean;
  email?: string;
  tz?: string;
}

export interface EmuChannel {
  id: string;
  name: string;
  isIm?: boolean;
  isPrivate?: boolean;
  /** Slack Connect channel shared with another organisation. */
  isExtShared?: boolean;
  members: string[];
}

export interface EmuReaction {
  name: string;
  users: string[];
}

export interface EmuMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  text: string;
  blocks?: any[];
  edited?: { user: string; ts: string };
  /** Kept in state (flagged) after chat.delete / a message_deleted event, so tests can see the deletion. */
  deleted?: boolean;
  subtype?: string;
  files?: any[];
  reactions: EmuReaction[];
  reply_broadcast?: boolean;
  /** Author's workspace (differs from the installed team for Slack Connect users). */
  team?: string;
  client_msg_id?: string;
  username?: string;
  bot_profile?: any;
  app_id?: string;
  /** chat.postMessage `metadata` ({event_type, event_payload}); returned with include_all_metadata=true. */
  metadata?: { event_type: string; event_payload: Record<string, any> };
}

export interface EmuEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks?: any[];
  thread_ts?: string;
  via: 'chat.postEphemeral' | 'response_url';
  /** message_ts of the ephemeral (buttons inside it can be clicked with driver.clickButton). */
  ts: string;
}

export interface EmuCall {
  method: string;
  args: Record<string, any>;
  ok: boolean;
  error?: string;
  status: number;
  at: number;
}

/** A file attached to a driver message (Slack's file object, see research doc §3.2 file_share). */
export interface SlackFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  size: number;
  user: string;
  mode: string;
  url_private: string;
  url_private_download: string;
  permalink: string;
  /** Emulator only: bytes served at url_private (Bearer bot token required). Not sent in events. */
  content?: string | Buffer;
}

/** A file the bot uploaded: files.getUploadURLExternal, POST to its upload_url, files.completeUploadExternal. */
export interface EmuUploadedFile {
  id: string;
  filename: string;
  title: string;
  /** Where files.completeUploadExternal shared it; undefined when completed without a channel (a private file). */
  channel?: string;
  /** Parent ts when it was shared into a thread. */
  threadTs?: string;
  initialComment?: string;
  /** ts of the file_share message that carries it. */
  messageTs?: string;
  altText?: string;
  snippetType?: string;
  bytes: Buffer;
  /** The bot user id. */
  uploadedBy: string;
}

export interface EmuOpenView {
  id: string;
  user: string;
  view: any;
  hash: string;
}

export interface FaultSpec {
  status?: number;
  error?: string;
  retryAfter?: number;
  times?: number;
}

/** Slack's rate limits (doc §2.4), off unless given. */
export interface RateLimitOptions {
  /** Multiplies every rate (tests and benchmarks use a large scale to stay fast). Default 1. */
  scale?: number;
  /** Bucket capacity: calls accepted at once before the steady rate applies. Default 3, at least 1. */
  burst?: number;
}

/** Calls per Web API method that the rate limiter let through or answered with 429, while limits were on. */
export interface RateLimitStats {
  limited: Record<string, number>;
  allowed: Record<string, number>;
}

export interface SlackEmulatorOptions {
  signingSecret: string;
  teamId?: string;
  teamDomain?: string;
  botToken?: string;
  botUserId?: string;
  botId?: string;
  appId?: string;
  appToken?: string;
  /**
   * The bot token's OAuth scopes. Default: exactly the bot scopes of slack-app-manifest.yaml. Methods answer
   * missing_scope when Slack would (method-scopes.ts); pass a list without a scope to see what breaks.
   */
  botScopes?: readonly string[];
  echoBotMessages?: boolean;
  retryDelaysMs?: number[];
  ackTimeoutMs?: number;
  rateLimits?: RateLimitOptions;
}
