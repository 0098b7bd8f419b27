// Raw RFC 5322 mail -> ParsedEmail: what the email channel needs to thread, filter and show a mail.
// mailparser does the MIME work; threading ids, headers and automated-mail signals are read from the raw
// header lines, because mailparser's parsed values lose information there (see each function).
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { simpleParser, type AddressObject, type Attachment, type EmailAddress, type ParsedMail, type SimpleParserOptions } from 'mailparser';
import type { AutomatedReason, Bounce, MailAddress, MailAttachment, ParsedEmail } from './parsed-email.js';

const DEFAULT_MAX_TEXT_CHARS = 150_000;
const TRUNCATION_MARKER = '… (truncated)';

const PARSER_OPTIONS: SimpleParserOptions = {
  // HTML-only mail is converted by htmlToText below, so `text` tells whether the mail had a plain part.
  skipHtmlToText: true,
  skipTextToHtml: true,
  // cid: images would otherwise be inlined into the HTML as data: URLs, which we never show.
  keepCidLinks: true,
  // The DSN's machine-readable part as an attachment instead of mixed into the text.
  keepDeliveryStatus: true,
  checksumAlgo: false,
};

/**
 * Reads one raw mail. Never throws for a mail that has headers, whatever its body; input without any
 * (empty, binary) is rejected with an Error whose message starts with "unreadable mail:".
 */
export async function parseMail(raw: Buffer | NodeJS.ReadableStream, options: { maxTextChars?: number } = {}): Promise<ParsedEmail> {
  const maxTextChars = options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS;
  const bytes = await readAll(raw);
  const parsed = await parseMime(bytes);
  const headers = rawHeaders(parsed);
  const from = addressesOf(parsed.from)[0] ?? null;
  const subject = (parsed.subject ?? '').trim();
  const body = await splitBody(parsed, bytes);
  const fullText = [body.text, body.quoted].filter(Boolean).join('\n\n');
  const deliveryReport = isDeliveryReport(parsed, headers);
  const messageId = ownMessageId(headers, bytes);
  const bounce = deliveryReport ? dsnBounce(parsed, bytes) : plainBounce(from, fullText, bytes);
  return {
    messageId,
    replyTo: answeredIds(headers, messageId),
    from,
    replyToAddress: addressesOf(parsed.replyTo)[0] ?? null,
    to: addressesOf(parsed.to),
    cc: addressesOf(parsed.cc),
    subject,
    date: dateOf(headers),
    text: capText(body.text, maxTextChars),
    quoted: body.quoted === null ? null : capText(body.quoted, maxTextChars),
    attachments: attachmentsOf(parsed, deliveryReport || bounce !== null),
    automated: automatedReason(deliveryReport, headers, from, subject),
    bounce,
    amazon: amazonOf(from, subject, fullText),
    headers: Object.fromEntries(headers),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Reading the bytes

async function readAll(raw: Buffer | NodeJS.ReadableStream): Promise<Buffer> {
  if (Buffer.isBuffer(raw)) return raw;
  const chunks: Buffer[] = [];
  for await (const chunk of raw) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

const REPLACEMENT_CHAR_UTF8 = Buffer.from('\uFFFD');

async function parseMime(bytes: Buffer): Promise<ParsedMail> {
  if (bytes.length === 0) throw new Error('unreadable mail: empty input');
  let parsed = await parseLeniently(bytes);
  if (!startsWithHeader(parsed)) throw new Error('unreadable mail: no header lines');
  // mailparser decodes a charset it does not know as UTF-8; latin1 bytes then come out as U+FFFD.
  if (hasReplacementChars(parsed) && !bytes.includes(REPLACEMENT_CHAR_UTF8)) {
    const relabelled = relabelUnknownCharsets(bytes);
    if (relabelled) parsed = await parseLeniently(relabelled);
  }
  return parsed;
}

/** simpleParser, or when it refuses the structure (over 1000 parts, say), the headers with the body as plain text. */
async function parseLeniently(bytes: Buffer): Promise<ParsedMail> {
  try {
    return await simpleParser(inSlices(bytes), PARSER_OPTIONS);
  } catch {
    try {
      return await simpleParser(inSlices(asPlainTextMail(bytes)), PARSER_OPTIONS);
    } catch (error) {
      throw new Error(`unreadable mail: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}

const SLICE_BYTES = 64 * 1024;

/**
 * The mail as a stream of 64 KB views (no copies). Given one Buffer, mailparser decodes a 25 MB mail as a few huge
 * strings and chunks: about 100 MB more memory at its peak, against some 40 MB in slices.
 */
function inSlices(bytes: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < bytes.length; at += SLICE_BYTES) yield bytes.subarray(at, at + SLICE_BYTES);
    })(),
    { objectMode: false },
  );
}

function asPlainTextMail(bytes: Buffer): Buffer {
  const { head, body } = splitHeadAndBody(bytes);
  const fields = head.toString('latin1').split(/\r?\n(?![ \t])/);
  const kept = fields.filter((field) => field !== '' && !/^content-/i.test(field));
  const newHead = [...kept, 'Content-Type: text/plain; charset=utf-8', '', ''].join('\r\n');
  return Buffer.concat([Buffer.from(newHead, 'latin1'), body]);
}

function splitHeadAndBody(bytes: Buffer): { head: Buffer; body: Buffer } {
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return { head: bytes, body: Buffer.alloc(0) };
  const [at, gap] = lf < 0 || (crlf >= 0 && crlf < lf) ? [crlf, 4] : [lf, 2];
  return { head: bytes.subarray(0, at), body: bytes.subarray(at + gap) };
}

/** A mail starts with a header field; text or binary does not (mailparser drops an mbox "From " line itself). */
function startsWithHeader(parsed: ParsedMail): boolean {
  const first = parsed.headerLines[0];
  return first !== undefined && /^[!-9;-~]+$/.test(first.key);
}

function hasReplacementChars(parsed: ParsedMail): boolean {
  return [parsed.text, parsed.html, parsed.subject].some((value) => typeof value === 'string' && value.includes('\uFFFD'));
}

// windows-1252 decodes every byte to something readable, and is what "latin1" mail usually really is.
const FALLBACK_CHARSET = 'windows-1252';

/**
 * The mail with every charset label Node cannot decode (and text parts without one) relabelled as
 * windows-1252, or null when there is nothing to relabel. Only used once UTF-8 decoding has failed.
 */
function relabelUnknownCharsets(bytes: Buffer): Buffer | null {
  let changed = false;
  const relabel = (label: string): string => {
    if (isKnownCharset(label)) return label;
    changed = true;
    return FALLBACK_CHARSET;
  };
  // latin1 keeps every byte as one char, so the rewrite leaves the rest of the mail untouched.
  const source = bytes.toString('latin1');
  const rewritten = source
    .replace(/^content-type:[^\n]*(?:\n[ \t][^\n]*)*/gim, (field) => {
      if (/\bcharset\s*=/i.test(field)) return field.replace(/(\bcharset\s*=\s*"?)([^";\s]+)/i, (_m, prefix: string, label: string) => prefix + relabel(label));
      if (!/^content-type:\s*text\//i.test(field)) return field;
      changed = true;
      const cr = field.endsWith('\r') ? '\r' : '';
      return `${field.slice(0, field.length - cr.length).trimEnd()}; charset=${FALLBACK_CHARSET}${cr}`;
    })
    .replace(/=\?([^?\s*]+)(\*[^?\s]*)?\?([bq])\?/gi, (_m, label: string, lang: string | undefined, encoding: string) => `=?${relabel(label)}${lang ?? ''}?${encoding}?`);
  return changed ? Buffer.from(rewritten, 'latin1') : null;
}

function isKnownCharset(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Headers, ids, addresses, date

/** Header name (lower-cased) -> raw value, unfolded; repeated headers joined with "\n". */
function rawHeaders(parsed: ParsedMail): Map<string, string> {
  const headers = new Map<string, string>();
  for (const { key, line } of parsed.headerLines) {
    if (!key) continue;
    const value = line.slice(line.indexOf(':') + 1).replace(/\r?\n(?=[ \t])/g, '').trim();
    const previous = headers.get(key);
    headers.set(key, previous === undefined ? value : `${previous}\n${value}`);
  }
  return headers;
}

/** Every value of a header (repeated headers were joined with "\n"). */
function valuesOf(headers: Map<string, string>, name: string): string[] {
  return headers.get(name)?.split('\n') ?? [];
}

const MESSAGE_ID = /<[^<>\s]+>/g;

/** Message-IDs in a raw header value, without <>. mailparser's own values mangle "<a@x>, <b@x>" (mailparser#289). */
function idsIn(value: string): string[] {
  return Array.from(value.matchAll(MESSAGE_ID), (match) => match[0].slice(1, -1));
}

function ownMessageId(headers: Map<string, string>, bytes: Buffer): string {
  const value = valuesOf(headers, 'message-id')[0] ?? '';
  const bare = value.trim();
  const id = idsIn(value)[0] ?? (/^[^\s<>]+@[^\s<>]+$/.test(bare) ? bare : null);
  return id ?? `generated-${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}@threaddesk.invalid`;
}

/** In-Reply-To first, then References newest (last) first; each id once, never the mail's own. */
function answeredIds(headers: Map<string, string>, ownId: string): string[] {
  const inReplyTo = valuesOf(headers, 'in-reply-to').flatMap(idsIn);
  const references = valuesOf(headers, 'references').flatMap(idsIn).reverse();
  return [...new Set([...inReplyTo, ...references])].filter((id) => id !== ownId);
}

function addressesOf(header: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const objects = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return objects
    .flatMap((object) => object.value)
    .flatMap((entry) => entry.group ?? [entry])
    .map(toMailAddress)
    .filter((address): address is MailAddress => address !== null);
}

function toMailAddress(entry: EmailAddress): MailAddress | null {
  const address = (entry.address ?? '').trim().toLowerCase();
  if (!address) return null;
  return { address, name: entry.name.trim() || null };
}

function localPart(address: MailAddress | null): string {
  return address ? address.address.slice(0, address.address.lastIndexOf('@')) : '';
}

function domainOf(address: MailAddress | null): string {
  return address ? address.address.slice(address.address.lastIndexOf('@') + 1) : '';
}

/** mailparser turns an unreadable Date into "now"; a missing or bad date must stay unknown. */
function dateOf(headers: Map<string, string>): number | null {
  const value = valuesOf(headers, 'date')[0];
  if (!value) return null;
  const time = new Date(value).getTime();
  return Number.isNaN(time) ? null : time;
}

// ---------------------------------------------------------------------------------------------------------
// Body text and the quoted history

interface Body {
  text: string;
  quoted: string | null;
}

async function splitBody(parsed: ParsedMail, bytes: Buffer): Promise<Body> {
  const plain = normaliseText(parsed.text ?? '');
  const html = typeof parsed.html === 'string' ? parsed.html : '';
  if (plain) {
    const split = splitPlainText(plain);
    if (split.quoted !== null || !html || htmlQuoteStart(html) < 0) return split;
    // A plain part without any quote marker: the HTML part may still mark one (gmail_quote, ...).
    const fromHtml = await splitHtml(html);
    return fromHtml.quoted !== null ? fromHtml : split;
  }
  if (html) return splitHtml(html);
  if (parsed.attachments.length > 0) return { text: '', quoted: null };
  // Nothing mailparser could read (a multipart without boundary, say): show the body as it is.
  return { text: normaliseText(splitHeadAndBody(bytes).body.toString('utf8')), quoted: null };
}

/** CRLF to LF, no trailing whitespace on any line, no blank lines around the text. */
function normaliseText(text: string): string {
  // Array work rather than /\s+$/gm: that regex is quadratic on long runs of spaces, and mail is untrusted.
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((line) => line.trimEnd());
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start] === '') start += 1;
  while (end > start && lines[end - 1] === '') end -= 1;
  return lines.slice(start, end).join('\n');
}

function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  let keep = Math.max(0, max - TRUNCATION_MARKER.length);
  if (/[\uDC00-\uDFFF]/.test(text.charAt(keep))) keep -= 1; // never split a surrogate pair
  return text.slice(0, keep) + TRUNCATION_MARKER;
}

/** The new part and the quoted history; the whole text as `text` when nothing is quoted or nothing is new. */
function splitAt(lines: string[], at: number): Body {
  const whole = lines.join('\n');
  if (at < 0 || isForward(lines, at)) return { text: whole, quoted: null };
  const text = normaliseText(lines.slice(0, at).join('\n'));
  const quoted = normaliseText(lines.slice(at).join('\n'));
  return text && quoted ? { text, quoted } : { text: whole, quoted: null };
}

function splitPlainText(text: string): Body {
  const lines = text.split('\n');
  const starts = [attributionLine(lines), outlookHeaderLine(lines), separatorLine(lines), trailingQuoteBlock(lines)].filter((at) => at >= 0);
  return splitAt(lines, starts.length > 0 ? Math.min(...starts) : -1);
}

// "On Mon, Mar 4, 2024 at 6:15 PM Jane <jane@x> wrote:" and its translations. A date (a digit) is required,
// so a sentence like "On Monday my colleague wrote:" is not taken for a reply header.
const ATTRIBUTIONS = [
  /^On\s.*\d.*\swrote:$/i,
  /^Am\s.*\d.*\sschrieb\s.*:$/i,
  /^Le\s.*\d.*\sa écrit\s?:$/i,
  /^El\s.*\d.*\sescribió\s?:$/i,
  /^Op\s.*\d.*\sschreef\s.*:$/i,
  /^Il\s.*\d.*\sha scritto\s?:$/i,
  /^Em\s.*\d.*\sescreveu\s?:$/i,
];

function isAttribution(line: string): boolean {
  // Real attributions are short; the length cap also keeps the backtracking patterns cheap.
  return line.length <= 400 && ATTRIBUTIONS.some((pattern) => pattern.test(line.trim()));
}

const ATTRIBUTION_START = /^\s*(On|Am|Le|El|Op|Il|Em)\s/i;

/** First line starting an attribution; Gmail wraps long ones over two or three lines. */
function attributionLine(lines: string[]): number {
  return lines.findIndex(
    (line, i) => ATTRIBUTION_START.test(line) && [1, 2, 3].some((count) => isAttribution(lines.slice(i, i + count).join(' '))),
  );
}

const ORIGINAL_MESSAGE = /^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Messaggio originale|Oorspronkelijk bericht)\s*-{2,}$/i;
const OUTLOOK_FROM = /^\*?(From|Von|De|Da|Van|Från|Od)\s?:\*?\s/i;
const OUTLOOK_SENT = /^\*?(Sent|Date|Gesendet|Datum|Envoyé|Enviado|Fecha|Inviato|Verzonden|Skickat|Wysłano)\s?:\*?\s/i;

/** Outlook's "-----Original Message-----", or its "From: … / Sent: …" header block. */
function outlookHeaderLine(lines: string[]): number {
  return lines.findIndex(
    (line, i) => ORIGINAL_MESSAGE.test(line.trim()) || (OUTLOOK_FROM.test(line) && lines.slice(i + 1, i + 4).some((next) => OUTLOOK_SENT.test(next))),
  );
}

/**
 * Outlook's "________________________________" (32) above the quoted mail. Other lengths only count
 * with a "From:" line below, so a mailing list footer rule (Mailman's 47) is not taken for one.
 */
function separatorLine(lines: string[]): number {
  return lines.findIndex((line, i) => {
    const underscores = /^_{20,}$/.test(line.trim()) ? line.trim().length : 0;
    return underscores === 32 || (underscores > 0 && lines.slice(i + 1, i + 3).some((next) => OUTLOOK_FROM.test(next)));
  });
}

/** Start of the block of "> " lines that ends the text (interleaved quotes higher up stay in the text). */
function trailingQuoteBlock(lines: string[]): number {
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i].trim();
    if (line.startsWith('>')) start = i;
    else if (line !== '') break;
  }
  return start;
}

// A forward is the content the customer wants us to read, not history to hide.
const FORWARD_MARKER = /^(-+\s*(Forwarded message|Weitergeleitete Nachricht|Message transféré|Mensaje reenviado)\s*-+|Begin forwarded message:)$/i;

function isForward(lines: string[], at: number): boolean {
  return lines.slice(Math.max(0, at - 2), at + 1).some((line) => FORWARD_MARKER.test(line.trim()));
}

// Start tags and their class / id, matched without backtracking across "<": mail is untrusted input.
const START_TAG = /<([a-z][a-z0-9]*)\b[^<>]*>/gi;
const CLASS_ATTRIBUTE = /\sclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;
const ID_ATTRIBUTE = /\sid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;

function attribute(tag: string, pattern: RegExp): string {
  const match = pattern.exec(tag);
  return match ? (match[1] ?? match[2] ?? match[3] ?? '') : '';
}

/** Elements mail clients wrap the quoted mail in: Gmail, Outlook (the reply header, and the empty div above it), Yahoo, Thunderbird. */
function isQuoteElement(tag: string): boolean {
  const classes = attribute(tag, CLASS_ATTRIBUTE).split(/\s+/);
  const id = attribute(tag, ID_ATTRIBUTE);
  return (
    classes.includes('gmail_quote') ||
    classes.includes('moz-cite-prefix') ||
    /^(divRplyFwdMsg|appendonsend)$/i.test(id) ||
    [id, ...classes].some((name) => name.startsWith('yahoo_quoted'))
  );
}

/** Where the quoted mail starts in the HTML, or -1. */
function htmlQuoteStart(html: string): number {
  let marked = -1;
  for (const tag of html.matchAll(START_TAG)) {
    if (isQuoteElement(tag[0])) {
      marked = tag.index;
      break;
    }
  }
  const starts = [marked, trailingBlockquote(html)].filter((at) => at >= 0);
  return starts.length > 0 ? Math.min(...starts) : -1;
}

/** The last top-level <blockquote> when nothing readable follows it (a reply above a quote), or -1. */
function trailingBlockquote(html: string): number {
  let depth = 0;
  let start = -1;
  let lastEnd = -1;
  for (const tag of html.matchAll(/<(\/?)blockquote\b[^<>]*>/gi)) {
    if (!tag[1]) {
      if (depth === 0) start = tag.index;
      depth += 1;
    } else if (depth > 0) {
      depth -= 1;
      if (depth === 0) lastEnd = tag.index + tag[0].length;
    }
  }
  if (start < 0) return -1;
  if (depth > 0) return start; // unclosed: runs to the end
  return stripTags(html.slice(lastEnd)).trim() === '' ? start : -1;
}

async function splitHtml(html: string): Promise<Body> {
  const at = htmlQuoteStart(html);
  if (at < 0) return splitPlainText(await htmlToText(html));
  const [before, after] = await Promise.all([htmlToText(html.slice(0, at)), htmlToText(html.slice(at))]);
  const lines = [...before.split('\n'), ...after.split('\n')];
  let quoteStart = before === '' ? 0 : before.split('\n').length;
  // Thunderbird and Apple Mail put "On … wrote:" just above the quote element.
  while (quoteStart > 0 && (lines[quoteStart - 1].trim() === '' || isAttribution(lines[quoteStart - 1]))) quoteStart -= 1;
  while (quoteStart < lines.length && lines[quoteStart].trim() === '') quoteStart += 1;
  const split = splitAt(lines, quoteStart);
  // Not a reply after all (a forward, or nothing above the quote): read the converted HTML as plain text.
  return split.quoted === null ? splitPlainText(normaliseText(lines.join('\n'))) : split;
}

/**
 * HTML as readable text, through mailparser's own conversion (html-to-text behind guards against markup
 * nested deep enough to stall it). Falls back to stripping tags when the conversion gives up.
 */
async function htmlToText(html: string): Promise<string> {
  const mail = `Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(html).toString('base64')}`;
  const parsed = await simpleParser(mail, { skipTextToHtml: true, skipImageLinks: true, maxHtmlLengthToParse: 5_000_000 });
  const text = normaliseText(parsed.text ?? '');
  return text || normaliseText(stripTags(html));
}

function stripTags(html: string): string {
  return withoutElements(html, ['style', 'script', 'head'])
    .replace(/<(br|\/p|\/div|\/tr|\/li|\/h\d)\b[^<>]*>/gi, '\n')
    .replace(/<[^<>]*>/g, '')
    .replace(/&nbsp;|&#160;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&amp;/gi, '&');
}

/** The HTML without these elements and their content, in one forward scan (a lazy regex is quadratic on unclosed tags). */
function withoutElements(html: string, names: string[]): string {
  const open = new RegExp(`<(${names.join('|')})\\b`, 'gi');
  const lower = html.toLowerCase();
  let result = '';
  let at = 0;
  for (;;) {
    open.lastIndex = at;
    const match = open.exec(html);
    if (!match) return result + html.slice(at);
    result += html.slice(at, match.index);
    const close = lower.indexOf(`</${match[1].toLowerCase()}`, match.index);
    if (close < 0) return result;
    const closeEnd = lower.indexOf('>', close);
    at = closeEnd < 0 ? html.length : closeEnd + 1;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Automated mail and bounces

const DELIVERY_STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const ORIGINAL_MESSAGE_TYPES = new Set(['message/rfc822', 'text/rfc822-headers', 'message/global', 'message/global-headers']);

/** A DSN: multipart/report; report-type=delivery-status, or any delivery-status part. */
function isDeliveryReport(parsed: ParsedMail, headers: Map<string, string>): boolean {
  const contentType = valuesOf(headers, 'content-type')[0] ?? '';
  const isReport = /^\s*multipart\/report\s*;/i.test(contentType) && /\breport-type\s*=\s*"?delivery-status\b/i.test(contentType);
  return isReport || parsed.attachments.some((attachment) => DELIVERY_STATUS_TYPES.has(attachment.contentType.toLowerCase()));
}

/** The first token of each value, lower-cased: "auto-replied; owner=x" -> "auto-replied". */
function tokensOf(headers: Map<string, string>, name: string): string[] {
  return valuesOf(headers, name).map((value) => (value.split(';')[0] ?? '').trim().toLowerCase());
}

const OOF_SUBJECT = /out of (the )?office|automatic reply|auto[- ]?reply|abwesen|automatische antwort|réponse automatique|absence|respuesta automática|fuori sede|afwezig|vacation|urlaub/i;

function isAutoReply(headers: Map<string, string>, subject: string): boolean {
  if (['x-autoreply', 'x-autorespond', 'x-autoresponder', 'x-ms-exchange-inbox-rules-loop'].some((name) => headers.has(name))) return true;
  // Outlook sets X-Auto-Response-Suppress on ordinary mail too; only with an out-of-office subject is it one.
  const suppress = valuesOf(headers, 'x-auto-response-suppress').some((value) => /\b(all|oof)\b/i.test(value));
  return suppress && OOF_SUBJECT.test(subject);
}

const NO_REPLY_LOCAL = /(^|[-_.+])(no[-_]?reply|do[-_]?not[-_]?reply)([-_.+]|$)/i;

/** Why the mail is automated; the first signal in the product's order wins. */
function automatedReason(deliveryReport: boolean, headers: Map<string, string>, from: MailAddress | null, subject: string): AutomatedReason | null {
  const local = localPart(from);
  if (deliveryReport) return 'bounce';
  if (/^(mailer-daemon|postmaster)$/i.test(local)) return 'mailer-daemon';
  if (tokensOf(headers, 'auto-submitted').some((token) => token !== 'no')) return 'auto-submitted';
  if (isAutoReply(headers, subject)) return 'auto-reply';
  if (['precedence', 'x-precedence'].some((name) => tokensOf(headers, name).some((token) => /^(bulk|junk|list|auto_reply)$/.test(token)))) return 'precedence';
  if (['list-id', 'list-unsubscribe', 'x-loop'].some((name) => headers.has(name))) return 'list';
  if (NO_REPLY_LOCAL.test(local)) return 'no-reply';
  return null;
}

/** A delivery status part's fields (RFC 3464): per-message block, then one block per recipient. */
function dsnBounce(parsed: ParsedMail, bytes: Buffer): Bounce {
  const statusPart = parsed.attachments.find((attachment) => DELIVERY_STATUS_TYPES.has(attachment.contentType.toLowerCase()));
  const blocks = statusPart ? fieldBlocks(statusPart.content.toString('utf8')) : [];
  const recipients = blocks.filter((block) => block.has('final-recipient') || block.has('action'));
  const recipient = recipients.find((block) => block.get('action')?.toLowerCase() === 'failed') ?? recipients[0] ?? new Map<string, string>();
  const address = recipient.get('original-recipient') ?? recipient.get('final-recipient');
  return {
    originalMessageId: originalIdInParts(parsed.attachments) ?? originalIdInText(splitHeadAndBody(bytes).body.toString('utf8')),
    recipient: address ? withoutType(address).replace(/^<|>$/g, '').toLowerCase() || null : null,
    status: statusCode(recipient.get('status') ?? ''),
    action: recipient.get('action')?.toLowerCase() || null,
    diagnostic: oneLine(withoutType(recipient.get('diagnostic-code') ?? '')),
  };
}

/** Header-style field blocks separated by blank lines, names lower-cased. */
function fieldBlocks(text: string): Map<string, string>[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((block) => {
      const fields = new Map<string, string>();
      for (const field of block.replace(/\n[ \t]+/g, ' ').split('\n')) {
        const colon = field.indexOf(':');
        if (colon > 0) fields.set(field.slice(0, colon).trim().toLowerCase(), field.slice(colon + 1).trim());
      }
      return fields;
    });
}

/** "rfc822; bob@x" -> "bob@x", "smtp; 550 …" -> "550 …". */
function withoutType(value: string): string {
  return value.replace(/^[a-z0-9-]+\s*;\s*/i, '').trim();
}

/** An enhanced status code ("5.1.1"), not part of an IP address or version number. */
function statusCode(text: string): string | null {
  return /(?<![\d.])[245]\.\d{1,3}\.\d{1,3}(?![\d.])/.exec(text)?.[0] ?? null;
}

function oneLine(text: string): string | null {
  const line = text.replace(/\s+/g, ' ').trim();
  return line ? line.slice(0, 1000) : null;
}

/** The Message-ID of the returned original, from the message/rfc822 (or headers-only) part. */
function originalIdInParts(attachments: Attachment[]): string | null {
  for (const attachment of attachments) {
    if (!ORIGINAL_MESSAGE_TYPES.has(attachment.contentType.toLowerCase())) continue;
    const head = splitHeadAndBody(attachment.content).head.toString('utf8');
    const id = originalIdInText(head);
    if (id) return id;
  }
  return null;
}

/** A "Message-ID: <…>" header line quoted in a body (indented or "> "-quoted by some MTAs). */
function originalIdInText(text: string): string | null {
  const match = /^[ \t>]*Message-ID:[ \t]*(?:\r?\n[ \t]+)?(<[^<>\s]+>)/im.exec(text);
  return match ? match[1].slice(1, -1) : null;
}

/** A mailer-daemon bounce without a DSN part: only when the returned mail's Message-ID is in the body. */
function plainBounce(from: MailAddress | null, text: string, bytes: Buffer): Bounce | null {
  if (!/^(mailer-daemon|postmaster)$/i.test(localPart(from))) return null;
  const originalMessageId = originalIdInText(text) ?? originalIdInText(splitHeadAndBody(bytes).body.toString('utf8'));
  if (!originalMessageId) return null;
  const status = statusCode(text);
  const statusLine = status ? text.split('\n').find((line) => line.includes(status)) : undefined;
  const recipient = /^[ \t]*<?([^\s<>@:]+@[^\s<>:]+?)>?:?(?:[ \t]|$)/m.exec(text)?.[1]?.toLowerCase() ?? null;
  return {
    originalMessageId,
    recipient,
    status,
    action: status?.startsWith('5') ? 'failed' : null,
    diagnostic: statusLine ? oneLine(statusLine) : null,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Amazon buyer messages, attachments

const AMAZON_MARKETPLACE = /^marketplace\.amazon\.(?:[a-z]{2,3}|co\.[a-z]{2}|com\.[a-z]{2})$/;
const AMAZON_ORDER_ID = /(?<!\d)\d{3}-\d{7}-\d{7}(?!\d)/;

function amazonOf(from: MailAddress | null, subject: string, text: string): ParsedEmail['amazon'] {
  if (!AMAZON_MARKETPLACE.test(domainOf(from))) return null;
  return { orderId: AMAZON_ORDER_ID.exec(subject)?.[0] ?? AMAZON_ORDER_ID.exec(text)?.[0] ?? null };
}

/**
 * Files a person attached, and inline images that have a name (unnamed ones are signature logos and
 * the like). A report's status part and returned original are the bounce, not attachments.
 */
function attachmentsOf(parsed: ParsedMail, isBounce: boolean): MailAttachment[] {
  return parsed.attachments
    .filter((attachment) => {
      const type = attachment.contentType.toLowerCase();
      if (DELIVERY_STATUS_TYPES.has(type) || ORIGINAL_MESSAGE_TYPES.has(type)) return !isBounce && Boolean(attachment.filename);
      const inlineImage = type.startsWith('image/') && (attachment.related || attachment.contentDisposition === 'inline');
      if (inlineImage) return Boolean(attachment.filename);
      return true;
    })
    .map((attachment, i) => ({
      filename: cleanFilename(attachment.filename) ?? `attachment-${i + 1}.${extensionFor(attachment.contentType)}`,
      contentType: attachment.contentType,
      size: attachment.content.length,
      content: attachment.content,
    }));
}

/** The name without any path a sender put in it. */
function cleanFilename(filename: string | undefined): string | null {
  // eslint-disable-next-line no-control-regex -- control characters are what is being removed
  const name = (filename ?? '').split(/[/\\]/).pop()?.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return name || null;
}

const EXTENSIONS = new Map([
  ['image/jpeg', 'jpg'],
  ['image/svg+xml', 'svg'],
  ['text/plain', 'txt'],
  ['text/calendar', 'ics'],
  ['message/rfc822', 'eml'],
  ['application/msword', 'doc'],
  ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'],
  ['application/vnd.ms-excel', 'xls'],
  ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx'],
]);

/** "image/png" -> "png"; a subtype that is no plausible extension ("octet-stream") -> "bin". */
function extensionFor(contentType: string): string {
  const type = contentType.toLowerCase();
  const subtype = type.split('/')[1] ?? '';
  return EXTENSIONS.get(type) ?? (/^[a-z0-9]{1,8}$/.test(subtype) ? subtype : 'bin');
}
