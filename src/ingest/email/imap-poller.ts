import { ImapFlow, type ExistsEvent } from 'imapflow';
import type { Logger } from 'pino';
import type { MailboxCursor, MailboxCursorStore } from '../../store/mailbox-cursor-store.js';

// The store defines the cursor types (the store may not import from ingest); they are part of the poller's API.
export type { MailboxCursor, MailboxCursorStore };

export interface ImapPollerOptions {
  /** imap://user:pass@host:port/INBOX or imaps://… (path = mailbox name, default INBOX; user and pass URL-encoded). */
  url: string;
  cursors: MailboxCursorStore;
  /**
   * Hands one raw mail over; resolves once it is stored. A rejection means "not stored": the poller stops this round
   * and tries that UID again next round (never skips it).
   */
  deliver(raw: Buffer, uid: number): Promise<void>;
  logger: Logger;
  /** Default 60 000; IDLE wakes earlier where the server offers it. */
  pollIntervalMs?: number;
  /** Default true. */
  idle?: boolean;
}

export interface ImapPoller {
  /** Runs a first round (failures are logged and retried in the background), then keeps polling until stop(). */
  start(): Promise<void>;
  /** Logs out and clears every timer; resolves even when the server is gone. The poller cannot be started again. */
  stop(): Promise<void>;
  /**
   * Runs one round now and resolves with the number of mails delivered in it. A rejected delivery ends the round
   * early (the count says how many made it). Rejects when the mailbox or the cursor store could not be read.
   */
  pollNow(): Promise<number>;
}

/** Where to connect, parsed from the poller's URL. `key` is the URL without its password (logs, cursor store). */
export interface ImapTarget {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  pass: string;
  mailbox: string;
  key: string;
}

export function parseImapUrl(url: string): ImapTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Node's error carries the input, password included: never pass it on.
    throw new Error('The IMAP URL is not a valid URL (expected imap://user:password@host:port/MAILBOX)');
  }
  const secure = parsed.protocol === 'imaps:';
  if (!secure && parsed.protocol !== 'imap:') throw new Error(`The IMAP URL must start with imap:// or imaps:// (not ${parsed.protocol}//)`);
  if (!parsed.hostname || !parsed.username) throw new Error('The IMAP URL needs a user and a host: imap://user:password@host:port/MAILBOX');
  const pass = decodeURIComponent(parsed.password);
  const mailbox = decodeURIComponent(parsed.pathname.replace(/^\/+/, '').replace(/\/+$/, '')) || 'INBOX';
  const safe = new URL(parsed.href);
  safe.password = '';
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : secure ? 993 : 143,
    secure,
    user: decodeURIComponent(parsed.username),
    pass,
    mailbox,
    key: safe.href,
  };
}

const DEFAULT_POLL_INTERVAL_MS = 60_000;
const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;
// IDLE is restarted this often: traffic before imapflow's 5-minute socket watchdog and servers' 30-minute IDLE limit.
const IDLE_RESTART_MS = 4 * 60_000;
const DEFAULT_SOCKET_TIMEOUT_MS = 5 * 60_000;
const STOP_ROUND_WAIT_MS = 5_000;
const STOP_LOGOUT_WAIT_MS = 2_000;

interface Connection {
  client: ImapFlow;
  /** The socket is gone, or we dropped the connection. */
  closed: boolean;
  /** Its failure has been logged (or needs no log line): the close event stays quiet. */
  reported: boolean;
  /** What the connection's 'error' event said, the better reason when a command then fails with "no connection". */
  error: Error | null;
  idle: boolean;
}

type RoundResult =
  | { delivered: number; lastUid: number; conn: Connection; failure: null }
  | { delivered: number; lastUid: number; conn: Connection | null; failure: 'deliver'; uid: number; error: string }
  | { delivered: number; lastUid: number; conn: Connection | null; failure: 'imap' | 'store'; error: string };

/** Waits ms; the timer never keeps the process alive. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Reads new mail of one IMAP mailbox: every UID above the stored cursor, in UID order, with BODY.PEEK (flags stay as
 * they are), handing each to `deliver` and moving the cursor after each one. IDLE (where offered) wakes it when mail
 * arrives; `pollIntervalMs` is the fallback. Failures reconnect with backoff (1 s doubling to 60 s), one warn line each.
 */
export function createImapPoller(options: ImapPollerOptions): ImapPoller {
  const target = parseImapUrl(options.url);
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const useIdle = options.idle ?? true;
  const log = options.logger.child({ component: 'imap-poller', mailbox: target.key });

  const secrets = [target.pass, encodeURIComponent(target.pass)].filter((s) => s.length >= 3);
  const scrub = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  const describe = (err: unknown): string => {
    if (!(err instanceof Error)) return scrub(String(err));
    const extra = err as Error & { code?: unknown; responseText?: unknown };
    const parts = [err.message];
    if (typeof extra.responseText === 'string' && extra.responseText && !err.message.includes(extra.responseText)) parts.push(extra.responseText);
    if (typeof extra.code === 'string' && extra.code) parts.push(`(${extra.code})`);
    return scrub(parts.join(' '));
  };

  // imapflow's own log lines, at debug only, flattened to scalars and scrubbed (it masks credentials itself too).
  const imapLog = options.logger.child({ component: 'imapflow', mailbox: target.key });
  const toDebug = (entry: unknown) => {
    if (!imapLog.isLevelEnabled('debug')) return;
    const fields: Record<string, string | number | boolean> = {};
    let msg = 'imapflow';
    for (const [key, value] of Object.entries((entry ?? {}) as Record<string, unknown>)) {
      if (key === 'msg' && typeof value === 'string') msg = scrub(value);
      else if (typeof value === 'string') fields[key] = scrub(value);
      else if (typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
      else if (value instanceof Error) fields[key] = describe(value);
    }
    imapLog.debug(fields, msg);
  };
  const imapLogger = { trace: () => undefined, debug: toDebug, info: toDebug, warn: toDebug, error: toDebug, fatal: toDebug };

  let current: Connection | null = null;
  let running = false;
  let stopped = false;
  let stopping: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let failures = 0;
  let inRound = false;
  let newMailDuringRound = false;
  let backgroundQueued = false;
  let chain: Promise<unknown> = Promise.resolve();

  const backoffMs = () => Math.min(BACKOFF_FIRST_MS * 2 ** Math.max(0, failures - 1), BACKOFF_MAX_MS);

  function drop(conn: Connection): void {
    conn.closed = true;
    if (current === conn) current = null;
    try {
      conn.client.close();
    } catch {
      // already closed
    }
  }

  function onClose(conn: Connection): void {
    const wasOpen = !conn.closed;
    conn.closed = true;
    if (current === conn) current = null;
    if (!wasOpen || conn.reported || stopped) return;
    if (!running) {
      log.debug('IMAP connection closed (reconnects on the next poll)');
      return;
    }
    if (inRound) return; // the round fails on its next command and reports it
    conn.reported = true;
    failures++;
    const retryInMs = backoffMs();
    log.warn({ error: conn.error ? describe(conn.error) : 'closed by the server', retryInMs }, 'IMAP connection lost; reconnecting');
    schedule(retryInMs);
  }

  function onNewMail(): void {
    if (!running) return;
    if (inRound) newMailDuringRound = true;
    else schedule(0);
  }

  /** The open connection, or a new one; `reused` says whether it served an earlier round. */
  async function open(): Promise<{ conn: Connection; reused: boolean }> {
    if (current && !current.closed && current.client.usable) return { conn: current, reused: true };
    if (current) {
      current.reported = true;
      drop(current);
    }
    const client = new ImapFlow({
      host: target.host,
      port: target.port,
      secure: target.secure,
      auth: { user: target.user, pass: target.pass },
      logger: imapLogger,
      disableAutoIdle: true,
      maxIdleTime: IDLE_RESTART_MS,
      // Without IDLE the connection is quiet between rounds: the watchdog must outlast the interval.
      socketTimeout: Math.max(DEFAULT_SOCKET_TIMEOUT_MS, pollIntervalMs + 60_000),
      connectionTimeout: 30_000,
    });
    const conn: Connection = { client, closed: false, reported: false, error: null, idle: false };
    client.on('error', (err: Error) => {
      conn.error = err;
    });
    client.on('close', () => onClose(conn));
    client.on('exists', (event: ExistsEvent) => {
      if (conn === current && event.count > event.prevCount) onNewMail();
    });
    current = conn;
    try {
      await client.connect();
      await client.mailboxOpen(target.mailbox, { readOnly: true });
    } catch (err) {
      conn.reported = true; // the round reports it
      drop(conn);
      throw err;
    }
    conn.idle = useIdle && client.capabilities.has('IDLE');
    log.debug({ idle: conn.idle }, 'IMAP mailbox opened');
    return { conn, reused: false };
  }

  /**
   * A connection for this round with the mailbox selected afresh: a reused connection EXAMINEs it again, which
   * shows mail that arrived since the last command and the mailbox's current UIDVALIDITY (a session that had a
   * mailbox selected when it was deleted and created again may otherwise keep showing the old one). A reused
   * connection that fails at this is replaced at once (the server dropped it meanwhile, or the mailbox changed).
   */
  async function ready(): Promise<Connection> {
    const { conn, reused } = await open();
    if (!reused) return conn;
    try {
      await conn.client.mailboxOpen(target.mailbox, { readOnly: true });
      return conn;
    } catch (err) {
      log.debug({ error: describe(conn.error ?? err) }, 'IMAP connection could not be reused: reconnecting');
      conn.reported = true;
      drop(conn);
      return (await open()).conn;
    }
  }

  async function round(): Promise<RoundResult> {
    inRound = true;
    newMailDuringRound = false;
    let conn: Connection | null = null;
    let delivered = 0;
    let lastUid = 0;
    const imapFailure = (err: unknown): RoundResult => ({ delivered, lastUid, conn, failure: 'imap', error: describe(conn?.error ?? err) });
    const storeFailure = (err: unknown): RoundResult => ({ delivered, lastUid, conn, failure: 'store', error: describe(err) });
    try {
      try {
        conn = await ready();
      } catch (err) {
        return imapFailure(err);
      }
      const { client } = conn;
      if (!client.mailbox) return imapFailure(new Error('the mailbox is not selected'));
      // New mail the EXAMINE just announced is read by this round; only later announcements call for another.
      newMailDuringRound = false;
      const uidValidity = Number(client.mailbox.uidValidity);

      let cursor: MailboxCursor | null;
      try {
        cursor = await options.cursors.load(target.key);
        if (cursor && cursor.uidValidity !== uidValidity) {
          // UIDs of the old mailbox mean nothing now: read it all again (downstream dedupes by Message-ID).
          log.info({ storedUidValidity: cursor.uidValidity, uidValidity }, 'UIDVALIDITY changed: reading the mailbox from the start');
          cursor = { uidValidity, lastUid: 0 };
          await options.cursors.save(target.key, cursor);
        }
      } catch (err) {
        return storeFailure(err);
      }
      lastUid = cursor?.lastUid ?? 0;

      let uids: number[];
      try {
        // n:* also matches the highest UID when it is below n: the filter keeps only new ones.
        const found = await client.search({ uid: `${lastUid + 1}:*` }, { uid: true });
        uids = (Array.isArray(found) ? found : []).filter((uid) => uid > lastUid).sort((a, b) => a - b);
      } catch (err) {
        return imapFailure(err);
      }

      for (const uid of uids) {
        if (stopped) break;
        let message;
        try {
          message = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
        } catch (err) {
          return imapFailure(err);
        }
        if (!message || !message.source) {
          log.debug({ uid }, 'mail expunged before it was read');
          continue;
        }
        try {
          await options.deliver(message.source, uid);
        } catch (err) {
          return { delivered, lastUid, conn, failure: 'deliver', uid, error: describe(err) };
        }
        delivered++;
        lastUid = uid;
        try {
          await options.cursors.save(target.key, { uidValidity, lastUid });
        } catch (err) {
          return storeFailure(err);
        }
      }
      return { delivered, lastUid, conn, failure: null };
    } finally {
      inRound = false;
    }
  }

  /** Logs the round's outcome (one warn line per failure) and, while running, arranges the next one. */
  function settle(result: RoundResult): void {
    if (stopped) return;
    if (result.failure) {
      failures++;
      const retryInMs = running ? backoffMs() : undefined;
      if (result.failure === 'deliver') {
        log.warn({ uid: result.uid, delivered: result.delivered, error: result.error, retryInMs }, 'A mail could not be stored: it is read again next round');
      } else {
        if (result.failure === 'imap' && result.conn) {
          result.conn.reported = true;
          drop(result.conn);
        }
        log.warn({ error: result.error, retryInMs }, result.failure === 'imap' ? 'IMAP poll failed' : 'IMAP poll failed: the mailbox cursor could not be read or saved');
      }
      if (retryInMs !== undefined) schedule(retryInMs);
      return;
    }
    failures = 0;
    if (result.delivered > 0) log.info({ delivered: result.delivered, lastUid: result.lastUid }, 'IMAP mails delivered');
    if (!running) return;
    const conn = result.conn;
    if (conn.closed) {
      if (!conn.reported) {
        // Lost after the round's last command: nobody has said so yet.
        conn.reported = true;
        failures++;
        const retryInMs = backoffMs();
        log.warn({ error: conn.error ? describe(conn.error) : 'closed by the server', retryInMs }, 'IMAP connection lost; reconnecting');
        schedule(retryInMs);
      }
      return;
    }
    if (newMailDuringRound) {
      schedule(0);
      return;
    }
    if (conn.idle) {
      // Nothing runs on the connection now; the next round's first command ends IDLE (imapflow sends DONE).
      conn.client.idle().catch((err: unknown) => log.debug({ error: describe(err) }, 'IMAP IDLE ended'));
    }
    schedule(pollIntervalMs);
  }

  function enqueue(): Promise<RoundResult> {
    const next = chain.then(async () => {
      let result: RoundResult;
      try {
        result = await round();
      } catch (err) {
        // Not expected (round() turns every failure into a result), but the poller must keep going.
        result = { delivered: 0, lastUid: 0, conn: current, failure: 'imap', error: describe(err) };
      }
      settle(result);
      return result;
    });
    chain = next.catch(() => undefined);
    return next;
  }

  function schedule(ms: number): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!running) return;
    timer = setTimeout(() => {
      timer = null;
      if (!running || backgroundQueued) return;
      backgroundQueued = true;
      void enqueue().finally(() => {
        backgroundQueued = false;
      });
    }, ms);
    timer.unref();
  }

  async function shutdown(): Promise<void> {
    stopped = true;
    running = false;
    if (timer) clearTimeout(timer);
    timer = null;
    // A round in progress ends after the mail it is delivering (it checks `stopped` before each fetch).
    await Promise.race([chain, delay(STOP_ROUND_WAIT_MS)]);
    const conn = current;
    current = null;
    if (conn && !conn.closed) {
      conn.reported = true;
      await Promise.race([conn.client.logout().catch(() => undefined), delay(STOP_LOGOUT_WAIT_MS)]);
      drop(conn);
    }
    log.debug('IMAP poller stopped');
  }

  return {
    async start() {
      if (stopped) throw new Error('The IMAP poller was stopped; create a new one');
      if (running) return;
      running = true;
      await enqueue();
    },

    stop() {
      stopping ??= shutdown();
      return stopping;
    },

    async pollNow() {
      if (stopped) throw new Error('The IMAP poller was stopped; create a new one');
      const result = await enqueue();
      if (result.failure === 'imap' || result.failure === 'store') throw new Error(`IMAP poll of ${target.key} failed: ${result.error}`);
      return result.delivered;
    },
  };
}
