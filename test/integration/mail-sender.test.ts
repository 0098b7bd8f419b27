import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { createMailSender, htmlOf, type MailSender, type OutgoingMail } from '../../src/bot/email/mail-sender.js';

const open: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

/** A real SMTP server on 127.0.0.1 that records every raw mail it gets. */
async function smtpServer(options: Partial<SMTPServerOptions> = {}) {
  const mails: Buffer[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 1_000,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push(Buffer.concat(chunks));
        callback();
      });
    },
    ...options,
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  open.push({ close: () => new Promise<void>((done) => server.close(() => done())) });
  const { port } = server.server.address() as net.AddressInfo;
  return { port, mails };
}

function sender(url: string, options?: { timeoutMs?: number }): MailSender {
  const s = createMailSender(url, options);
  open.push(s);
  return s;
}

const reply: OutgoingMail = {
  from: { address: 'support@shop.example', name: 'Ada Agent' },
  to: 'alice@customer.example',
  replyTo: 'support+tk4f2@shop.example',
  subject: 'Re: Order 1042 arrived broken',
  text: 'Hello Alice,\n\nsorry about the mug. A new one is on its way:\nhttps://shop.example/track/1042\n\nAda <support>',
  messageId: 'td.tk4f2.17@shop.example',
  inReplyTo: 'customer-2@customer.example',
  references: ['customer-1@customer.example', 'td.tk4f2.9@shop.example', 'customer-2@customer.example'],
};

/** Message ids of one header, read from the raw line (mailparser mangles some References forms). */
function idsOf(parsed: ParsedMail, header: string): string[] {
  const line = parsed.headerLines.find((h) => h.key === header)?.line ?? '';
  return (line.match(/<[^<>\s]+>/g) ?? []).map((id) => id.slice(1, -1));
}

describe('the outbound mail sender', () => {
  it('sends text and HTML with our threading headers, reply address and the agent as sender name', async () => {
    const { port, mails } = await smtpServer();
    const result = await sender(`smtp://127.0.0.1:${port}`).send(reply);

    expect(result).toMatchObject({ ok: true });
    expect(result.ok && result.response).toMatch(/^250 /);
    expect(mails).toHaveLength(1);
    const parsed = await simpleParser(mails[0]);
    expect(parsed.messageId).toBe('<td.tk4f2.17@shop.example>');
    expect(idsOf(parsed, 'in-reply-to')).toEqual(['customer-2@customer.example']);
    expect(idsOf(parsed, 'references')).toEqual(reply.references);
    expect(parsed.replyTo?.value).toEqual([{ address: 'support+tk4f2@shop.example', name: '' }]);
    expect(parsed.from?.value).toEqual([{ address: 'support@shop.example', name: 'Ada Agent' }]);
    expect(parsed.subject).toBe(reply.subject);
    expect(parsed.text?.trim()).toBe(reply.text);
    expect(parsed.html).toContain('<p>Hello Alice,</p>');
    expect(parsed.html).toContain('Ada &lt;support&gt;');
    expect(parsed.html).not.toContain('<a ');
    // A person's reply is not automatic.
    expect(parsed.headers.has('auto-submitted')).toBe(false);
    expect(parsed.headers.has('x-auto-response-suppress')).toBe(false);
  });

  it('marks automatic mail with Auto-Submitted and X-Auto-Response-Suppress, and keeps extra headers', async () => {
    const { port, mails } = await smtpServer();
    const result = await sender(`smtp://127.0.0.1:${port}`).send({
      ...reply,
      from: { address: 'support@shop.example', name: null },
      inReplyTo: undefined,
      references: undefined,
      autoSubmitted: 'auto-replied',
      headers: { 'X-Threaddesk-Ticket': 'T-42' },
    });

    expect(result.ok).toBe(true);
    const parsed = await simpleParser(mails[0]);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(parsed.headers.get('x-auto-response-suppress')).toBe('All');
    expect(parsed.headers.get('x-threaddesk-ticket')).toBe('T-42');
    expect(parsed.headers.has('in-reply-to')).toBe(false);
    expect(parsed.headers.has('references')).toBe(false);
    expect(parsed.from?.value).toEqual([{ address: 'support@shop.example', name: '' }]);
  });

  it('does not let a line break in the subject add a header', async () => {
    const { port, mails } = await smtpServer();
    await sender(`smtp://127.0.0.1:${port}`).send({ ...reply, subject: 'Hello\r\nBcc: eve@evil.example' });
    const parsed = await simpleParser(mails[0]);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.headerLines.some((h) => h.key === 'bcc')).toBe(false);
  });

  it('reports a recipient refused with 550 as a permanent failure', async () => {
    const { port, mails } = await smtpServer({
      onRcptTo: (_address, _session, callback) => callback(Object.assign(new Error('5.1.1 No such user'), { responseCode: 550 })),
    });
    const result = await sender(`smtp://127.0.0.1:${port}`).send(reply);
    expect(result).toMatchObject({ ok: false, permanent: true });
    expect(!result.ok && result.error).toContain('550');
    expect(mails).toHaveLength(0);
  });

  it('reports a 451 as a temporary failure', async () => {
    const { port } = await smtpServer({
      onRcptTo: (_address, _session, callback) => callback(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 })),
    });
    const result = await sender(`smtp://127.0.0.1:${port}`).send(reply);
    expect(result).toMatchObject({ ok: false, permanent: false });
  });

  it('reports a port nobody listens on as a temporary failure, at once', async () => {
    const port = await freePort();
    const started = Date.now();
    const result = await sender(`smtp://127.0.0.1:${port}`, { timeoutMs: 2_000 }).send(reply);
    expect(result).toMatchObject({ ok: false, permanent: false });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('gives up on a server that never greets within the timeout, as a temporary failure', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    open.push({
      close: () => {
        for (const s of sockets) s.destroy();
        return new Promise<void>((done) => silent.close(() => done()));
      },
    });
    const { port } = silent.address() as net.AddressInfo;
    const started = Date.now();
    const result = await sender(`smtp://127.0.0.1:${port}`, { timeoutMs: 500 }).send(reply);
    expect(result).toMatchObject({ ok: false, permanent: false });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('logs in with the URL\'s user and password, and never echoes the password on a failed login', async () => {
    const { port, mails } = await smtpServer({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth: (auth, _session, callback) =>
        auth.username === 'user' && auth.password === 'secret' ? callback(null, { user: 'user' }) : callback(new Error('Invalid username or password')),
    });
    const ok = await sender(`smtp://user:secret@127.0.0.1:${port}`).send(reply);
    expect(ok.ok).toBe(true);
    expect(mails).toHaveLength(1);

    const refused = await sender(`smtp://user:not%2Dthe%2Dsecret@127.0.0.1:${port}`).send(reply);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error).toMatch(/EAUTH/);
    expect(!refused.ok && refused.error).not.toContain('secret');
    // The mail is not at fault: it goes out once the credentials are fixed.
    expect(!refused.ok && refused.permanent).toBe(false);
    const anonymous = await sender(`smtp://127.0.0.1:${port}`).send(reply);
    expect(anonymous).toMatchObject({ ok: false, permanent: false });
    expect(!anonymous.ok && anonymous.error).toContain('530');
    expect(mails).toHaveLength(1);
  });

  it('refuses a URL that is not smtp:// or smtps:// without quoting it', () => {
    expect(() => createMailSender('http://user:secret@mail.example')).toThrow(/smtp:\/\//);
    expect(() => createMailSender('http://user:secret@mail.example')).not.toThrow(/secret/);
    expect(() => createMailSender('not a url, secret')).not.toThrow(/secret/);
  });
});

describe('htmlOf', () => {
  it('escapes the text, makes paragraphs of blank-line-separated blocks and keeps line breaks', () => {
    expect(htmlOf('Hi <b>Bob</b> & "friends"\r\n\r\nline one\nline two\n \n\n\nend')).toBe(
      '<p>Hi &lt;b&gt;Bob&lt;/b&gt; &amp; &quot;friends&quot;</p>\n<p>line one<br>\nline two</p>\n<p>end</p>',
    );
  });

  it('leaves links as text', () => {
    expect(htmlOf('See https://shop.example/a?b=1&c=2')).toBe('<p>See https://shop.example/a?b=1&amp;c=2</p>');
  });

  it('gives nothing for empty text', () => {
    expect(htmlOf('')).toBe('');
    expect(htmlOf('\n\n')).toBe('');
  });
});

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
