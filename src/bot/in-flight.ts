import type { App } from '@slack/bolt';
import type { Counter } from 'prom-client';

/** Counts requests in flight through every listener, so callers can wait until the bot has finished its work. */
export function trackInFlight(app: App, requests: Counter<'kind'>): () => Promise<void> {
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  app.use(async ({ body, next }) => {
    inFlight += 1;
    requests.inc({ kind: String((body as { type?: string; command?: string }).command ? 'command' : ((body as { type?: string }).type ?? 'unknown')) });
    try {
      await next();
    } finally {
      inFlight -= 1;
      if (inFlight === 0) {
        const ready = waiters;
        waiters = [];
        ready.forEach((resolve) => resolve());
      }
    }
  });
  return () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)));
}
