import type { Logger } from 'pino';

/** How a transport answers Slack: with 200 (and a body), or with a refusal that makes Slack try again. */
export interface Transport {
  ok(body?: unknown): void | Promise<void>;
  /** HTTP: a 5xx status; Socket Mode: no acknowledgement (Slack redelivers it). */
  retry(status: number): void | Promise<void>;
}

export interface Answer {
  ok(body?: unknown): Promise<void>;
  retry(status: number): Promise<void>;
  readonly answered: boolean;
}

/**
 * A request is answered exactly once, whatever the timing: the first answer goes out, any later one (a listener
 * acking after the deadline answer, a store finishing after Slack was told to retry) is dropped and logged,
 * never thrown (Node throws on a second response, and nothing would catch it).
 */
export function answerOnce(transport: Transport, log: Logger, what: string): Answer {
  let answered = false;
  let first = '';
  const once = (how: string, send: () => void | Promise<void>): Promise<void> => {
    if (answered) {
      log.warn({ request: what, first, late: how }, 'a second answer to a Slack request was dropped (it came too late)');
      return Promise.resolve();
    }
    answered = true;
    first = how;
    return Promise.resolve()
      .then(send)
      .catch((err: unknown) => log.warn({ err, request: what }, 'the answer to a Slack request could not be sent'));
  };
  return {
    get answered() {
      return answered;
    },
    ok: (body?: unknown) => once('ok', () => transport.ok(body)),
    retry: (status: number) => once(`retry ${status}`, () => transport.retry(status)),
  };
}
