/**
 * `npm run bench:email` — inbound mail benchmark of threaddesk's SMTP listener, with a bare smtp-server that parses
 * nothing and discards as the ceiling.
 *
 * Three kinds of process, so that what is measured does not share an event loop with what measures it:
 *   - this one: the Slack emulator (the Web API the bot posts cards and uploads attachments to, its echoes of the bot's
 *     posts), the reader of the SQLite file (rows counted while the mails come in, the integrity check after), the
 *     report;
 *   - the mail client (this file again, BENCH_EMAIL_ROLE=client): builds every mail before any timing starts, with
 *     nodemailer's MailComposer from a seeded PRNG (same seed, same mails; only the Date header is the build time),
 *     then sends them with nodemailer's SMTPConnection over C connections on loopback, opened before the first send;
 *     each connection sends its next mail as soon as the last one was answered (closed loop, C mails in flight);
 *   - the server measured, alone in its process: threaddesk as deployed (`src/main.ts` configured by environment:
 *     THREADDESK_SMTP_LISTEN on loopback, THREADDESK_EMAIL_INBOXES support@shop.example → the triage channel, a fresh
 *     SQLite file, Slack rate pacing scaled ×1000 since the emulator enforces no limits), or the bare smtp-server
 *     (this file, BENCH_EMAIL_ROLE=null-smtp: same listener options, onData reads the stream to its end and answers
 *     250). Both answer probes (bench/lib/probe.ts: CPU, event-loop delay); their RSS is read from /proc/<pid>/status
 *     (VmRSS, and VmHWM, the peak, reset with /proc/<pid>/clear_refs before each measured phase).
 *
 * The mails (N, plus W for the warm-up, each from its own sender so each opens a ticket): sizes log-uniform from
 * 2 KB to 200 KB; a fifth carry one or two attachments (PNG- and PDF-like binary, base64); bodies in UTF-8
 * quoted-printable, ISO-8859-1 quoted-printable, base64 UTF-8, multipart/alternative text + HTML, HTML only, and
 * ISO-2022-JP encoded-word subjects. No mail looks automated (no List-Id, Precedence, Auto-Submitted, no-reply).
 *
 * Phases, in order: the bare server (warm-up W, then N measured, then one 25 MB mail), then threaddesk (warm-up W,
 * all stored and posted; N measured; everything posted to Slack; then one 25 MB mail: a ~18 MB PDF attachment,
 * 25,000,000 bytes on the wire, under the default 25 MiB THREADDESK_EMAIL_MAX_BYTES).
 *
 * Figures:
 *   - mails stored per second: mails answered 250 per second, first send → last 250 (threaddesk answers once the mail
 *     is written to its inbox, mail_inbox, and turns it into a ticket afterwards; the bare server once it has read it);
 *   - tickets per second: rows of `messages` whose channel_id starts with 'email:', counted every 10 ms, from the first
 *     send to the moment the N-th row of the phase was there (how fast the stored mail is worked off);
 *   - answer latency, p50/p99: from the end of DATA to the 250, per mail: the client times the moment the final
 *     "<CRLF>.<CRLF>" was handed to the kernel (the write callback of that chunk on the socket) and the moment the
 *     reply arrived. Also given: the whole transaction on the open connection (MAIL FROM → 250);
 *   - peak RSS of the server process over the measured phase (VmHWM after clear_refs);
 *   - integrity (database after the run): every Message-ID sent stored exactly once (0 lost, 0 doubled);
 *   - the 25 MB mail: the server's RSS just before it, its peak (VmHWM, reset just before) until the mail is stored
 *     and posted, and its RSS after.
 * Targets (ok / MISSED): p99 end of DATA → 250 under 250 ms; threaddesk stores at least a quarter of the ceiling's
 * rate; 0 lost, 0 doubled; the 25 MB mail raises the bot's peak RSS by less than 100 MB over its RSS before it.
 * Prints a table and a last line `RESULT {json}`. Exits 0 once it has measured (missed targets are marked MISSED);
 * 1 if the benchmark could not run, 2 on a bad flag.
 *
 * Options (npm run bench:email -- …):
 *   --n N             mails per measured phase (default 1000)
 *   --connections C   SMTP connections sending in parallel (default 10)
 *   --warmup W        unmeasured warm-up mails per server (default 50)
 *   --seed S          PRNG seed of the mails (default 11)
 * Environment: BENCH_APP_NODE_ARGS adds node flags to the measured processes (e.g. `--cpu-prof`).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import MailComposer from 'nodemailer/lib/mail-composer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { SMTPServer } from 'smtp-server';
import { SlackEmulator } from '../src/emulator/index.js';
import { connectDb, type Db } from '../src/store/db.js';
import { migrateLatest } from '../src/store/migrate.js';
import { integerFlag } from './lib/args.js';
import { prng } from './lib/seed-store.js';
import { waitForCount } from './lib/load.js';
import { answerProbes, probeClient, processMonitor, type ProbeClient, type ProbeSample } from './lib/probe.js';
import { freePort, settleBot, startBotProcess, ROOT, type LogSummary, type MeasuredProcess } from './lib/processes.js';
import { ms, percentile, rate, round, sleep } from './lib/stats.js';

const SELF = fileURLToPath(import.meta.url);
const MAILBOX = 'support@shop.example';
const TRIAGE = 'CTRIAGE1';
const AGENT = 'UAGENT01';
const SIGNING_SECRET = 'bench-signing-secret-5d1e9a';
const MAX_BYTES = 25 * 1024 * 1024; // the listener's default THREADDESK_EMAIL_MAX_BYTES
const BIG_MAIL_BYTES = 25_000_000;

const TARGET_P99_MS = 250;
const TARGET_RATIO = 0.25;
const TARGET_BIG_RISE_MB = 100;

const epoch = (): number => performance.timeOrigin + performance.now();
const log = (line: string): void => console.error(`[bench] ${line}`);

// =====================================================================================================================
// The mails (built in the client process)

type Encoding = 'utf8-qp' | 'latin1-qp' | 'utf8-base64' | 'alternative' | 'html-only' | 'iso2022jp-subject';
const ENCODINGS: [Encoding, number][] = [['utf8-qp', 0.25], ['latin1-qp', 0.15], ['utf8-base64', 0.15], ['alternative', 0.2], ['html-only', 0.15], ['iso2022jp-subject', 0.1]];

const WORDS = ('order parcel delivery refund invoice account password login broken damaged missing arrived yesterday today week ' +
  'please could you help check status tracking number address changed wrong size colour replacement return label payment card ' +
  'charged twice subscription cancel renew discount code coupon warranty screen battery charger cable update app error message ' +
  'support team thanks waiting since customer service weekend courier box opened item store online shop checkout basket').split(' ');
/** Latin-1 words (encodable in ISO-8859-1) and a few that are not (€, emoji): UTF-8 only. */
const LATIN1_WORDS = 'Grüße Bestellung Größe über Lieferung déjà reçu naïve café Müller Straße façade señor año Zoë Ålesund'.split(' ');
const UTF8_ONLY_WORDS = ['€', '🙂', '—', '“quoted”', 'Łódź', 'Čeština'];
const SUBJECTS = ['Where is my order', 'Refund for order', 'Damaged item in order', 'Question about invoice', 'Cannot log in to my account',
  'Wrong size delivered', 'Change delivery address for', 'Charged twice for order', 'Warranty claim', 'Return label needed for'];
const UTF8_SUBJECTS = ['Rückerstattung für Bestellung', 'Problème de livraison, commande', 'Größe falsch geliefert', 'Pedido dañado', 'Factura incorrecta — pedido'];
/** Japanese subjects as ISO-2022-JP (JIS X 0208 between ESC $ B and ESC ( B), base64: built once, checked with libmime. */
const ISO2022JP_SUBJECTS = ['GyRCQ21KOCQ3JD8+JklKJCxGTyQtJF4kOyRzGyhC', 'GyRCSlZJSiRLJEQkJCRGGyhC', 'GyRCQEE1YT1xJE46RkgvOVQkciQqNGokJCQ3JF4kORsoQg==',
  'GyRCJVElOSVvITwlSSRySzokbCReJDckPxsoQg==', 'GyRCR1tBd0BoJHJKUTk5JDckPyQkGyhC'];
const FIRST = ['Mia', 'Noah', 'Jürgen', 'Zoë', 'Amélie', 'Lars', 'Priya', 'Kenji', 'Fatima', 'Oliver', 'Søren', 'Lucía'];
const LAST = ['Jones', 'Müller', 'Dubois', 'García', 'Nakamura', 'Okafor', 'Ødegaard', 'Rossi', 'Kowalski', 'Smith'];
const DOMAINS = ['example.com', 'mail.example.net', 'kunde.example.de', 'client.example.fr', 'example.org', 'corp.example.co.jp'];

interface MailSpec {
  raw: Buffer;
  from: string;
  messageId: string;
  encoding: Encoding;
  attachments: number;
}

const pick = <T>(rng: () => number, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

function weighted(rng: () => number): Encoding {
  let u = rng();
  for (const [encoding, weight] of ENCODINGS) if ((u -= weight) < 0) return encoding;
  return ENCODINGS[0]![0];
}

/** Paragraphs of about `chars` characters; `extra` words are mixed in now and then. */
function prose(rng: () => number, chars: number, extra: readonly string[]): string {
  const paragraphs: string[] = [];
  let length = 0;
  while (length < chars) {
    const sentences: string[] = [];
    for (let s = 2 + Math.floor(rng() * 4); s > 0; s--) {
      const words: string[] = [];
      for (let w = 6 + Math.floor(rng() * 14); w > 0; w--) words.push(extra.length > 0 && rng() < 0.08 ? pick(rng, extra) : pick(rng, WORDS));
      const sentence = words.join(' ');
      sentences.push(sentence[0]!.toUpperCase() + sentence.slice(1) + (rng() < 0.15 ? '?' : '.'));
    }
    const paragraph = sentences.join(' ');
    paragraphs.push(paragraph);
    length += paragraph.length + 2;
  }
  const all = paragraphs.join('\n\n');
  // Whole paragraphs overshoot a small budget: cut at the last word boundary within it.
  const cut = all.lastIndexOf(' ', chars);
  return cut > 0 ? `${all.slice(0, cut)}.` : all;
}

function htmlOf(text: string, rng: () => number): string {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const body = text.split('\n\n').map((p) => (rng() < 0.1 ? `<table border="1"><tr><td>${escape(p)}</td><td><b>Qty 1</b></td></tr></table>` : `<p style="font-family:Arial,sans-serif;font-size:14px">${escape(p)}</p>`)).join('\n');
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><style>p{margin:0 0 1em}</style></head><body><div dir="ltr">${body}<p>--<br><a href="https://shop.example/orders">My orders</a></p></div></body></html>`;
}

/** `bytes` of PNG- or PDF-looking binary: the right magic and structure around PRNG noise. */
function binary(rng: () => number, kind: 'png' | 'pdf', bytes: number): Buffer {
  const noise = Buffer.allocUnsafe(Math.max(64, bytes));
  const words = new Uint32Array(noise.buffer, noise.byteOffset, Math.floor(noise.length / 4));
  for (let k = 0; k < words.length; k++) words[k] = (rng() * 4294967296) >>> 0;
  if (kind === 'png') {
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 4, 0, 0, 0, 3, 0, 8, 6, 0, 0, 0]).copy(noise, 0);
    Buffer.from('IEND\xaeB`\x82', 'latin1').copy(noise, noise.length - 8);
  } else {
    Buffer.from('%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 0 /Filter /FlateDecode >>\nstream\n', 'latin1').copy(noise, 0);
    Buffer.from('\nendstream\n%%EOF\n').copy(noise, noise.length - 17);
  }
  return noise;
}

/** base64 on the wire: 76 characters + CRLF per 57 bytes. */
const BASE64_WIRE = 78 / 57;

async function buildMail(seed: number, tag: string, i: number, targetBytes: number, date: Date, scale = 1): Promise<MailSpec> {
  // One stream per mail: a mail is the same whether or not the ones before it were rebuilt.
  const rng = prng((seed * 1_000_003 + i * 7919 + (tag === 'w' ? 17 : 0)) >>> 0);
  const encoding = weighted(rng);
  const attachmentCount = rng() < 0.2 ? (rng() < 0.75 ? 1 : 2) : 0;
  const first = pick(rng, FIRST);
  const last = pick(rng, LAST);
  const domain = pick(rng, DOMAINS);
  const address = `${first.normalize('NFD').replace(/[^\x20-\x7e]/g, '').replace(/[^a-z]/gi, '').toLowerCase()}.${last.normalize('NFD').replace(/[^a-z]/gi, '').toLowerCase()}.${tag}${i}@${domain}`;
  const order = 100000 + Math.floor(rng() * 900000);
  const messageId = `<${tag}${i}.${order}.${seed}@mx.${domain}>`;
  const target = targetBytes * scale;

  // What the attachments take of the mail, the rest is text (at least ~600 characters of it).
  const attachmentWire = attachmentCount > 0 ? target * (0.5 + rng() * 0.4) : 0;
  const textChars = Math.max(600, (target - attachmentWire - 1200) / (encoding === 'alternative' ? 2.6 : encoding === 'html-only' ? 1.3 : 1.05));
  const extra = encoding === 'latin1-qp' ? LATIN1_WORDS : encoding === 'iso2022jp-subject' ? [] : [...LATIN1_WORDS, ...UTF8_ONLY_WORDS];
  const text = prose(rng, textChars, extra) + `\n\n${first} ${last}\nOrder ${order}`;

  const headers: Record<string, string | { prepared: true; value: string }> = {
    Received: { prepared: true, value: `from mx.${domain} (mx.${domain} [192.0.2.${1 + (i % 250)}]) by mx.shop.example with ESMTPS id ${tag}${i}; ${date.toUTCString()}` },
    'X-Mailer': pick(rng, ['Apple Mail (2.3774)', 'Microsoft Outlook 16.0', 'Thunderbird 128.3', 'Gmail']),
  };
  let subject: string | undefined = `${pick(rng, SUBJECTS)} ${order}`;
  if (encoding === 'iso2022jp-subject') {
    headers.Subject = { prepared: true, value: `=?ISO-2022-JP?B?${pick(rng, ISO2022JP_SUBJECTS)}?= #${order}` };
    subject = undefined;
  } else if (encoding !== 'latin1-qp' && rng() < 0.4) {
    subject = `${pick(rng, UTF8_SUBJECTS)} ${order}`;
  }

  const attachments = Array.from({ length: attachmentCount }, (_, k) => {
    const kind: 'png' | 'pdf' = rng() < 0.5 ? 'png' : 'pdf';
    const bytes = Math.floor(attachmentWire / attachmentCount / BASE64_WIRE);
    const filename = kind === 'png' ? `photo_${order}_${k + 1}.png` : rng() < 0.3 ? `Rechnung_März_${order}.pdf` : `invoice-${order}-${k + 1}.pdf`;
    return { filename, content: binary(rng, kind, bytes), contentType: kind === 'png' ? 'image/png' : 'application/pdf' };
  });

  const options: MailComposer.Options = {
    from: { name: `${first} ${last}`, address },
    to: MAILBOX,
    subject,
    messageId,
    date,
    headers,
    attachments,
    baseBoundary: `bench${seed}x${tag}${i}`,
    xMailer: false,
  };
  switch (encoding) {
    case 'utf8-qp':
    case 'iso2022jp-subject':
      Object.assign(options, { text, textEncoding: 'quoted-printable' });
      break;
    case 'utf8-base64':
      Object.assign(options, { text, textEncoding: 'base64' });
      break;
    case 'latin1-qp':
      // As an alternative, not `text` (MailComposer labels that utf-8); a Buffer keeps the charset named here.
      Object.assign(options, { alternatives: [{ content: Buffer.from(text, 'latin1'), contentType: 'text/plain; charset=ISO-8859-1' }], textEncoding: 'quoted-printable' });
      break;
    case 'alternative':
      Object.assign(options, { text, html: htmlOf(text, rng), textEncoding: 'quoted-printable' });
      break;
    case 'html-only':
      Object.assign(options, { html: htmlOf(text, rng), textEncoding: 'quoted-printable' });
      break;
  }
  const raw = await new MailComposer(options).compile().build();
  return { raw, from: address, messageId, encoding, attachments: attachmentCount };
}

/** The mails of one phase: sizes log-uniform in [2 KB, 200 KB]; a mail off its target by more than 4% is rebuilt scaled. */
async function buildMails(seed: number, tag: string, count: number): Promise<MailSpec[]> {
  const sizes = prng(seed ^ (tag === 'w' ? 0x5eed : 0xb0b));
  const date = new Date();
  const mails: MailSpec[] = [];
  for (let i = 0; i < count; i++) {
    const target = 2048 * 100 ** sizes();
    let scale = 1;
    let mail = await buildMail(seed, tag, i, target, date);
    for (let tries = 0; tries < 4 && Math.abs(mail.raw.length / target - 1) > 0.04; tries++) {
      scale *= target / mail.raw.length;
      mail = await buildMail(seed, tag, i, target, date, scale);
    }
    mails.push(mail);
  }
  return mails;
}

/** One mail of `BIG_MAIL_BYTES` on the wire: a short text and a scanned-PDF-like attachment. */
async function buildBigMail(seed: number): Promise<MailSpec> {
  const rng = prng(seed ^ 0xb16);
  const build = (bytes: number) =>
    new MailComposer({
      from: { name: 'Lars Rossi', address: 'lars.rossi.big@example.org' },
      to: MAILBOX,
      subject: 'Scans of the damaged delivery (all pages)',
      messageId: `<big.${seed}@mx.example.org>`,
      text: 'Hello,\n\nattached are the scans of the delivery note and the photos of the damaged boxes.\n\nLars',
      attachments: [{ filename: 'scans.pdf', content: binary(rng, 'pdf', bytes), contentType: 'application/pdf' }],
      baseBoundary: `bench${seed}big`,
      xMailer: false,
    }).compile().build();
  let bytes = Math.floor((BIG_MAIL_BYTES - 2000) / BASE64_WIRE);
  let raw = await build(bytes);
  bytes += Math.floor((BIG_MAIL_BYTES - raw.length) / BASE64_WIRE);
  raw = await build(bytes);
  return { raw, from: 'lars.rossi.big@example.org', messageId: `<big.${seed}@mx.example.org>`, encoding: 'utf8-qp', attachments: 1 };
}

// =====================================================================================================================
// The mail client (child process)

interface SendTiming {
  /** Epoch ms: MAIL FROM written, the final dot handed to the kernel, the 250 received. */
  start: number;
  dataEnd: number;
  answered: number;
}

interface PhaseResult {
  /** Epoch ms of the first send and of the last 250. */
  firstSendAt: number;
  lastAckAt: number;
  /** End of DATA → 250, and MAIL FROM → 250, ms, one per mail answered 250. */
  dataToAck: number[];
  transaction: number[];
  sent: number;
  /** Mails whose end of DATA was not seen (their whole transaction stands in; 0 expected). */
  unmarked: number;
  failed: number;
  retries: number;
  failures: string[];
  /** The client's own event-loop delay and CPU over the phase (its timing is only as good as its loop). */
  client: ProbeSample;
}

/** Ends of DATA as nodemailer's DataStream writes them: the terminator is its own chunk. */
const TERMINATORS = ['.\r\n', '\n.\r\n', '\r\n.\r\n'].map((s) => Buffer.from(s));

interface Connection {
  send(mail: MailSpec): Promise<SendTiming>;
  alive(): boolean;
  close(): void;
}

async function openConnection(port: number): Promise<Connection> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  let onDataEnd: (() => void) | null = null;
  // The moment the final dot leaves for the server: the write callback of the terminator chunk (handed to the
  // kernel). Only this socket's write is wrapped; nodemailer pipes the DATA stream into it.
  const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
  socket.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (onDataEnd && Buffer.isBuffer(chunk) && TERMINATORS.some((t) => t.equals(chunk))) {
      const mark = onDataEnd;
      onDataEnd = null;
      const callback = rest.find((r): r is (err?: Error | null) => void => typeof r === 'function');
      const encoding = typeof rest[0] === 'string' ? rest[0] : undefined;
      const done = (err?: Error | null) => {
        mark();
        callback?.(err);
      };
      return encoding ? write(chunk, encoding, done) : write(chunk, done);
    }
    return write(chunk, ...rest);
  }) as typeof socket.write;
  const conn = new SMTPConnection({ connection: socket, name: 'client.bench.example', ignoreTLS: true, socketTimeout: 120_000, logger: false });
  let dead = false;
  conn.on('error', () => (dead = true));
  conn.on('end', () => (dead = true));
  await new Promise<void>((resolve, reject) => {
    conn.once('error', reject);
    conn.connect(() => {
      conn.off('error', reject);
      resolve();
    });
  });
  return {
    alive: () => !dead,
    close: () => conn.quit(),
    send(mail) {
      return new Promise((resolve, reject) => {
        const timing: SendTiming = { start: epoch(), dataEnd: Number.NaN, answered: Number.NaN };
        onDataEnd = () => (timing.dataEnd = epoch());
        conn.send({ from: mail.from, to: [MAILBOX] }, mail.raw, (err) => {
          timing.answered = epoch();
          onDataEnd = null;
          if (err) reject(err);
          else resolve(timing);
        });
      });
    },
  };
}

/** Sends `mails` over `connections` connections (opened first), each sending its next mail once the last was answered. */
async function sendPhase(port: number, mails: MailSpec[], connections: number): Promise<PhaseResult> {
  const monitor = processMonitor();
  const conns = await Promise.all(Array.from({ length: Math.min(connections, mails.length) }, () => openConnection(port)));
  const out: PhaseResult = { firstSendAt: epoch(), lastAckAt: 0, dataToAck: [], transaction: [], sent: 0, unmarked: 0, failed: 0, retries: 0, failures: [], client: monitor.read() };
  monitor.reset();
  let next = 0;
  const lane = async (slot: number): Promise<void> => {
    while (next < mails.length) {
      const mail = mails[next++]!;
      for (let attempt = 1; ; attempt++) {
        try {
          if (!conns[slot]!.alive()) conns[slot] = await openConnection(port);
          const t = await conns[slot]!.send(mail);
          out.sent += 1;
          out.lastAckAt = Math.max(out.lastAckAt, t.answered);
          out.transaction.push(t.answered - t.start);
          // Without a marked end of DATA (never seen), the whole transaction stands in: never flattering.
          out.dataToAck.push(t.answered - (Number.isNaN(t.dataEnd) ? t.start : t.dataEnd));
          if (Number.isNaN(t.dataEnd)) out.unmarked += 1;
          break;
        } catch (err) {
          const e = err as { responseCode?: number; message?: string };
          if (out.failures.length < 5) out.failures.push(`${mail.messageId}: ${e.message ?? String(err)}`);
          // A temporary answer (4xx) or a broken connection is retried like an MTA would, sooner; a 5xx is final.
          if (attempt >= 3 || (e.responseCode !== undefined && e.responseCode >= 500)) {
            out.failed += 1;
            break;
          }
          out.retries += 1;
          await sleep(200);
        }
      }
    }
  };
  await Promise.all(conns.map((_, slot) => lane(slot)));
  out.client = monitor.read();
  for (const conn of conns) conn.close();
  return out;
}

interface ClientRequest {
  id: number;
  op: 'build' | 'send' | 'big';
  n?: number;
  warmup?: number;
  seed?: number;
  port?: number;
  phase?: 'warm' | 'run';
  connections?: number;
}

interface BuiltSummary {
  messageIds: { warm: string[]; run: string[]; big: string };
  sizes: number[];
  attachments: number;
  attachmentFiles: number;
  encodings: Record<string, number>;
  bigBytes: number;
  buildMs: number;
}

function runClient(): void {
  let mails: { warm: MailSpec[]; run: MailSpec[]; big: MailSpec } | undefined;
  process.on('disconnect', () => process.exit(0));
  process.on('message', (raw) => {
    const req = raw as ClientRequest;
    void (async () => {
      try {
        let result: unknown;
        if (req.op === 'build') {
          const started = performance.now();
          mails = { warm: await buildMails(req.seed!, 'w', req.warmup!), run: await buildMails(req.seed!, 'm', req.n!), big: await buildBigMail(req.seed!) };
          const encodings: Record<string, number> = {};
          for (const m of mails.run) encodings[m.encoding] = (encodings[m.encoding] ?? 0) + 1;
          const summary: BuiltSummary = {
            messageIds: { warm: mails.warm.map((m) => m.messageId), run: mails.run.map((m) => m.messageId), big: mails.big.messageId },
            sizes: mails.run.map((m) => m.raw.length),
            attachments: mails.run.filter((m) => m.attachments > 0).length,
            attachmentFiles: mails.run.reduce((a, m) => a + m.attachments, 0),
            encodings,
            bigBytes: mails.big.raw.length,
            buildMs: Math.round(performance.now() - started),
          };
          result = summary;
        } else if (req.op === 'send') {
          result = await sendPhase(req.port!, req.phase === 'warm' ? mails!.warm : mails!.run, req.connections!);
        } else {
          result = await sendPhase(req.port!, [mails!.big], 1);
        }
        process.send?.({ id: req.id, ok: true, result });
      } catch (err) {
        process.send?.({ id: req.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      }
    })();
  });
  process.send?.({ ready: true });
}

// =====================================================================================================================
// The bare smtp-server (child process): the ceiling

function runNullSmtp(): void {
  answerProbes();
  process.on('disconnect', () => process.exit(0));
  // A normal exit, so that node flags such as --cpu-prof write their output.
  process.on('SIGTERM', () => process.exit(0));
  let handled = 0;
  const server = new SMTPServer({
    // The listener's options (src/ingest/email/smtp-listener.ts), without the recipient check and the parsing.
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_BYTES,
    maxClients: 100,
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.once('end', () => {
        handled += 1;
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  server.listen(0, '127.0.0.1', () => {
    const address = server.server.address() as net.AddressInfo;
    process.send?.({ ready: address.port });
  });
  process.on('message', (raw) => {
    const m = raw as { op?: string; id?: number };
    if (m?.op === 'handled') process.send?.({ id: m.id, handled });
  });
}

// =====================================================================================================================
// The benchmark (parent process)

const USAGE = `usage: npm run bench:email -- [--n N] [--connections C] [--warmup W] [--seed S]
  --n N             mails per measured phase (default 1000)
  --connections C   SMTP connections sending in parallel (default 10)
  --warmup W        unmeasured warm-up mails per server (default 50)
  --seed S          PRNG seed of the mails (default 11)
  environment: BENCH_APP_NODE_ARGS="--cpu-prof …" adds node flags to the measured processes`;

function readFlags() {
  try {
    return parseArgs({
      options: {
        n: { type: 'string', default: '1000' },
        connections: { type: 'string', default: '10' },
        warmup: { type: 'string', default: '50' },
        seed: { type: 'string', default: '11' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    process.exit(2);
  }
}

/** A child of this file in another role, spoken to over IPC. */
function forkRole(role: 'client' | 'null-smtp', nodeArgs: string[] = []): ChildProcess {
  return fork(SELF, [], {
    cwd: ROOT,
    env: { ...process.env, BENCH_EMAIL_ROLE: role },
    execArgv: ['--import', 'tsx', ...nodeArgs],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function whenReady<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (raw: unknown) => {
      const m = raw as { ready?: T };
      if (m && 'ready' in m) {
        child.off('message', onMessage);
        resolve(m.ready as T);
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before it was ready`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(timer);
}

interface MailClient {
  build(n: number, warmup: number, seed: number): Promise<BuiltSummary>;
  send(port: number, phase: 'warm' | 'run', connections: number): Promise<PhaseResult>;
  big(port: number): Promise<PhaseResult>;
  stop(): Promise<void>;
}

async function startClient(): Promise<MailClient> {
  const child = forkRole('client');
  await whenReady(child, 'the mail client');
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on('message', (raw) => {
    const reply = raw as { id?: number; ok?: boolean; result?: unknown; error?: string };
    const waiter = typeof reply?.id === 'number' ? pending.get(reply.id) : undefined;
    if (!waiter) return;
    pending.delete(reply.id!);
    if (reply.ok) waiter.resolve(reply.result);
    else waiter.reject(new Error(`mail client: ${reply.error}`));
  });
  child.once('exit', (code) => {
    for (const w of pending.values()) w.reject(new Error(`the mail client exited (${code})`));
    pending.clear();
  });
  const request = <T>(req: Omit<ClientRequest, 'id'>): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ ...req, id });
    });
  return {
    build: (n, warmup, seed) => request({ op: 'build', n, warmup, seed }),
    send: (port, phase, connections) => request({ op: 'send', port, phase, connections }),
    big: (port) => request({ op: 'big', port }),
    stop: () => stopChild(child),
  };
}

/** VmRSS and VmHWM (peak) of a process, MB; `reset` starts a new peak at the current RSS (clear_refs 5). */
const memory = {
  read(pid: number): { rssMb: number; peakMb: number } {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssMb: round(kb('VmRSS') / 1024, 1), peakMb: round(kb('VmHWM') / 1024, 1) };
  },
  reset(pid: number): boolean {
    try {
      fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
      return true;
    } catch {
      return false;
    }
  },
};

/** Samples a process's RSS every 10 ms (a cross-check of VmHWM, and the peak where clear_refs is refused). */
function rssSampler(pid: number): { peak(): number; stop(): number } {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, memory.read(pid).rssMb);
    } catch {
      // the process is gone
    }
  }, 10);
  return {
    peak: () => peak,
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

interface Latency {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
const latency = (samples: number[]): Latency => ({
  p50: round(percentile(samples, 50), 1),
  p90: round(percentile(samples, 90), 1),
  p99: round(percentile(samples, 99), 1),
  max: round(Math.max(...samples), 1),
});

interface BigMailFigures {
  bytes: number;
  rssBeforeMb: number;
  peakMb: number;
  /** Sampled every 10 ms (cross-check), and the sampled peak until the mail was stored (threaddesk). */
  sampledPeakMb: number;
  sampledPeakUntilStoredMb?: number;
  rssAfterMb: number;
  riseMb: number;
  /** MAIL FROM → 250, ms; for threaddesk also → stored and → all posted. */
  answerMs: number;
  storedMs?: number;
  postedMs?: number;
  peakReset: boolean;
}

interface ServerFigures {
  /** threaddesk: rows stored per second (first send → N-th row); the bare server: mails answered 250 per second. */
  perSec: number;
  /** Mails answered 250 per second (first send → last 250). */
  answersPerSec: number;
  seconds: number;
  dataToAck: Latency;
  transaction: Latency;
  sent: number;
  unmarked: number;
  failed: number;
  retries: number;
  failures: string[];
  /** Peak RSS over the measured phase (VmHWM after clear_refs), and over the process's life so far. */
  peakRssMb: number;
  lifetimePeakRssMb: number;
  cpuMsPerMail: number;
  process: ProbeSample;
  client: ProbeSample;
  bigMail: BigMailFigures;
}

interface Integrity {
  sent: number;
  stored: number;
  lost: number;
  doubled: number;
  /** Rows in the mailbox's channel that are no Message-ID sent in this run (none expected). */
  unexpectedRows: number;
  tickets: number;
  cards: number;
  /** Email tickets without a card in the triage channel (Slack refused it, or it was never posted). */
  missingCards: number;
  attachmentsExpected: number;
  attachmentsUploaded: number;
}

async function main(): Promise<void> {
  const flags = readFlags();
  if (flags.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const positive = integerFlag(USAGE);
  const N = positive('n', flags.n);
  const CONNECTIONS = positive('connections', flags.connections);
  const WARMUP = positive('warmup', flags.warmup, true);
  const SEED = positive('seed', flags.seed, true);
  const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter(Boolean);

  const started = performance.now();
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'threaddesk-bench-email-'));
  const databaseUrl = `sqlite:${path.join(tmp, 'bench.sqlite')}`;
  const emu = new SlackEmulator({ signingSecret: SIGNING_SECRET });
  let db: Db | undefined;
  let client: MailClient | undefined;
  let nullServer: ChildProcess | undefined;
  let bot: MeasuredProcess | undefined;
  const cleanup = async (): Promise<void> => {
    await bot?.stop().catch(() => undefined);
    if (nullServer) await stopChild(nullServer).catch(() => undefined);
    await client?.stop().catch(() => undefined);
    await emu.stop().catch(() => undefined);
    await db?.destroy().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  try {
    await emu.start(0);
    emu.addUser({ id: AGENT, name: 'agnes', realName: 'Agnes Agent' });
    emu.addChannel({ id: TRIAGE, name: 'triage', members: [AGENT, emu.botUserId] });
    db = connectDb(databaseUrl);
    await migrateLatest(db);
    const store = db;
    log(`N=${N}, ${CONNECTIONS} connections, warm-up ${WARMUP}, seed ${SEED}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}; temp ${tmp}`);

    client = await startClient();
    log('building the mails…');
    const built = await client.build(N, WARMUP, SEED);
    const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    log(`built ${N} + ${WARMUP} mails in ${built.buildMs} ms: ${mb(built.sizes.reduce((a, b) => a + b, 0))} MB, ${built.attachments} with attachments; the big one ${mb(built.bigBytes)} MB`);

    // ---- 1. the ceiling: a bare smtp-server ----------------------------------------------------------------
    nullServer = forkRole('null-smtp', nodeArgs);
    const nullPort = await whenReady<number>(nullServer, 'the bare smtp-server');
    const nullProbe = probeClient(nullServer);
    const nullPid = nullServer.pid!;
    log('bare smtp-server: warm-up, run, 25 MB mail…');
    if (WARMUP > 0) await client.send(nullPort, 'warm', CONNECTIONS);
    const ceiling = await measurePhase(nullPid, nullProbe, () => client!.send(nullPort, 'run', CONNECTIONS), async (r) => r.lastAckAt, N);
    const nullBig = await measureBigMail(nullPid, () => client!.big(nullPort), built.bigBytes);
    await stopChild(nullServer);
    nullServer = undefined;
    const ceilingFigures: ServerFigures = { ...ceiling, bigMail: nullBig };
    log(`bare smtp-server: ${rate(ceilingFigures.perSec)}, end of DATA → 250 p99 ${ms(ceilingFigures.dataToAck.p99)}`);

    // ---- 2. threaddesk --------------------------------------------------------------------------------------
    const smtpPort = await freePort();
    const botProcess = await startBotProcess({
      SLACK_BOT_TOKEN: emu.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: emu.apiUrl,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'warn',
      THREADDESK_SMTP_LISTEN: `127.0.0.1:${smtpPort}`,
      THREADDESK_EMAIL_INBOXES: `${MAILBOX}=${TRIAGE}`,
      // This emulator enforces no rate limits (bench:resilience measures pacing): deliveries go as fast as they can.
      THREADDESK_SLACK_RATE_SCALE: '1000',
    });
    bot = botProcess;
    emu.setBotEndpoint(`${botProcess.url}/slack/events`);
    await waitForPort(smtpPort, 30_000);
    const stored = async (): Promise<number> => {
      const [row] = await store('messages').where('channel_id', 'like', 'email:%').count({ n: '*' });
      return Number((row as { n: number | string }).n);
    };
    const settle = (): Promise<void> => settleBot(emu, botProcess.url, 60_000);

    if (WARMUP > 0) {
      log('threaddesk: warm-up…');
      await client.send(smtpPort, 'warm', CONNECTIONS);
      await waitForCount(stored, WARMUP, { intervalMs: 20, stallMs: 15_000, sendsDone: () => true });
      await settle();
    }
    const base = await stored();
    const filesBefore = emu.files({ channel: TRIAGE }).length;
    log('threaddesk: run…');
    let sending = true;
    let storedAt = Number.NaN;
    let storedCount = 0;
    const measured = await measurePhase(
      botProcess.pid,
      botProcess.probe,
      async () => {
        const rows = waitForCount(async () => (await stored()) - base, N, { intervalMs: 10, stallMs: 15_000, sendsDone: () => !sending });
        const result = await client!.send(smtpPort, 'run', CONNECTIONS).finally(() => (sending = false));
        const reached = await rows;
        storedAt = performance.timeOrigin + reached.reachedAt;
        storedCount = reached.count;
        return result;
      },
      async () => storedAt,
      N,
    );
    const postStart = performance.now();
    await settle();
    const postedAfterMs = round(performance.now() - postStart, 0);
    const allWork = await botProcess.probe.read();
    const integrity = await checkIntegrity(store, emu, built, filesBefore);
    log(`threaddesk: ${rate(measured.answersPerSec)} stored and answered, ${rate(measured.perSec)} into tickets, end of DATA → 250 p99 ${ms(measured.dataToAck.p99)}; 25 MB mail…`);

    const rowsBefore = await stored();
    const botBig = await measureBigMail(botProcess.pid, async () => client!.big(smtpPort), built.bigBytes, async (sentAt, sampledPeak) => {
      const r = await waitForCount(stored, rowsBefore + 1, { intervalMs: 10, stallMs: 30_000, sendsDone: () => true });
      const storedMs = round(performance.timeOrigin + r.reachedAt - sentAt, 0);
      const sampledPeakUntilStoredMb = sampledPeak();
      await settle();
      return { storedMs, postedMs: round(epoch() - sentAt, 0), sampledPeakUntilStoredMb };
    });
    const logs = botProcess.logs();
    await botProcess.stop();
    bot = undefined;

    const botFigures: BotFigures = {
      ...measured,
      bigMail: botBig,
      storedCount,
      allWorkCpuMsPerMail: round(allWork.cpuMs / N, 3),
      postedAfterMs,
      integrity,
      logs,
    };
    report(ceilingFigures, botFigures, built, { n: N, connections: CONNECTIONS, warmup: WARMUP, seed: SEED, seconds: (performance.now() - started) / 1000, startedAt, loadBefore, loadAfter: os.loadavg() });
  } finally {
    await cleanup();
  }
}

/** Resolves once something listens on the port (the bot starts its SMTP listener after its HTTP endpoint). */
async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on SMTP port ${port} after ${timeoutMs} ms`);
}

/** One measured phase against a server process: its probe and its peak RSS around `send`. */
async function measurePhase(pid: number, probe: ProbeClient, send: () => Promise<PhaseResult>, doneAt: (r: PhaseResult) => Promise<number>, n: number): Promise<Omit<ServerFigures, 'bigMail'>> {
  const lifetimePeakRssMb = memory.read(pid).peakMb;
  const reset = memory.reset(pid);
  const sampler = rssSampler(pid);
  await probe.reset();
  const result = await send();
  const processSample = await probe.read();
  const sampled = sampler.stop();
  const peak = memory.read(pid).peakMb;
  const end = await doneAt(result);
  const seconds = (end - result.firstSendAt) / 1000;
  return {
    perSec: round(n / seconds, 1),
    answersPerSec: round(result.sent / ((result.lastAckAt - result.firstSendAt) / 1000), 1),
    seconds: round(seconds, 3),
    dataToAck: latency(result.dataToAck),
    transaction: latency(result.transaction),
    sent: result.sent,
    unmarked: result.unmarked,
    failed: result.failed,
    retries: result.retries,
    failures: result.failures,
    peakRssMb: reset ? peak : Math.max(sampled, processSample.rssMb),
    lifetimePeakRssMb: Math.max(lifetimePeakRssMb, peak),
    cpuMsPerMail: round(processSample.cpuMs / n, 3),
    process: processSample,
    client: result.client,
  };
}

/** The 25 MB mail: RSS just before, the peak (reset just before) until `after` is done, RSS after. */
async function measureBigMail(
  pid: number,
  send: () => Promise<PhaseResult>,
  bytes: number,
  after?: (sentAt: number, sampledPeak: () => number) => Promise<{ storedMs: number; postedMs: number; sampledPeakUntilStoredMb: number }>,
): Promise<BigMailFigures> {
  await sleep(500);
  const before = memory.read(pid);
  const peakReset = memory.reset(pid);
  const sampler = rssSampler(pid);
  const sentAt = epoch();
  const result = await send();
  const done = after ? await after(sentAt, () => sampler.peak()) : undefined;
  const sampledPeakMb = sampler.stop();
  const end = memory.read(pid);
  const peakMb = peakReset ? end.peakMb : sampledPeakMb;
  if (result.failed > 0) throw new Error(`the 25 MB mail was refused: ${result.failures.join('; ')}`);
  return {
    bytes,
    rssBeforeMb: before.rssMb,
    peakMb,
    sampledPeakMb,
    rssAfterMb: end.rssMb,
    riseMb: round(peakMb - before.rssMb, 1),
    answerMs: round(result.transaction[0] ?? Number.NaN, 0),
    ...done,
    peakReset,
  };
}

/** Message-ID as stored in messages.ts: without its angle brackets. */
const withoutBrackets = (id: string): string => id.replace(/^<|>$/g, '');

async function checkIntegrity(db: Db, emu: SlackEmulator, built: BuiltSummary, filesBefore: number): Promise<Integrity> {
  const rows = (await db('messages').where('channel_id', 'like', 'email:%').select('ts').count({ n: '*' }).groupBy('ts')) as { ts: string; n: number | string }[];
  const counts = new Map(rows.map((r) => [r.ts, Number(r.n)]));
  const known = new Set([...built.messageIds.warm, ...built.messageIds.run, built.messageIds.big].map(withoutBrackets));
  let lost = 0;
  let doubled = 0;
  let storedRun = 0;
  for (const id of built.messageIds.run.map(withoutBrackets)) {
    const n = counts.get(id) ?? 0;
    if (n === 0) lost += 1;
    else storedRun += 1;
    doubled += Math.max(0, n - 1);
  }
  for (const id of built.messageIds.warm.map(withoutBrackets)) doubled += Math.max(0, (counts.get(id) ?? 1) - 1);
  const [tickets] = (await db('tickets').where({ origin_kind: 'email' }).count({ n: '*' })) as { n: number | string }[];
  const cards = emu.messages(TRIAGE).filter((m) => m.bot_id && /^Ticket #\d+:/.test(m.text)).length;
  return {
    sent: built.messageIds.run.length,
    stored: storedRun,
    lost,
    doubled,
    unexpectedRows: rows.filter((r) => !known.has(r.ts)).length,
    tickets: Number(tickets?.n ?? 0),
    cards,
    missingCards: Math.max(0, Number(tickets?.n ?? 0) - cards),
    attachmentsExpected: built.attachmentFiles,
    attachmentsUploaded: emu.files({ channel: TRIAGE }).length - filesBefore,
  };
}

interface RunInfo {
  n: number;
  connections: number;
  warmup: number;
  seed: number;
  seconds: number;
  startedAt: Date;
  loadBefore: number[];
  loadAfter: number[];
}

type BotFigures = ServerFigures & { storedCount: number; allWorkCpuMsPerMail: number; postedAfterMs: number; integrity: Integrity; logs: LogSummary };

function report(ceiling: ServerFigures, bot: BotFigures, built: BuiltSummary, run: RunInfo): void {
  // threaddesk answers 250 once the mail is written to its inbox (mail_inbox), as an MTA once the mail is in its
  // queue: that is the rate compared with the ceiling's 250s. How fast stored mail becomes tickets is given beside it.
  const ratio = bot.answersPerSec / ceiling.perSec;
  const ticketRatio = bot.perSec / ceiling.perSec;
  const { integrity } = bot;
  const p99Ok = bot.dataToAck.p99 < TARGET_P99_MS && bot.failed === 0;
  const ratioOk = ratio >= TARGET_RATIO;
  const lostOk = integrity.lost === 0;
  const doubledOk = integrity.doubled === 0;
  const bigOk = bot.bigMail.riseMb < TARGET_BIG_RISE_MB;
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  const pad = (s: string, n: number) => s.padEnd(n);
  const lpad = (s: string, n: number) => s.padStart(n);
  const mbs = (v: number) => `${v.toFixed(0)} MB`;
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
  const sizes = built.sizes;
  const row = (name: string, perSec: string, tickets: string, p50: string, p99: string, txP99: string, rss: string, cpu: string, lost: string, dup: string) =>
    `${pad(name, 24)}${lpad(perSec, 11)}${lpad(tickets, 11)}${lpad(p50, 11)}${lpad(p99, 11)}${lpad(txP99, 12)}${lpad(rss, 11)}${lpad(cpu, 11)}${lpad(lost, 6)}${lpad(dup, 9)}`;

  const out: string[] = [];
  out.push('');
  out.push(`threaddesk email benchmark — ${run.startedAt.toISOString()}, SQLite, ${os.cpus().length} CPUs, node ${process.version}, load average ${load(run.loadBefore)} before, ${load(run.loadAfter)} after`);
  out.push(`N=${run.n} mails over ${run.connections} SMTP connections on loopback (closed loop), warm-up ${run.warmup}, seed ${run.seed}; server, mail client and emulator in 3 processes`);
  out.push(`mails: ${kb(Math.min(...sizes))} to ${kb(Math.max(...sizes))} (median ${kb(percentile(sizes, 50))}, ${(sizes.reduce((a, b) => a + b, 0) / 2 ** 20).toFixed(1)} MB in all), ${built.attachments} with attachments (${built.attachmentFiles} files); ` +
    Object.entries(built.encodings).map(([k, v]) => `${k} ${v}`).join(', '));
  out.push(row('', 'mails/s', 'tickets/s', 'p50', 'p99', 'tx p99', 'peak RSS', 'CPU/mail', 'lost', 'doubled'));
  out.push(row('bare smtp-server (ceiling)', rate(ceiling.perSec), '-', ms(ceiling.dataToAck.p50), ms(ceiling.dataToAck.p99), ms(ceiling.transaction.p99), mbs(ceiling.peakRssMb), `${ceiling.cpuMsPerMail.toFixed(2)} ms`, '-', '-'));
  out.push(row('threaddesk', rate(bot.answersPerSec), rate(bot.perSec), ms(bot.dataToAck.p50), ms(bot.dataToAck.p99), ms(bot.transaction.p99), mbs(bot.peakRssMb), `${bot.cpuMsPerMail.toFixed(2)} ms`, String(integrity.lost), String(integrity.doubled)));
  out.push('  (mails/s: answered 250, first send → last 250; threaddesk answers once the mail is written to its inbox (mail_inbox), the bare server once it has read it.');
  out.push('   tickets/s: rows stored in messages (channel email:…), first send → N-th row. p50/p99: end of DATA → 250, measured in the client from the final');
  out.push('   "<CRLF>.<CRLF>" handed to the kernel to the 250; tx: MAIL FROM → 250 on the open connection. peak RSS: VmHWM over the run; CPU/mail until the N-th row)');
  out.push(`p99 end of DATA → 250: ${ms(bot.dataToAck.p99)} (target < ${TARGET_P99_MS} ms) ${mark(p99Ok)}`);
  out.push(`threaddesk / bare smtp-server: ${(ratio * 100).toFixed(1)}% of the mails/s stored and answered (target >= ${TARGET_RATIO * 100}%) ${mark(ratioOk)}`);
  out.push(`  turned into tickets: ${rate(bot.perSec)}, ${(ticketRatio * 100).toFixed(1)}% of the ceiling (no target; mail that comes faster waits, stored, in the inbox and is worked off at this rate)`);
  out.push(`lost ${integrity.lost} ${mark(lostOk)}, doubled ${integrity.doubled} ${mark(doubledOk)} (every Message-ID sent, looked up in messages)`);
  out.push(`25 MB mail (${(bot.bigMail.bytes / 1e6).toFixed(1)} MB on the wire): threaddesk RSS ${mbs(bot.bigMail.rssBeforeMb)} before, peak ${mbs(bot.bigMail.peakMb)}, ${mbs(bot.bigMail.rssAfterMb)} after: +${bot.bigMail.riseMb.toFixed(0)} MB (target < ${TARGET_BIG_RISE_MB} MB) ${mark(bigOk)}`);
  out.push('');
  out.push('details');
  const line = (name: string, f: ServerFigures) =>
    `  ${pad(name + ':', 18)} ${rate(f.perSec)} in ${f.seconds.toFixed(2)} s (250s ${rate(f.answersPerSec)}); end of DATA → 250 p50 ${ms(f.dataToAck.p50)} p90 ${ms(f.dataToAck.p90)} p99 ${ms(f.dataToAck.p99)} max ${ms(f.dataToAck.max)}; ` +
    `MAIL FROM → 250 p50 ${ms(f.transaction.p50)} p99 ${ms(f.transaction.p99)} max ${ms(f.transaction.max)}; answered ${f.sent}, failed ${f.failed}, retries ${f.retries}${f.unmarked ? `, end of DATA not seen ${f.unmarked}` : ''}`;
  out.push(line('bare smtp-server', ceiling));
  out.push(line('threaddesk', bot));
  out.push(`  threaddesk: CPU ${bot.cpuMsPerMail.toFixed(2)} ms per mail until the N-th row, ${bot.allWorkCpuMsPerMail.toFixed(2)} ms with the posting to Slack (${bot.process.cpuCores.toFixed(2)} cores, loop p99 ${ms(bot.process.loopP99Ms)} max ${ms(bot.process.loopMaxMs)}, GC max ${ms(bot.process.gcMaxMs)} total ${bot.process.gcTotalMs} ms); ` +
    `all cards and attachments posted ${ms(bot.postedAfterMs)} after the last row`);
  out.push(`  integrity (database after the run): ${integrity.sent} sent, ${integrity.stored} stored, lost ${integrity.lost}, doubled ${integrity.doubled}, rows of no mail sent ${integrity.unexpectedRows}; ` +
    `${integrity.tickets} email tickets and ${integrity.cards} cards (warm-up included): ${integrity.missingCards} tickets without a card${integrity.missingCards ? ' (see the log lines below)' : ''}; ` +
    `attachments uploaded ${integrity.attachmentsUploaded} of ${integrity.attachmentsExpected}`);
  const big = (name: string, b: BigMailFigures) =>
    `  25 MB mail, ${pad(name + ':', 18)} RSS ${mbs(b.rssBeforeMb)} → peak ${mbs(b.peakMb)} (sampled every 10 ms: ${mbs(b.sampledPeakMb)}) → ${mbs(b.rssAfterMb)} after; answered in ${ms(b.answerMs)}` +
    `${b.storedMs !== undefined ? `, stored after ${ms(b.storedMs)} (sampled peak until then ${mbs(b.sampledPeakUntilStoredMb ?? Number.NaN)}), posted to Slack after ${ms(b.postedMs ?? Number.NaN)}` : ''}` +
    `${b.peakReset ? '' : ' (VmHWM could not be reset: sampled peak)'}`;
  out.push(big('bare smtp-server', ceiling.bigMail));
  out.push(big('threaddesk', bot.bigMail));
  out.push(`  peak RSS over the process's life: bare smtp-server ${mbs(ceiling.lifetimePeakRssMb)}, threaddesk ${mbs(bot.lifetimePeakRssMb)} (start-up included)`);
  const client = (name: string, c: ProbeSample) => `${name} CPU ${c.cpuCores.toFixed(2)}, loop p99 ${ms(c.loopP99Ms)} max ${ms(c.loopMaxMs)}`;
  out.push(`  mail client during the runs: ${client('vs the bare server', ceiling.client)}; ${client('vs threaddesk', bot.client)}`);
  const logCounts = Object.entries(bot.logs.counts).map(([k, v]) => `${k} ${v}`).join(', ');
  out.push(`  bot log lines at warn+: ${logCounts || 'none'}${bot.logs.samples.length ? `; first: ${bot.logs.samples.join(' | ')}` : ''}`);
  const failures = [...ceiling.failures, ...bot.failures];
  if (failures.length) out.push(`  failed sends: ${failures.join('; ')}`);
  out.push(`  total run time ${run.seconds.toFixed(1)} s`);
  console.log(out.join('\n'));

  const { logs: _logs, ...botResult } = bot;
  const result = {
    benchmark: 'email',
    version: 1,
    at: run.startedAt.toISOString(),
    db: 'sqlite',
    n: run.n,
    connections: run.connections,
    warmup: run.warmup,
    seed: run.seed,
    cpus: os.cpus().length,
    node: process.version,
    loadAverage: { before: run.loadBefore.map((l) => round(l)), after: run.loadAfter.map((l) => round(l)) },
    latencyMeasured: 'end of DATA (final CRLF.CRLF handed to the kernel, client side) -> 250; transaction = MAIL FROM -> 250 on an open connection',
    mails: {
      bytes: sizes.reduce((a, b) => a + b, 0),
      minBytes: Math.min(...sizes),
      medianBytes: percentile(sizes, 50),
      maxBytes: Math.max(...sizes),
      withAttachments: built.attachments,
      attachmentFiles: built.attachmentFiles,
      encodings: built.encodings,
      bigMailBytes: built.bigBytes,
      buildMs: built.buildMs,
    },
    ceiling,
    threaddesk: { ...botResult, logCounts: bot.logs.counts },
    ratio: round(ratio, 3),
    ticketRatio: round(ticketRatio, 3),
    targets: { p99Under250ms: p99Ok, atLeastQuarterOfCeiling: ratioOk, zeroLost: lostOk, zeroDoubled: doubledOk, bigMailRssRiseUnder100MB: bigOk },
    seconds: round(run.seconds, 1),
  };
  console.log(`RESULT ${JSON.stringify(result)}`);
}

const role = process.env.BENCH_EMAIL_ROLE;
if (role === 'client') runClient();
else if (role === 'null-smtp') runNullSmtp();
else {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error('[bench] failed:', err);
      process.exit(1);
    },
  );
}
