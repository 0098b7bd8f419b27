import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { ArrivedEvent, InboxEvent, InboxStore } from '../store/inbox-store.js';

/** What processing one event came to: done, or a failure that may pass (the event is tried again later). */
export type InboxOutcome = { retry: false } | { retry: true; error: string };

export interface EventInboxOptions {
  store: InboxStore;
  /** Processes one stored event (its body as stored: JSON text, or bytes). */
  process(body: string | Buffer, event: InboxEvent): Promise<InboxOutcome>;
  /** What the log lines call one event (default 'Slack event'), and the logger's component (default 'slack-inbox'). */
  what?: string;
  component?: string;
  /**
   * At most this many events processed at once, the others waiting in the store for a slot (claimed then, by any
   * instance). Unset: every stored event is processed at once by the instance that stored it (Slack's events,
   * which are small and cheap); set for work that is heavy or large (mail).
   */
  concurrency?: number;
  clock: Clock;
  logger: Logger;
  /** This instance, as named on the rows it holds. */
  owner: string;
  /** SQLite: one process per file, so rows held by a crashed run are free at start. */
  recoverAbandonedAtStart: boolean;
  /** How often stored events not yet processed are looked for (an earlier run's, a retry's). */
  pollMs?: number;
}

/** A failed event is tried again after these delays, then given up on (logged, kept as failed). */
export const RETRY_DELAYS_MS = [1_000, 5_000, 30_000, 120_000, 600_000];
/** How long an instance may process an event before another one may take it over. */
const LEASE_MS = 60_000;
/**
 * A done mark waits this long for an arrival to ride along with (one transaction for both); a crash before it
 * is written only means the event is processed again, which stores nothing twice.
 */
const DONE_MARK_DELAY_MS = 250;
/** Processed events are kept this long, so a late retry of one by Slack is recognised. */
const KEEP_DONE_MS = 60 * 60_000;

export type EventInbox = ReturnType<typeof createEventInbox>;

interface Arrival {
  event: ArrivedEvent;
  resolve: (outcome: 'stored' | 'repeat') => void;
  reject: (err: unknown) => void;
}

/**
 * Slack's events, stored before they are answered and processed from the store. Arrivals are written in groups
 * ("group commit": the events that come while one group is written go into the next), together with the done
 * marks of the events processed meanwhile, so a burst costs one write per group, not two per event.
 * Each stored event is then processed at once by the instance that stored it; events left pending (a crash, a
 * failure that may pass, another instance's) are found by a poll.
 */
export function createEventInbox(options: EventInboxOptions) {
  const { store, clock, logger, owner } = options;
  const what = options.what ?? 'Slack event';
  const log = logger.child({ component: options.component ?? 'slack-inbox' });
  const bounded = options.concurrency !== undefined;
  let arrivals: Arrival[] = [];
  let done: number[] = [];
  let writing: Promise<void> | null = null;
  let flushTimer: NodeJS.Timeout | null = null;
  const processing = new Set<number>();
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  let pollTimer: NodeJS.Timeout | null = null;
  let lastPurge = 0;

  const isIdle = () => arrivals.length === 0 && done.length === 0 && writing === null && inFlight === 0 && draining === null;
  const wakeWaiters = () => {
    if (!isIdle()) return;
    const ready = waiters;
    waiters = [];
    ready.forEach((resolve) => resolve());
  };

  let lastWriteFailed = false;
  function scheduleFlush(delayMs: number): void {
    if (writing) return; // the write under way schedules the next one
    if (flushTimer) {
      if (delayMs > 0) return;
      clearTimeout(flushTimer); // arrivals do not wait for a done-marks-only write
    }
    flushTimer = setTimeout(() => {
      flushTimer = null;
      writing = writeGroup().finally(() => {
        writing = null;
        if (arrivals.length > 0) scheduleFlush(0);
        else if (done.length > 0) scheduleFlush(lastWriteFailed ? 1_000 : waiters.length > 0 ? 0 : DONE_MARK_DELAY_MS);
        wakeWaiters();
      });
    }, delayMs);
  }

  async function writeGroup(): Promise<void> {
    const group = arrivals;
    const marks = done;
    arrivals = [];
    done = [];
    const now = clock.now();
    let inserted: Map<string, number>;
    try {
      // Bounded: arrivals wait in the store, unclaimed, until a slot takes them (drain).
      inserted = await store.write({ arrived: group.map((a) => a.event), done: marks, now, owner: bounded ? null : owner, leaseUntil: bounded ? null : now + LEASE_MS });
    } catch (err) {
      lastWriteFailed = true;
      done.push(...marks); // marked next time; processing them twice would be harmless anyway
      group.forEach((a) => a.reject(err));
      return;
    }
    lastWriteFailed = false;
    for (const arrival of group) {
      const id = inserted.get(arrival.event.eventId);
      arrival.resolve(id === undefined ? 'repeat' : 'stored');
      if (id !== undefined && !bounded) void run({ id, eventId: arrival.event.eventId, body: arrival.event.body, envelope: arrival.event.envelope, attempts: 0 });
    }
    if (bounded && inserted.size > 0) drain();
  }

  // Bounded: claims stored events for the free slots, again whenever a slot frees up while more are due.
  let draining: Promise<void> | null = null;
  let drainAgain = false;
  function drain(): void {
    if (draining) {
      drainAgain = true;
      return;
    }
    draining = (async () => {
      do {
        drainAgain = false;
        const free = options.concurrency! - inFlight;
        if (free <= 0) break;
        const due = await store.claimDue({ owner, now: clock.now(), leaseMs: LEASE_MS, limit: free });
        for (const event of due) void run(event);
        if (due.length === free) drainAgain = true; // more may be waiting; a finishing event will call again
      } while (drainAgain && inFlight < options.concurrency!);
    })()
      .catch((err: unknown) => log.warn({ err }, `stored ${what}s could not be read; the poll tries again`))
      .finally(() => {
        draining = null;
        wakeWaiters();
      });
  }

  async function run(event: InboxEvent): Promise<void> {
    if (processing.has(event.id)) return;
    processing.add(event.id);
    inFlight += 1;
    try {
      const outcome = await Promise.resolve()
        .then(() => options.process(event.body, event))
        .catch((err: unknown): InboxOutcome => ({ retry: true, error: String((err as Error)?.message ?? err) }));
      if (!outcome.retry) {
        done.push(event.id);
        scheduleFlush(arrivals.length > 0 ? 0 : DONE_MARK_DELAY_MS);
      } else {
        await settleFailure(event, outcome.error);
      }
    } finally {
      processing.delete(event.id);
      inFlight -= 1;
      if (bounded) drain();
      wakeWaiters();
    }
  }

  async function settleFailure(event: InboxEvent, error: string): Promise<void> {
    const delay = RETRY_DELAYS_MS[event.attempts];
    const now = clock.now();
    try {
      if (delay === undefined) {
        log.error({ eventId: event.eventId, attempts: event.attempts + 1, error }, `a ${what} could not be processed and was given up on`);
        await store.fail(event.id, error, now);
      } else {
        log.warn({ eventId: event.eventId, attempt: event.attempts + 1, retryInMs: delay, error }, `a ${what} could not be processed; it stays stored and is tried again`);
        await store.retryLater(event.id, now + delay, error);
      }
    } catch (err) {
      // The store is down as well: the lease runs out and the poll finds the event again.
      log.warn({ err, eventId: event.eventId }, `the outcome of a ${what} could not be recorded`);
    }
  }

  /** Processes stored events whose time has come (earlier runs', retries, other instances' abandoned ones). */
  async function processDue(): Promise<number> {
    const now = clock.now();
    if (now - lastPurge > 60_000) {
      lastPurge = now;
      await store.purgeDone(now - KEEP_DONE_MS);
    }
    // A read first: claiming takes the write lock, which an idle poll has no reason to take every second.
    if (!(await store.hasDue(now))) return 0;
    if (bounded) {
      drain();
      return 0;
    }
    const due = await store.claimDue({ owner, now, leaseMs: LEASE_MS, limit: 100 });
    // In arrival order; each event's listeners keep their own order per conversation (ingest locks).
    await Promise.all(due.map((event) => run(event)));
    return due.length;
  }

  function poll(): void {
    pollTimer = setTimeout(() => {
      processDue()
        .catch((err: unknown) => log.warn({ err }, `stored ${what}s could not be read`))
        .finally(() => {
          if (pollTimer) poll();
        });
    }, options.pollMs ?? 1_000);
  }

  return {
    /** Stores an event; resolves once it is committed ('repeat': Slack sent it before and it is stored already). */
    accept(event: ArrivedEvent): Promise<'stored' | 'repeat'> {
      return new Promise((resolve, reject) => {
        arrivals.push({ event, resolve, reject });
        scheduleFlush(0);
      });
    },
    async start(): Promise<void> {
      if (options.recoverAbandonedAtStart) await store.recoverAbandoned();
      await processDue().catch((err: unknown) => log.warn({ err }, `stored ${what}s could not be read`));
      poll();
    },
    /** Stops polling and waits for the events being written or processed (not forever: what is stored stays). */
    async stop(): Promise<void> {
      if (pollTimer) clearTimeout(pollTimer);
      pollTimer = null;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.idle(), new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
      clearTimeout(timer);
    },
    /** Resolves once nothing is being written or processed (done marks waiting for company are written now). */
    idle(): Promise<void> {
      if (isIdle()) return Promise.resolve();
      if (done.length > 0) scheduleFlush(0);
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
    processDue,
  };
}
