/**
 * Load shapes. Both time each send from the moment it starts until its HTTP answer (what the emulator's driver
 * awaits: build + sign the envelope, POST, read the response), and never let a slow answer delay a later send
 * in the fixed-rate shape (open loop, so slow acks are not hidden by coordinated omission).
 */
import { sleep } from './stats.js';

export interface SendOutcome {
  /** HTTP status of the first delivery (0 = no answer). */
  status: number;
  ts?: string;
}

export type Send = (i: number) => Promise<SendOutcome>;

export interface LoadResult {
  /** Ack latency of every send that got an answer, ms. */
  latencies: number[];
  /** Sends without a 2xx answer, or that threw. */
  failed: number;
  failures: string[];
  /** ts of every message sent (index = send number; undefined when the send threw before storing one). */
  sentTs: (string | undefined)[];
  /** performance.now() of the first send and of the last answer. */
  firstSendAt: number;
  lastAckAt: number;
  /** How late the scheduler started sends, worst case (fixed rate only), ms. */
  maxScheduleLagMs: number;
}

function emptyResult(n: number): LoadResult {
  return { latencies: [], failed: 0, failures: [], sentTs: new Array(n), firstSendAt: Number.NaN, lastAckAt: Number.NaN, maxScheduleLagMs: 0 };
}

async function timedSend(send: Send, i: number, out: LoadResult): Promise<void> {
  const started = performance.now();
  if (Number.isNaN(out.firstSendAt)) out.firstSendAt = started;
  try {
    const r = await send(i);
    const ended = performance.now();
    out.sentTs[i] = r.ts;
    out.lastAckAt = Number.isNaN(out.lastAckAt) ? ended : Math.max(out.lastAckAt, ended);
    if (r.status >= 200 && r.status < 300) out.latencies.push(ended - started);
    else {
      out.failed += 1;
      if (out.failures.length < 5) out.failures.push(`#${i}: HTTP ${r.status}`);
    }
  } catch (err) {
    out.failed += 1;
    if (out.failures.length < 5) out.failures.push(`#${i}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** n sends at `perSecond`, each started on schedule whatever the previous ones are doing. */
export async function fixedRate(n: number, perSecond: number, send: Send): Promise<LoadResult> {
  const out = emptyResult(n);
  const inFlight: Promise<void>[] = [];
  const start = performance.now() + 20;
  for (let i = 0; i < n; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait >= 1) await sleep(wait);
    out.maxScheduleLagMs = Math.max(out.maxScheduleLagMs, performance.now() - due);
    inFlight.push(timedSend(send, i, out));
  }
  await Promise.all(inFlight);
  return out;
}

/** n sends as fast as possible with at most `concurrency` awaiting their answer. */
export async function saturate(n: number, concurrency: number, send: Send): Promise<LoadResult> {
  const out = emptyResult(n);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) await timedSend(send, next++, out);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
  return out;
}

export interface ProgressResult {
  /** Last count observed. */
  count: number;
  /** performance.now() when the count first reached the target, NaN if it never did. */
  reachedAt: number;
}

/**
 * Polls `count()` until it reaches `target`; gives up after `stallMs` without progress once `sendsDone()`
 * says nothing more is being sent.
 */
export async function waitForCount(count: () => Promise<number>, target: number, opts: { intervalMs: number; stallMs: number; sendsDone: () => boolean }): Promise<ProgressResult> {
  let last = -1;
  let lastProgressAt = performance.now();
  for (;;) {
    const value = await count();
    const now = performance.now();
    if (value >= target) return { count: value, reachedAt: now };
    if (value !== last) {
      last = value;
      lastProgressAt = now;
    } else if (!opts.sendsDone()) {
      lastProgressAt = now;
    } else if (now - lastProgressAt > opts.stallMs) {
      return { count: value, reachedAt: Number.NaN };
    }
    await sleep(opts.intervalMs);
  }
}
