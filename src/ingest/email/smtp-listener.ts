// Inbound SMTP: the door for mail that an MTA (Postfix, a cloud inbound relay) hands to threaddesk.
// Plain SMTP only, no AUTH and no STARTTLS: TLS towards the internet, spam checks and sender
// authentication belong to the MTA in front; this listener is meant for loopback or a private relay link.
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Logger } from 'pino';

export interface SmtpListenerOptions {
  host?: string; // default '0.0.0.0'
  port: number; // 0 = any free port
  maxBytes: number; // e.g. 25 * 1024 * 1024
  /** Recipient domains/addresses we accept mail for; a RCPT TO outside them gets 550 "mailbox unavailable". */
  acceptsRecipient(address: string): boolean | Promise<boolean>;
  /**
   * Stores one mail, given as consecutive parts of about 1 MiB (a big mail is never copied into one buffer here).
   * Resolves once stored (then we answer 250). Throw an error with `permanent: true` for a mail that can never be
   * stored (we answer 554 with its message), anything else is temporary (451, the sender retries).
   */
  receive(parts: Buffer[], envelope: { mailFrom: string; rcptTo: string[] }): Promise<void>;
  logger: Logger;
}

export interface SmtpListener {
  port: number;
  close(): Promise<void>;
}

/** An SMTP reply for smtp-server: the enhanced status code goes in the text (the server adds none itself). */
class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    text: string,
  ) {
    super(text);
  }
}

const MAX_CLIENTS = 100;
// How long close() lets open sessions finish before they are cut with a 421.
const CLOSE_GRACE_MS = 5_000;
// An answer line quotes receive()'s error message: keep it one short line.
const MAX_REPLY_TEXT = 200;

export function startSmtpListener(options: SmtpListenerOptions): Promise<SmtpListener> {
  const log = options.logger.child({ component: 'smtp-listener' });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: options.maxBytes, // advertised in EHLO; a MAIL FROM declaring more gets 552 from smtp-server
    maxClients: MAX_CLIENTS,
    closeTimeout: CLOSE_GRACE_MS,
    disableReverseLookup: true, // the MTA in front already knows who the client is
    logger: false,
    onRcptTo: (address, _session, callback) => {
      checkRecipient(options, log, address).then(() => callback(), callback);
    },
    onData: (stream, session, callback) => {
      handleData(options, log, stream, session).then(() => callback(), callback);
    },
  });
  // Errors of single connections (resets, garbage) arrive here; without a listener they would crash the process.
  server.on('error', (err) => log.debug({ err: err.message }, 'smtp connection error'));

  return new Promise((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.server.off('error', reject);
      const address = server.server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      log.info({ port }, 'smtp listener started');
      resolve({ port, close: () => new Promise<void>((done) => server.close(() => done())) });
    });
  });
}

async function checkRecipient(options: SmtpListenerOptions, log: Logger, address: SMTPServerAddress): Promise<void> {
  let accepted: boolean;
  try {
    accepted = await options.acceptsRecipient(address.address);
  } catch (err) {
    log.warn({ err: err instanceof Error ? err.message : String(err) }, 'recipient check failed, the sender will retry (451)');
    throw new SmtpReply(451, '4.3.0 Try again later');
  }
  if (!accepted) throw new SmtpReply(550, '5.1.1 Mailbox unavailable');
}

async function handleData(options: SmtpListenerOptions, log: Logger, stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
  // Read the envelope now: smtp-server resets the session once we answer.
  const envelope = envelopeOf(session);
  const parts = await collect(stream, options.maxBytes).catch((err: Error) => {
    log.debug({ session: session.id, err: err.message }, 'client left during DATA, nothing stored');
    throw err;
  });
  if (parts === null) throw new SmtpReply(552, '5.3.4 Message too big');
  if (!hasHeaderBlock(parts[0] ?? Buffer.alloc(0))) throw new SmtpReply(554, '5.6.0 Not an Internet message: no header block');
  try {
    await options.receive(parts, envelope);
  } catch (err) {
    throw replyFor(err, log, session);
  }
  log.info({ session: session.id, bytes: parts.reduce((sum, p) => sum + p.length, 0), recipients: envelope.rcptTo.length }, 'mail accepted');
}

function envelopeOf(session: SMTPServerSession): { mailFrom: string; rcptTo: string[] } {
  const { mailFrom, rcptTo } = session.envelope;
  // A bounce's MAIL FROM:<> arrives as an address of "" (or no address object at all).
  return { mailFrom: mailFrom ? mailFrom.address : '', rcptTo: rcptTo.map((r) => r.address) };
}

/** The size of the parts a mail is handed on in: the network's small chunks are joined as they come. */
const PART_BYTES = 1024 * 1024;

/**
 * The DATA stream as parts of about PART_BYTES, or null when it went over maxBytes (the rest is read and
 * dropped, so the client still gets our answer). Rejects when the client goes away before the final dot.
 */
function collect(stream: SMTPServerDataStream, maxBytes: number): Promise<Buffer[] | null> {
  return new Promise((resolve, reject) => {
    let parts: Buffer[] = [];
    let chunks: Buffer[] = [];
    let chunkBytes = 0;
    let bytes = 0;
    let tooBig = false;
    const joinChunks = () => {
      if (chunks.length > 0) parts.push(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, chunkBytes));
      chunks = [];
      chunkBytes = 0;
    };
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (tooBig) return;
      if (bytes > maxBytes) {
        tooBig = true;
        parts = []; // let the memory go now, not after the sender finishes
        chunks = [];
        return;
      }
      chunks.push(chunk);
      chunkBytes += chunk.length;
      if (chunkBytes >= PART_BYTES) joinChunks();
    });
    stream.once('end', () => {
      if (tooBig || stream.sizeExceeded) return resolve(null);
      joinChunks();
      resolve(parts);
    });
    // smtp-server destroys the stream when the connection drops mid-DATA: 'error' with a listener, else just 'close'.
    stream.once('error', reject);
    stream.once('close', () => reject(new Error('connection closed during DATA')));
  });
}

/** A mail starts with a header field ("Name: value"); anything else was never a mail. */
function hasHeaderBlock(raw: Buffer): boolean {
  const firstLine = raw.subarray(0, 1000).toString('latin1').split(/\r?\n/, 1)[0];
  return /^[\x21-\x39\x3b-\x7e]+:/.test(firstLine);
}

function replyFor(err: unknown, log: Logger, session: SMTPServerSession): SmtpReply {
  const message = err instanceof Error ? err.message : String(err);
  if (isPermanent(err)) {
    log.warn({ session: session.id, err: message }, 'mail refused for good (554)');
    return new SmtpReply(554, `5.6.0 ${oneLine(message) || 'Message refused'}`);
  }
  log.warn({ session: session.id, err: message }, 'mail not stored, the sender will retry (451)');
  return new SmtpReply(451, '4.3.0 Try again later');
}

function isPermanent(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { permanent?: unknown }).permanent === true;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, MAX_REPLY_TEXT);
}
