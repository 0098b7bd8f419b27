import type { OrderStore } from '../store/order-store.js';
import { orderCardText, orderOfTicket } from './ticket-order.js';
import type { Logger } from 'pino';
import type { Ticket, TicketMessage } from '../domain/ticket.js';
import { slackToPlain } from '../ingest/slack-text.js';
import type { ChatStore } from '../store/chat-store.js';
import { isActive } from '../domain/ticket.js';
import { CHAT_CHANNEL } from '../domain/intake-channel.js';
import { replyTarget } from './reply-target.js';
import type { CsatStore } from '../store/csat-store.js';
import type { ClaimedDelivery, OutboxStore } from '../store/outbox-store.js';
import type { TicketStore } from '../store/ticket-store.js';
import type { TicketDeps } from '../tickets/ticket-action.js';
import { recordAutomatedReply } from '../tickets/record-automated-reply.js';
import { recordPublicReply } from '../tickets/record-public-reply.js';
import { buildTicketCard } from './blocks/ticket-card.js';
import { PermanentDeliveryError } from './delivery-errors.js';
import { mailReply } from './email/mail-reply.js';
import { surveyChatText, surveyMailText } from './survey-page.js';
import { mintReplyToken, ourMessageId, replyAddress, replySubject } from '../ingest/email/email-threading.js';
import type { MailSender } from './email/mail-sender.js';
import { buildMirror, buildPublicReply, buildReplySent, type SlackPost } from './blocks/thread-messages.js';
import { deliver, type DeliveryIntent } from './delivery-intents.js';
import type { Directory } from './directory.js';
import { ASSIGN_REACTION, SOLVE_REACTION } from './ids.js';
import type { ReplyPresence } from './reply-presence.js';
import type { SlackSender } from './slack-sender.js';
import { escapeMrkdwn, inertMrkdwn, person, truncate } from './slack-text.js';
import { withMentionNames, withSubjectNames } from './mention-names.js';
import type { ChannelStore } from '../store/channel-store.js';
import { webhookReply } from './api/webhook-reply.js';

export interface ExecutorDeps {
  /** A sender whose client does not retry: the worker decides when to try again. */
  sender: SlackSender;
  tickets: TicketStore;
  csat: CsatStore;
  outbox: OutboxStore;
  directory: Directory;
  logger: Logger;
  useCaseDeps: TicketDeps;
  replying?: ReplyPresence;
  /** The card's "SLA due" text. */
  slaDue?: (ticket: Ticket) => Promise<string>;
  /** Sends the public replies of email tickets (null: no relay configured, such replies fail with a note). */
  mailer?: MailSender | null;
  /** Intake API tickets: where their replies go (the source's reply URL), and the secret that signs them. */
  channels?: Pick<ChannelStore, 'intake' | 'intakeChannels'>;
  /** Chat visitors: whether a reply was shown, and where to mail it when it was not. */
  chats?: Pick<ChatStore, 'byKey' | 'mailToken'>;
  /** How long a chat reply may go unseen before it is mailed (THREADDESK_CHAT_EMAIL_AFTER_SECONDS). */
  chatUnseenMs?: number;
  /** The bot's public base URL: survey links outside Slack point to it. */
  publicUrl?: string;
  apiSecret?: string | null;
  /** A reply on a chat ticket was recorded: the visitor's open widgets show it (by the visitor key). */
  chatReplied?: (visitorKey: string) => Promise<void>;
  /** The shops' orders: the card shows the ticket's. */
  orders?: Pick<OrderStore, 'byNumber' | 'ofCustomer'>;
  /** A Slack requester becomes a customer by their profile's address as their ticket's card is first posted. */
  slackCustomer?: (ticket: Ticket) => Promise<Ticket>;
  now?: () => number;
  /** A reply sent with "and set pending / close": the status change follows the recorded reply. */
  afterReply?: (ticketId: number, agentId: string, after: 'pending' | 'close') => Promise<void>;
}

/** A claimed delivery; `ready()` must be awaited right before its Slack write (it waits for the rate-limit slot). */
export type PacedDelivery = ClaimedDelivery & { ready(): Promise<void> };

/** Does one delivery: the Slack call(s) its intent stands for, and the records that follow from them. */
export type DeliveryExecutor = (delivery: PacedDelivery) => Promise<void>;

export function createDeliveryExecutor(deps: ExecutorDeps): DeliveryExecutor {
  const { sender, tickets } = deps;
  // The status reactions last put on each ticket's first message, so an unchanged status costs no API call.
  const mirroredStatus = new Map<number, string>();

  /**
   * Posts once: when an earlier attempt may have reached Slack (a crash or a lost answer), the channel is read
   * back first, and the message found there (by its delivery id) counts as posted.
   */
  async function postOnce(delivery: PacedDelivery, channel: string, post: SlackPost, threadTs?: string): Promise<string> {
    if (delivery.uncertain) {
      await delivery.ready(); // the look-up counts against the channel's pace like the post it may replace
      const found = await sender.findDelivered(channel, threadTs, delivery.id, delivery.createdAt);
      if (found) {
        deps.logger.info({ delivery: delivery.id, kind: delivery.kind }, 'delivery found already posted after an interrupted attempt; not posting again');
        return found;
      }
    }
    await delivery.ready();
    return sender.post(channel, post, threadTs, delivery.id);
  }

  const now = deps.now ?? Date.now;

  /** Mails a reply of an email ticket (waiting for the mailbox's pace first); returns its Message-ID. */
  async function sendMail(d: PacedDelivery, ticket: Ticket, text: string, fromName: string | null, automatic: boolean): Promise<string> {
    await d.ready();
    return mailReply({ ticket, deliveryId: d.id, text, fromName, automatic }, { tickets, mailer: deps.mailer ?? null });
  }

  /** A reply that leaves Slack: mailed (email), or POSTed to the source's reply URL (intake API). Returns its id. */
  async function sendOutside(d: PacedDelivery, ticket: Ticket, text: string, fromName: string | null, automatic: boolean): Promise<string> {
    if (ticket.originKind === 'email') return sendMail(d, ticket, text, fromName, automatic);
    // Chat: the reply is the recorded message itself; the widget is told once it is stored (chatReplied).
    if (ticket.originKind === 'chat') return `td-reply-${d.id}`;
    if (ticket.originKind !== 'api') throw new PermanentDeliveryError(`replies to ${ticket.originKind} tickets cannot be sent yet`);
    await d.ready();
    if (!deps.channels) throw new PermanentDeliveryError('replies to API tickets are not wired up');
    return webhookReply({ ticket, deliveryId: d.id, text, agentName: fromName, automatic }, { channels: deps.channels, secret: deps.apiSecret ?? null, now });
  }

  async function ticketOf(id: number): Promise<Ticket> {
    const ticket = await tickets.byId(id);
    if (!ticket) throw new Error(`ticket ${id} not found`);
    return ticket;
  }

  async function renderCard(ticket: Ticket) {
    const [firstMessage, fields] = await Promise.all([tickets.firstMessage(ticket.id), tickets.fields(ticket.id)]);
    const slaDue = deps.slaDue ? await deps.slaDue(ticket).catch(() => '—') : '—';
    const order = deps.orders ? await orderOfTicket(ticket, fields, firstMessage?.text ?? '', deps.orders) : null;
    // Mentions show people's names (looked up now, when the card is drawn; never while the message is stored).
    const [named, quoted] = await Promise.all([withSubjectNames(ticket, deps.directory), firstMessage && withMentionNames(firstMessage, deps.directory)]);
    return buildTicketCard({ ticket: named, firstMessage: quoted, fields, slaDue, order: order && orderCardText(order), replying: deps.replying?.of(ticket.id).map((r) => r.agentId) ?? [] });
  }

  /** The ticket's card ts, posting the card first if it has none (its post failed or has not happened yet). */
  /** The bytes a delivery uploads: kept beside it, or (rows recorded before delivery_files) in its payload. */
  async function fileOf(d: PacedDelivery, base64: string | undefined): Promise<Buffer> {
    if (base64 !== undefined) return Buffer.from(base64, 'base64');
    const bytes = await deps.outbox.file(d.id);
    if (!bytes) throw new PermanentDeliveryError('the file to upload is no longer stored');
    return bytes;
  }

  async function ensureCard(delivery: PacedDelivery, known: Ticket): Promise<string> {
    if (known.cardTs) return known.cardTs;
    const ticket = deps.slackCustomer
      ? await deps.slackCustomer(known).catch((err: unknown) => {
          deps.logger.warn({ err: (err as Error).message, ticket: known.number }, 'the Slack requester could not be linked to a customer; the card is posted without');
          return known;
        })
      : known;
    const firstTs = (await tickets.firstMessage(ticket.id))?.ts ?? ticket.originTs;
    const originPermalink = ticket.originPermalink ?? (ticket.originKind === 'slack' ? await sender.permalink(ticket.originChannelId, firstTs, ticket.originTs) : null);
    const ts = await postOnce(delivery, ticket.triageChannelId, await renderCard({ ...ticket, originPermalink }));
    await tickets.setCardTs(ticket.id, ts, originPermalink ?? undefined);
    return ts;
  }

  async function inTriageThread(delivery: PacedDelivery, ticketId: number, post: SlackPost): Promise<string> {
    const ticket = await ticketOf(ticketId);
    return postOnce(delivery, ticket.triageChannelId, post, await ensureCard(delivery, ticket));
  }

  async function statusReactions(d: PacedDelivery, ticket: Ticket): Promise<void> {
    if (ticket.originKind !== 'slack') return; // a mail has no reactions
    const working = isActive(ticket.status) && (ticket.assigneeId !== null || ticket.status !== 'new');
    const solved = !isActive(ticket.status);
    const state = `${working}:${solved}`;
    if (mirroredStatus.get(ticket.id) === state) return;
    const first = await tickets.firstMessage(ticket.id);
    if (!first) return;
    await d.ready();
    for (const [name, wanted] of [[ASSIGN_REACTION, working], [SOLVE_REACTION, solved]] as const) {
      // A brand-new ticket has no status reactions to take away.
      if (!wanted && !mirroredStatus.has(ticket.id) && ticket.status === 'new') continue;
      await (wanted ? sender.react(first.channelId, first.ts, name) : sender.unreact(first.channelId, first.ts, name));
    }
    mirroredStatus.set(ticket.id, state);
  }

  const run: { [K in DeliveryIntent['kind']]: (d: PacedDelivery, intent: Extract<DeliveryIntent, { kind: K }>) => Promise<void> } = {
    async card(d, { ticketId }) {
      const ticket = await ticketOf(ticketId);
      if (!ticket.cardTs) return void (await ensureCard(d, ticket));
      // A card is drawn from the stored ticket: when another update waits behind this one, that one draws it.
      if (await deps.outbox.supersededBy(d)) return;
      const card = await renderCard(ticket);
      await d.ready();
      await sender.update(ticket.triageChannelId, ticket.cardTs, card);
    },
    async status_reactions(d, { ticketId }) {
      await statusReactions(d, await ticketOf(ticketId));
    },
    async react(d, { channel, ts, name }) {
      await d.ready();
      await sender.react(channel, ts, name);
    },
    async mirror(d, { ticketId, messageId }) {
      const message = await tickets.messageById(messageId);
      if (!message || message.ticketId !== ticketId || message.mirrorTs) return; // merged away, or already mirrored
      await tickets.setMirrorTs(message.id, await inTriageThread(d, ticketId, buildMirror(await withMentionNames(message, deps.directory))));
    },
    async mirror_update(d, { ticketId, messageId }) {
      const ticket = await ticketOf(ticketId);
      const message = await tickets.messageById(messageId);
      if (message?.mirrorTs) {
        const mirror = buildMirror(await withMentionNames(message, deps.directory));
        await d.ready();
        await sender.update(ticket.triageChannelId, message.mirrorTs, mirror);
      } else await run.card(d, { kind: 'card', ticketId }); // the first message is shown on the card
    },
    async triage_post(d, { ticketId, post }) {
      await inTriageThread(d, ticketId, post);
    },
    async public_reply(d, { ticketId, agentId, text, after }) {
      const ticket = await ticketOf(ticketId);
      const agent = await deps.directory.user(agentId);
      // The channel the customer wrote on last (on a ticket others were merged into, maybe not its own origin).
      const target = await replyTarget(ticket, tickets);
      const outside = target.originKind !== 'slack';
      const ts = outside ? await sendOutside(d, target, text, agent.name, false) : await postOnce(d, target.originChannelId, buildPublicReply(text, agent.name), target.originTs);
      // The reply's record, its line in the triage thread and the card update are written together.
      const show = (updated: Ticket, message: TicketMessage) => [
        deliver.triagePost(updated, buildReplySent(updated, agentId, text)),
        deliver.card(updated),
        ...(target.originKind === 'chat' ? [deliver.chatOfflineMail(updated, message, deps.chatUnseenMs ?? 120_000)] : []),
      ];
      await recordPublicReply({ ticket, agentId, text, channelId: target.originChannelId, threadTs: target.originTs, ts, ...(outside ? { sentAt: now() } : {}), show }, deps.useCaseDeps);
      if (target.originKind === 'chat') await deps.chatReplied?.(target.originTs);
      if (after) await deps.afterReply?.(ticketId, agentId, after);
    },
    async automated_reply(d, { ticketId, text }) {
      const ticket = await ticketOf(ticketId);
      if (ticket.originKind !== 'slack') {
        const messageId = await sendOutside(d, ticket, text, null, true);
        await recordAutomatedReply(ticket, ticket.originChannelId, messageId, text, deps.useCaseDeps, now());
        if (ticket.originKind === 'chat') await deps.chatReplied?.(ticket.originTs);
        return;
      }
      const ts = await postOnce(d, ticket.originChannelId, { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } }] }, ticket.originTs);
      await recordAutomatedReply(ticket, ticket.originChannelId, ts, text, deps.useCaseDeps);
    },
    async chat_offline_mail(d, { ticketId, messageId }) {
      const ticket = await ticketOf(ticketId);
      const message = await tickets.messageById(messageId);
      // The visitor the reply was written to (on a ticket a chat was merged into, not the ticket's origin).
      const visitorKey = message?.channelId === CHAT_CHANNEL && message.threadTs ? message.threadTs : ticket.originTs;
      const visitor = await deps.chats?.byKey(visitorKey);
      // Shown in an open widget meanwhile, or nowhere to mail it: nothing to do.
      if (!visitor || visitor.shownUpTo >= messageId || !visitor.email) return;
      const mailbox = (await deps.channels?.intakeChannels(ticket.teamId))?.find((c) => c.channelId.startsWith('email:'))?.channelId.slice('email:'.length);
      if (!message || !mailbox || !deps.mailer) {
        deps.logger.warn({ ticket: ticket.number, mailbox: mailbox ?? null, relay: Boolean(deps.mailer) }, 'a chat reply nobody saw could not be mailed: no mailbox is connected or no relay is configured');
        return;
      }
      const agent = message.userId ? await deps.directory.user(message.userId).catch(() => null) : null;
      // The visitor's reply token is in the Reply-To address and the Message-ID: their answer by mail joins this
      // conversation (ingest-email.ts), threaded under what they mailed before.
      const token = await deps.chats!.mailToken(visitorKey, mintReplyToken());
      const mailed = (await tickets.messages(ticket.id)).filter((m) => m.channelId.startsWith('email:') && m.visibility === 'public' && m.authorRole === 'requester');
      await d.ready();
      const result = await deps.mailer.send({
        from: { address: mailbox, name: agent?.name ?? null },
        to: visitor.email,
        replyTo: replyAddress(mailbox, token),
        subject: replySubject(ticket.subject, ticket.number),
        text: `${agent?.name ?? 'We'} replied to your chat${ticket.originSource ? ` on ${ticket.originSource}` : ''}:\n\n${slackToPlain(message.text)}\n\nOpen the chat on the page again to answer there, or answer this mail.`,
        messageId: ourMessageId(token, d.id, mailbox),
        ...(mailed.length > 0 ? { inReplyTo: mailed.at(-1)!.ts, references: mailed.map((m) => m.ts).slice(-20) } : {}),
      });
      if (!result.ok) {
        if (result.permanent) throw new PermanentDeliveryError(`the mail server refused it: ${result.error}`);
        throw new Error(`the mail server could not take it yet: ${result.error}`);
      }
    },
    async survey(d, { ticketId, post, ask }) {
      const ticket = await ticketOf(ticketId);
      if (ask) {
        // Reopened since (or solved again: that solve asks on its own), or marked as spam: not sent, nor counted.
        if (isActive(ticket.status) || ticket.solvedAt !== ask.solvedAt || ticket.discarded !== null) return;
        await deps.csat.sent(ticketId, ask.channelId, now(), ask.agentId, ask.token);
      }
      // Deliveries recorded before `ask` existed: the survey was recorded at the solve.
      const survey = ask ?? (await deps.csat.get(ticketId));
      if (!survey?.token) {
        if (ticket.originKind === 'slack') await deps.csat.posted(ticketId, await postOnce(d, ticket.originChannelId, post, ticket.originTs));
        return;
      }
      // A link (email, chat), sent where the survey was recorded as asked: the conversation the customer wrote in last.
      const target = await replyTarget(ticket, tickets);
      if (target.originChannelId !== survey.channelId || !deps.publicUrl) return; // she wrote elsewhere since; a later solve asks again
      const text = target.originKind === 'email' ? surveyMailText(ticket, deps.publicUrl, survey.token) : surveyChatText(ticket, deps.publicUrl, survey.token);
      const id = await sendOutside(d, target, text, null, true);
      await recordAutomatedReply(target, target.originChannelId, id, text, deps.useCaseDeps, now());
      if (target.originKind === 'chat') await deps.chatReplied?.(target.originTs);
    },
    async assignment_notice(d, { ticketId, assigneeId, actorId }) {
      const ticket = await ticketOf(ticketId);
      const link = await sender.permalink(ticket.triageChannelId, await ensureCard(d, ticket));
      const who = actorId ? `<@${actorId}> assigned you` : 'Routing assigned you';
      const { subject } = await withSubjectNames(ticket, deps.directory);
      await postOnce(d, assigneeId, { text: `:raising_hand: ${who} ticket <${link}|#${ticket.number} ${escapeMrkdwn(subject)}>.` });
    },
    async follower_notice(d, { ticketId, messageId }) {
      const ticket = await ticketOf(ticketId);
      const message = await tickets.messageById(messageId);
      const followers = (await tickets.followers(ticketId)).filter((id) => id !== message?.userId);
      if (!message || followers.length === 0) return;
      const link = await sender.permalink(ticket.triageChannelId, await ensureCard(d, ticket));
      const excerpt = truncate(inertMrkdwn((await withMentionNames(message, deps.directory)).text).replace(/\s+/g, ' '), 300);
      const { subject } = await withSubjectNames(ticket, deps.directory);
      // Several DMs in one delivery: a retry could repeat the first ones; they are notices, not replies.
      await d.ready();
      for (const follower of followers) {
        await sender.post(follower, { text: `:speech_balloon: ${person(message.userId)} wrote on <${link}|#${ticket.number} ${escapeMrkdwn(subject)}>: ${excerpt}` });
      }
    },
    async channel_post(d, { channel, post }) {
      await postOnce(d, channel, post);
    },
    async message_update(d, { channel, ts, post }) {
      await d.ready();
      await sender.update(channel, ts, post);
    },
    async attachment(d, { ticketId, filename, title, base64 }) {
      const ticket = await ticketOf(ticketId);
      const threadTs = await ensureCard(d, ticket);
      await d.ready();
      await sender.uploadFile({ channelId: ticket.triageChannelId, threadTs, filename, title, bytes: await fileOf(d, base64) });
    },
    async file_upload(d, { channel, filename, title, base64 }) {
      await d.ready();
      await sender.uploadFile({ channelId: channel, filename, title, bytes: await fileOf(d, base64) });
    },
  };

  return async (delivery) => {
    const intent = delivery.payload as DeliveryIntent;
    const step = run[intent.kind] as (d: PacedDelivery, intent: DeliveryIntent) => Promise<void>;
    if (!step) throw new PermanentDeliveryError(`unknown delivery kind ${intent.kind}`);
    await step(delivery, intent);
  };
}

export { PermanentDeliveryError };
