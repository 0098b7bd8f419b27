import type { Logger } from 'pino';
import type { ChannelStore } from '../../store/channel-store.js';
import { createKeyedLock } from '../keyed-lock.js';
import { baseAddress } from './email-threading.js';
import { ingestEmail, mailboxChannel, type EmailIngestDeps, type EmailIngestResult, type Mailbox } from './ingest-email.js';
import { parseMail } from './parse-mail.js';

/** A mail that can never be stored as it is (not a mail, no mailbox of ours): refused for good, not retried. */
export class RefusedMail extends Error {
  readonly permanent = true;
}

export interface MailIntake {
  /** Whether an address is one of our connected mailboxes (any +tag). */
  acceptsRecipient(address: string): Promise<boolean>;
  /** Parses and stores one raw mail; resolves once it is stored. Throws RefusedMail for a mail to refuse. */
  receive(raw: Buffer, envelope?: { mailFrom: string; rcptTo: string[] }): Promise<EmailIngestResult>;
}

/**
 * The one way mail gets in, whichever door it came through (the SMTP listener, IMAP polling, POST
 * /inbound/email): parsed once, given to the mailbox it was sent to, stored in order per sender.
 */
export function createMailIntake(deps: { channels: ChannelStore; ingest: EmailIngestDeps; logger: Logger }): MailIntake {
  const inOrder = createKeyedLock();

  async function mailboxOf(address: string): Promise<Mailbox | null> {
    const base = baseAddress(address);
    const intake = await deps.channels.intake(mailboxChannel(base));
    return intake ? { address: base, intake } : null;
  }

  return {
    async acceptsRecipient(address) {
      return (await mailboxOf(address)) !== null;
    },

    async receive(raw, envelope) {
      let mail;
      try {
        mail = await parseMail(raw);
      } catch (err) {
        throw new RefusedMail((err as Error).message);
      }
      const candidates = [...(envelope?.rcptTo ?? []), ...mail.to.map((a) => a.address), ...mail.cc.map((a) => a.address), ...(mail.headers['delivered-to'] ?? '').split('\n'), ...(mail.headers['x-original-to'] ?? '').split('\n')].map((a) => a.trim()).filter(Boolean);
      let mailbox: Mailbox | null = null;
      for (const address of candidates) if ((mailbox = await mailboxOf(address))) break;
      if (!mailbox) throw new RefusedMail(`no connected mailbox among the recipients (${candidates.slice(0, 3).join(', ') || 'none'})`);
      // A bounce names no sender (MAIL FROM:<>): one sender key for all of them is fine.
      const sender = mail.from?.address ?? '';
      const result = await inOrder([`${mailbox.address}:${sender}`], () => ingestEmail(mail, mailbox, envelope?.rcptTo ?? [], deps.ingest));
      const ticket = 'ticket' in result ? result.ticket.number : undefined;
      deps.logger.info({ mailbox: mailbox.address, outcome: result.kind, ticket, reason: 'reason' in result ? result.reason : undefined, bytes: raw.length }, 'mail received');
      return result;
    },
  };
}
