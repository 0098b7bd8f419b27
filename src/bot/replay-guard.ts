/**
 * Remembers the signed Slack requests seen in the last five minutes (Slack refuses signatures older than that,
 * and so does Bolt), so a captured request sent again is ignored instead of acting twice: a second reply, a
 * second close. Per process: with several instances, each remembers what it was sent.
 */
export const SIGNATURE_WINDOW_MS = 5 * 60_000;

export function createReplayGuard(now: () => number = Date.now, windowMs = SIGNATURE_WINDOW_MS) {
  // Insertion order is expiry order (one window for all), so expired keys are always at the front.
  const expiresAt = new Map<string, number>();
  return {
    /** True the first time `key` is seen within the window; false for a replay. */
    firstSight(key: string): boolean {
      const at = now();
      for (const [seen, expiry] of expiresAt) {
        if (expiry > at) break;
        expiresAt.delete(seen);
      }
      if (expiresAt.has(key)) return false;
      expiresAt.set(key, at + windowMs);
      return true;
    },
  };
}
