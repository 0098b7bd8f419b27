import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, type CustomRoute } from '@slack/bolt';
import { WebClient, type RetryOptions } from '@slack/web-api';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import { boltLogger } from '../logger.js';
import { createChannelStore } from '../store/channel-store.js';
import { connectDb, dbKind, pingDb, type Db } from '../store/db.js';
import { createRoutingStore } from '../store/routing-store.js';
import { createTemplateStore } from '../store/template-store.js';
import { createTicketStore } from '../store/ticket-store.js';
import { createOutboxStore, type ClaimedDelivery } from '../store/outbox-store.js';
import type { DeliveryIntent } from './delivery-intents.js';
import { createCsatStore } from '../store/csat-store.js';
import { createDigestStore } from '../store/digest-store.js';
import { createServiceLevelStore } from '../store/service-level-store.js';
import { createKeyedLock } from '../ingest/keyed-lock.js';
import type { BotContext } from './bot-context.js';
import { createDirectory } from './directory.js';
import { registerListeners } from './listeners/register.js';
import { createBotMetrics, observedFetch } from './metrics.js';
import { createDeliveryExecutor } from './delivery-executors.js';
import { EventsAfterWriteReceiver } from './events-after-write-receiver.js';
import { createDeliveryWorker } from './delivery-worker.js';
import { applyAfterReply } from './listeners/reply-modal.js';
import { createReplyPresence } from './reply-presence.js';
import { createReplayGuard, SIGNATURE_WINDOW_MS } from './replay-guard.js';
import { createSignatureStore } from '../store/signature-store.js';
import { slackFetch } from './slack-fetch.js';
import { createSlackSender } from './slack-sender.js';
import { createTicketPublisher, ingestDeliveries } from './ticket-publisher.js';
import { createDigestScheduler } from '../reports/digest-schedule.js';
import { postDigest } from './post-digest.js';
import { createSlaWatch } from './sla-watch.js';

export interface BotOptions {
  config: Config;
  db: Db;
  logger: Logger;
  clock: Clock;
  /** Web API retries. The library default retries 5xx for about half an hour; we give up much sooner. */
  retryConfig?: RetryOptions;
}

export interface Bot {
  app: App;
  context: BotContext;
  /** Starts HTTP (or Socket Mode); returns the port listened on in HTTP mode. */
  start(port?: number): Promise<number | null>;
  stop(): Promise<void>;
  /** Resolves once no Slack request is being processed and the outbox is empty (tests and the demo wait on it). */
  whenIdle(): Promise<void>;
  /** Scheduled work, exposed so tests and the demo can run a firing or a check at a chosen moment. */
  digests: ReturnType<typeof createDigestScheduler>;
  sla: ReturnType<typeof createSlaWatch>;
}

export async function createBot(options: BotOptions): Promise<Bot> {
  const { config, db, logger, clock } = options;
  const metrics = createBotMetrics();
  const routes: CustomRoute[] = [
    {
      path: '/healthz',
      method: ['GET'],
      handler: async (_req, res) => {
        const ok = await pingDb(db);
        const backlog = ok ? await outbox.backlog().catch(() => null) : null;
        const delivery = backlog && { pending: backlog.pending, oldestSeconds: backlog.oldestAt === null ? 0 : Math.round((Date.now() - backlog.oldestAt) / 100) / 10, failed: backlog.failed };
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ok, delivery }));
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: async (_req, res) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.registry.metrics());
      },
    },
  ];
  const socketMode = config.appToken !== null;
  const app = new App({
    token: config.botToken,
    ...(socketMode
      ? { socketMode: true, appToken: config.appToken ?? undefined, customRoutes: routes }
      : {
          receiver: new EventsAfterWriteReceiver(new HTTPReceiver({
            signingSecret: config.signingSecret ?? '',
            customRoutes: routes,
            logger: countingRefusals(boltLogger(logger), metrics.rejected),
            // Slack's payloads are a few KB (a view with long text fields, some tens): anything bigger is refused
            // with 413 while it is being read, before it is parsed or its signature checked.
            bodyLimit: REQUEST_BODY_LIMIT,
            // The signature, so a replayed request can be told apart (see replay-guard.ts).
            customPropertiesExtractor: (req) => ({ slackSignature: req.headers['x-slack-signature'] ?? null, slackRetryNum: req.headers['x-slack-retry-num'] ?? null }),
          })),
        }),
    logger: boltLogger(logger),
    // Bolt's default conversation store keeps a timer per conversation; we keep our own state in the database.
    convoStore: false,
    clientOptions: { slackApiUrl: config.slackApiUrl, fetch: observedFetch(slackFetch, metrics), retryConfig: options.retryConfig ?? { retries: 3, factor: 2, minTimeout: 250, maxTimeout: 2000 }, timeout: 10_000 },
  });

  // SQLite has one connection per pool: reports (seconds on a large history) read on a connection of their
  // own, so they never hold up ingest. WAL lets that reader run beside the bot's writes.
  const ownReportDb = dbKind(config.databaseUrl) === 'sqlite' && !config.databaseUrl.includes(':memory:');
  const reportDb = ownReportDb ? connectDb(config.databaseUrl, { forReports: true }) : db;
  const tickets = createTicketStore(db, () => worker.wake());
  // SQLite: the delivery worker works on a connection of its own, so its reads (cards are drawn from the stored
  // ticket) and its small writes run beside ingest instead of queueing on ingest's one connection.
  const deliveryDb = ownReportDb ? connectDb(config.databaseUrl) : db;
  const outbox = createOutboxStore(deliveryDb);
  const channels = createChannelStore(db);
  const templates = createTemplateStore(db);
  const routing = createRoutingStore(db);
  const directory = createDirectory(app.client, { agentIds: config.agentIds, adminIds: config.adminIds });
  const sender = createSlackSender(app.client);
  metrics.watchDeliveries(outbox);
  const replying = createReplyPresence(() => clock.now());
  const publisher = createTicketPublisher(tickets);
  const context: BotContext = {
    tickets,
    channels,
    templates,
    routing,
    replying,
    clock,
    logger,
    sender,
    directory,
    publisher,
    useCaseDeps: {
      tickets,
      channels,
      clock,
      routing,
      isAgent: (user, triage) => directory.isAgent(user, triage),
      agentPool: (triage) => directory.agentPool(triage),
      show: {
        created: (ticket, message) => {
          metrics.ticketsCreated.inc();
          return ingestDeliveries.created(ticket, message);
        },
        appended: ingestDeliveries.appended,
      },
    },
    ingestLock: createKeyedLock(),
    reportDb,
    serviceLevels: createServiceLevelStore(db),
    csat: createCsatStore(db),
    digests: createDigestStore(db),
    outbox,
  };

  // SQLite serves one process, whose memory is enough; on PostgreSQL every instance must recognise a replay.
  ignoreReplays(app, logger, metrics.rejected, clock, dbKind(config.databaseUrl) === 'postgres' ? createSignatureStore(db) : null);
  const idle = trackInFlight(app, metrics.requests);
  app.error(async (error) => {
    metrics.errors.inc();
    logger.error({ err: error.original ?? error, code: error.code }, 'unhandled error in a Slack listener');
  });
  registerListeners(app, context);
  const digestScheduler = createDigestScheduler({
    digests: context.digests,
    timeZone: (teamId) => channels.timeZone(teamId),
    post: (digest, period, late) =>
      postDigest(digest.teamId, digest.channelId, period, late, context).then(
        () => metrics.digestRuns.inc({ outcome: late ? 'late' : 'posted' }),
        (err: unknown) => {
          metrics.digestRuns.inc({ outcome: 'failed' });
          throw err;
        },
      ),
    now: () => clock.now(),
    logger,
  });
  context.digestPlanner = digestScheduler;
  const slaWatch = createSlaWatch(context);

  // Deliveries go through a client that never retries by itself: the worker decides (Retry-After, backoff).
  const deliveryClient = new WebClient(config.botToken, {
    slackApiUrl: config.slackApiUrl,
    fetch: observedFetch(slackFetch, metrics),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    logger: boltLogger(logger),
  });
  const worker = createDeliveryWorker({
    outbox,
    logger,
    owner: `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    rateScale: config.slackRateScale,
    recoverAbandonedAtStart: dbKind(config.databaseUrl) === 'sqlite',
    onOutcome: (kind, outcome) => metrics.deliveries.inc({ kind, outcome }),
    onGiveUp: (delivery, error) => tellReplyAuthor(delivery, error, context),
    execute: createDeliveryExecutor({
      sender: createSlackSender(deliveryClient),
      tickets: deliveryDb === db ? tickets : createTicketStore(deliveryDb, () => worker.wake()),
      csat: context.csat,
      outbox,
      directory,
      logger,
      useCaseDeps: context.useCaseDeps,
      replying,
      slaDue: (ticket) => slaWatch.dueText(ticket),
      afterReply: (ticketId, agentId, after) => applyAfterReply(ticketId, agentId, after, context),
    }),
  });

  return {
    app,
    context,
    async start(port = config.port) {
      await seedChannels(config, context, app);
      const server = (await app.start(port)) as Server | undefined;
      worker.start();
      // Schedules start after the endpoint is up; a digest missed while down is posted now (late).
      await digestScheduler.start().catch((err) => logger.error({ err }, 'digest schedules could not start'));
      slaWatch.start();
      const address = server?.address?.() as AddressInfo | null | undefined;
      return address ? address.port : null;
    },
    async stop() {
      digestScheduler.stop();
      slaWatch.stop();
      await app.stop();
      // Requests already taken finish (they record deliveries), then the Slack calls already made; the rest of
      // the outbox waits for the next start or another instance.
      await idle();
      await worker.stop();
      if (ownReportDb) await Promise.all([reportDb.destroy(), deliveryDb.destroy()]);
    },
    digests: digestScheduler,
    sla: slaWatch,
    async whenIdle() {
      // Listeners first (they may queue deliveries), then the deliveries they queued.
      await idle();
      await worker.idle();
    },
  };
}

/** An agent whose public reply Slack refused for good hears it, with their text, so it is not lost to them. */
async function tellReplyAuthor(delivery: ClaimedDelivery, error: string, ctx: BotContext): Promise<void> {
  const intent = delivery.payload as DeliveryIntent;
  if (intent.kind !== 'public_reply') return;
  const ticket = await ctx.tickets.byId(intent.ticketId);
  if (!ticket) return;
  const text = `:warning: Your reply to #${ticket.number} could not be posted in the customer's thread (Slack said \`${error}\`). Your text was:\n${intent.text}`;
  await ctx.sender.ephemeral(ticket.triageChannelId, intent.agentId, text, ticket.cardTs ?? undefined);
}

/** Request bodies above this are refused (413) while being read. */
export const REQUEST_BODY_LIMIT = 1024 * 1024;

/**
 * A signed request seen before is acknowledged and dropped. Slack's own retries of an event are told apart by
 * their retry number (the header is not signed, but events are stored once per message anyway); commands and
 * clicks are never retried by Slack, so for them the signature alone decides, whatever the headers say.
 */
function ignoreReplays(app: App, logger: Logger, rejected: ReturnType<typeof createBotMetrics>['rejected'], clock: Clock, signatures: ReturnType<typeof createSignatureStore> | null): void {
  // The memory answers a repeat to this process without a query; the table catches one sent to another instance.
  const guard = createReplayGuard(() => clock.now());
  app.use(async ({ context, body, ack, next }) => {
    const signature = context.slackSignature as string | null | undefined;
    if (!signature) return next(); // Socket Mode: no signature, and nothing to replay over HTTP
    const isEvent = (body as { type?: string }).type === 'event_callback';
    const key = `${signature}:${isEvent ? ((context.slackRetryNum as string | null) ?? '') : ''}`;
    const now = clock.now();
    if (isEvent && !guard.seen(key) && !(await signatures?.seen(key, now))) {
      // An event counts as seen once it is stored: the same request sent again because the instance that had it
      // died first (a load balancer trying the next one) must go through. Events are stored once per message anyway.
      await next();
      guard.remember(key);
      await signatures?.remember(key, now + SIGNATURE_WINDOW_MS);
      return;
    }
    // Commands and clicks are not idempotent: they count as seen from the moment they arrive.
    if (!isEvent && guard.firstSight(key) && (!signatures || (await signatures.firstSight(key, now, now + SIGNATURE_WINDOW_MS)))) return next();
    rejected.inc({ reason: 'replay' });
    logger.warn({ kind: isEvent ? 'event' : 'interaction' }, 'a replayed Slack request (same signature and timestamp) was ignored');
    if (ack) await ack();
  });
}

/**
 * Bolt's receiver refuses a bad signature (401) or an oversized body (413) before any middleware runs, and only
 * logs it: its log lines are counted as rejected requests.
 */
function countingRefusals(log: ReturnType<typeof boltLogger>, rejected: ReturnType<typeof createBotMetrics>['rejected']): ReturnType<typeof boltLogger> {
  return {
    ...log,
    warn: (...msgs: unknown[]) => {
      const text = msgs.map(String).join(' ');
      if (text.includes('Failed to parse and verify')) rejected.inc({ reason: 'signature' });
      else if (text.includes('exceeded the maximum allowed size')) rejected.inc({ reason: 'too_large' });
      log.warn(...msgs);
    },
  };
}

/** Counts requests in flight through every listener, so callers can wait until the bot has finished its work. */
function trackInFlight(app: App, requests: ReturnType<typeof createBotMetrics>['requests']): () => Promise<void> {
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  app.use(async ({ body, next }) => {
    inFlight += 1;
    requests.inc({ kind: String((body as { type?: string; command?: string }).command ? 'command' : ((body as { type?: string }).type ?? 'unknown')) });
    try {
      await next();
    } finally {
      inFlight -= 1;
      if (inFlight === 0) {
        const ready = waiters;
        waiters = [];
        ready.forEach((resolve) => resolve());
      }
    }
  });
  return () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)));
}

/** The bootstrap variables seed the channel settings; later changes in Slack (/helpdesk connect) win. */
async function seedChannels(config: Config, ctx: BotContext, app: App): Promise<void> {
  if (!config.triageChannel) return;
  const { team_id: teamId } = await app.client.auth.test();
  if (!teamId) return;
  if (!(await ctx.channels.defaultTriage(teamId))) await ctx.channels.setDefaultTriage(teamId, config.triageChannel);
  for (const channel of config.intakeChannels) {
    if (!(await ctx.channels.intake(channel))) await ctx.channels.connect(teamId, channel, config.triageChannel, ctx.clock.now());
  }
}
