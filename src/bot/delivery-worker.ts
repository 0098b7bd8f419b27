import { systemClock, type Clock } from '../domain/clock.js';
import type { Logger } from 'pino';
import type { ClaimedDelivery, OutboxStore } from '../store/outbox-store.js';
import { PermanentDeliveryError, type DeliveryExecutor } from './delivery-executors.js';
import { paceInterval } from './delivery-intents.js';

export interface DeliveryWorkerOptions {
  /**
   * The wall clock the outbox runs on (not the domain clock tests move forward): Slack's rate limits, Retry-After
   * and leases are wall time, and rows are stamped with the same clock by the stores that record deliveries.
   */
  clock?: Clock;
  outbox: OutboxStore;
  execute: DeliveryExecutor;
  logger: Logger;
  /** This instance's name in claims. */
  owner: string;
  /** Multiplies Slack's documented rates (only for an emulator configured with other limits). */
  rateScale?: number;
  /** Deliveries worked on at once (waiting for their slot or calling Slack). */
  concurrency?: number;
  /** SQLite: this is the only bot process on the database, so claims left by a crash are taken back at start. */
  recoverAbandonedAtStart?: boolean;
  /** Told when a delivery is given up on (to tell the agent whose reply it was). */
  onGiveUp?: (delivery: ClaimedDelivery, error: string) => Promise<void>;
  /** Told what became of each attempt (metrics). */
  onOutcome?: (kind: string, outcome: 'delivered' | 'retried' | 'rate_limited' | 'failed') => void;
}

export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;

const LOOKAHEAD_MS = 250;
const LEASE_MS = 30_000;
const IDLE_POLL_MS = 250;
const COMPLETE_BATCH_MS = 20;
/** How long a wake waits for others to join it before the worker claims. */
const WAKE_COALESCE_MS = 20;
const MAX_BACKOFF_MS = 10_000;
/** Errors that are not Slack's (a bug, the database) are tried this many times before the delivery is given up. */
const MAX_INTERNAL_ATTEMPTS = 10;

/** Slack errors (ok:false) that say "try again later", not "this can never work". */
const TRANSIENT_SLACK_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

type Verdict =
  | { kind: 'rate_limited'; retryAfterMs: number }
  | { kind: 'transient'; slackDown: boolean; uncertain: boolean }
  | { kind: 'permanent' };

/**
 * Sends what the bot owes Slack, from the outbox: claimed row by row (shared with other instances), each call
 * waiting for its rate-limit slot, 429s honoured by closing that bucket for Retry-After, 5xx and network errors
 * retried with backoff (and all delivery paused meanwhile: Slack is down, not this message), permanent errors
 * recorded and shown. Ingest only writes rows; it never waits for this.
 */
export function createDeliveryWorker(options: DeliveryWorkerOptions) {
  const { outbox, logger } = options;
  const clock = options.clock ?? systemClock;
  const scale = options.rateScale ?? 1;
  const concurrency = options.concurrency ?? 32;
  const inFlight = new Set<number>();
  // When this instance last called Slack in each bucket.
  const lastCallAt = new Map<string, number>();
  let running = false;
  let loopDone: Promise<void> = Promise.resolve();
  let wakeUp: (() => void) | null = null;
  let wakeRequested = false;
  let slackDownUntil = 0;
  let downStreak = 0;

  // Delivered rows are deleted in small batches: one write every few ms instead of one per delivery, which on
  // SQLite would contend with ingest for the file's write lock. The row stays leased until then.
  let done: number[] = [];
  let flushing: Promise<void> | null = null;
  const flush = async (): Promise<void> => {
    while (flushing) await flushing;
    if (done.length === 0) return;
    const ids = done;
    done = [];
    flushing = outbox.complete(ids).finally(() => (flushing = null));
    await flushing;
  };
  const completed = (id: number): Promise<void> => {
    done.push(id);
    return done.length >= 50 ? flush() : new Promise((resolve) => setTimeout(() => void flush().then(resolve, resolve), COMPLETE_BATCH_MS));
  };

  // Wakes that come close together (each new ticket, each delivery done) make one claim a few ms later, not one
  // each: under a steady stream of messages that is a handful of claim transactions a second instead of hundreds,
  // each of which would hold SQLite's write lock against the inbox and ingest.
  let wakeTimer: NodeJS.Timeout | null = null;
  const wake = () => {
    wakeRequested = true;
    wakeTimer ??= setTimeout(() => {
      wakeTimer = null;
      wakeUp?.();
    }, WAKE_COALESCE_MS);
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, wakeRequested ? Math.min(ms, WAKE_COALESCE_MS) : ms);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });

  async function loop(): Promise<void> {
    if (options.recoverAbandonedAtStart) {
      const taken = await outbox.recoverAbandoned().catch(() => 0);
      if (taken > 0) logger.warn({ deliveries: taken }, 'deliveries interrupted by the last stop will be checked against Slack before posting again');
    }
    while (running) {
      wakeRequested = false;
      const downFor = slackDownUntil - clock.now();
      if (downFor > 0) {
        await sleep(downFor);
        continue;
      }
      const free = concurrency - inFlight.size;
      let claimed: ClaimedDelivery[] = [];
      if (free > 0) {
        claimed = await outbox
          .claim({ owner: options.owner, now: clock.now(), limit: free, lookaheadMs: LOOKAHEAD_MS, leaseMs: LEASE_MS, intervalOf: (bucket) => paceInterval(bucket, scale) })
          .catch((err: unknown) => {
            logger.error({ err }, 'could not claim deliveries');
            return [];
          });
        claimed.forEach(attempt);
      }
      if (claimed.length === free && free > 0) continue; // there may be more ready right now
      await sleep(inFlight.size > 0 || claimed.length > 0 ? LOOKAHEAD_MS / 2 : IDLE_POLL_MS);
    }
  }

  function attempt(delivery: ClaimedDelivery): void {
    const interval = paceInterval(delivery.bucket, scale);
    let calling = false;
    // Called by the executor right before its Slack write, after its reads: waits for the reserved slot and keeps
    // this instance's calls in a bucket apart, so late timers cannot bunch them into a burst Slack would refuse.
    const ready = async (): Promise<void> => {
      if (calling) return;
      for (;;) {
        if (!running) throw new StoppedBeforeCall();
        const at = Math.max(delivery.sendAt, (lastCallAt.get(delivery.bucket) ?? 0) + interval);
        if (at <= clock.now()) break;
        await new Promise((resolve) => setTimeout(resolve, at - clock.now()));
      }
      lastCallAt.set(delivery.bucket, clock.now());
      calling = true;
    };
    inFlight.add(delivery.id);
    void (async () => {
      try {
        await options.execute({ ...delivery, ready });
        downStreak = 0;
        await completed(delivery.id);
        options.onOutcome?.(delivery.kind, 'delivered');
      } catch (err) {
        if (err instanceof StoppedBeforeCall) await outbox.release([delivery.id]).catch(() => undefined);
        else await settleFailure(delivery, err).catch((e: unknown) => logger.error({ err: e, delivery: delivery.id }, 'could not record a delivery failure'));
      } finally {
        inFlight.delete(delivery.id);
        if (inFlight.size < concurrency / 2) wake();
      }
    })();
  }

  async function settleFailure(delivery: ClaimedDelivery, err: unknown): Promise<void> {
    const verdict = classify(err, delivery.attempts);
    const message = describe(err);
    const log = logger.child({ delivery: delivery.id, kind: delivery.kind, lane: delivery.lane, attempts: delivery.attempts + 1 });
    const now = clock.now();
    if (verdict.kind === 'rate_limited') {
      await outbox.pauseBucket(delivery.bucket, now + verdict.retryAfterMs);
      await outbox.retryLater(delivery.id, now + verdict.retryAfterMs, message, { attempted: false, uncertain: false });
      options.onOutcome?.(delivery.kind, 'rate_limited');
      return log.warn({ retryAfterMs: verdict.retryAfterMs, bucket: delivery.bucket }, 'Slack rate-limited a delivery; its bucket waits Retry-After');
    }
    if (verdict.kind === 'permanent') {
      await outbox.fail(delivery.id, message, now);
      options.onOutcome?.(delivery.kind, 'failed');
      await options.onGiveUp?.(delivery, message).catch((err: unknown) => log.warn({ err }, 'could not tell anyone about a failed delivery'));
      return log.error({ error: message }, 'Slack delivery failed for good');
    }
    const backoff = Math.min(250 * 2 ** (verdict.slackDown ? downStreak : delivery.attempts), MAX_BACKOFF_MS) * (0.75 + Math.random() / 2);
    if (verdict.slackDown) {
      downStreak += 1;
      slackDownUntil = Math.max(slackDownUntil, now + backoff);
    }
    await outbox.retryLater(delivery.id, now + backoff, message, { attempted: true, uncertain: verdict.uncertain });
    options.onOutcome?.(delivery.kind, 'retried');
    log.warn({ error: message, retryInMs: Math.round(backoff) }, 'Slack delivery will be tried again');
  }

  return {
    start(): void {
      if (running) return;
      running = true;
      loopDone = loop().catch((err: unknown) => logger.error({ err }, 'delivery worker stopped'));
    },
    /**
     * Stops claiming, gives back deliveries still waiting for their slot (they stop at `ready`), and lets calls
     * already made to Slack finish (up to `graceMs`), so a stop never cuts a post in half on purpose.
     */
    async stop(graceMs = 10_000): Promise<void> {
      running = false;
      wake();
      await loopDone;
      const deadline = clock.now() + graceMs;
      while (inFlight.size > 0 && clock.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      await flush();
    },
    /** A delivery was recorded: look now instead of at the next poll. */
    wake,
    /** Resolves when nothing is waiting in the outbox and nothing is in flight (failed deliveries do not count). */
    async idle(): Promise<void> {
      for (;;) {
        await flush();
        if (inFlight.size === 0 && (await outbox.pendingCount(clock.now())) === 0) return;
        wake();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}

/** A delivery stopped before its Slack call because the worker is stopping: it goes back to the outbox untouched. */
class StoppedBeforeCall extends Error {}

function classify(err: unknown, attempts: number): Verdict {
  const e = err as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string } };
  switch (e?.code) {
    case 'slack_webapi_rate_limited_error':
      return { kind: 'rate_limited', retryAfterMs: Math.max(1, e.retryAfter ?? 1) * 1000 };
    case 'slack_webapi_platform_error': {
      const error = e.data?.error ?? '';
      if (error === 'ratelimited') return { kind: 'rate_limited', retryAfterMs: 1000 };
      return TRANSIENT_SLACK_ERRORS.has(error) ? { kind: 'transient', slackDown: true, uncertain: false } : { kind: 'permanent' };
    }
    case 'slack_webapi_http_error':
      // 503 means the request was not served; other 5xx may have been processed before failing.
      return (e.statusCode ?? 500) >= 500 ? { kind: 'transient', slackDown: true, uncertain: e.statusCode !== 503 } : { kind: 'permanent' };
    case 'slack_webapi_request_error':
      return { kind: 'transient', slackDown: true, uncertain: true }; // no answer: it may have been posted
  }
  if (err instanceof PermanentDeliveryError || attempts + 1 >= MAX_INTERNAL_ATTEMPTS) return { kind: 'permanent' };
  // Not Slack's error (the database, a bug): a post may have gone out before it, so look before posting again.
  return { kind: 'transient', slackDown: false, uncertain: true };
}

function describe(err: unknown): string {
  const e = err as { code?: string; statusCode?: number; data?: { error?: string }; message?: string };
  if (e?.code === 'slack_webapi_platform_error') return e.data?.error ?? 'slack error';
  if (e?.code === 'slack_webapi_http_error') return `HTTP ${e.statusCode}`;
  if (e?.code === 'slack_webapi_rate_limited_error') return 'ratelimited';
  return e?.message ?? String(err);
}
