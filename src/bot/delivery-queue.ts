import type { Logger } from 'pino';

/**
 * The order and pace of the bot's Slack output. Each ticket's deliveries run one after another in the order
 * they were asked for (the card before its mirrors, a status line after the change it reports); different
 * tickets' deliveries run side by side, at most `concurrency` at a time, so a burst of new tickets does not
 * hold up ingest: the ticket is stored and acknowledged at once, and its card follows.
 * This is the one place where delivery can later become durable and rate-aware.
 */
export interface DeliveryQueue {
  /** Runs `work` after every earlier delivery for the same ticket; rejects (and logs) when it fails. */
  run<T>(ticketId: number, what: string, work: () => Promise<T>): Promise<T>;
  /** Deliveries asked for and not finished. */
  pending(): number;
  /** Age in ms of the oldest delivery not finished (0 when none). */
  oldestMs(): number;
  /** Resolves when nothing is pending. */
  idle(): Promise<void>;
}

export function createDeliveryQueue(logger: Logger, concurrency = 2, now: () => number = Date.now): DeliveryQueue {
  const tails = new Map<number, Promise<unknown>>();
  // When each unfinished delivery was asked for, in asking order: the first is the oldest.
  const askedAt = new Map<object, number>();
  const waitingForSlot: (() => void)[] = [];
  let running = 0;
  let pending = 0;
  let idleWaiters: (() => void)[] = [];

  const acquireSlot = (): Promise<void> => {
    if (running < concurrency) {
      running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => waitingForSlot.push(resolve));
  };
  const releaseSlot = () => {
    const next = waitingForSlot.shift();
    if (next) next(); // the slot passes straight to the next delivery
    else running -= 1;
  };
  const finished = () => {
    pending -= 1;
    if (pending > 0) return;
    const ready = idleWaiters;
    idleWaiters = [];
    ready.forEach((resolve) => resolve());
  };

  return {
    run<T>(ticketId: number, what: string, work: () => Promise<T>): Promise<T> {
      pending += 1;
      const token = {};
      askedAt.set(token, now());
      const previous = (tails.get(ticketId) ?? Promise.resolve()).catch(() => undefined);
      const delivery = previous.then(async () => {
        await acquireSlot();
        try {
          return await work();
        } catch (err) {
          logger.error({ err, ticketId, delivery: what }, 'Slack delivery failed');
          throw err;
        } finally {
          releaseSlot();
        }
      });
      tails.set(ticketId, delivery);
      void delivery
        .finally(() => {
          if (tails.get(ticketId) === delivery) tails.delete(ticketId);
          askedAt.delete(token);
          finished();
        })
        .catch(() => undefined);
      return delivery;
    },
    pending: () => pending,
    oldestMs: () => {
      const first = askedAt.values().next();
      return first.done ? 0 : now() - first.value;
    },
    idle: () => (pending === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
  };
}
