import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ChatConfig } from '../../config.js';
import type { Clock } from '../../domain/clock.js';
import { CHAT_CHANNEL } from '../../domain/intake-channel.js';
import { ingestChatMessage, type ChatIngestDeps } from '../../ingest/chat/ingest-chat-message.js';
import type { KeyedLock } from '../../ingest/keyed-lock.js';
import { slackToPlain } from '../../ingest/slack-text.js';
import type { ChannelStore } from '../../store/channel-store.js';
import type { ChatLine, ChatStore, ChatVisitor } from '../../store/chat-store.js';
import type { Directory } from '../directory.js';
import { clientAddressOf } from '../http/client-address.js';
import { readLimited } from '../http/read-body.js';
import type { HttpRoute } from '../http/route-server.js';
import { createChatInbox, type StoredChatMessage } from './chat-inbox.js';
import { WIDGET_SCRIPT } from './widget-script.js';

export interface ChatChannelDeps {
  config: ChatConfig;
  chats: ChatStore;
  channels: Pick<ChannelStore, 'intake'>;
  ingest: ChatIngestDeps;
  lock: KeyedLock;
  directory: Pick<Directory, 'user'>;
  clock: Clock;
  logger: Logger;
  /** Where sent messages are stored before the widget hears "stored" (the inbox's own file on SQLite). */
  inbox: { db: Knex; owner: string; recoverAbandonedAtStart: boolean };
  /** The database several instances share (PostgreSQL): the widget's limits are counted there. */
  sharedCounters?: Knex | null;
}

const MAX_TEXT = 4_000;
const CLIENT_ID = /^[a-z0-9]{1,64}$/;
/** A visitor may send this many messages a minute (a paste loop, a script): more are refused with a message. */
const PER_MINUTE = 30;
/** Messages by other instances (or missed notifications) reach open widgets within this. */
const POLL_MS = 1_000;
const HELLO_TIMEOUT_MS = 10_000;

interface Connection {
  socket: WebSocket;
  visitor: ChatVisitor;
  /** The last message id this widget has been sent. */
  last: number;
}

/**
 * The chat widget on the shop's website: GET /chat/widget.js, GET /chat/demo, the socket /chat/socket and the
 * HTTP fallback POST /chat/messages (contract: SPEC "Chat on the shop's website"). Only pages of
 * THREADDESK_CHAT_ORIGINS (and the bot's own, for the demo) may connect; a visitor reads and writes only their
 * own conversation, by the token their browser keeps.
 */
export function createChatChannel(deps: ChatChannelDeps) {
  const log = deps.logger.child({ component: 'chat' });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 });
  const byVisitor = new Map<string, Set<Connection>>();
  const messagesPerVisitor = counter(PER_MINUTE, 60, 'chat-messages');
  const newVisitorsPerAddress = deps.config.visitorsPerHour > 0 ? counter(deps.config.visitorsPerHour, 3600, 'chat-new-visitors') : null;
  const clientAddress = clientAddressOf(deps.config.trustProxy);
  let lastSeen = 0;
  let poll: NodeJS.Timeout | null = null;

  const allowed = (origin: string | undefined, host: string | undefined) => origin !== undefined && (deps.config.origins.includes(origin) || (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`)));

  async function intake() {
    return deps.channels.intake(CHAT_CHANNEL);
  }

  /** Sends each open widget of the visitor what it has not shown yet. */
  async function notify(visitorKey: string): Promise<void> {
    const connections = byVisitor.get(visitorKey);
    if (!connections || connections.size === 0) return;
    const since = Math.min(...[...connections].map((c) => c.last));
    const lines = await deps.chats.linesSince(visitorKey, since);
    if (lines.length === 0) return;
    const named = await withAgentNames(lines);
    for (const connection of connections) {
      const fresh = named.filter((l) => l.id > connection.last);
      if (fresh.length === 0) continue;
      connection.last = fresh[fresh.length - 1]!.id;
      connection.socket.send(JSON.stringify({ type: 'lines', lines: fresh }));
    }
    // What an agent said and a widget got is not mailed later (the visitor's own lines need no record: one write less a message).
    const lastReply = named.filter((l) => l.from === 'agent').at(-1);
    if (lastReply) await deps.chats.markShown(visitorKey, lastReply.id);
  }

  async function withAgentNames(lines: ChatLine[]) {
    return Promise.all(lines.map(async (l) => ({ id: l.id, from: l.from, text: slackToPlain(l.text), at: l.at, clientId: l.clientId, agent: l.agentId ? ((await deps.directory.user(l.agentId).catch(() => null))?.name ?? 'Support') : null })));
  }

  /**
   * Counters forgotten once their window has passed: in the database when instances share one (PostgreSQL), so
   * a limit holds across them, with counters in memory standing in while it does not answer; else in memory.
   */
  function counter(points: number, duration: number, keyPrefix: string): RateLimiterAbstract {
    const memory = new RateLimiterMemory({ points, duration, keyPrefix });
    if (!deps.sharedCounters) return memory;
    return new RateLimiterPostgres({ storeClient: deps.sharedCounters, storeType: 'knex', tableName: 'chat_rate_limits', tableCreated: true, points, duration, keyPrefix, insuranceLimiter: memory });
  }

  /** Counts one more for `key`: 0 while within the limit, else how far over it (1 the first time). */
  const overLimit = (limiter: RateLimiterAbstract, key: string): Promise<number> =>
    limiter.consume(key).then(
      () => 0,
      (refused: unknown) => {
        if (refused instanceof RateLimiterRes) return refused.consumedPoints - limiter.points;
        throw refused;
      },
    );

  /** A stored message becomes its ticket's message (in the visitor's order), then their open widgets show it. */
  async function toTicket(message: StoredChatMessage): Promise<void> {
    await deps.lock([`${CHAT_CHANNEL}\u0000${message.visitorKey}`], async () => {
      if (message.saveEmail && message.email) await deps.chats.setEmail(message.visitorKey, message.email);
      const channel = await intake();
      if (!channel) return void log.warn({ visitor: message.visitorKey }, 'a chat message stored before the chat was disconnected was dropped');
      await ingestChatMessage(message, channel, deps.ingest);
    });
    await notify(message.visitorKey);
  }
  const inbox = createChatInbox({ db: deps.inbox.db, clock: deps.clock, logger: deps.logger, owner: deps.inbox.owner, recoverAbandonedAtStart: deps.inbox.recoverAbandonedAtStart, process: toTicket });

  /** Stores a visitor's message (then it is theirs: the widget hears "stored"); an error message for the widget when it cannot be taken. */
  async function receive(visitor: ChatVisitor, input: { id?: unknown; text?: unknown; page?: unknown; email?: unknown }): Promise<string | null> {
    const text = typeof input.text === 'string' ? input.text.trim() : '';
    if (typeof input.id !== 'string' || !CLIENT_ID.test(input.id)) return 'That message could not be read.';
    if (text.length === 0 || text.length > MAX_TEXT) return `A message is 1 to ${MAX_TEXT} characters.`;
    if ((await overLimit(messagesPerVisitor, visitor.visitorKey)) > 0) return 'Too many messages at once: wait a minute, please.';
    const channel = await intake();
    if (!channel) return 'The chat is not set up yet.';
    const email = typeof input.email === 'string' && /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(input.email) && input.email.length <= 320 ? input.email.toLowerCase() : null;
    // An address the visitor gave or changed is saved with the message (once, not with each message after it).
    const saveEmail = email !== null && email !== visitor.email;
    const page = typeof input.page === 'string' && /^https?:\/\//.test(input.page) ? input.page.slice(0, 2000) : null;
    await inbox.accept({ teamId: channel.teamId, visitorKey: visitor.visitorKey, clientId: input.id as string, text, page, email, saveEmail });
    if (saveEmail) visitor.email = email;
    return null;
  }

  wss.on('connection', (socket: WebSocket, req: IncomingMessage) => {
    let connection: Connection | null = null;
    const hello = setTimeout(() => socket.close(4401, 'no hello'), HELLO_TIMEOUT_MS);
    // One socket's messages are handled in the order they came: a send right behind the hello waits for it.
    let inOrder: Promise<void> = Promise.resolve();
    socket.on('message', (data) => {
      inOrder = inOrder.then(() => handle(data));
    });
    const handle = (data: WebSocket.RawData): Promise<void> =>
      (async () => {
        let message: { type?: string; token?: unknown; since?: unknown; id?: unknown; text?: unknown; page?: unknown; email?: unknown };
        try {
          message = JSON.parse(String(data)) as typeof message;
        } catch {
          return socket.send(JSON.stringify({ type: 'error', message: 'That message could not be read.' }));
        }
        if (message.type === 'hello' && !connection) {
          clearTimeout(hello);
          const channel = await intake();
          if (!channel) {
            socket.send(JSON.stringify({ type: 'error', message: 'The chat is not set up yet.' }));
            return socket.close(4403, 'chat not connected');
          }
          const known = typeof message.token === 'string' ? await deps.chats.byToken(message.token) : null;
          // A script opening conversation after conversation: each is a visitor row and a ticket. Returning visitors pass.
          const over = !known && newVisitorsPerAddress ? await overLimit(newVisitorsPerAddress, clientAddress(req)) : 0;
          if (over > 0) {
            if (over === 1) log.warn({ address: clientAddress(req) }, 'new chat visitors from one address refused for the hour: too many');
            socket.send(JSON.stringify({ type: 'error', message: 'Too many new conversations from your network: please try again later.' }));
            return socket.close(4429, 'too many new visitors');
          }
          const created = known ? null : await deps.chats.create(channel.teamId, deps.clock.now());
          const visitor = known ?? created!.visitor;
          connection = { socket, visitor, last: typeof message.since === 'number' && message.since >= 0 ? message.since : 0 };
          if (!byVisitor.has(visitor.visitorKey)) byVisitor.set(visitor.visitorKey, new Set());
          byVisitor.get(visitor.visitorKey)!.add(connection);
          socket.send(JSON.stringify({ type: 'welcome', ...(created ? { token: created.token } : {}) }));
          return notify(visitor.visitorKey);
        }
        if (message.type === 'send' && connection) {
          const problem = await receive(connection.visitor, message);
          socket.send(JSON.stringify(problem ? { type: 'error', message: problem } : { type: 'stored', id: message.id }));
        }
      })().catch((err: unknown) => {
        log.warn({ err: (err as Error).message }, 'a chat message could not be handled');
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'error', message: 'Not sent: please try again.' }));
      });
    socket.on('close', () => {
      clearTimeout(hello);
      if (connection) byVisitor.get(connection.visitor.visitorKey)?.delete(connection);
    });
    socket.on('error', () => socket.terminate());
  });

  const routes: HttpRoute[] = deps.config.origins.length === 0 ? [] : [
    {
      method: 'GET',
      path: '/chat/widget.js',
      handler: (_req, res) => void res.writeHead(200, { 'content-type': 'application/javascript; charset=utf-8', 'cache-control': 'public, max-age=300' }).end(WIDGET_SCRIPT),
    },
    {
      method: 'GET',
      path: '/chat/demo',
      handler: (_req, res) =>
        void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'" }).end(
          '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>threaddesk chat demo</title></head>' +
            '<body><main><h1>A shop page</h1><p>The chat button is at the bottom right.</p></main><script src="/chat/widget.js"></script></body></html>',
        ),
    },
    {
      method: 'POST',
      path: '/chat/messages',
      handler: async (req, res) => {
        const origin = req.headers.origin;
        const cors: Record<string, string> = origin && allowed(origin, req.headers.host) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
        const answer = (status: number, body: object) => void res.writeHead(status, { 'content-type': 'application/json', ...cors }).end(JSON.stringify(body));
        if (origin !== undefined && !cors['access-control-allow-origin']) return answer(403, { error: 'origin: this site may not use the chat' });
        const raw = await readLimited(req, 16 * 1024);
        if (raw === null) return answer(413, { error: 'body: larger than 16384 bytes' });
        let body: { token?: unknown; id?: unknown; text?: unknown; page?: unknown; email?: unknown };
        try {
          body = JSON.parse(raw.toString('utf8')) as typeof body;
        } catch {
          return answer(400, { error: 'body: not JSON' });
        }
        const visitor = typeof body.token === 'string' ? await deps.chats.byToken(body.token) : null;
        if (!visitor) return answer(401, { error: 'token: unknown' });
        const problem = await receive(visitor, body);
        return problem ? answer(400, { error: problem }) : answer(202, { ok: true });
      },
    },
  ];

  return {
    routes,
    /** Processes messages stored by an earlier run and not yet a ticket's; takes the socket's upgrades on the bot's HTTP server. */
    async start(server: Server | undefined): Promise<void> {
      await inbox.start();
      if (deps.config.origins.length === 0 || !server) return;
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/chat/socket') return void socket.destroy();
        if (!allowed(req.headers.origin, req.headers.host)) {
          log.warn({ origin: req.headers.origin }, 'a chat connection from a site not in THREADDESK_CHAT_ORIGINS was refused');
          return void socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        }
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      });
      void deps.chats.latestMessageId().then((id) => (lastSeen = id));
      const tick = () => {
        poll = setTimeout(() => {
          if (byVisitor.size === 0) return tick();
          deps.chats
            .changedSince(lastSeen)
            .then(async ({ visitorKeys, latest }) => {
              lastSeen = latest;
              await Promise.all(visitorKeys.map((key) => notify(key)));
            })
            .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'chat messages could not be read'))
            .finally(() => poll && tick());
        }, POLL_MS);
      };
      tick();
    },
    /** An agent's reply on a chat ticket was recorded: its widgets show it now. */
    notify: (visitorKey: string) => notify(visitorKey).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'a chat reply could not be pushed; the poll will')),
    /** An agent started (or stopped) writing a reply to the visitor: their widgets say "Support is typing…". */
    typing(visitorKey: string, on: boolean): void {
      for (const connection of byVisitor.get(visitorKey) ?? []) connection.socket.send(JSON.stringify({ type: 'typing', on }));
    },
    /** Cuts every open widget's connection (an operator's restart does the same): widgets reconnect and catch up. */
    dropAll(): void {
      for (const client of wss.clients) client.terminate();
    },
    /** Widgets connected now. */
    connections: () => wss.clients.size,
    async stop(): Promise<void> {
      if (poll) clearTimeout(poll);
      poll = null;
      for (const client of wss.clients) client.terminate();
      wss.close();
      await inbox.stop();
    },
    /** Resolves once no stored message waits to become a ticket's. */
    idle: () => inbox.idle(),
    /** Messages stored and not yet a ticket's, for /healthz. */
    backlog: () => inbox.backlog(),
  };
}

export type ChatChannel = ReturnType<typeof createChatChannel>;
