import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { ArrivedEvent, InboxEvent, InboxStore } from '../store/inbox-store.js';

/** What processing one event came to: done, or a failure that may pass (the event is tried again later). */
export type InboxOutcome = { retry: false } | { retry: true; error: string };

export interface EventInboxOptions {
  store: InboxStore;
  /** Runs the bot's listeners on one stored event. */
  process(body: unknown): Promise<InboxOutcome>;
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
  const log = logger.child({ component: 'slack-inbox' });
  let arrivals: Arrival[] = [];
  let done: number[] = [];
  let writing: Promise<void> | null = null;
  let flushTimer: NodeJS.Timeout | null = null;
  const processing = new Set<number>();
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  let pollTimer: NodeJS.Timeout | null = null;
  let lastPurge = 0;

  const isIdle = () => arrivals.length === 0 && done.length === 0 && writing === null && inFlight === 0;
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
      inserted = await store.write({ arrived: group.map((a) => a.event), done: marks, now, owner, leaseUntil: now + LEASE_MS });
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
      if (id !== undefined) void run({ id, eventId: arrival.event.eventId, body: arrival.event.body, attempts: 0 });
    }
  }

  async function run(event: InboxEvent): Promise<void> {
    if (processing.has(event.id)) return;
    processing.add(event.id);
    inFlight += 1;
    try {
      const outcome = await Promise.resolve()
        .then(() => options.process(JSON.parse(event.body)))
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
      wakeWaiters();
    }
  }

  async function settleFailure(event: InboxEvent, error: string): Promise<void> {
    const delay = RETRY_DELAYS_MS[event.attempts];
    const now = clock.now();
    try {
      if (delay === undefined) {
        log.error({ eventId: event.eventId, attempts: event.attempts + 1, error }, 'a Slack event could not be processed and was given up on');
        await store.fail(event.id, error, now);
      } else {
        log.warn({ eventId: event.eventId, attempt: event.attempts + 1, retryInMs: delay, error }, 'a Slack event could not be processed; it stays stored and is tried again');
        await store.retryLater(event.id, now + delay, error);
      }
    } catch (err) {
      // The store is down as well: the lease runs out and the poll finds the event again.
      log.warn({ err, eventId: event.eventId }, 'the outcome of a Slack event could not be recorded');
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
    const due = await store.claimDue({ owner, now, leaseMs: LEASE_MS, limit: 100 });
    // In arrival order; each event's listeners keep their own order per conversation (ingest locks).
    await Promise.all(due.map((event) => run(event)));
    return due.length;
  }

  function poll(): void {
    pollTimer = setTimeout(() => {
      processDue()
        .catch((err: unknown) => log.warn({ err }, 'stored Slack events could not be read'))
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
      await processDue().catch((err: unknown) => log.warn({ err }, 'stored Slack events could not be read'));
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
