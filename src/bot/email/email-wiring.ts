import type { Ticket } from '../../domain/ticket.js';
import type { EmailIngestDeps } from '../../ingest/email/ingest-email.js';
import type { MailAttachment } from '../../ingest/email/parsed-email.js';
import type { NewDelivery } from '../../store/outbox-store.js';
import type { BotContext } from '../bot-context.js';
import { buildStatusLine } from '../blocks/thread-messages.js';
import { deliver } from '../delivery-intents.js';
import { escapeMrkdwn, inertMrkdwn } from '../slack-text.js';

/** Slack takes files far larger, but an attachment is stored and uploaded whole, in memory: bigger ones get a note. */
export const ATTACHMENT_UPLOAD_LIMIT = 20 * 1024 * 1024;

/** What the email channel's use case needs from the bot: the ticket deps, customers, attachments and notes. */
export function emailIngestDeps(ctx: BotContext): EmailIngestDeps {
  return {
    ...ctx.useCaseDeps,
    customers: ctx.customers,
    showAttachments: (ticket, attachments) => attachments.flatMap((a) => attachmentDeliveries(ticket, a)),
    async note(ticket, text, at, messageId) {
      await ctx.tickets.transaction(async (tx) => {
        const stored = await tx.insertMessage({ ticketId: ticket.id, channelId: ticket.originChannelId, ts: messageId, threadTs: ticket.originTs, userId: null, authorRole: 'bot', visibility: 'internal', text, files: [], sentAt: at });
        if (!stored) return; // this mail was noted already
        await tx.addEvent(ticket.id, { kind: 'note', actorId: null, fromValue: null, toValue: null, messageId: stored.id, at });
        // The note quotes a stranger's mail (a subject, a server's diagnostic): inert in Slack, never a ping or a link.
        await tx.enqueue([deliver.triagePost(ticket, buildStatusLine(inertMrkdwn(text)))]);
      });
    },
  };
}

function attachmentDeliveries(ticket: Ticket, a: MailAttachment): NewDelivery[] {
  if (a.size <= ATTACHMENT_UPLOAD_LIMIT) return [deliver.attachment(ticket, { filename: a.filename, bytes: a.content })];
  const mb = (a.size / 1024 / 1024).toFixed(1);
  return [deliver.triagePost(ticket, buildStatusLine(`:paperclip: ${escapeMrkdwn(a.filename)} (${mb} MB) is too large to upload here; it is in the customer's mail.`))];
}
