/**
 * Remembers the signed Slack requests seen in the last five minutes (Slack refuses signatures older than that,
 * and so does Bolt), so a captured request sent again is ignored instead of acting twice: a second reply, a
 * second close. This is the memory of one process; src/store/signature-store.ts shares it between instances.
 */
export const SIGNATURE_WINDOW_MS = 5 * 60_000;

export function createReplayGuard(now: () => number = Date.now, windowMs = SIGNATURE_WINDOW_MS) {
  // Insertion order is expiry order (one window for all), so expired keys are always at the front.
  const expiresAt = new Map<string, number>();
  const forgetExpired = (at: number) => {
    for (const [seen, expiry] of expiresAt) {
      if (expiry > at) break;
      expiresAt.delete(seen);
    }
  };
  return {
    /** Whether `key` was remembered within the window. */
    seen(key: string): boolean {
      forgetExpired(now());
      return expiresAt.has(key);
    },
    /** Remembers `key` for the window (an event, once it has been stored). */
    remember(key: string): void {
      expiresAt.delete(key); // re-inserted at the end, keeping insertion order = expiry order
      expiresAt.set(key, now() + windowMs);
    },
    /** True the first time `key` is seen within the window, which remembers it; false for a replay. */
    firstSight(key: string): boolean {
      if (this.seen(key)) return false;
      this.remember(key);
      return true;
    },
  };
}
