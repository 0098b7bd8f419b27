// Outbound SMTP: one reply or notification per call, through the relay named by an smtp:// or smtps:// URL.
// send() never throws: it says whether the mail went out, and if not, whether trying again can help.
import nodemailer, { type NodemailerError, type SendMailOptions, type SMTPTransportOptions } from 'nodemailer';

export interface OutgoingMail {
  from: { address: string; name: string | null }; // the mailbox address, display name = the agent's name
  to: string;
  replyTo?: string; // e.g. support+TOKEN@shop.example
  subject: string;
  text: string; // plain text
  messageId: string; // without <>, ours: e.g. "td.<token>.<deliveryId>@shop.example"
  inReplyTo?: string; // without <>
  references?: string[]; // without <>, oldest first
  autoSubmitted?: 'auto-replied' | 'auto-generated'; // only for automatic mail
  headers?: Record<string, string>;
}

export type SendResult = { ok: true; response: string } | { ok: false; permanent: boolean; error: string };

export interface MailSender {
  send(mail: OutgoingMail): Promise<SendResult>;
  close(): void;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export function createMailSender(smtpUrl: string, options: { timeoutMs?: number } = {}): MailSender {
  const settings = transportSettings(smtpUrl, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const secrets = secretsOf(settings);
  const transport = nodemailer.createTransport(settings);
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail(messageOf(mail));
        return { ok: true, response: String(info.response ?? '') };
      } catch (err) {
        return failureOf(err as NodemailerError, secrets);
      }
    },
    close: () => transport.close(),
  };
}

/** Transport options from the URL; its error names the URL's shape, never the URL (it may hold a password). */
function transportSettings(smtpUrl: string, timeoutMs: number): SMTPTransportOptions {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new Error('The SMTP URL is not valid: expected smtp://[user:pass@]host:port or smtps://…');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error(`The SMTP URL must start with smtp:// or smtps://, not ${url.protocol}//`);
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''), // an IPv6 literal comes bracketed
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    auth: user ? { user, pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    // Nothing we send refers to files or URLs to inline: refuse them should a field ever carry one.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

function messageOf(mail: OutgoingMail): SendMailOptions {
  return {
    from: mail.from.name ? { name: mail.from.name, address: mail.from.address } : mail.from.address,
    to: mail.to,
    replyTo: mail.replyTo,
    subject: mail.subject,
    text: mail.text,
    html: htmlOf(mail.text),
    messageId: angle(mail.messageId),
    inReplyTo: mail.inReplyTo ? angle(mail.inReplyTo) : undefined,
    references: mail.references?.length ? mail.references.map(angle) : undefined,
    headers: headersOf(mail),
  };
}

function headersOf(mail: OutgoingMail): Record<string, string> {
  const headers: Record<string, string> = { ...mail.headers };
  if (mail.autoSubmitted) {
    // RFC 3834 marks the mail as automatic; Exchange only honours its own header against auto-replies.
    headers['Auto-Submitted'] = mail.autoSubmitted;
    headers['X-Auto-Response-Suppress'] = 'All';
  }
  return headers;
}

function angle(id: string): string {
  return `<${id.trim().replace(/^<|>$/g, '')}>`;
}

/**
 * The HTML part: the text escaped, a paragraph per blank-line-separated block, line breaks kept.
 * Links stay text: an agent's "example.com" must not turn into a link we chose.
 */
export function htmlOf(text: string): string {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((block) => block.replace(/^\n+|\n+$/g, ''))
    .filter((block) => block.trim() !== '');
  return paragraphs.map((block) => `<p>${escapeHtml(block).split('\n').join('<br>\n')}</p>`).join('\n');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function failureOf(err: NodemailerError, secrets: string[]): SendResult {
  const code = typeof err.responseCode === 'number' ? err.responseCode : null;
  const text = [err.code, err.message].filter(Boolean).join(': ');
  return { ok: false, permanent: isPermanent(err, code), error: scrub(text, secrets) };
}

/**
 * A 5xx answer refuses this mail for good (550 recipient, 552 size, 554 content). Everything else
 * (4xx, refused or reset connections, timeouts, DNS) may pass later. Some 5xx are not the mail's fault
 * and stay temporary: 503 (the session was out of step), and a refused or missing login (530, EAUTH):
 * once the operator fixes the credentials, the same mail goes out.
 */
function isPermanent(err: NodemailerError, code: number | null): boolean {
  if (code === null || code < 500 || code >= 600 || code === 503 || code === 530) return false;
  return err.code !== 'EAUTH' && err.code !== 'ENOAUTH';
}

function secretsOf(settings: SMTPTransportOptions): string[] {
  const auth = settings.auth as { pass?: string } | undefined;
  const pass = auth?.pass ?? '';
  return pass ? [pass, encodeURIComponent(pass)] : [];
}

/** Error text without the password, nor the user:pass part of any URL it happens to quote. */
function scrub(text: string, secrets: string[]): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1');
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  return out;
}
