// The demo's outbound mail relay: a real SMTP server on loopback standing in for the shop's mail provider
// (THREADDESK_SMTP_URL). It keeps every mail it accepts, so the demo can show what the customer receives.
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A mail the relay accepted, as the customer's mail program would receive it. */
export interface RelayedMail {
  raw: string;
  parsed: ParsedMail;
  envelope: { from: string; to: string[] };
}

export interface DemoMailRelay {
  /** smtp://127.0.0.1:PORT, for THREADDESK_SMTP_URL. */
  url: string;
  mails: RelayedMail[];
  /** Resolves with the next mail the relay accepts (or the first one not yet taken), or rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<RelayedMail>;
  stop(): Promise<void>;
}

export async function startDemoMailRelay(): Promise<DemoMailRelay> {
  const mails: RelayedMail[] = [];
  let taken = 0;
  const waiting: (() => void)[] = [];

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    // Stopping never waits long for a client that kept its connection open.
    closeTimeout: 500,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then((parsed) => {
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          mails.push({ raw, parsed, envelope: { from, to: session.envelope.rcptTo.map((r) => r.address) } });
          waiting.splice(0).forEach((wake) => wake());
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;

  async function next(timeoutMs = 5_000): Promise<RelayedMail> {
    const deadline = Date.now() + timeoutMs;
    while (taken >= mails.length) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the mail relay received nothing within ${timeoutMs / 1000} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return mails[taken++]!;
  }

  let stopped = false;
  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    waiting.splice(0).forEach((wake) => wake());
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  return { url: `smtp://127.0.0.1:${port}`, mails, next, stop };
}
