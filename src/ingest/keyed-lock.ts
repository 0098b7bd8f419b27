/**
 * Runs work for the same key one at a time, in arrival order; different keys run in parallel.
 * Slack delivers events concurrently, so a requester's second message can be processed while the first is
 * still opening its ticket: this keeps "join the open ticket" decisions in order (within one process).
 */
export type KeyedLock = <T>(key: string, work: () => Promise<T>) => Promise<T>;

export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<unknown>>();
  return async <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(work);
    tails.set(key, run);
    try {
      return await run;
    } finally {
      if (tails.get(key) === run) tails.delete(key);
    }
  };
}
