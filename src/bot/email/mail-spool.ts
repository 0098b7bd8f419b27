import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Clock } from '../../domain/clock.js';
import type { MailIntake } from '../../ingest/email/mail-intake.js';
import { readParts, writeParts } from '../../store/byte-parts.js';
import { createInboxStore } from '../../store/inbox-store.js';
import { createKeyedLock } from '../../ingest/keyed-lock.js';
import { createEventInbox, type InboxOutcome } from '../event-inbox.js';

export interface Envelope {
  mailFrom: string;
  rcptTo: string[];
}

/** The envelope as stored beside the mail, with the number of parts the mail was stored in. */
interface StoredEnvelope extends Envelope {
  parts: number;
}

/**
 * Mails being parsed and stored at once. Parsing is CPU work on the one event loop, but storing a ticket waits
 * for the database: enough at once for the ticket writer to commit them in groups, few enough that the listener
 * keeps answering and a backlog waits in the store rather than in memory.
 */
const CONCURRENT_MAILS = 16;

/**
 * The SMTP listener's mails, as an MTA keeps its queue: each is written to the inbox (`mail_inbox`, in the
 * inbox's own file on SQLite) before the sender gets its 250, so the answer waits for one insert and not for
 * parsing and the ticket's transaction, and a crash between the two leaves the mail stored for the next start.
 * Stored mails are parsed and given to the mail intake a few at a time, by whichever instance claims them; a mail
 * the intake refuses after all (its mailbox was disconnected meanwhile) is logged and dropped, as the 250 was
 * already given. A mail over 1 MiB is stored in parts (mail_inbox_parts), never as one huge value.
 */
export function createMailSpool(options: { db: Knex; intake: MailIntake; clock: Clock; logger: Logger; owner: string; recoverAbandonedAtStart: boolean }) {
  const { db, logger } = options;
  // Mails are processed several at once, but one sender's in the order they came: a follow-up parsed faster than
  // the mail before it must not open the ticket first. The envelope sender is known before parsing; the lock is
  // taken as processing starts, which is in the order the mails were stored.
  const bySender = createKeyedLock();
  const store = createInboxStore(db, 'mail_inbox');
  const inbox = createEventInbox({
    store,
    clock: options.clock,
    logger,
    owner: options.owner,
    recoverAbandonedAtStart: options.recoverAbandonedAtStart,
    what: 'mail',
    component: 'mail-inbox',
    concurrency: CONCURRENT_MAILS,
    process(body, event): Promise<InboxOutcome> {
      const envelope = JSON.parse(event.envelope ?? '{"mailFrom":"","rcptTo":[],"parts":1}') as StoredEnvelope;
      return bySender([envelope.mailFrom.toLowerCase()], async () => {
        const first = Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1');
        const raw = envelope.parts > 1 ? ((await readParts(db, 'mail_inbox_parts', { event_id: event.eventId }, first)) ?? first) : first;
        const outcome = await processMail(raw, envelope, options.intake, logger);
        if (!outcome.retry && envelope.parts > 1) await db('mail_inbox_parts').where({ event_id: event.eventId }).delete();
        return outcome;
      });
    },
  });

  return {
    /**
     * Stores a mail given in consecutive parts; resolves once it is stored (answer 250 then), rejects if it could
     * not be (answer 451: the sender tries again). The parts after the first go in before the mail's row.
     */
    async accept(parts: Buffer[], envelope: Envelope): Promise<void> {
      const eventId = randomUUID();
      if (parts.length > 1) await writeParts(db, 'mail_inbox_parts', { event_id: eventId }, parts.slice(1), 1);
      const stored: StoredEnvelope = { ...envelope, parts: Math.max(1, parts.length) };
      await inbox.accept({ eventId, teamId: null, body: parts[0] ?? Buffer.alloc(0), envelope: JSON.stringify(stored) });
    },
    async start(): Promise<void> {
      // Parts of a mail whose row was never written (a crash in between: the sender got no 250 and sends again).
      await db('mail_inbox_parts').whereNotIn('event_id', db('mail_inbox').select('event_id')).delete();
      await inbox.start();
    },
    stop: () => inbox.stop(),
    idle: () => inbox.idle(),
    /** Mails stored and not yet tickets (and those given up on), for /healthz and /metrics. */
    backlog: () => store.backlog(),
  };
}

export type MailSpool = ReturnType<typeof createMailSpool>;

async function processMail(raw: Buffer, envelope: Envelope, intake: MailIntake, logger: Logger): Promise<InboxOutcome> {
  try {
    await intake.receive(raw, { mailFrom: envelope.mailFrom, rcptTo: envelope.rcptTo });
  } catch (err) {
    if (!(err as { permanent?: boolean }).permanent) return { retry: true, error: (err as Error).message ?? String(err) };
    logger.warn({ reason: (err as Error).message, from: envelope.mailFrom, bytes: raw.length }, 'a mail accepted by SMTP was refused when it was processed, and dropped');
  }
  return { retry: false };
}
