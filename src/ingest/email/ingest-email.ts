import { emailRequester } from '../../domain/customer.js';
import { CHAT_CHANNEL } from '../../domain/intake-channel.js';
import { isPleasantry } from '../../domain/pleasantry.js';
import type { Ticket, TicketMessage } from '../../domain/ticket.js';
import type { IntakeChannel } from '../../store/channel-store.js';
import type { NewDelivery } from '../../store/outbox-store.js';
import { appendMessage, type AppendedMessage } from '../append-message.js';
import type { IngestDeps } from '../ingest-deps.js';
import type { InboundMessage } from '../inbound-message.js';
import type { CustomerPort, TicketTxPort } from '../ports.js';
import { subjectFrom } from '../slack-text.js';
import { baseAddress, mintReplyToken, subjectTicketNumber, tokenOfAddress, tokenOfMessageId } from './email-threading.js';
import type { MailAttachment, ParsedEmail } from './parsed-email.js';
import { survivor } from '../survivor.js';

export interface EmailIngestDeps extends IngestDeps {
  customers: CustomerPort;
  /** What Slack should show for a mail's attachments (uploaded into the ticket's triage thread). */
  showAttachments?(ticket: Ticket, attachments: MailAttachment[]): NewDelivery[];
  /** An internal note on a ticket (a bounce of our reply, an automatic answer to it). */
  note(ticket: Ticket, text: string, at: number, messageId: string): Promise<void>;
  /** The chat visitor a reply token was mailed to (a chat reply they had not seen), or null. */
  chatOfMailToken?(token: string): Promise<{ visitorKey: string; teamId: string } | null>;
}

/** A mailbox connected to threaddesk: its address and the intake rules of `email:<address>`. */
export interface Mailbox {
  address: string;
  intake: IntakeChannel;
}

export type EmailIngestResult =
  | { kind: 'created'; ticket: Ticket; message: TicketMessage }
  | ({ kind: 'appended' } & AppendedMessage)
  | { kind: 'noted'; ticket: Ticket; reason: string }
  | { kind: 'ignored'; reason: string };

export const mailboxChannel = (address: string): string => `email:${address}`;

/**
 * A mail to a connected mailbox becomes ticket changes: a new ticket, a reply joined to its ticket, an internal
 * note (a bounce of our reply, an auto-reply to it), or nothing (automated mail nobody asked for, a repeat).
 * A reply finds its ticket by what we issued (the reply token in an address or in our Message-IDs), then by
 * a Message-ID of the conversation, then by a `[#N]` subject tag only when the sender already takes part in N.
 */
export async function ingestEmail(mail: ParsedEmail, mailbox: Mailbox, envelopeRecipients: string[], deps: EmailIngestDeps): Promise<EmailIngestResult> {
  const channelId = mailboxChannel(mailbox.address);
  if (await deps.tickets.messageByTs(channelId, mail.messageId)) return { kind: 'ignored', reason: 'duplicate: this Message-ID is stored' };
  const sender = mail.from?.address ?? null;
  if (sender && baseAddress(sender) === mailbox.address) return { kind: 'ignored', reason: 'sent from our own mailbox' };

  const ticket = await findTicket(mail, mailbox, envelopeRecipients, deps);
  if (mail.bounce) {
    const bounced = ticket ?? (mail.bounce.originalMessageId ? await ticketOfMessageId(mail.bounce.originalMessageId, mailbox, deps) : null);
    if (!bounced) return { kind: 'ignored', reason: 'a bounce of no mail of ours' };
    const b = mail.bounce;
    await deps.note(bounced, `:warning: A mail on this ticket could not be delivered${b.recipient ? ` to ${b.recipient}` : ''}: ${b.diagnostic ?? b.status ?? 'the receiving server refused it'}.`, now(mail, deps), mail.messageId);
    return { kind: 'noted', ticket: bounced, reason: 'bounce' };
  }
  if (mail.automated) {
    if (!ticket) return { kind: 'ignored', reason: `automated mail (${mail.automated})` };
    await deps.note(ticket, `:robot_face: An automatic mail (${mail.automated}) from ${sender ?? 'an unknown sender'} came in on this ticket: ${mail.subject}`, now(mail, deps), mail.messageId);
    return { kind: 'noted', ticket, reason: mail.automated };
  }
  if (!sender) return { kind: 'ignored', reason: 'a mail without a sender' };

  const message: InboundMessage = {
    teamId: mailbox.intake.teamId,
    channelId,
    isDirectMessage: false,
    ts: mail.messageId,
    threadTs: ticket?.originTs ?? null,
    userId: emailRequester(sender),
    userTeamId: null,
    text: mail.text,
    files: mail.attachments.map((a) => ({ name: a.filename, mimetype: a.contentType, permalink: null })),
    sentAt: now(mail, deps),
    quoted: mail.quoted,
  };
  const pleasantry = mailbox.intake.pleasantryFilter && mail.attachments.length === 0 && isPleasantry(mail.text);
  const attachments = (t: Ticket) => (mail.attachments.length > 0 ? (deps.showAttachments?.(t, mail.attachments) ?? []) : []);

  if (ticket) {
    const show = deps.show && { ...deps.show, appended: async (a: AppendedMessage, tx: TicketTxPort) => [...(await deps.show!.appended(a, tx)), ...attachments(a.ticket)] };
    const appended = await appendMessage(ticket.id, message, 'requester', pleasantry, { ...deps, show });
    return appended ? { kind: 'appended', ...appended } : { kind: 'ignored', reason: 'duplicate delivery' };
  }
  if (pleasantry) return { kind: 'ignored', reason: 'pleasantry' };

  const customerId = await deps.customers.identify(mailbox.intake.teamId, 'email', sender, mail.from?.name ?? null, deps.clock.now());
  const outcome = await deps.tickets.open({
    ticket: {
      teamId: mailbox.intake.teamId,
      subject: subjectFrom(mail.subject || mail.text, mail.attachments[0]?.filename ?? '(no subject)'),
      requesterId: message.userId,
      requesterTeamId: null,
      originChannelId: channelId,
      originTs: mintReplyToken(),
      originKind: 'email',
      originSource: mail.amazon ? 'amazon' : mailbox.address,
      customerId,
      triageChannelId: mailbox.intake.triageChannelId,
      source: 'email',
      createdAt: message.sentAt!,
    },
    message: { channelId, ts: message.ts, threadTs: null, userId: message.userId, authorRole: 'requester', visibility: 'public', text: message.text, files: message.files, quoted: message.quoted, sentAt: message.sentAt! },
    openedBy: message.userId,
    deliveries: (t, m) => [...(deps.show?.created(t, m) ?? []), ...attachments(t)],
  });
  if (outcome.kind !== 'created') return { kind: 'ignored', reason: 'duplicate delivery' };
  // Amazon names the order in its buyer messages: the ticket knows it (the order.number snippet, the card).
  if (mail.amazon?.orderId) await deps.tickets.setField(outcome.ticket.id, 'order.number', mail.amazon.orderId, deps.clock.now());
  return outcome;
}

/**
 * When the mail was written. The Date header is the sender's own claim, to the second: a mail that arrives within
 * a minute of it is timed by its arrival (to the millisecond, so it sorts right against an agent's reply sent the
 * same second); one that comes later (a relay's delay, IMAP catching up after downtime) keeps its Date; one from
 * the future (a wrong clock) is timed by its arrival.
 */
function now(mail: ParsedEmail, deps: IngestDeps): number {
  const arrived = deps.clock.now();
  return mail.date !== null && mail.date < arrived - 60_000 ? mail.date : arrived;
}

async function findTicket(mail: ParsedEmail, mailbox: Mailbox, envelopeRecipients: string[], deps: EmailIngestDeps): Promise<Ticket | null> {
  const channelId = mailboxChannel(mailbox.address);
  const delivered = [mail.headers['delivered-to'], mail.headers['x-original-to']].flatMap((h) => (h ?? '').split('\n'));
  const recipients = [...envelopeRecipients, ...mail.to.map((a) => a.address), ...mail.cc.map((a) => a.address), ...delivered];
  for (const recipient of recipients) {
    const token = recipient ? tokenOfAddress(recipient, mailbox.address) : null;
    const ticket = token ? await ticketOfToken(token, mailbox, deps) : null;
    if (ticket) return ticket;
  }
  for (const id of mail.replyTo) {
    const ticket = await ticketOfMessageId(id, mailbox, deps);
    if (ticket) return ticket;
  }
  const number = subjectTicketNumber(mail.subject);
  const sender = mail.from?.address;
  if (number !== null && sender) {
    const tagged = await deps.tickets.byNumber(mailbox.intake.teamId, number);
    if (tagged && tagged.originChannelId === channelId && (await takesPart(tagged, emailRequester(sender), deps))) return survivor(tagged, deps);
  }
  return null;
}

/**
 * The ticket a reply token names: an email ticket of this mailbox, or the chat conversation of a visitor who was
 * mailed a reply they had not seen (of this mailbox's team); a merged one's survivor.
 */
async function ticketOfToken(token: string, mailbox: Mailbox, deps: EmailIngestDeps): Promise<Ticket | null> {
  const email = await deps.tickets.byOrigin(mailboxChannel(mailbox.address), token);
  if (email) return survivor(email, deps);
  const visitor = await deps.chatOfMailToken?.(token);
  const chat = visitor && visitor.teamId === mailbox.intake.teamId ? await deps.tickets.byOrigin(CHAT_CHANNEL, visitor.visitorKey) : null;
  return chat ? survivor(chat, deps) : null;
}

/** The ticket a Message-ID belongs to: one of ours (its token), or a mail of the conversation that we stored. */
async function ticketOfMessageId(id: string, mailbox: Mailbox, deps: EmailIngestDeps): Promise<Ticket | null> {
  const channelId = mailboxChannel(mailbox.address);
  const token = tokenOfMessageId(id);
  const byToken = token ? await ticketOfToken(token, mailbox, deps) : null;
  if (byToken) return byToken;
  const stored = await deps.tickets.messageByTs(channelId, id);
  const ticket = stored ? await deps.tickets.byId(stored.ticketId) : null;
  return ticket ? survivor(ticket, deps) : null;
}

/** A `[#N]` tag is trusted only from the requester or someone who already wrote on the ticket. */
async function takesPart(ticket: Ticket, requesterId: string, deps: EmailIngestDeps): Promise<boolean> {
  if (ticket.requesterId === requesterId) return true;
  return (await deps.tickets.messages(ticket.id)).some((m) => m.userId === requesterId);
}
