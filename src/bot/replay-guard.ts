import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { SignatureStore } from '../store/signature-store.js';

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
    /** True the first time `key` is seen within the window, which remembers it; false for a replay. */
    firstSight(key: string): boolean {
      forgetExpired(now());
      if (expiresAt.has(key)) return false;
      expiresAt.set(key, now() + windowMs); // a new key expires last: insertion order stays expiry order
      return true;
    },
  };
}

/**
 * Bolt middleware: a command or click whose signed request was seen before is acknowledged and dropped (they are
 * not idempotent: a second reply, a second close). Events need no guard: the inbox stores each event_id once.
 * The memory answers a repeat to this process without a query; `shared` (PostgreSQL) catches one sent to
 * another instance.
 */
export function ignoreReplays(app: App, options: { logger: Logger; rejected: Counter<'reason'>; now: () => number; shared: SignatureStore | null }): void {
  const guard = createReplayGuard(options.now);
  app.use(async ({ context, body, ack, next }) => {
    const signature = context.slackSignature as string | null | undefined;
    // Socket Mode has no signature (and nothing to replay over HTTP); events are stored once by event_id.
    if (!signature || (body as { type?: string }).type === 'event_callback') return next();
    const now = options.now();
    if (guard.firstSight(signature) && (!options.shared || (await options.shared.firstSight(signature, now, now + SIGNATURE_WINDOW_MS)))) return next();
    options.rejected.inc({ reason: 'replay' });
    options.logger.warn({ kind: 'interaction' }, 'a replayed Slack request (same signature and timestamp) was ignored');
    if (ack) await ack();
  });
}
