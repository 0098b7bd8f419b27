/**
 * Delivery of Slack → app requests (events, slash commands, interactivity) over HTTP or Socket Mode, with
 * Slack's Events API retry policy (doc §1.6): an event not acked with 2xx within the ack window is redelivered
 * (same envelope, same event_id) up to 3 times with X-Slack-Retry-Num 1..3 and X-Slack-Retry-Reason.
 * Commands and interactivity are never retried (the user just sees an error in Slack).
 */
import { signatureHeaders } from './http-util.js';

export type EnvelopeKind = 'events_api' | 'slash_commands' | 'interactive';

export interface OutboundRequest {
  kind: EnvelopeKind;
  /** Exact HTTP body (what gets signed). */
  body: string;
  contentType: string;
  /** The same content as JSON — what Socket Mode puts in `payload`. */
  json: any;
}

export interface RetryInfo {
  num: number;
  reason: string;
}

export interface DeliveryResult {
  /** HTTP status of the app's answer, 200 for a Socket Mode ack, 0 when there was no answer. */
  status: number;
  body: string;
  timedOut?: boolean;
  noRetry?: boolean;
  transport: 'http' | 'socket';
}

export interface Transport {
  send(req: OutboundRequest, retry?: RetryInfo): Promise<DeliveryResult>;
}

/** POSTs signed requests to the bot's HTTP endpoint; gives up after the ack window like Slack does. */
export class HttpTransport implements Transport {
  private readonly aborts = new Set<AbortController>();
  /** The last signed requests sent (up to 50), byte for byte: what an attacker who captured one could replay. */
  readonly sent: Array<{ url: string; body: string; headers: Record<string, string> }> = [];

  constructor(private readonly endpoint: () => string | undefined, private readonly secret: string, private readonly ackTimeoutMs: number) {}

  async send(req: OutboundRequest, retry?: RetryInfo): Promise<DeliveryResult> {
    const url = this.endpoint();
    if (!url) throw new Error('SlackEmulator: no bot endpoint — call setBotEndpoint(url) or connect a Socket Mode client');
    const headers: Record<string, string> = { 'content-type': req.contentType, ...signatureHeaders(req.body, this.secret) };
    if (retry) {
      headers['x-slack-retry-num'] = String(retry.num);
      headers['x-slack-retry-reason'] = retry.reason;
    }
    this.sent.push({ url, body: req.body, headers });
    if (this.sent.length > 50) this.sent.shift();
    return this.post(url, req.body, headers);
  }

  /** Raw POST with the ack timeout (also used by driver.sendSigned). */
  async post(url: string, body: string, headers: Record<string, string>): Promise<DeliveryResult> {
    const abort = new AbortController();
    this.aborts.add(abort);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, this.ackTimeoutMs);
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: abort.signal, redirect: 'manual' });
      const text = await res.text();
      return { status: res.status, body: text, noRetry: res.headers.get('x-slack-no-retry') === '1', transport: 'http' };
    } catch {
      return { status: 0, body: '', timedOut, transport: 'http' };
    } finally {
      clearTimeout(timer);
      this.aborts.delete(abort);
    }
  }

  abortAll(): void {
    for (const a of this.aborts) a.abort();
  }
}

function isSuccess(r: DeliveryResult): boolean {
  return r.status >= 200 && r.status < 300;
}

function retryReason(r: DeliveryResult): string {
  if (r.transport === 'socket') return 'timeout';
  if (r.timedOut) return 'http_timeout';
  return r.status === 0 ? 'connection_failed' : 'http_error';
}

/** Chooses Socket Mode when a socket client is connected, HTTP otherwise; tracks everything in flight. */
export class DeliveryPipeline {
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Pending retry waits; stop() resolves them early so nothing hangs. */
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private stopped = false;

  constructor(
    private readonly http: HttpTransport,
    private readonly socket: () => Transport | undefined,
    private readonly retryDelaysMs: number[],
  ) {}

  private transport(): Transport {
    return this.socket() ?? this.http;
  }

  /** Registers background work so idle() waits for it. */
  track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    const done = (): void => {
      this.inFlight.delete(p);
    };
    p.then(done, done);
    return p;
  }

  /** One delivery attempt, no retries (slash commands, interactivity). */
  sendOnce(req: OutboundRequest): Promise<DeliveryResult> {
    return this.track(this.transport().send(req));
  }

  /**
   * Delivers an Events API envelope; resolves with the first attempt's result. Failed attempts are retried
   * in the background after retryDelaysMs[i] (at most 3 retries, Slack's limit).
   */
  async deliverEvent(req: OutboundRequest, firstRetry?: RetryInfo): Promise<DeliveryResult> {
    const first = await this.track(this.transport().send(req, firstRetry));
    if (!isSuccess(first) && !first.noRetry) this.track(this.retry(req, first, firstRetry?.num ?? 0));
    return first;
  }

  private async retry(req: OutboundRequest, last: DeliveryResult, attemptsSoFar: number): Promise<void> {
    let result = last;
    for (let n = attemptsSoFar + 1; n <= Math.min(3, this.retryDelaysMs.length); n++) {
      await this.delay(this.retryDelaysMs[n - 1] ?? 0);
      if (this.stopped) return;
      result = await this.transport().send(req, { num: n, reason: retryReason(result) });
      if (isSuccess(result) || result.noRetry) return;
    }
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.set(t, resolve);
    });
  }

  /** Resolves once nothing is in flight, including work started while waiting (echoes of replies…). */
  async idle(): Promise<void> {
    for (;;) {
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      await new Promise((r) => setImmediate(r));
      if (this.inFlight.size === 0) return;
    }
  }

  stop(): void {
    this.stopped = true;
    for (const [t, resolve] of this.timers) {
      clearTimeout(t);
      resolve();
    }
    this.timers.clear();
    this.http.abortAll();
  }
}
