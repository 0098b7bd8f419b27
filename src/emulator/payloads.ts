/**
 * Builders for the JSON Slack sends: Events API envelopes and inner events (research doc §3.1-3.3, §3.9),
 * and the message objects returned by the Web API. Shapes follow the real captures quoted in the doc.
 */
import type { EmuChannel, EmuMessage, EmuUser, SlackFile } from './types.js';
import type { WorkspaceState } from './workspace-state.js';
import { slackId } from './slack-ts.js';
import { randomUUID } from 'node:crypto';

export interface EmulatorIdentity {
  teamId: string;
  teamDomain: string;
  appId: string;
  botId: string;
  botUserId: string;
  botName: string;
}

export function channelType(c: EmuChannel): 'channel' | 'group' | 'im' {
  if (c.isIm) return 'im';
  return c.isPrivate ? 'group' : 'channel';
}

/** Slack turns typed text into a rich_text block; user mentions (<@U…>) become `user` elements. */
export function richTextBlocks(text: string): any[] {
  const elements: any[] = [];
  const re = /<@([UW][A-Z0-9]+)>/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) elements.push({ type: 'text', text: text.slice(last, m.index) });
    elements.push({ type: 'user', user_id: m[1] });
    last = m.index + m[0].length;
  }
  if (last < text.length) elements.push({ type: 'text', text: text.slice(last) });
  return [{ type: 'rich_text', block_id: slackId('', 4).toLowerCase(), elements: [{ type: 'rich_text_section', elements }] }];
}

export function newClientMsgId(): string {
  return randomUUID();
}

/** bot_profile as attached to messages of an app's bot user (bolt-python test_message_bot.py). */
export function botProfile(botId: string, name: string, appId: string, teamId: string): any {
  return {
    id: botId,
    deleted: false,
    name,
    updated: 1700000000,
    app_id: appId,
    icons: { image_36: 'https://a.slack-edge.com/80588/img/plugins/app/bot_36.png' },
    team_id: teamId,
  };
}

/** Message object as the Web API returns it (conversations.history/replies, chat.postMessage `message`). */
export function messageToApi(state: WorkspaceState, m: EmuMessage): Record<string, any> {
  const out: Record<string, any> = { type: 'message' };
  if (m.subtype) out.subtype = m.subtype;
  if (m.client_msg_id) out.client_msg_id = m.client_msg_id;
  out.text = m.text;
  if (m.user) out.user = m.user;
  if (m.bot_id) out.bot_id = m.bot_id;
  if (m.username) out.username = m.username;
  if (m.app_id) out.app_id = m.app_id;
  if (m.bot_profile) out.bot_profile = m.bot_profile;
  out.ts = m.ts;
  if (m.team) out.team = m.team;
  if (m.blocks) out.blocks = m.blocks;
  if (m.files) out.files = m.files.map(publicFile);
  if (m.edited) out.edited = m.edited;
  if (m.thread_ts) {
    out.thread_ts = m.thread_ts;
    if (m.thread_ts !== m.ts) {
      const parent = state.message(m.channel, m.thread_ts);
      if (parent) out.parent_user_id = parent.user ?? parent.bot_id;
    }
  }
  Object.assign(out, state.threadSummary(m.channel, m));
  if (m.reactions.length > 0) {
    out.reactions = m.reactions.map((r) => ({ name: r.name, users: [...r.users], count: r.users.length }));
  }
  return out;
}

/**
 * What Slack leaves in place of a deleted thread parent that has replies: a tombstone, sent as the `message` of
 * a message_changed event (shape as captured from Slack, e.g. hackclub/toriel#238, vercel/chat's Slack fixtures).
 */
export function tombstoneMessage(state: WorkspaceState, m: EmuMessage): Record<string, any> {
  return {
    type: 'message', subtype: 'tombstone', text: 'This message was deleted.', user: 'USLACKBOT', hidden: true, ts: m.ts,
    ...state.threadSummary(m.channel, m), parent_user_id: 'USLACKBOT',
  };
}

/**
 * Slack's file object for a hosted file (research doc §3.2 file_share). url_private points at the emulator, which
 * serves `content` there to the bot token.
 */
export function fileObject(id: EmulatorIdentity, baseUrl: string, userId: string, f: Partial<SlackFile>): SlackFile {
  const fileId = f.id ?? slackId('F0', 9);
  const name = f.name ?? 'file.txt';
  const url = `${baseUrl}files-pri/${id.teamId}-${fileId}/${encodeURIComponent(name)}`;
  return {
    id: fileId,
    name,
    title: f.title ?? name,
    mimetype: f.mimetype ?? 'text/plain',
    filetype: f.filetype ?? (name.includes('.') ? name.split('.').pop()! : 'text'),
    size: f.size ?? Buffer.byteLength(f.content ?? ''),
    user: userId,
    mode: 'hosted',
    url_private: f.url_private ?? url,
    url_private_download: f.url_private_download ?? `${url}?download=1`,
    permalink: f.permalink ?? `https://${id.teamDomain}.slack.com/files/${userId}/${fileId}/${encodeURIComponent(name)}`,
    ...(f.content !== undefined ? { content: f.content } : {}),
  };
}

/** The file object without the emulator-only `content`. */
export function publicFile(f: any): any {
  const { content: _content, ...rest } = f;
  return rest;
}

/**
 * Inner `message` event for a stored message (research doc §3.2). Thread replies carry thread_ts +
 * parent_user_id (no message_replied subtype); thread_broadcast carries `root`; shared channels add
 * user_team/source_team.
 */
export function messageEvent(state: WorkspaceState, channel: EmuChannel, m: EmuMessage): Record<string, any> {
  const ev: Record<string, any> = {};
  if (m.bot_id) ev.bot_id = m.bot_id;
  if (m.client_msg_id) ev.client_msg_id = m.client_msg_id;
  ev.type = 'message';
  if (m.subtype) ev.subtype = m.subtype;
  ev.text = m.text;
  if (m.files) {
    ev.files = m.files.map(publicFile);
    ev.upload = false;
    ev.display_as_bot = false;
  }
  if (m.user) ev.user = m.user;
  if (m.username) ev.username = m.username;
  ev.ts = m.ts;
  if (m.app_id) ev.app_id = m.app_id;
  if (m.team) ev.team = m.team;
  if (m.bot_profile) ev.bot_profile = m.bot_profile;
  if (m.blocks) ev.blocks = m.blocks;
  if (m.thread_ts && m.thread_ts !== m.ts) {
    ev.thread_ts = m.thread_ts;
    const parent = state.message(channel.id, m.thread_ts);
    if (parent) ev.parent_user_id = parent.user ?? parent.bot_id;
    if (m.subtype === 'thread_broadcast' && parent) ev.root = messageToApi(state, parent);
  }
  if (channel.isExtShared && m.team) {
    ev.user_team = m.team;
    ev.source_team = m.team;
  }
  ev.channel = channel.id;
  ev.event_ts = m.ts;
  ev.channel_type = channelType(channel);
  return ev;
}

export interface EnvelopeOptions {
  eventId?: string;
  /** Workspace of the event's author; for Slack Connect it differs from the installed team (doc §3.9). */
  authorTeam?: string;
  isExtShared?: boolean;
  channelId?: string;
}

/** event_callback envelope (doc §3.1): authorizations[0] is always the installed team and bot user. */
export function eventEnvelope(id: EmulatorIdentity, event: Record<string, any>, opts: EnvelopeOptions = {}): Record<string, any> {
  const topTeam = opts.authorTeam ?? id.teamId;
  const eventId = opts.eventId ?? slackId('Ev0', 9);
  return {
    token: 'emulator-verification-token',
    team_id: topTeam,
    api_app_id: id.appId,
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      { enterprise_id: null, team_id: id.teamId, user_id: id.botUserId, is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: opts.isExtShared ?? false,
    event_context: `4-${slackId('', 24).toLowerCase()}`,
  };
}

/** `user` object of interactivity payloads (doc §3.5). */
export function payloadUser(u: EmuUser, installedTeam: string): Record<string, any> {
  return { id: u.id, username: u.name, name: u.name, team_id: u.teamId ?? installedTeam };
}

export function payloadTeam(id: EmulatorIdentity, u?: EmuUser): Record<string, any> {
  // A foreign user's payload names their own team (doc §3.9); Bolt then uses view.app_installed_team_id.
  return { id: u?.teamId ?? id.teamId, domain: id.teamDomain };
}
