import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App } from '@slack/bolt';
import { WebClient, type RetryOptions } from '@slack/web-api';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import { boltLogger } from '../logger.js';
import { createCustomerStore } from '../store/customer-store.js';
import { createMailboxCursorStore } from '../store/mailbox-cursor-store.js';
import { createMailIntake, type MailIntake } from '../ingest/email/mail-intake.js';
import { mailboxChannel } from '../ingest/email/ingest-email.js';
import type { ImapPoller } from '../ingest/email/imap-poller.js';
import { createEmailDoors } from './email/email-channel.js';
import { emailIngestDeps } from './email/email-wiring.js';
import { createMailSender } from './email/mail-sender.js';
import { escapeMrkdwn } from './slack-text.js';
import { createChannelStore } from '../store/channel-store.js';
import { connectDb, dbKind, inboxDatabaseUrl, separatePool, type Db } from '../store/db.js';
import { migrateInbox } from '../store/migrate.js';
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
import { createEventInbox, type EventInbox, type InboxOutcome } from './event-inbox.js';
import { createMailSpool } from './email/mail-spool.js';
import { intakeApiRoutes } from './api/intake-api.js';
import { createOrderWebhooks } from './orders/order-webhooks.js';
import { createOrderStore } from '../store/order-store.js';
import { createSuggestionStore } from '../store/suggestion-store.js';
import { createSuggestionService } from '../suggest/suggestion-service.js';
import { createLearnedRouting } from '../suggest/routing-service.js';
import { createLlmRewriter } from '../suggest/llm-rewrite.js';
import { createRoutingHistoryStore } from '../store/routing-history-store.js';
import { createSlackCustomerLink } from './slack-customer.js';
import { createChatChannel, type ChatChannel } from './chat/chat-channel.js';
import { replyTarget } from './reply-target.js';
import { createChatStore } from '../store/chat-store.js';
import { createInboxStore } from '../store/inbox-store.js';
import { opsRoutes } from './http/ops-routes.js';
import { createSlackGate } from './http/slack-gate.js';
import { SlackHttpReceiver } from './http/slack-http-receiver.js';
import { GatedSocketModeReceiver } from './http/gated-socket-mode-receiver.js';
import { createAutoClose } from './auto-close.js';
import { trackInFlight } from './in-flight.js';
import { createDeliveryWorker } from './delivery-worker.js';
import { applyAfterReply } from './listeners/reply-modal.js';
import { createReplyPresence } from './reply-presence.js';
import { ignoreReplays } from './replay-guard.js';
import { createSignatureStore } from '../store/signature-store.js';
import { slackFetch } from './slack-fetch.js';
import { createSlackSender } from './slack-sender.js';
import { createTicketPublisher, ingestDeliveries } from './ticket-publisher.js';
import { createDigestScheduler } from '../reports/digest-schedule.js';
import { postDigest } from './post-digest.js';
import { createSlaWatch } from './sla-watch.js';
import { surveyRoutes } from './survey-page.js';

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
  /** Closes solved tickets after the quiet period (THREADDESK_CLOSE_AFTER_DAYS). */
  autoClose: ReturnType<typeof createAutoClose>;
  /** Stored Slack events (tests run `processDue` after moving the clock past a retry's delay). */
  inbox: EventInbox;
  /** The email channel: its intake (every door's), the SMTP listener's port once started, the IMAP poller. */
  email: { intake: MailIntake; smtpPort: number | null; poller: ImapPoller | null };
  /** The chat widget's server side (its open connections). */
  chat: ChatChannel;
}

export async function createBot(options: BotOptions): Promise<Bot> {
  const { config, db, logger, clock } = options;
  const metrics = createBotMetrics();
  const owner = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const socketMode = config.appToken !== null;
  // Events are stored (slack_inbox) before they are answered, then processed; see http/slack-gate.ts.
  // SQLite: the inbox is a file of its own, so an event's answer never waits for the database's one write lock
  // (a ticket's transaction, a report's temporary tables, another process); see inboxDatabaseUrl.
  const ownConnections = dbKind(config.databaseUrl) === 'sqlite' && !config.databaseUrl.includes(':memory:');
  const inboxUrl = inboxDatabaseUrl(config.databaseUrl);
  // PostgreSQL: the inbox writes on a pool of its own, so an event is stored without waiting for a connection that
  // ticket transactions hold (in-memory SQLite, for tests, keeps its one connection).
  const inboxDb = inboxUrl ? connectDb(inboxUrl) : dbKind(config.databaseUrl) === 'postgres' ? separatePool(db, 2) : db;
  if (inboxUrl) await migrateInbox(inboxDb);
  const inboxStore = createInboxStore(inboxDb);
  const routes = opsRoutes(db, metrics, { delivery: { backlog: () => outbox.backlog() }, inbox: inboxStore, mail: { backlog: () => mailSpool.backlog() }, chat: { backlog: () => chat.backlog() }, orders: { backlog: () => orderWebhooks.backlog() } });
  const clientOptions = { slackApiUrl: config.slackApiUrl, fetch: observedFetch(slackFetch, metrics), retryConfig: options.retryConfig ?? { retries: 3, factor: 2, minTimeout: 250, maxTimeout: 2000 }, timeout: 10_000 };
  const receiver = socketMode
    ? // Socket Mode serves the bot's HTTP routes (health, widget, intake API, survey page…) on the configured port.
      new GatedSocketModeReceiver({ appToken: config.appToken ?? '', logger: boltLogger(logger), installerOptions: { clientOptions } }, routes, logger)
    : new SlackHttpReceiver({
        signingSecret: config.signingSecret ?? '',
        logger,
        rejected: metrics.rejected,
        routes,
        // Slack's payloads are a few KB (a view with long text fields, some tens): anything bigger is refused
        // with 413 while it is being read, before it is parsed or its signature checked.
        bodyLimit: REQUEST_BODY_LIMIT,
      });
  const app = new App({
    token: config.botToken,
    receiver,
    socketMode,
    logger: boltLogger(logger),
    // Bolt's default conversation store keeps a timer per conversation; we keep our own state in the database.
    convoStore: false,
    clientOptions,
  });
  const inbox = createEventInbox({
    store: inboxStore,
    process: (body) => processStoredEvent(app, JSON.parse(body.toString())),
    clock,
    logger,
    owner,
    recoverAbandonedAtStart: dbKind(config.databaseUrl) === 'sqlite',
  });
  const gate = createSlackGate({ app, inbox, logger, rejected: metrics.rejected });
  receiver.useGate(gate);

  const customers = createCustomerStore(db);
  const mailer = config.email.smtpUrl ? createMailSender(config.email.smtpUrl) : null;
  // SQLite has one connection per pool: reports (seconds on a large history) read on a connection of their
  // own, so they never hold up ingest. WAL lets that reader run beside the bot's writes.
  const reportDb = ownConnections ? connectDb(config.databaseUrl, { forReports: true }) : db;
  const tickets = createTicketStore(db, () => worker.wake());
  // SQLite: the delivery worker works on a connection of its own, so its reads (cards are drawn from the stored
  // ticket) and its small writes run beside ingest instead of queueing on ingest's one connection.
  const deliveryDb = ownConnections ? connectDb(config.databaseUrl) : db;
  const outbox = createOutboxStore(deliveryDb);
  const channels = createChannelStore(db);
  const templates = createTemplateStore(db);
  const routing = createRoutingStore(db);
  const directory = createDirectory(app.client, { agentIds: config.agentIds, adminIds: config.adminIds });
  const sender = createSlackSender(app.client);
  metrics.watchDeliveries(outbox);
  metrics.watchInbox(inboxStore);
  // An agent opening the Reply modal on a ticket whose reply goes to a chat shows as "typing…" in the visitor's widget.
  const replying = createReplyPresence(() => clock.now(), undefined, (ticketId, on) => {
    void tickets
      .byId(ticketId)
      .then(async (ticket) => {
        const target = ticket && (await replyTarget(ticket, tickets));
        if (target?.originKind === 'chat') chat.typing(target.originTs, on);
      })
      .catch(() => undefined);
  });
  const publisher = createTicketPublisher(tickets);
  const orders = createOrderStore(db);
  const suggestions = createSuggestionService({
    store: createSuggestionStore(db, reportDb),
    templates: async (teamId) => (await templates.list(teamId)).map((t) => ({ name: t.name, body: t.body, uses: t.usageCount })),
    logger,
  });
  const learnedRouting = createLearnedRouting({ store: createRoutingHistoryStore(reportDb), logger });
  const context: BotContext = {
    suggestions,
    rewriteSuggestion: createLlmRewriter(config.llm, logger),
    tickets,
    customers,
    orders,
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
      learnedLabels: (teamId, text, waitMs) => learnedRouting.labelsFor(teamId, text, waitMs),
      show: {
        created: (ticket, message) => {
          metrics.ticketsCreated.inc();
          return ingestDeliveries.created(ticket, message);
        },
        appended: ingestDeliveries.appended,
      },
    },
    ingestLock: createKeyedLock(),
    apiSecretSet: config.email.apiSecret !== null,
    chatEnabled: config.chat.origins.length > 0,
    reportDb,
    serviceLevels: createServiceLevelStore(db),
    conversionDays: config.orders.conversionDays,
    csat: createCsatStore(db),
    digests: createDigestStore(db),
    outbox,
  };

  // SQLite serves one process, whose memory is enough; on PostgreSQL every instance must recognise a replay.
  ignoreReplays(app, { logger, rejected: metrics.rejected, now: () => clock.now(), shared: dbKind(config.databaseUrl) === 'postgres' ? createSignatureStore(db) : null });
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
  const chats = createChatStore(db);
  const mailIntake = createMailIntake({ channels, ingest: { ...emailIngestDeps(context), chatOfMailToken: (token) => chats.byMailToken(token) }, logger });
  // Mail taken by SMTP is stored in the inbox before its 250, like Slack's events before their 200.
  const mailSpool = createMailSpool({ db: inboxDb, intake: mailIntake, clock, logger, owner, recoverAbandonedAtStart: dbKind(config.databaseUrl) === 'sqlite' });
  const emailDoors = createEmailDoors({ config: config.email, intake: mailIntake, spool: mailSpool, cursors: createMailboxCursorStore(db), logger });
  routes.push(...emailDoors.routes);
  metrics.watchMailInbox(mailSpool);
  // The chat widget on the shop's website; off until THREADDESK_CHAT_ORIGINS names a site.
  const chat = createChatChannel({ config: config.chat, chats, channels, ingest: { ...context.useCaseDeps, customers }, lock: context.ingestLock, directory, clock, logger, inbox: { db: inboxDb, owner, recoverAbandonedAtStart: dbKind(config.databaseUrl) === 'sqlite' }, sharedCounters: dbKind(config.databaseUrl) === 'postgres' ? db : null });
  routes.push(...chat.routes);
  // The shops' order webhooks and the orders API; each route is off until its secret is set.
  const orderWebhooks = createOrderWebhooks({ config: config.orders, apiSecret: config.email.apiSecret, orders, homeTeam: () => directory.homeTeam(), inbox: { db: inboxDb, owner, recoverAbandonedAtStart: dbKind(config.databaseUrl) === 'sqlite' }, clock, logger,
    ordersChanged: async (customerId) => context.publisher.redrawCards((await tickets.activeOfCustomer(customerId)).filter((ticket) => ticket.cardTs)),
  });
  routes.push(...orderWebhooks.routes);
  // The intake API (web forms, marketplaces, other tools), signed with THREADDESK_API_SECRET; off without it.
  if (config.email.apiSecret) {
    const adoptSource = async (channelId: string) => {
      const teamId = await directory.homeTeam();
      const triage = await channels.defaultTriage(teamId);
      return triage ? channels.connect(teamId, channelId, triage, clock.now(), 'api') : null;
    };
    routes.push(...intakeApiRoutes({ secret: config.email.apiSecret, channels, adoptSource, ingest: { ...context.useCaseDeps, customers }, lock: context.ingestLock, clock, logger }));
  }
  // The satisfaction survey's page, for surveys sent by email or in the chat widget.
  routes.push(...surveyRoutes({ csat: context.csat, tickets, announce: (ticket, text) => context.publisher.announce(ticket, text), now: () => clock.now(), logger }));
  const email: Bot['email'] = { intake: mailIntake, smtpPort: null, poller: emailDoors.poller };
  const slaWatch = createSlaWatch(context);
  const autoClose = createAutoClose(context, config.closeAfterDays);

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
    owner,
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
      mailer,
      channels,
      apiSecret: config.email.apiSecret,
      chatReplied: (visitorKey) => chat.notify(visitorKey),
      chats,
      chatUnseenMs: config.chat.unseenMs,
      publicUrl: config.chat.publicUrl,
      orders: deliveryDb === db ? orders : createOrderStore(deliveryDb),
      slackCustomer: createSlackCustomerLink({ customers, orders, tickets, directory, now: () => clock.now() }),
      now: () => clock.now(),
    }),
  });

  let stopped = false;
  return {
    app,
    context,
    async start(port = config.port) {
      // Who the bot is, before the first request: the gate drops the bot's own posts echoed back without storing them.
      gate.knowSelf(await directory.identity().catch(() => null));
      await seedChannels(config, context);
      await seedMailboxes(config, context);
      const started = (await app.start(port)) as Server | undefined;
      const server = receiver instanceof GatedSocketModeReceiver ? (receiver.routeServer ?? undefined) : started;
      await chat.start(server);
      await orderWebhooks.start();
      // Events stored but not processed by an earlier run are processed now.
      await inbox.start();
      worker.start();
      // Schedules start after the endpoint is up; a digest missed while down is posted now (late).
      await digestScheduler.start().catch((err) => logger.error({ err }, 'digest schedules could not start'));
      slaWatch.start();
      autoClose.start();
      await mailSpool.start();
      email.smtpPort = (await emailDoors.start()).smtpPort;
      const address = server?.address?.() as AddressInfo | null | undefined;
      return address ? address.port : null;
    },
    async stop() {
      if (stopped) return; // a second stop (a test's restart, then its teardown) has nothing left to do
      stopped = true;
      digestScheduler.stop();
      slaWatch.stop();
      autoClose.stop();
      await emailDoors.stop();
      await chat.stop();
      await orderWebhooks.stop();
      await mailSpool.stop();
      await app.stop();
      // Requests already taken finish (they record deliveries), then the Slack calls already made; the rest of
      // the outbox waits for the next start or another instance, and so do stored events not yet processed.
      await inbox.stop();
      await idle();
      await worker.stop();
      if (ownConnections) await Promise.all([reportDb.destroy(), deliveryDb.destroy()]);
      if (inboxDb !== db) await inboxDb.destroy();
      mailer?.close();
    },
    digests: digestScheduler,
    sla: slaWatch,
    autoClose,
    inbox,
    email,
    chat,
    async whenIdle() {
      // Stored mails and events first, then the listeners (they may queue deliveries), then the deliveries they queued.
      await mailSpool.idle();
      await chat.idle();
      await orderWebhooks.idle();
      await inbox.idle();
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
  if (ticket.originKind === 'email' || ticket.originKind === 'api') {
    // Shown on the ticket for everyone, and to the agent with their text.
    const how = ticket.originKind === 'email' ? 'mailed' : 'sent to the customer\'s channel';
    await ctx.publisher.announce(ticket, `:warning: <@${intent.agentId}>'s reply to #${ticket.number} could not be ${how}: ${escapeMrkdwn(error)}`);
    await ctx.sender.ephemeral(ticket.triageChannelId, intent.agentId, `:warning: Your reply to #${ticket.number} could not be ${how} (${escapeMrkdwn(error)}). Your text was:\n${intent.text}`, ticket.cardTs ?? undefined);
    return;
  }
  const text = `:warning: Your reply to #${ticket.number} could not be posted in the customer's thread (Slack said \`${error}\`). Your text was:\n${intent.text}`;
  await ctx.sender.ephemeral(ticket.triageChannelId, intent.agentId, text, ticket.cardTs ?? undefined);
}

/** Request bodies above this are refused (413) while being read. */
export const REQUEST_BODY_LIMIT = 1024 * 1024;

/**
 * Runs the listeners on an event taken from the inbox. Its HTTP answer went out when it was stored; a listener
 * that could not store what the event says (the database is unreachable…) calls `context.retryLater`, and the
 * event is tried again later.
 */
async function processStoredEvent(app: App, body: unknown): Promise<InboxOutcome> {
  let failure: unknown = null;
  await app.processEvent({
    body: body as Record<string, unknown>,
    ack: async () => undefined,
    customProperties: { retryLater: (reason: unknown) => void (failure = reason ?? new Error('retry requested')) },
  });
  return failure === null ? { retry: false } : { retry: true, error: String((failure as Error)?.message ?? failure) };
}

/** The bootstrap variables seed the channel settings; later changes in Slack (/helpdesk connect) win. */
async function seedChannels(config: Config, ctx: BotContext): Promise<void> {
  if (!config.triageChannel) return;
  const { teamId } = await ctx.directory.identity();
  if (!(await ctx.channels.defaultTriage(teamId))) await ctx.channels.setDefaultTriage(teamId, config.triageChannel);
  for (const channel of config.intakeChannels) {
    if (!(await ctx.channels.intake(channel))) await ctx.channels.connect(teamId, channel, config.triageChannel, ctx.clock.now());
  }
}

/** THREADDESK_EMAIL_INBOXES: mailboxes connected at start unless already connected (then Slack's settings win). */
async function seedMailboxes(config: Config, ctx: BotContext): Promise<void> {
  if (config.email.inboxes.length === 0) return;
  const { teamId } = await ctx.directory.identity();
  for (const inbox of config.email.inboxes) {
    const channelId = mailboxChannel(inbox.address);
    if (!(await ctx.channels.intake(channelId))) await ctx.channels.connect(teamId, channelId, inbox.triageChannelId, ctx.clock.now(), 'email');
  }
}
