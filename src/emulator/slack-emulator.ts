/**
 * SlackEmulator: a real HTTP server speaking the Slack Web API subset the bot uses (POST /api/<method>),
 * response_url endpoints, file upload URLs, private file downloads and Socket Mode, plus workspace state, fault
 * injection and the driver that sends signed requests to the bot. See /work/shared/research/slack-platform.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  EmuCall, EmuChannel, EmuEphemeral, EmuMessage, EmuOpenView, EmuUploadedFile, EmuUser, FaultSpec, RateLimitOptions, RateLimitStats, SlackEmulatorOptions,
} from './types.js';
import { WorkspaceState } from './workspace-state.js';
import { WebApiMethods, SlackApiError, type WebApiHost } from './web-api-methods.js';
import { DeliveryPipeline, HttpTransport } from './event-delivery.js';
import { SocketModeServer } from './socket-mode.js';
import { SlackDriver, type DriverHost } from './slack-driver.js';
import { FaultInjector, Outage } from './faults.js';
import { RateLimiter } from './rate-limits.js';
import { parseApiArgs, readBody, sendJson, uploadedBytes } from './http-util.js';
import { botProfile, messageEvent, eventEnvelope, type EmulatorIdentity } from './payloads.js';
import { applyResponseUrlPost } from './response-url.js';
import { TsClock } from './slack-ts.js';
import { manifestBotScopes } from './app-manifest.js';
import { METHOD_SCOPES, missingScopes, type ConversationKind } from './method-scopes.js';

/** The app-level token's scopes (the manifest's header: an app-level token with connections:write for Socket Mode). */
const APP_TOKEN_SCOPES: ReadonlySet<string> = new Set(['connections:write']);

function conversationKind(c: EmuChannel | undefined): ConversationKind | undefined {
  if (!c) return undefined;
  return c.isIm ? 'im' : c.isPrivate ? 'private' : 'public';
}

export class SlackEmulator {
  readonly teamId: string;
  readonly botToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appToken: string;
  readonly driver: SlackDriver;

  private scopes: ReadonlySet<string>;
  private readonly opts: Required<Pick<SlackEmulatorOptions, 'signingSecret' | 'echoBotMessages' | 'retryDelaysMs' | 'ackTimeoutMs'>>;
  private readonly identity: EmulatorIdentity;
  private readonly state: WorkspaceState;
  private readonly api: WebApiMethods;
  private readonly faults = new FaultInjector();
  private readonly slowCalls = new Map<string, { ms: number; remaining: number }>();
  private readonly outage = new Outage();
  private rateLimiter?: RateLimiter;
  private readonly rateCounts: RateLimitStats = { limited: {}, allowed: {} };
  private readonly callLog: EmuCall[] = [];
  private readonly clock = new TsClock();
  private readonly http: HttpTransport;
  private readonly socket: SocketModeServer;
  private readonly pipeline: DeliveryPipeline;
  private server?: Server;
  private port = 0;
  private botEndpoint?: string;

  constructor(opts: SlackEmulatorOptions & { appMentionEvents?: boolean }) {
    this.teamId = opts.teamId ?? 'T0001';
    this.botToken = opts.botToken ?? 'xoxb-emulator';
    this.botUserId = opts.botUserId ?? 'UBOT';
    this.botId = opts.botId ?? 'BBOT';
    this.appToken = opts.appToken ?? 'xapp-emulator';
    this.scopes = new Set(opts.botScopes ?? manifestBotScopes());
    this.opts = {
      signingSecret: opts.signingSecret,
      echoBotMessages: opts.echoBotMessages ?? true,
      retryDelaysMs: opts.retryDelaysMs ?? [0, 1000, 5000],
      ackTimeoutMs: opts.ackTimeoutMs ?? 3000,
    };
    this.identity = {
      teamId: this.teamId,
      teamDomain: opts.teamDomain ?? 'emulator',
      appId: opts.appId ?? 'AEMU',
      botId: this.botId,
      botUserId: this.botUserId,
      botName: 'threaddesk',
    };
    this.state = new WorkspaceState(this.teamId, this.botUserId);
    this.state.addUser({ id: this.botUserId, name: this.identity.botName, isBot: true, teamId: this.teamId });

    const apiHost: WebApiHost = {
      state: this.state,
      identity: this.identity,
      nextTs: () => this.clock.next(),
      onBotMessagePosted: (m) => this.echo(m),
      newSocketUrl: () => `ws://127.0.0.1:${this.port}/link/?ticket=${this.socket.newTicket()}&app_id=${this.identity.appId}`,
      baseUrl: () => this.baseUrl,
      botScopes: () => this.scopes,
    };
    this.api = new WebApiMethods(apiHost);
    this.http = new HttpTransport(() => this.botEndpoint, this.opts.signingSecret, this.opts.ackTimeoutMs);
    this.socket = new SocketModeServer(this.identity.appId, this.opts.ackTimeoutMs);
    this.pipeline = new DeliveryPipeline(this.http, () => (this.socket.connected ? this.socket : undefined), this.opts.retryDelaysMs);

    const driverHost: DriverHost = {
      state: this.state,
      identity: this.identity,
      signingSecret: this.opts.signingSecret,
      pipeline: this.pipeline,
      http: this.http,
      api: this.api,
      appMentionEvents: opts.appMentionEvents ?? true,
      baseUrl: () => this.baseUrl,
      botEndpoint: () => this.botEndpoint,
      hasReceiver: () => this.botEndpoint !== undefined || this.socket.connected,
      nextTs: () => this.clock.next(),
      postAsBotUnchecked: (channel, text, blocks, threadTs) => this.postAsBotUnchecked(channel, text, blocks, threadTs),
    };
    this.driver = new SlackDriver(driverHost);
    if (opts.rateLimits) this.setRateLimits(opts.rateLimits);
  }

  // ---- lifecycle --------------------------------------------------------------------------------------------

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => {
      this.pipeline.track(this.route(req, res)).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'fatal_error', emulator_error: String(err) });
      });
    });
    this.socket.attach(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.pipeline.stop();
    await this.socket.close();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    // Stop accepting, let requests already being handled finish (e.g. Bolt's start-up auth.test), then cut.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await Promise.race([this.pipeline.idle(), new Promise((r) => setTimeout(r, 1000))]);
    server.closeAllConnections();
    await closed;
  }

  private get baseUrl(): string {
    if (!this.server) throw new Error('SlackEmulator: start() it first');
    return `http://127.0.0.1:${this.port}/`;
  }

  /** 'http://127.0.0.1:PORT/api/' — pass as Bolt clientOptions.slackApiUrl. */
  get apiUrl(): string {
    return `${this.baseUrl}api/`;
  }

  /** Where Events API / commands / interactivity are POSTed (e.g. http://127.0.0.1:3000/slack/events). */
  setBotEndpoint(url: string): void {
    this.botEndpoint = url;
  }

  /** Resolves when no event delivery (incl. retries, echoes) and no request to the emulator is in flight. */
  idle(): Promise<void> {
    return this.pipeline.idle();
  }

  /** Polls until `predicate` holds (for assertions on work the bot does after acking). */
  async waitFor<T>(predicate: () => T | undefined | false | null, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
    const deadline = Date.now() + (opts.timeoutMs ?? 5000);
    for (;;) {
      const v = predicate();
      if (v) return v;
      if (Date.now() > deadline) throw new Error('SlackEmulator.waitFor: timed out');
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 10));
    }
  }

  // ---- the bot token's scopes ----------------------------------------------------------------------------

  /** The bot token's OAuth scopes (by default exactly slack-app-manifest.yaml's bot scopes). */
  get botScopes(): string[] {
    return [...this.scopes];
  }

  /** Re-grants the bot token with these scopes (as reinstalling the app with another scope list would). */
  setBotScopes(scopes: readonly string[]): void {
    this.scopes = new Set(scopes);
  }

  /** Names of the Web API methods the emulator implements. */
  apiMethods(): string[] {
    return this.api.methods();
  }

  // ---- workspace state --------------------------------------------------------------------------------------

  addUser(u: EmuUser): EmuUser {
    return this.state.addUser(u);
  }

  addChannel(c: EmuChannel): EmuChannel {
    return this.state.addChannel(c);
  }

  /** The D… IM channel between the bot and the user. */
  openIm(userId: string): EmuChannel {
    return this.state.openIm(userId);
  }

  joinChannel(channelId: string, userId: string): void {
    this.state.join(channelId, userId);
  }

  leaveChannel(channelId: string, userId: string): void {
    this.state.leave(channelId, userId);
  }

  user(id: string): EmuUser | undefined {
    return this.state.users.get(id);
  }

  channel(id: string): EmuChannel | undefined {
    return this.state.channels.get(id);
  }

  // ---- what the bot did ---------------------------------------------------------------------------------

  /** Top-level messages of a channel, oldest first (deleted ones stay, flagged deleted:true). */
  messages(channelId: string): EmuMessage[] {
    return this.state.topLevel(channelId);
  }

  /** Replies of a thread, oldest first, without the parent. */
  thread(channelId: string, threadTs: string): EmuMessage[] {
    return this.state.replies(channelId, threadTs);
  }

  message(channelId: string, ts: string): EmuMessage | undefined {
    return this.state.message(channelId, ts);
  }

  ephemerals(filter: { user?: string; channel?: string } = {}): EmuEphemeral[] {
    return this.state.ephemerals.filter((e) => (!filter.user || e.user === filter.user) && (!filter.channel || e.channel === filter.channel));
  }

  /** Files the bot uploaded (getUploadURLExternal → upload_url → completeUploadExternal), oldest first. */
  files(filter: { channel?: string } = {}): EmuUploadedFile[] {
    return [...this.state.uploads.values()].filter((f) => !filter.channel || f.channel === filter.channel);
  }

  file(id: string): EmuUploadedFile | undefined {
    return this.state.uploads.get(id);
  }

  calls(method?: string): EmuCall[] {
    return method ? this.callLog.filter((c) => c.method === method) : [...this.callLog];
  }

  openViews(userId?: string): EmuOpenView[] {
    return [...this.state.views.values()]
      .filter((v) => !userId || v.user === userId)
      .map((v) => ({ id: v.id, user: v.user, view: v.view, hash: v.hash }));
  }

  homeView(userId: string): any | undefined {
    return this.state.homeViews.get(userId)?.view;
  }

  // ---- fault injection ------------------------------------------------------------------------------------

  /** The next `times` calls of `method` are answered after `ms` (a slow Slack), then normally. */
  slowNext(method: string, ms: number, times = 1): void {
    this.slowCalls.set(method, { ms, remaining: times });
  }

  /** The next `times` calls of `method` fail: HTTP status, `{ok:false,error}`, or 429 + Retry-After. */
  failNext(method: string, fault: FaultSpec): void {
    this.faults.add(method, fault);
  }

  /**
   * Turns Slack's rate limits on (fresh, full buckets) or off (null): over the limit a call is answered
   * 429 + Retry-After + {ok:false,error:'ratelimited'} and not performed. See rate-limits.ts for the rates.
   */
  setRateLimits(opts: RateLimitOptions | null): void {
    this.rateLimiter = opts ? new RateLimiter(opts) : undefined;
  }

  /** Calls the rate limiter let through / refused per method, counted while limits were on. */
  rateLimitStats(): RateLimitStats {
    return { limited: { ...this.rateCounts.limited }, allowed: { ...this.rateCounts.allowed } };
  }

  /** Configured steady rate of `method` in calls per second (chat.postMessage: per channel); Infinity if unlimited or off. */
  allowedPerSecond(method: string): number {
    return this.rateLimiter?.allowedPerSecond(method) ?? Infinity;
  }

  /** Slack is down for `ms`: every Web API call answers HTTP `status` without being performed. Events still flow. */
  startOutage(ms: number, status = 503): void {
    this.outage.start(ms, status);
  }

  endOutage(): void {
    this.outage.end();
  }

  outageStats(): { refused: number } {
    return { refused: this.outage.refused };
  }

  /** Sends {"type":"disconnect"} to Socket Mode clients (they reconnect via apps.connections.open). */
  disconnectSockets(reason?: string): void {
    this.socket.disconnectAll(reason);
  }

  // ---- HTTP routing -------------------------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator.local');
    const raw = await readBody(req);
    if (req.method === 'POST' && url.pathname.startsWith('/api/')) return this.handleApi(url.pathname.slice(5), req, raw, res);
    if (req.method === 'POST' && url.pathname.startsWith('/response/')) return this.handleResponseUrl(url.pathname, raw, res);
    if (req.method === 'POST' && url.pathname.startsWith('/upload/v1/')) return this.handleUpload(url.pathname, req, raw, res);
    if (req.method === 'GET' && url.pathname.startsWith('/files-pri/')) return this.handleFile(url.pathname, req, res);
    sendJson(res, 404, { ok: false, error: 'not_found' });
  }

  private record(method: string, args: Record<string, any>, status: number, body: { ok: boolean; error?: string }): void {
    const { token: _token, ...safeArgs } = args;
    this.callLog.push({ method, args: safeArgs, ok: body.ok, ...(body.error ? { error: body.error } : {}), status, at: Date.now() });
  }

  private async handleApi(method: string, req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
    let args: Record<string, any>;
    try {
      args = await parseApiArgs(String(req.headers['content-type'] ?? ''), raw);
    } catch {
      args = {};
      const body = { ok: false, error: 'invalid_form_data' };
      this.record(method, args, 200, body);
      return sendJson(res, 200, body);
    }
    const reply = (status: number, body: Record<string, any>, headers?: Record<string, string>): void => {
      this.record(method, args, status, body as { ok: boolean; error?: string });
      sendJson(res, status, body, headers);
    };

    // Slack being down comes before anything else, even knowing the method.
    const down = this.outage.take();
    if (down) return reply(down.status, down.body);

    if (!this.api.has(method)) {
      // Loud on purpose: a method the emulator does not know is a method the tests do not cover.
      console.warn(`[slack-emulator] unknown Web API method called: ${method}`);
      return reply(404, { ok: false, error: 'unknown_method' });
    }
    // A slow Slack: the call is answered normally, late.
    const slow = this.slowCalls.get(method);
    if (slow && slow.remaining > 0) {
      slow.remaining -= 1;
      await new Promise((resolve) => setTimeout(resolve, slow.ms));
    }
    const fault = this.faults.take(method);
    if (fault) return reply(fault.status, fault.body, fault.headers);

    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : typeof args.token === 'string' ? args.token : '';
    if (!token) return reply(200, { ok: false, error: 'not_authed' });
    const rule = METHOD_SCOPES[method];
    if (!rule) throw new Error(`slack-emulator: ${method} has no entry in method-scopes.ts`);
    const expected = rule.token === 'app' ? this.appToken : this.botToken;
    if (token !== expected) {
      const wrongKind = token === this.appToken || token === this.botToken;
      return reply(200, { ok: false, error: wrongKind ? 'not_allowed_token_type' : 'invalid_auth' });
    }
    // Slack tells every authenticated call which scopes the token has and which the method accepts.
    const granted = rule.token === 'app' ? APP_TOKEN_SCOPES : this.scopes;
    const provided = [...granted].join(',');
    const scopeHeaders: Record<string, string> = {};
    if (provided) scopeHeaders['x-oauth-scopes'] = provided;
    if (rule.accepted.length > 0) scopeHeaders['x-accepted-oauth-scopes'] = rule.accepted.join(',');
    const authedReply = (status: number, body: Record<string, any>, headers?: Record<string, string>): void =>
      reply(status, body, { ...scopeHeaders, ...headers });
    const needed = missingScopes(method, args, granted, (id) => conversationKind(this.state.channels.get(id)));
    if (needed) {
      // Loud like an unknown method: a bot that swallows the error must still not pass silently.
      console.warn(`[slack-emulator] missing_scope: ${method} needs ${needed.join(',')}; the token has ${provided || 'no scopes'}`);
      return authedReply(200, { ok: false, error: 'missing_scope', needed: needed.join(','), provided });
    }
    // Limits are per app per workspace, so only an authenticated call counts; calls that then fail still count.
    const retryAfter = this.rateLimiter?.take(method, args);
    if (retryAfter !== undefined) {
      const counts = retryAfter > 0 ? this.rateCounts.limited : this.rateCounts.allowed;
      counts[method] = (counts[method] ?? 0) + 1;
      if (retryAfter > 0) return authedReply(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(retryAfter) });
    }
    try {
      authedReply(200, this.api.call(method, args));
    } catch (err) {
      if (!(err instanceof SlackApiError)) throw err;
      authedReply(200, { ok: false, error: err.code, ...err.extra });
    }
  }

  /** response_url (doc §2.5): JSON {text, blocks, response_type, replace_original, delete_original, thread_ts}. */
  private handleResponseUrl(pathname: string, raw: Buffer, res: ServerResponse): void {
    const ctx = this.state.responseUrls.get(pathname.split('/').pop() ?? '');
    if (!ctx) return sendJson(res, 404, { ok: false, error: 'invalid_response_url' });
    const r = applyResponseUrlPost(
      { state: this.state, nextTs: () => this.clock.next(), postAsBot: (c, t, b, th) => this.postAsBotUnchecked(c, t, b, th) },
      ctx, raw.toString('utf8'),
    );
    sendJson(res, r.status, r.body);
  }

  /**
   * upload_url of files.getUploadURLExternal. Its docs: "Files can be sent as raw bytes or can be multipart form
   * encoded"; web-api's filesUploadV2 sends a multipart form with one file field `body`. Answers 200 `OK - <bytes>`.
   */
  private async handleUpload(pathname: string, req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
    const bytes = await uploadedBytes(String(req.headers['content-type'] ?? ''), raw);
    const known = this.api.receiveUpload(decodeURIComponent(pathname.slice('/upload/v1/'.length)), bytes);
    const text = known ? `OK - ${bytes.length}` : 'Not Found';
    res.writeHead(known ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  /** url_private downloads need the bot token (doc §3.2 file_share note). */
  private handleFile(pathname: string, req: IncomingMessage, res: ServerResponse): void {
    if (req.headers.authorization !== `Bearer ${this.botToken}`) {
      res.writeHead(302, { location: `https://${this.identity.teamDomain}.slack.com/?redir=login` });
      res.end();
      return;
    }
    const fileId = /^\/files-pri\/[^-/]+-([^/]+)\//.exec(pathname)?.[1] ?? '';
    const file = this.state.files.get(fileId);
    if (!file) return sendJson(res, 404, { ok: false, error: 'file_not_found' });
    const content = file.content ?? 'x'.repeat(file.size);
    res.writeHead(200, { 'content-type': file.mimetype, 'content-length': Buffer.byteLength(content) });
    res.end(content);
  }

  // ---- bot messages and echoes --------------------------------------------------------------------------

  /** Messages Slack posts on the bot's behalf without a Web API call (in_channel command/response_url replies). */
  private postAsBotUnchecked(channel: string, text: string, blocks: any[] | undefined, threadTs?: string): EmuMessage {
    const m: EmuMessage = {
      channel, ts: this.clock.next(), user: this.botUserId, bot_id: this.botId, app_id: this.identity.appId,
      bot_profile: botProfile(this.botId, this.identity.botName, this.identity.appId, this.teamId), team: this.teamId,
      text, reactions: [], ...(blocks ? { blocks } : {}), ...(threadTs ? { thread_ts: threadTs } : {}),
    };
    this.state.addMessage(m);
    this.echo(m);
    return m;
  }

  /**
   * Slack sends an app's own posts back as `message` events (bot_id, user = bot user, bot_profile, no
   * subtype — doc §0.10). Delivered asynchronously through the normal pipeline, so retries apply too.
   */
  private echo(m: EmuMessage): void {
    if (!this.opts.echoBotMessages) return;
    const channel = this.state.channels.get(m.channel);
    // Slack only sends channel events to apps that are members (in_channel replies can land elsewhere).
    if (!channel || !channel.members.includes(this.botUserId)) return;
    const event = messageEvent(this.state, channel, m);
    const envelope = eventEnvelope(this.identity, event, { isExtShared: channel.isExtShared ?? false });
    const body = JSON.stringify(envelope);
    const send = async (): Promise<void> => {
      await new Promise((r) => setImmediate(r));
      if (!this.botEndpoint && !this.socket.connected) return;
      await this.pipeline.deliverEvent({ kind: 'events_api', body, contentType: 'application/json', json: envelope });
    };
    this.pipeline.track(send());
  }
}
