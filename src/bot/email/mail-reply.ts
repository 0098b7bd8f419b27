import { emailOfRequester } from '../../domain/customer.js';
import type { Ticket } from '../../domain/ticket.js';
import { ourMessageId, replyAddress, replySubject } from '../../ingest/email/email-threading.js';
import { slackToPlain } from '../../ingest/slack-text.js';
import type { TicketStore } from '../../store/ticket-store.js';
import { PermanentDeliveryError } from '../delivery-errors.js';
import type { MailSender } from './mail-sender.js';

export interface MailReplyInput {
  ticket: Ticket;
  /** The delivery's id: our Message-ID is made of it, so a retry of the same delivery sends the same mail. */
  deliveryId: number;
  /** What the agent typed (Slack mrkdwn), or the automatic reply's text. */
  text: string;
  /** The sender's display name: the agent's name, or null for an automatic reply. */
  fromName: string | null;
  automatic: boolean;
}

/**
 * Mails a public reply of an email ticket to its requester, from the mailbox it wrote to, threaded under the
 * conversation (In-Reply-To the customer's last mail, References the whole conversation) and answerable through
 * the ticket's reply address. Returns the Message-ID it was sent with. A refusal for good (the relay says 5xx)
 * is a PermanentDeliveryError; anything else is thrown to be tried again.
 */
export async function mailReply(input: MailReplyInput, deps: { tickets: TicketStore; mailer: MailSender | null }): Promise<string> {
  const { ticket } = input;
  if (!deps.mailer) throw new PermanentDeliveryError('no outbound mail server is configured (THREADDESK_SMTP_URL)');
  const to = emailOfRequester(ticket.requesterId);
  if (!to) throw new PermanentDeliveryError(`ticket #${ticket.number} has no email requester`);
  const mailbox = ticket.originChannelId.slice('email:'.length);
  const conversation = (await deps.tickets.messages(ticket.id)).filter((m) => m.channelId === ticket.originChannelId && m.visibility === 'public');
  const lastFromCustomer = [...conversation].reverse().find((m) => m.authorRole === 'requester');
  const messageId = ourMessageId(ticket.originTs, input.deliveryId, mailbox);
  const result = await deps.mailer.send({
    from: { address: mailbox, name: input.fromName },
    to,
    replyTo: replyAddress(mailbox, ticket.originTs),
    subject: replySubject(ticket.subject, ticket.number),
    text: slackToPlain(input.text),
    messageId,
    ...(lastFromCustomer ? { inReplyTo: lastFromCustomer.ts } : {}),
    references: conversation.map((m) => m.ts).slice(-20),
    ...(input.automatic ? { autoSubmitted: 'auto-replied' as const } : {}),
  });
  if (!result.ok) {
    if (result.permanent) throw new PermanentDeliveryError(`the mail server refused it: ${result.error}`);
    throw new Error(`the mail server could not take it yet: ${result.error}`);
  }
  return messageId;
}
