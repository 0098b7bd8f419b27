/**
 * The ingest benchmark's load generator, in a process of its own (forked by bench/lib/loadgen.ts), so that
 * what it costs is not charged to the server being measured, and its own CPU can be read (bench/lib/probe.ts).
 *
 * Per job it derives event i of an EventStream (bench/lib/events.ts), builds and signs them in batches just
 * before use (one timestamp per batch, at most 10 s of a fixed rate: far inside Slack's 5-minute window), and POSTs them over
 * keep-alive connections of an undici Pool (`dispatch` with a minimal handler):
 *   rate      open loop at `rate` events/s: event i is due at start + i/rate and is sent then whatever the
 *             earlier ones are doing (more connections open if needed, up to `concurrency`; beyond that requests
 *             queue in the pool, still timed from their due time). Latency = answer time - due time, so a stall
 *             shows in full instead of being hidden by sends that were held back (coordinated omission).
 *   saturate  closed loop: `concurrency` requests always in flight; latency = answer time - send time.
 * Like Slack, it gives an attempt 3 s to be answered, and retries an event that got no 2xx (same body, signed
 * again, X-Slack-Retry-Num/-Reason) up to 3 times, here after 0, 1 and 5 s as the emulator does; the latency
 * figures are those of first deliveries.
 */
import { Pool, type Dispatcher } from 'undici';
import { bodyBuilder, checkBodyBuilder, sign, type EventStream } from './events.js';
import { answerProbes, processMonitor, type ProbeSample } from './probe.js';

export interface LoadJob {
  /** Full URL of the Events API endpoint. */
  url: string;
  secret: string;
  stream: EventStream;
  /** Events first..first+count-1 of the stream. */
  first: number;
  count: number;
  mode: 'rate' | 'saturate';
  /** Events per second (rate mode). */
  rate?: number;
  /** saturate: requests in flight (= connections); rate: most connections the pool may open. */
  concurrency: number;
  /** HTTP/1.1 requests per connection before an answer (1 = none pipelined). */
  pipelining?: number;
  /** Events signed together (default 256). */
  batch?: number;
}

export interface LoadResult {
  sent: number;
  /** Answered 2xx. */
  ok: number;
  failed: number;
  /** Indexes (in the stream) of the events without a 2xx answer to their first delivery. */
  failedIndexes: number[];
  failures: string[];
  /** Retries sent (as Slack does for an event without a 2xx within its window), and events still without one after 3. */
  retries: number;
  gaveUp: number[];
  /** Of first deliveries (what Slack's ack timer sees), ms; over3s = answered after Slack's window or not at all. */
  latency: { p50: number; p90: number; p99: number; max: number; over3s: number };
  /** Answer time - send time (service time; equal to `latency` in saturate mode). */
  serviceP50: number;
  /** How late sends left after their due time (rate mode): p99 and worst, ms. */
  sendLagP99: number;
  sendLagMax: number;
  /** Epoch ms (performance.timeOrigin based, comparable across processes on this machine). */
  firstSendAt: number;
  lastAckAt: number;
  /** sent / (last answer - first send). */
  answersPerSec: number;
  /** The generator's own CPU, loop delay… over the job. */
  generator: ProbeSample;
}

const HEADER_CONTENT_TYPE = 'application/json';
/** Slack waits 3 s for an answer, then counts the attempt as failed (http_timeout). */
const ACK_TIMEOUT_MS = 3000;
/** When the emulator retries (its defaults; Slack: nearly at once, after 1 minute, after 5 minutes). */
const RETRY_DELAYS_MS = [0, 1000, 5000];
const epochOf = (t: number): number => performance.timeOrigin + t;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const pools = new Map<string, Pool>();
const monitor = processMonitor();

function poolFor(origin: string, connections: number, pipelining: number): Pool {
  const key = `${origin} ${connections} ${pipelining}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new Pool(origin, { connections, pipelining, keepAliveTimeout: 30_000, headersTimeout: ACK_TIMEOUT_MS, bodyTimeout: ACK_TIMEOUT_MS });
    pools.set(key, pool);
  }
  return pool;
}

function percentileOf(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

const r2 = (n: number): number => (Number.isFinite(n) ? Math.round(n * 100) / 100 : n);

async function run(job: LoadJob): Promise<LoadResult> {
  const target = new URL(job.url);
  const pathname = target.pathname + target.search;
  const pool = poolFor(target.origin, job.concurrency, job.pipelining ?? 1);
  const n = job.count;
  const build = bodyBuilder(job.stream);
  checkBodyBuilder(job.stream, job.first);

  // Batches of signed requests, built when first needed (at a fixed rate: ahead, while waiting for a send) and
  // dropped once sent. At a fixed rate a batch holds at most 10 s of events, so its signatures are fresh.
  const batchSize = Math.max(1, Math.min(job.batch ?? 256, job.mode === 'rate' ? Math.ceil((job.rate ?? 100) * 10) : Infinity));
  const batches = new Map<number, { bodies: string[]; headers: string[][] }>();
  const batchOf = (b: number) => {
    let batch = batches.get(b);
    if (batch) return batch;
    const from = b * batchSize;
    const to = Math.min(n, from + batchSize);
    const timestamp = Math.floor(Date.now() / 1000);
    const ts = String(timestamp);
    batch = { bodies: new Array(to - from), headers: new Array(to - from) };
    for (let j = from; j < to; j++) {
      const body = build(job.first + j, timestamp);
      batch.bodies[j - from] = body;
      batch.headers[j - from] = ['content-type', HEADER_CONTENT_TYPE, 'x-slack-request-timestamp', ts, 'x-slack-signature', sign(job.secret, timestamp, body)];
    }
    batches.set(b, batch);
    batches.delete(b - 2);
    return batch;
  };

  const latencies = new Float64Array(n);
  const service = new Float64Array(n);
  const lags = new Float64Array(n);
  let answered = 0;
  let ok = 0;
  const failedIndexes: number[] = [];
  const failures: string[] = [];
  let firstSend = Number.NaN;
  let lastAck = Number.NaN;
  let retries = 0;
  const retrying: Promise<void>[] = [];
  const gaveUp: number[] = [];

  /**
   * One POST; '' when answered 2xx, otherwise what went wrong ('timeout' after Slack's ack window). Through
   * Pool.dispatch with a handler that keeps only the status (and the body of a refusal): no response stream per
   * request as `request` would make, about a tenth less CPU per request.
   */
  const post = (body: string, hdrs: string[]): Promise<string> =>
    new Promise<string>((resolve) => {
      let status = 0;
      let refusal = '';
      // The handler form a Pool accepts (undici 7's newer onResponse* form is for interceptors).
      const handler = {
        onConnect() {},
        onHeaders(statusCode: number) {
          status = statusCode;
          return true;
        },
        onData(chunk: Buffer) {
          if ((status < 200 || status >= 300) && refusal.length < 120) refusal += chunk.toString('utf8');
          return true;
        },
        onComplete() {
          resolve(status >= 200 && status < 300 ? '' : `HTTP ${status} ${refusal.slice(0, 120)}`.trim());
        },
        onError(err: Error) {
          resolve((err as { code?: string }).code === 'UND_ERR_HEADERS_TIMEOUT' ? 'timeout' : err.message);
        },
      };
      pool.dispatch({ path: pathname, method: 'POST', headers: hdrs, body }, handler as Dispatcher.DispatchHandler);
    });

  /** Slack's retries of an event it got no 2xx for: same body, re-signed, X-Slack-Retry-Num 1..3. */
  const retry = async (k: number, body: string, firstProblem: string): Promise<void> => {
    let problem = firstProblem;
    for (let num = 1; num <= RETRY_DELAYS_MS.length; num++) {
      await sleep(RETRY_DELAYS_MS[num - 1]!);
      const timestamp = Math.floor(Date.now() / 1000);
      const reason = problem === 'timeout' ? 'http_timeout' : problem.startsWith('HTTP') ? 'http_error' : 'connection_failed';
      retries += 1;
      problem = await post(body, [
        'content-type', HEADER_CONTENT_TYPE, 'x-slack-request-timestamp', String(timestamp), 'x-slack-signature', sign(job.secret, timestamp, body),
        'x-slack-retry-num', String(num), 'x-slack-retry-reason', reason,
      ]);
      if (!problem) return;
    }
    gaveUp.push(job.first + k);
  };

  const sendOne = async (k: number, dueAt: number): Promise<void> => {
    const b = Math.floor(k / batchSize);
    const batch = batchOf(b);
    const body = batch.bodies[k - b * batchSize]!;
    const hdrs = batch.headers[k - b * batchSize]!;
    const sentAt = performance.now();
    if (Number.isNaN(firstSend)) firstSend = sentAt;
    lags[k] = sentAt - dueAt;
    const problem = await post(body, hdrs);
    const at = performance.now();
    lastAck = Number.isNaN(lastAck) ? at : Math.max(lastAck, at);
    latencies[answered] = at - dueAt;
    service[answered] = at - sentAt;
    answered += 1;
    if (!problem) ok += 1;
    else {
      failedIndexes.push(job.first + k);
      if (failures.length < 5) failures.push(`#${job.first + k}: ${problem}`);
      retrying.push(retry(k, body, problem));
    }
  };

  monitor.reset();
  const inFlight: Promise<void>[] = [];
  if (job.mode === 'rate') {
    const rate = job.rate ?? 100;
    const interval = 1000 / rate;
    const t0 = performance.now() + 20;
    let k = 0;
    while (k < n) {
      const due = t0 + k * interval;
      const wait = due - performance.now();
      if (wait > 0) {
        const current = Math.floor(k / batchSize);
        const ahead = batches.has(current) ? current + 1 : current;
        if (wait > 5 && ahead * batchSize < n && !batches.has(ahead)) batchOf(ahead);
        else await sleep(due - performance.now());
        continue;
      }
      // Everything due by now goes out now (a late timer must not shift the schedule).
      while (k < n && t0 + k * interval <= performance.now()) {
        inFlight.push(sendOne(k, t0 + k * interval));
        k += 1;
      }
    }
  } else {
    let next = 0;
    const lane = async () => {
      while (next < n) {
        const k = next++;
        await sendOne(k, performance.now());
      }
    };
    for (let c = 0; c < Math.min(job.concurrency, n); c++) inFlight.push(lane());
  }
  await Promise.all(inFlight);
  await Promise.all(retrying);
  const generator = monitor.read();

  const lat = latencies.subarray(0, answered).sort();
  const svc = service.subarray(0, answered).sort();
  const lag = lags.sort();
  let over3s = 0;
  for (const v of lat) if (v >= ACK_TIMEOUT_MS) over3s += 1;
  return {
    sent: answered,
    ok,
    failed: answered - ok,
    failedIndexes,
    failures,
    retries,
    gaveUp,
    latency: { p50: r2(percentileOf(lat, 50)), p90: r2(percentileOf(lat, 90)), p99: r2(percentileOf(lat, 99)), max: r2(lat[lat.length - 1] ?? Number.NaN), over3s },
    serviceP50: r2(percentileOf(svc, 50)),
    sendLagP99: r2(percentileOf(lag, 99)),
    sendLagMax: r2(lag[lag.length - 1] ?? Number.NaN),
    firstSendAt: epochOf(firstSend),
    lastAckAt: epochOf(lastAck),
    answersPerSec: r2((answered * 1000) / (lastAck - firstSend)),
    generator,
  };
}

answerProbes();
process.on('disconnect', () => process.exit(0));
process.on('message', (raw) => {
  const req = raw as { op?: string; id: number; job?: LoadJob };
  if (req?.op === 'run' && req.job) {
    run(req.job).then(
      (result) => process.send?.({ id: req.id, ok: true, result }),
      (err: unknown) => process.send?.({ id: req.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
  } else if (req?.op === 'close') {
    void Promise.all([...pools.values()].map((p) => p.close())).finally(() => process.send?.({ id: req.id, ok: true }));
  }
});
process.send?.({ ready: true });
