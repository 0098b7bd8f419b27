/**
 * The driver plays "Slack and its users": it changes workspace state the way a user action would and sends
 * the correctly signed request Slack would send to the app (events, slash commands, interactivity).
 */
import type { EmuChannel, EmuMessage, EmuUser, SlackFile } from './types.js';
import type { WorkspaceState } from './workspace-state.js';
import type { DeliveryPipeline, DeliveryResult, HttpTransport, OutboundRequest } from './event-delivery.js';
import type { WebApiMethods } from './web-api-methods.js';
import { botProfile, channelType, eventEnvelope, fileObject, messageEvent, messageToApi, newClientMsgId, payloadTeam, payloadUser, richTextBlocks, tombstoneMessage, type EmulatorIdentity } from './payloads.js';
import { buildAction, buildStateValues, findElement, type ActionInput } from './interactivity.js';
import { signatureHeaders } from './http-util.js';
import { slackId } from './slack-ts.js';

export interface DriverHost {
  readonly state: WorkspaceState;
  readonly identity: EmulatorIdentity;
  readonly signingSecret: string;
  readonly pipeline: DeliveryPipeline;
  readonly http: HttpTransport;
  readonly api: WebApiMethods;
  /** Whether to also send app_mention when a user message mentions the bot (Slack sends both). */
  readonly appMentionEvents: boolean;
  baseUrl(): string;
  botEndpoint(): string | undefined;
  /** True when a bot endpoint is set or a Socket Mode client is connected. */
  hasReceiver(): boolean;
  nextTs(): string;
  /** Stores a bot message created outside the Web API (in_channel command responses) and echoes it. */
  postAsBotUnchecked(channel: string, text: string, blocks: any[] | undefined, threadTs?: string): EmuMessage;
}

export interface UserSaysOptions {
  thread_ts?: string;
  /** Explicit ts, e.g. a historical message. */
  ts?: string;
  files?: Partial<SlackFile>[];
  /** thread_broadcast subtype ("Also send to #channel"). */
  broadcast?: boolean;
  /** Deliver the SAME message as N envelopes with different event_id (Slack incident). Default 1. */
  eventIds?: number;
}

/** Result of an event delivery. status is 0 when no HTTP answer came (timeout, refused) or nothing was delivered. */
export interface EventResult {
  status: number;
  /** false when Slack would not send the event at all (the bot is not a member of the channel). */
  delivered: boolean;
}

export interface InteractionResult {
  status: number;
  body: string;
}

const CONTENT_FORM = 'application/x-www-form-urlencoded';

function jsonOrUndefined(body: string): any {
  try {
    return body.trim() === '' ? undefined : JSON.parse(body);
  } catch {
    return undefined;
  }
}

export class SlackDriver {
  constructor(private readonly host: DriverHost) {}

  private get state(): WorkspaceState {
    return this.host.state;
  }

  private get id(): EmulatorIdentity {
    return this.host.identity;
  }

  private user(userId: string): EmuUser {
    const u = this.state.users.get(userId);
    if (!u) throw new Error(`driver: unknown user ${userId} (addUser it first)`);
    return u;
  }

  private memberChannel(userId: string, channelId: string): EmuChannel {
    const c = this.state.mustChannel(channelId);
    if (!c.members.includes(userId)) throw new Error(`driver: ${userId} is not a member of ${channelId} (joinChannel first)`);
    return c;
  }

  private teamOf(u: EmuUser): string {
    return u.teamId ?? this.id.teamId;
  }

  private channelName(c: EmuChannel): string {
    return c.isIm ? 'directmessage' : c.name;
  }

  // ---- Events API -------------------------------------------------------------------------------------

  private eventRequest(envelope: any): OutboundRequest {
    return { kind: 'events_api', body: JSON.stringify(envelope), contentType: 'application/json', json: envelope };
  }

  /** Wraps an inner event in an event_callback envelope and delivers it (with Slack's retry policy). */
  async deliverEvent(event: any, opts: { eventId?: string; retryNum?: number; authorTeam?: string; isExtShared?: boolean } = {}): Promise<{ status: number }> {
    const envelope = eventEnvelope(this.id, event, opts);
    const first = opts.retryNum ? { num: opts.retryNum, reason: 'http_timeout' } : undefined;
    const r = await this.host.pipeline.deliverEvent(this.eventRequest(envelope), first);
    return { status: r.status };
  }

  /**
   * Slack only sends channel events to apps that are members of the channel (message.channels etc.).
   * Without any receiver (no endpoint, no socket) the driver only seeds state — handy for history.
   */
  private async deliverChannelEvent(channel: EmuChannel, event: any, author?: EmuUser, copies = 1): Promise<EventResult> {
    if (!channel.members.includes(this.id.botUserId) || !this.host.hasReceiver()) return { status: 0, delivered: false };
    let firstStatus = 0;
    for (let i = 0; i < copies; i++) {
      const r = await this.deliverEvent(event, {
        authorTeam: author ? this.teamOf(author) : undefined,
        isExtShared: channel.isExtShared ?? false,
      });
      if (i === 0) firstStatus = r.status;
    }
    return { status: firstStatus, delivered: true };
  }

  private buildFile(f: Partial<SlackFile>, userId: string): SlackFile {
    const file = fileObject(this.id, this.host.baseUrl(), userId, f);
    this.state.files.set(file.id, file);
    return file;
  }

  /** A user posts a message (optionally in a thread, with files, broadcast). State is updated before delivery. */
  async userSays(user: string, channel: string, text: string, opts: UserSaysOptions = {}): Promise<{ ts: string } & EventResult> {
    const u = this.user(user);
    const c = this.memberChannel(user, channel);
    const ts = opts.ts ?? this.host.nextTs();
    if (this.state.message(c.id, ts)) throw new Error(`driver: ${c.id} already has a message with ts ${ts}`);
    const message: EmuMessage = {
      channel: c.id, ts, user: u.id, text, team: this.teamOf(u), client_msg_id: newClientMsgId(), blocks: richTextBlocks(text), reactions: [],
    };
    if (opts.thread_ts) {
      const threadTs = this.state.resolveThreadTs(c.id, opts.thread_ts);
      if (!this.state.message(c.id, threadTs)) throw new Error(`driver: no thread parent ${opts.thread_ts} in ${c.id}`);
      message.thread_ts = threadTs;
      if (opts.broadcast) {
        message.subtype = 'thread_broadcast';
        message.reply_broadcast = true;
      }
    } else if (opts.broadcast) throw new Error('driver: broadcast needs thread_ts');
    if (opts.files?.length) {
      message.files = opts.files.map((f) => this.buildFile(f, u.id));
      message.subtype ??= 'file_share';
    }
    this.state.addMessage(message);
    const event = messageEvent(this.state, c, message);
    const result = await this.deliverChannelEvent(c, event, u, Math.max(1, opts.eventIds ?? 1));
    if (this.host.appMentionEvents && text.includes(`<@${this.id.botUserId}>`) && !c.isIm) {
      // Slack sends app_mention in addition to the message event (doc §3.3).
      const mention = { client_msg_id: message.client_msg_id, type: 'app_mention', text, user: u.id, ts, team: message.team, blocks: message.blocks, channel: c.id, event_ts: ts, ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}) };
      await this.deliverChannelEvent(c, mention, u);
    }
    return { ts, ...result };
  }

  /** The author edits a message: message_changed (hidden, message{…edited}, previous_message). */
  async editMessage(user: string, channel: string, ts: string, newText: string): Promise<EventResult> {
    const c = this.state.mustChannel(channel);
    const m = this.state.message(c.id, ts);
    if (!m || m.deleted) throw new Error(`driver: no message ${ts} in ${channel}`);
    if (m.user !== user) throw new Error(`driver: ${user} cannot edit a message of ${m.user ?? m.bot_id}`);
    const previous = messageToApi(this.state, m);
    const eventTs = this.host.nextTs();
    m.text = newText;
    m.blocks = richTextBlocks(newText);
    m.edited = { user, ts: eventTs };
    const event = {
      type: 'message', subtype: 'message_changed', message: messageToApi(this.state, m), previous_message: previous,
      channel: c.id, hidden: true, ts: eventTs, event_ts: eventTs, channel_type: channelType(c),
    };
    return this.deliverChannelEvent(c, event, this.state.users.get(user));
  }

  /**
   * A message disappears: message_deleted (hidden, deleted_ts, previous_message). Kept in state with deleted:true.
   * A thread parent with replies is replaced by a tombstone instead, as Slack does: message_changed whose
   * `message` is the tombstone (subtype tombstone, user USLACKBOT, "This message was deleted.").
   */
  async deleteMessage(channel: string, ts: string): Promise<EventResult> {
    const c = this.state.mustChannel(channel);
    const m = this.state.message(c.id, ts);
    if (!m || m.deleted) throw new Error(`driver: no message ${ts} in ${channel}`);
    const previous = messageToApi(this.state, m);
    const isParent = !m.thread_ts || m.thread_ts === m.ts;
    const tombstone = isParent && this.state.replies(c.id, m.ts).some((r) => !r.deleted) ? tombstoneMessage(this.state, m) : null;
    m.deleted = true;
    const eventTs = this.host.nextTs();
    if (tombstone) {
      const changed = {
        type: 'message', subtype: 'message_changed', message: tombstone, previous_message: previous, channel: c.id, hidden: true,
        ts: eventTs, event_ts: eventTs, channel_type: channelType(c),
      };
      return this.deliverChannelEvent(c, changed);
    }
    const event = {
      type: 'message', subtype: 'message_deleted', previous_message: previous, channel: c.id, hidden: true,
      deleted_ts: ts, event_ts: eventTs, ts: eventTs, channel_type: channelType(c),
      ...(m.thread_ts && m.thread_ts !== m.ts ? { thread_ts: m.thread_ts } : {}),
    };
    return this.deliverChannelEvent(c, event);
  }

  /**
   * Another app's bot posts. Modern app bots have bot_id + user + bot_profile and NO subtype; pass
   * subtype 'bot_message' for a classic bot / incoming webhook (username, bot_id, no user) — doc §3.2.
   */
  async botSays(botId: string, channel: string, text: string, opts: { thread_ts?: string; subtype?: 'bot_message' } = {}): Promise<{ ts: string } & EventResult> {
    const c = this.state.mustChannel(channel);
    const ts = this.host.nextTs();
    const classic = opts.subtype === 'bot_message';
    const message: EmuMessage = { channel: c.id, ts, bot_id: botId, text, reactions: [] };
    if (classic) {
      message.subtype = 'bot_message';
      message.username = 'classic-bot';
    } else {
      message.user = `U${botId}`;
      message.team = this.id.teamId;
      message.app_id = `A${botId}`;
      message.bot_profile = botProfile(botId, 'other-app', `A${botId}`, this.id.teamId);
    }
    if (opts.thread_ts) message.thread_ts = this.state.resolveThreadTs(c.id, opts.thread_ts);
    this.state.addMessage(message);
    return { ts, ...(await this.deliverChannelEvent(c, messageEvent(this.state, c, message))) };
  }

  /** A user joins: channel_join message + member_joined_channel event. Status is the first failing one (or 200). */
  async joins(user: string, channel: string): Promise<EventResult> {
    const u = this.user(user);
    const c = this.state.mustChannel(channel);
    this.state.join(c.id, u.id);
    const ts = this.host.nextTs();
    const message: EmuMessage = {
      channel: c.id, ts, user: u.id, subtype: 'channel_join', text: `<@${u.id}> has joined the channel`, reactions: [],
    };
    this.state.addMessage(message);
    const a = await this.deliverChannelEvent(c, messageEvent(this.state, c, message), u);
    const joined = {
      type: 'member_joined_channel', user: u.id, channel: c.id, channel_type: c.isPrivate ? 'G' : 'C', team: this.teamOf(u), event_ts: this.host.nextTs(),
    };
    const b = await this.deliverChannelEvent(c, joined, u);
    return a.status >= 200 && a.status < 300 ? b : a;
  }

  /** reaction_added (recorded in state first). */
  async react(user: string, channel: string, ts: string, name: string): Promise<EventResult> {
    const u = this.user(user);
    const c = this.memberChannel(user, channel);
    const m = this.state.message(c.id, ts);
    if (!m || m.deleted) throw new Error(`driver: no message ${ts} in ${channel}`);
    let reaction = m.reactions.find((r) => r.name === name);
    if (!reaction) m.reactions.push((reaction = { name, users: [] }));
    if (!reaction.users.includes(u.id)) reaction.users.push(u.id);
    const event = {
      type: 'reaction_added', user: u.id, item: { type: 'message', channel: c.id, ts }, reaction: name,
      item_user: m.user ?? m.bot_id, event_ts: this.host.nextTs(),
    };
    return this.deliverChannelEvent(c, event, u);
  }

  /**
   * app_home_opened (tab home), with the last published Home view if any. `tab: null` sends the older payload,
   * from before Slack's Home tab had tabs: no `tab`, no `view`.
   */
  async openHome(user: string, opts: { tab?: 'home' | 'messages' | null } = {}): Promise<{ status: number }> {
    const u = this.user(user);
    const im = this.state.openIm(u.id);
    const tab = opts.tab === undefined ? 'home' : opts.tab;
    const home = tab === 'home' ? this.state.homeViews.get(u.id) : undefined;
    const event = { type: 'app_home_opened', user: u.id, channel: im.id, ...(tab ? { tab } : {}), event_ts: this.host.nextTs(), ...(home ? { view: home.view } : {}) };
    return this.deliverEvent(event, { authorTeam: this.teamOf(u) });
  }

  // ---- slash commands and interactivity ------------------------------------------------------------

  private newResponseUrl(ctx: { channel: string; user: string; messageTs?: string; isEphemeral?: boolean }): string {
    const id = slackId('', 20).toLowerCase();
    this.state.responseUrls.set(id, ctx);
    return `${this.host.baseUrl()}response/${this.id.teamId}/${id}`;
  }

  /** An immediate ack body is shown to the user like a response_url reply (string or {text,blocks,response_type}). */
  private recordAckBody(body: string, channel: string, user: string): void {
    if (body.trim() === '') return;
    const json = jsonOrUndefined(body);
    const text: string = typeof json === 'object' && json !== null ? json.text ?? '' : body;
    const blocks: any[] | undefined = json?.blocks;
    if (json?.response_type === 'in_channel') {
      this.host.postAsBotUnchecked(channel, text, blocks);
      return;
    }
    this.state.ephemerals.push({ channel, user, text, ...(blocks ? { blocks } : {}), via: 'response_url', ts: this.host.nextTs() });
  }

  private async sendInteraction(kind: 'slash_commands' | 'interactive', form: Record<string, string>, json: any): Promise<DeliveryResult> {
    const body = new URLSearchParams(form).toString();
    return this.host.pipeline.sendOnce({ kind, body, contentType: CONTENT_FORM, json });
  }

  private async sendPayload(payload: any): Promise<DeliveryResult> {
    return this.sendInteraction('interactive', { payload: JSON.stringify(payload) }, payload);
  }

  /** A slash command (form body, doc §3.4). Slack refuses commands inside threads, so there is no thread option. */
  async slashCommand(user: string, channel: string, command: string, text: string): Promise<InteractionResult> {
    const u = this.user(user);
    const c = this.state.mustChannel(channel);
    const form: Record<string, string> = {
      token: 'emulator-verification-token',
      team_id: this.teamOf(u),
      team_domain: this.id.teamDomain,
      channel_id: c.id,
      channel_name: this.channelName(c),
      user_id: u.id,
      user_name: u.name,
      command,
      text,
      api_app_id: this.id.appId,
      is_enterprise_install: 'false',
      response_url: this.newResponseUrl({ channel: c.id, user: u.id }),
      trigger_id: this.state.issueTrigger(u.id),
    };
    const r = await this.sendInteraction('slash_commands', form, form);
    this.recordAckBody(r.body, c.id, u.id);
    return { status: r.status, body: r.body };
  }

  private commonPayload(u: EmuUser): Record<string, any> {
    return {
      user: payloadUser(u, this.id.teamId),
      api_app_id: this.id.appId,
      token: 'emulator-verification-token',
      trigger_id: this.state.issueTrigger(u.id),
      team: payloadTeam(this.id, u),
      enterprise: null,
      is_enterprise_install: false,
    };
  }

  /**
   * A user clicks a button / picks an option in a message (or in one of their ephemerals). Throws if the
   * element is not in the stored message: a test must not click what is not shown.
   */
  async clickButton(user: string, channel: string, messageTs: string, actionId: string, opts: ActionInput = {}): Promise<InteractionResult> {
    const u = this.user(user);
    const c = this.state.mustChannel(channel);
    const stored = this.state.message(c.id, messageTs);
    const ephemeral = stored ? undefined : this.state.ephemerals.find((e) => e.ts === messageTs && e.user === u.id && e.channel === c.id);
    if ((!stored || stored.deleted) && !ephemeral) throw new Error(`driver: no message ${messageTs} in ${channel} visible to ${user}`);
    const blocks = stored ? stored.blocks : ephemeral!.blocks;
    const found = findElement(blocks, actionId, `message ${messageTs}`);
    const action = buildAction(found, opts, this.host.nextTs());
    const given = action.type === 'button' ? {} : { [found.blockId]: { [actionId]: selectionOf(action) } };
    const payload: Record<string, any> = {
      type: 'block_actions',
      ...this.commonPayload(u),
      container: { type: 'message', message_ts: messageTs, channel_id: c.id, is_ephemeral: !stored },
      channel: { id: c.id, name: this.channelName(c) },
      ...(stored ? { message: messageToApi(this.state, stored) } : {}),
      state: { values: buildStateValues(blocks, given) },
      response_url: this.newResponseUrl({ channel: c.id, user: u.id, messageTs, isEphemeral: !stored }),
      actions: [action],
    };
    const r = await this.sendPayload(payload);
    return { status: r.status, body: r.body };
  }

  private openViewOf(user: string, viewId: string) {
    const open = this.state.views.get(viewId);
    if (!open) throw new Error(`driver: view ${viewId} is not open`);
    if (open.user !== user) throw new Error(`driver: view ${viewId} is open for ${open.user}, not ${user}`);
    return open;
  }

  /**
   * clickViewButton(user, viewId, actionId, opts?) — a click / selection inside an open modal: block_actions
   * with container {type:'view', view_id} and the full `view` (incl. state). `opts.values` (same shape as
   * submitView's) sets what the user has typed so far. No response_url (Slack sends none for modals).
   */
  async clickViewButton(user: string, viewId: string, actionId: string, opts: ActionInput & { values?: Record<string, Record<string, any>> } = {}): Promise<InteractionResult> {
    const u = this.user(user);
    const open = this.openViewOf(user, viewId);
    const located = findElement(open.view.blocks, actionId, `view ${viewId}`);
    // An external select offers what the app last suggested (see suggestOptions).
    const found = located.element.type === 'external_select' ? { ...located, element: { ...located.element, options: this.suggested.get(`${viewId}/${actionId}`) ?? [] } } : located;
    const action = buildAction(found, opts, this.host.nextTs());
    const given = { ...(opts.values ?? {}) };
    if (action.type !== 'button') given[found.blockId] = { ...(given[found.blockId] ?? {}), [actionId]: selectionOf(action) };
    const payload = {
      type: 'block_actions',
      ...this.commonPayload(u),
      container: { type: 'view', view_id: viewId },
      view: { ...open.view, state: { values: buildStateValues(open.view.blocks, given) } },
      actions: [action],
    };
    const r = await this.sendPayload(payload);
    return { status: r.status, body: r.body };
  }

  /**
   * The user presses Submit (view_submission, doc §3.6). The ack decides the modal's fate: empty → this view
   * closes; response_action errors → stays open; update → replaced; push → new view on the stack; clear → all closed.
   */
  async submitView(user: string, viewId: string, values: Record<string, Record<string, any>>): Promise<InteractionResult & { json?: any }> {
    const u = this.user(user);
    const open = this.openViewOf(user, viewId);
    const state = buildStateValues(open.view.blocks, values, true);
    const payload = {
      type: 'view_submission',
      ...this.commonPayload(u),
      view: { ...open.view, state: { values: state } },
      response_urls: [],
    };
    const r = await this.sendPayload(payload);
    const json = jsonOrUndefined(r.body);
    if (r.status >= 200 && r.status < 300) this.applyViewAck(open.id, user, json);
    return { status: r.status, body: r.body, ...(json !== undefined ? { json } : {}) };
  }

  /**
   * The user types into an external select in a modal: Slack asks the app for options (block_suggestion,
   * https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element#external_select) and shows
   * them. The options offered are remembered, so clickViewButton can then select one of them.
   */
  async suggestOptions(user: string, viewId: string, actionId: string, query: string): Promise<{ status: number; options: { text: { text: string }; value: string }[] }> {
    const u = this.user(user);
    const open = this.openViewOf(user, viewId);
    const found = findElement(open.view.blocks, actionId, `view ${viewId}`);
    if (found.element.type !== 'external_select') throw new Error(`driver: "${actionId}" is a ${found.element.type}, not an external_select`);
    const payload = { type: 'block_suggestion', ...this.commonPayload(u), container: { type: 'view', view_id: viewId }, view: open.view, action_id: actionId, block_id: found.blockId, value: query };
    const r = await this.sendPayload(payload);
    const options = (jsonOrUndefined(r.body)?.options ?? []) as { text: { text: string }; value: string }[];
    this.suggested.set(`${viewId}/${actionId}`, options);
    return { status: r.status, options };
  }

  private readonly suggested = new Map<string, any[]>();

  /**
   * The user closes a modal (Cancel or ×). Slack sends view_closed only when the view asked for it with
   * `notify_on_close: true` (https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload#view_closed).
   */
  async closeView(user: string, viewId: string): Promise<InteractionResult> {
    const u = this.user(user);
    const open = this.openViewOf(user, viewId);
    this.state.views.delete(open.id);
    if (!open.view.notify_on_close) return { status: 0, body: '' };
    const r = await this.sendPayload({ type: 'view_closed', ...this.commonPayload(u), view: { ...open.view, state: { values: {} } }, is_cleared: false });
    return { status: r.status, body: r.body };
  }

  private applyViewAck(viewId: string, user: string, json: any): void {
    const open = this.state.views.get(viewId)!;
    switch (json?.response_action) {
      case 'errors':
        return;
      case 'update':
        this.host.api.views.updateView(open, json.view);
        return;
      case 'push':
        this.host.api.views.openView(user, json.view, open);
        return;
      case 'clear':
        for (const v of this.state.viewsOfStack(open.rootId)) this.state.views.delete(v.id);
        return;
      default:
        this.state.views.delete(viewId);
    }
  }

  /** Message shortcut ("…" menu → callback_id), doc §3.7, with the stored message. */
  async messageShortcut(user: string, channel: string, ts: string, callbackId: string): Promise<InteractionResult> {
    const u = this.user(user);
    const c = this.state.mustChannel(channel);
    const m = this.state.message(c.id, ts);
    if (!m || m.deleted) throw new Error(`driver: no message ${ts} in ${channel}`);
    const payload = {
      type: 'message_action',
      ...this.commonPayload(u),
      action_ts: this.host.nextTs(),
      channel: { id: c.id, name: this.channelName(c) },
      callback_id: callbackId,
      message_ts: ts,
      message: messageToApi(this.state, m),
      response_url: this.newResponseUrl({ channel: c.id, user: u.id }),
    };
    const r = await this.sendPayload(payload);
    return { status: r.status, body: r.body };
  }

  // ---- low level ------------------------------------------------------------------------------------------

  /**
   * Sends the latest signed request whose body contains `marker` again, byte for byte with the same signature
   * and timestamp: a replay attack by someone who captured it.
   */
  async replaySigned(marker: string, toUrl?: string): Promise<InteractionResult> {
    const captured = this.host.http.sent.findLast((request) => request.body.includes(marker));
    if (!captured) throw new Error(`driver: no signed request containing ${marker} to replay`);
    const r = await this.host.pipeline.track(this.host.http.post(toUrl ?? captured.url, captured.body, captured.headers));
    return { status: r.status, body: r.body };
  }

  /** POSTs a body signed with `secret` (default: the real one) at `timestamp` (default: now) — for forged/stale tests. */
  async sendSigned(body: string, contentType: string, opts: { timestamp?: number; secret?: string; headers?: Record<string, string> } = {}): Promise<InteractionResult> {
    const url = this.host.botEndpoint();
    if (!url) throw new Error('driver: no bot endpoint — call setBotEndpoint(url)');
    const headers = { 'content-type': contentType, ...signatureHeaders(body, opts.secret ?? this.host.signingSecret, opts.timestamp), ...(opts.headers ?? {}) };
    const r = await this.host.pipeline.track(this.host.http.post(url, body, headers));
    return { status: r.status, body: r.body };
  }
}

/** The shorthand state value for a clicked select (what the user now has selected). */
function selectionOf(action: Record<string, any>): any {
  if (action.selected_option) return action.selected_option.value;
  if (action.selected_options) return action.selected_options.map((o: any) => o.value);
  if (action.selected_user) return action.selected_user;
  return action.value;
}


