import type { Logger } from 'pino';

/**
 * A check run every `everyMs` (the SLA watch, the quiet period): one pass at a time (a call during a pass gets that
 * pass), a failure logged and tried again at the next tick, the timer never keeping the process alive.
 */
export function periodicCheck<T>(pass: () => Promise<T>, everyMs: number, logger: Logger, failed: string) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<T> | null = null;
  const check = (): Promise<T> => (running ??= pass().finally(() => (running = null)));
  return {
    /** One pass (the timer runs it; tests call it at a chosen moment). */
    check,
    start(): void {
      timer ??= setInterval(() => void check().catch((err) => logger.error({ err }, failed)), everyMs);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
