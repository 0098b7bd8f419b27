/**
 * Tells the benchmark, without polling, when the emulator has handled a Web API call (views.open, views.update,
 * chat.update …): the moment a modal is actually open or updated in "Slack". It wraps the emulator's private
 * `record` (called once per Web API call, just before the answer is sent) — a benchmark-only hook, like
 * seedMessages in events.ts; if the emulator's internals change it falls back to polling emu.calls().
 */
import type { SlackEmulator } from '../../src/emulator/index.js';
import { sleep } from './stats.js';

export interface SeenCall {
  method: string;
  args: Record<string, unknown>;
  /** The emulator's answer (ok, error, view …). */
  body: Record<string, unknown>;
  /** performance.now() when the emulator handled it. */
  at: number;
}

export interface ApiWatch {
  /**
   * Resolves with the first call of `method`, made after this call, for which `match` holds; rejects after
   * `timeoutMs`. Start it before the action that causes the call.
   */
  next(method: string, match: (call: SeenCall) => boolean, timeoutMs?: number): Promise<SeenCall>;
  /** True when the emulator is observed through its `record` hook (else by polling every 2 ms). */
  readonly hooked: boolean;
  release(): void;
}

interface Waiter {
  method: string;
  match: (call: SeenCall) => boolean;
  resolve: (call: SeenCall) => void;
}

export function watchApi(emu: SlackEmulator): ApiWatch {
  const waiters = new Set<Waiter>();
  const target = emu as unknown as { record?: (method: string, args: Record<string, unknown>, status: number, body: Record<string, unknown>) => void };
  const original = target.record;
  const hooked = typeof original === 'function';
  let polling: { stop: boolean } | undefined;

  const offer = (call: SeenCall): void => {
    for (const w of waiters) {
      if (w.method === call.method && w.match(call)) {
        waiters.delete(w);
        w.resolve(call);
      }
    }
  };

  if (hooked) {
    target.record = function (this: unknown, method, args, status, body) {
      original.call(this, method, args, status, body);
      if (waiters.size > 0) offer({ method, args, body, at: performance.now() });
    };
  } else {
    const state = { stop: false };
    polling = state;
    let seen = emu.calls().length;
    void (async () => {
      while (!state.stop) {
        const calls = emu.calls();
        for (const c of calls.slice(seen)) offer({ method: c.method, args: c.args, body: { ok: c.ok, error: c.error }, at: performance.now() });
        seen = calls.length;
        await sleep(2);
      }
    })();
  }

  return {
    hooked,
    next(method, match, timeoutMs = 5000) {
      return new Promise<SeenCall>((resolve, reject) => {
        const waiter: Waiter = {
          method,
          match,
          resolve: (call) => {
            clearTimeout(timer);
            resolve(call);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no ${method} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    release() {
      if (hooked) target.record = original;
      if (polling) polling.stop = true;
      waiters.clear();
    },
  };
}
