/**
 * Runs work for the same key one at a time, in arrival order; different keys run in parallel.
 * Slack delivers events concurrently, so a requester's second message can be processed while the first is
 * still opening its ticket: this keeps "join the open ticket" decisions in order (within one process).
 */
export type KeyedLock = <T>(keys: string[], work: () => Promise<T>) => Promise<T>;

export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<unknown>>();
  return async <T>(keys: string[], work: () => Promise<T>): Promise<T> => {
    // Every key is claimed at once, at call time, so a later caller of any of them queues behind this one.
    const previous = keys.map((key) => (tails.get(key) ?? Promise.resolve()).catch(() => undefined));
    const run = Promise.all(previous).then(work);
    for (const key of keys) tails.set(key, run);
    try {
      return await run;
    } finally {
      for (const key of keys) if (tails.get(key) === run) tails.delete(key);
    }
  };
}
