import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { EmailConfig } from '../../config.js';
import type { MailIntake } from '../../ingest/email/mail-intake.js';
import type { MailSpool } from './mail-spool.js';
import type { HttpRoute } from '../http/route-server.js';
import { readLimited } from '../http/read-body.js';
import { startSmtpListener, type SmtpListener } from '../../ingest/email/smtp-listener.js';
import { createImapPoller, parseImapUrl } from '../../ingest/email/imap-poller.js';
import type { MailboxCursorStore } from '../../ingest/email/imap-poller.js';

/**
 * The doors mail comes in by, all into one intake: the SMTP listener (THREADDESK_SMTP_LISTEN), IMAP polling
 * (THREADDESK_IMAP_URL) and POST /inbound/email for mail providers' inbound routes (raw RFC 5322, bearer secret).
 */
export function createEmailDoors(options: { config: EmailConfig; intake: MailIntake; spool: MailSpool; cursors: MailboxCursorStore; logger: Logger }) {
  const { config, intake, logger } = options;
  let listener: SmtpListener | null = null;
  // Mail in the polled mailbox was delivered to its account: when the account is an address (support@shop.example),
  // it counts as the envelope recipient, so mail that reached it by an alias or a Bcc still finds its mailbox.
  const imapAccount = config.imapUrl ? parseImapUrl(config.imapUrl).user : '';
  const imapEnvelope = { mailFrom: '', rcptTo: imapAccount.includes('@') ? [imapAccount.toLowerCase()] : [] };
  const poller = config.imapUrl
    ? createImapPoller({ url: config.imapUrl, cursors: options.cursors, logger, deliver: async (raw) => void (await intake.receive(raw, imapEnvelope).catch((err: unknown) => refusedIsStored(err, logger))) })
    : null;

  const routes: HttpRoute[] = config.apiSecret ? [{ method: 'POST', path: '/inbound/email', handler: (req, res) => inboundEmail(req, res) }] : [];

  async function inboundEmail(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const answer = (status: number, body: object) => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (!bearerMatches(req.headers.authorization, config.apiSecret!)) return answer(401, { ok: false, error: 'Authorization: a Bearer token equal to THREADDESK_API_SECRET is required' });
    const raw = await readLimited(req, config.maxBytes);
    if (raw === null) return answer(413, { ok: false, error: `body: the mail is larger than ${config.maxBytes} bytes` });
    if (raw.length === 0) return answer(400, { ok: false, error: 'body: a raw RFC 5322 mail is required' });
    try {
      const result = await intake.receive(raw);
      answer(202, { ok: true, outcome: result.kind, ...('ticket' in result ? { ticket: result.ticket.number } : {}), ...('reason' in result ? { reason: result.reason } : {}) });
    } catch (err) {
      if ((err as { permanent?: boolean }).permanent) return answer(400, { ok: false, error: `body: ${(err as Error).message}` });
      logger.warn({ err: (err as Error).message }, 'an inbound mail could not be stored; the sender should try again');
      answer(503, { ok: false, error: 'the mail could not be stored now; try again later' });
    }
  }

  return {
    routes,
    async start(): Promise<{ smtpPort: number | null }> {
      if (config.smtpListen) {
        listener = await startSmtpListener({
          host: config.smtpListen.host,
          port: config.smtpListen.port,
          maxBytes: config.maxBytes,
          acceptsRecipient: (address) => intake.acceptsRecipient(address),
          // Stored before the 250, processed afterwards (mail-spool.ts).
          receive: (raw, envelope) => options.spool.accept(raw, envelope),
          logger,
        });
        logger.info({ port: listener.port }, 'SMTP listener ready');
      }
      if (poller) await poller.start();
      return { smtpPort: listener?.port ?? null };
    },
    async stop(): Promise<void> {
      await Promise.all([listener?.close(), poller?.stop()]);
      listener = null;
    },
    poller,
  };
}

/** A mail refused for good by IMAP would be read again and again: it is logged and counted as read. */
function refusedIsStored(err: unknown, logger: Logger): void {
  if (!(err as { permanent?: boolean }).permanent) throw err;
  logger.warn({ reason: (err as Error).message }, 'a mail in the polled mailbox was refused');
}

function bearerMatches(header: string | undefined, secret: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '');
  const wanted = Buffer.from(secret);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
