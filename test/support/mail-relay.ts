import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/** A mail the relay accepted, as the customer's mail program would receive it. */
export interface RelayedMail {
  raw: string;
  parsed: ParsedMail;
  envelope: { from: string; to: string[] };
}

/**
 * A real SMTP server standing in for the shop's outbound relay (THREADDESK_SMTP_URL). It keeps what it accepted,
 * can refuse recipients for good (550) and can be taken down and brought back on the same port.
 */
export async function startMailRelay(): Promise<{
  url: string;
  mails: RelayedMail[];
  refuse(address: string): void;
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}> {
  const mails: RelayedMail[] = [];
  const refused = new Set<string>();
  let port = 0;
  let server: SMTPServer | null = null;

  async function up(): Promise<void> {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (refused.has(address.address.toLowerCase())) return callback(Object.assign(new Error('5.1.1 user unknown'), { responseCode: 550 }));
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw).then((parsed) => {
            mails.push({ raw, parsed, envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) } });
            callback();
          }, callback);
        });
      },
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', () => resolve()));
    port = (server.server.address() as AddressInfo).port;
  }

  async function down(): Promise<void> {
    const s = server;
    server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  await up();
  return { url: `smtp://127.0.0.1:${port}`, mails, refuse: (a) => void refused.add(a.toLowerCase()), down, up, stop: down };
}
