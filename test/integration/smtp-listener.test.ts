import net from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import nodemailer, { type NodemailerError } from 'nodemailer';
import { simpleParser } from 'mailparser';
import pino from 'pino';
import { startSmtpListener, type SmtpListenerOptions } from '../../src/ingest/email/smtp-listener.js';

interface Received {
  raw: Buffer;
  envelope: { mailFrom: string; rcptTo: string[] };
}

const SUPPORT = 'support@shop.example';
const CUSTOMER = 'alice@customer.example';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

/** A listener on 127.0.0.1 that accepts mail for @shop.example and records what it stores. */
async function listen(overrides: Partial<SmtpListenerOptions> = {}) {
  const received: Received[] = [];
  const logLines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const listener = await startSmtpListener({
    host: '127.0.0.1',
    port: 0,
    maxBytes: 5 * 1024 * 1024,
    acceptsRecipient: (address) => address.toLowerCase().endsWith('@shop.example'),
    receive: async (parts, envelope) => {
      received.push({ raw: Buffer.concat(parts), envelope });
    },
    logger: pino({ level: 'debug' }, destination),
    ...overrides,
  });
  open.push(listener);
  return { port: listener.port, received, logLines };
}

function client(port: number, options: { pool?: boolean } = {}) {
  const transport = options.pool
    ? nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity })
    : nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  open.push({ close: async () => transport.close() });
  return transport;
}

async function refusal(promise: Promise<unknown>): Promise<NodemailerError> {
  try {
    await promise;
  } catch (err) {
    return err as NodemailerError;
  }
  throw new Error('the mail was accepted');
}

/** A PNG signature followed by bytes that do not compress: the size must survive base64 both ways. */
function png(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7919 + 13) % 251;
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  return bytes;
}

/** A bare SMTP client: one command, one reply. */
class RawSmtp {
  private buffer = '';
  private lines: string[] = [];
  private waiting: ((lines: string[]) => void) | null = null;
  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => {
      this.buffer += data;
      this.deliver();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<RawSmtp> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const smtp = new RawSmtp(socket);
    await smtp.reply(); // greeting
    return smtp;
  }

  /** All lines of the next reply ("250-…" continuation lines, then the last one). */
  reply(): Promise<string[]> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.deliver();
    });
  }

  /** The last line of the reply to one command. */
  async command(line: string): Promise<string> {
    this.socket.write(`${line}\r\n`);
    return (await this.reply()).at(-1) ?? '';
  }

  write(data: string): void {
    this.socket.write(data);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private deliver(): void {
    for (;;) {
      const end = this.buffer.indexOf('\r\n');
      if (end < 0 || !this.waiting) return;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.lines.push(line);
      if (/^\d{3}-/.test(line)) continue;
      const resolve = this.waiting;
      const lines = this.lines;
      this.waiting = null;
      this.lines = [];
      resolve(lines);
    }
  }
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the inbound SMTP listener', () => {
  it('stores a mail as sent, with its envelope, and logs its size but never its body', async () => {
    const { port, received, logLines } = await listen();
    const image = png(40_000);
    const message = {
      from: `Alice <${CUSTOMER}>`,
      to: SUPPORT,
      subject: 'Order 1042 arrived broken — Grüße',
      text: 'Hello,\n\nthe mug arrived in pieces. A photo is attached.\n.\nA line with a lone dot above.\n',
      attachments: [{ filename: 'mug.png', content: image, contentType: 'image/png' }],
      messageId: '<customer-1@customer.example>',
    };
    // The exact bytes nodemailer would put on the wire, sent as they are.
    const built = await new Promise<Buffer>((resolve, reject) =>
      nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' }).sendMail(message, (err, info) => (err ? reject(err) : resolve(info.message as Buffer))),
    );
    const info = await client(port).sendMail({ envelope: { from: CUSTOMER, to: [SUPPORT] }, raw: built });

    expect(info.response).toMatch(/^250 /);
    expect(received).toHaveLength(1);
    expect(received[0].envelope).toEqual({ mailFrom: CUSTOMER, rcptTo: [SUPPORT] });
    expect(received[0].raw.toString('latin1').replace(/\r\n$/, '')).toBe(built.toString('latin1').replace(/\r\n$/, ''));
    const parsed = await simpleParser(received[0].raw);
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.text?.trim()).toBe(message.text.trim());
    expect(parsed.messageId).toBe('<customer-1@customer.example>');
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0].contentType).toBe('image/png');
    expect(parsed.attachments[0].size).toBe(image.length);
    expect(parsed.attachments[0].content.equals(image)).toBe(true);

    const accepted = logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'mail accepted');
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({ bytes: received[0].raw.length, recipients: 1 });
    expect(logLines.join('')).not.toContain('arrived in pieces');
  });

  it('passes a bounce\'s empty MAIL FROM as "" and every accepted recipient', async () => {
    const { port, received } = await listen();
    await client(port).sendMail({
      envelope: { from: '', to: [SUPPORT, 'billing@shop.example'] },
      raw: 'From: MAILER-DAEMON@mx.customer.example\r\nTo: support@shop.example\r\nSubject: Undelivered Mail\r\n\r\nIt bounced.\r\n',
    });
    expect(received).toHaveLength(1);
    expect(received[0].envelope).toEqual({ mailFrom: '', rcptTo: [SUPPORT, 'billing@shop.example'] });
  });

  it('answers 550 to a recipient it does not serve, and stores nothing', async () => {
    const { port, received } = await listen();
    const err = await refusal(client(port).sendMail({ from: CUSTOMER, to: 'someone@elsewhere.example', subject: 'Hi', text: 'Hello' }));
    expect(err.responseCode).toBe(550);
    expect(err.response).toMatch(/mailbox unavailable/i);
    expect(received).toHaveLength(0);
  });

  it('answers 552 to a mail over maxBytes and stores nothing, then serves the next mail', async () => {
    const { port, received } = await listen({ maxBytes: 200 * 1024 });
    const transport = client(port);
    const err = await refusal(
      transport.sendMail({ from: CUSTOMER, to: SUPPORT, subject: 'Big', text: 'See attached', attachments: [{ filename: 'big.bin', content: png(300 * 1024) }] }),
    );
    expect(err.responseCode).toBe(552);
    expect(err.response).toContain('5.3.4 Message too big');
    expect(received).toHaveLength(0);

    await transport.sendMail({ from: CUSTOMER, to: SUPPORT, subject: 'Small', text: 'Fits' });
    expect(received).toHaveLength(1);
  });

  it('advertises SIZE and refuses a MAIL FROM that declares more (552)', async () => {
    const { port } = await listen({ maxBytes: 200 * 1024 });
    const smtp = await RawSmtp.connect(port);
    smtp.write('EHLO client.example\r\n');
    const ehlo = await smtp.reply();
    expect(ehlo.some((line) => line.slice(4) === `SIZE ${200 * 1024}`)).toBe(true);
    expect(ehlo.some((line) => /STARTTLS|AUTH/.test(line))).toBe(false);
    expect(await smtp.command(`MAIL FROM:<${CUSTOMER}> SIZE=${300 * 1024}`)).toMatch(/^552 /);
    expect(await smtp.command(`MAIL FROM:<${CUSTOMER}> SIZE=${100 * 1024}`)).toMatch(/^250 /);
    smtp.destroy();
  });

  it('answers 451 when storing fails for now, and stores the mail when the sender retries', async () => {
    let failures = 1;
    const received: Buffer[] = [];
    const { port, logLines } = await listen({
      receive: async (parts) => {
        if (failures-- > 0) throw new Error('database is locked');
        received.push(Buffer.concat(parts));
      },
    });
    const transport = client(port);
    const mail = { from: CUSTOMER, to: SUPPORT, subject: 'Retry me', text: 'Hello', messageId: '<retry-1@customer.example>' };
    const err = await refusal(transport.sendMail(mail));
    expect(err.responseCode).toBe(451);
    expect(err.response).toMatch(/^451 4\.3\.0 /);
    expect(err.response).not.toContain('database');
    expect(logLines.map((l) => JSON.parse(l)).filter((l) => l.level === 40)).toHaveLength(1);

    await transport.sendMail(mail);
    expect(received).toHaveLength(1);
  });

  it('answers 554 with the message of a permanent error', async () => {
    const { port } = await listen({
      receive: async () => {
        throw Object.assign(new Error('This mailbox is closed'), { permanent: true });
      },
    });
    const err = await refusal(client(port).sendMail({ from: CUSTOMER, to: SUPPORT, subject: 'Hi', text: 'Hello' }));
    expect(err.responseCode).toBe(554);
    expect(err.response).toBe('554 5.6.0 This mailbox is closed');
  });

  it('refuses bytes that are not a mail (no header block) with 554', async () => {
    const { port, received } = await listen();
    const err = await refusal(client(port).sendMail({ envelope: { from: CUSTOMER, to: [SUPPORT] }, raw: 'just some words, no headers at all\r\n' }));
    expect(err.responseCode).toBe(554);
    expect(received).toHaveLength(0);
  });

  it('keeps serving after a client drops the connection in the middle of DATA', async () => {
    const { port, received, logLines } = await listen();
    const smtp = await RawSmtp.connect(port);
    expect(await smtp.command('EHLO client.example')).toMatch(/^250 /);
    expect(await smtp.command(`MAIL FROM:<${CUSTOMER}>`)).toMatch(/^250 /);
    expect(await smtp.command(`RCPT TO:<${SUPPORT}>`)).toMatch(/^250 /);
    expect(await smtp.command('DATA')).toMatch(/^354 /);
    smtp.write(`From: ${CUSTOMER}\r\nTo: ${SUPPORT}\r\nSubject: Half\r\n\r\nThe first half of a mail `);
    await settle(50);
    smtp.destroy();
    await settle(50);
    expect(logLines.some((l) => l.includes('client left during DATA'))).toBe(true);

    await client(port).sendMail({ from: CUSTOMER, to: SUPPORT, subject: 'Whole', text: 'A whole mail' });
    expect(received).toHaveLength(1);
    expect((await simpleParser(received[0].raw)).subject).toBe('Whole');
  });

  it('takes 10 connections sending 5 mails each: 50 stored', async () => {
    const { port, received } = await listen();
    await Promise.all(
      Array.from({ length: 10 }, async (_, c) => {
        const transport = client(port, { pool: true });
        for (let m = 0; m < 5; m++) await transport.sendMail({ from: CUSTOMER, to: SUPPORT, subject: `c${c} m${m}`, text: `mail ${m} of connection ${c}` });
      }),
    );
    expect(received).toHaveLength(50);
    const subjects = await Promise.all(received.map(async (r) => (await simpleParser(r.raw)).subject));
    expect(new Set(subjects).size).toBe(50);
  });
});
