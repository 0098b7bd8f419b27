/**
 * What a process spent between two moments: CPU time (process.cpuUsage: user + system of all its threads, so
 * the libuv pool's SQLite work counts too), event-loop delay, GC pauses, RSS. A measured process answers
 * `{ probe: 'reset' | 'read', id }` over IPC with `{ probe: id, sample }` (answerProbes); the parent asks with
 * probeClient. bench/lib/probe-preload.ts installs the answering side into a process that knows nothing of the
 * benchmark (the bot's own src/main.ts, started with `--import`).
 */
import type { ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

export interface ProbeSample {
  /** CPU time since the last reset, ms (user + system). */
  cpuMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  wallMs: number;
  /** cpuMs / wallMs: 1.0 = one core busy all the time. */
  cpuCores: number;
  loopP99Ms: number;
  loopMaxMs: number;
  gcMaxMs: number;
  gcTotalMs: number;
  rssMb: number;
}

const r1 = (n: number): number => Math.round(n * 10) / 10;

/** Measures this process from one reset() to the next read(). */
export function processMonitor(): { reset(): void; read(): ProbeSample } {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  let cpu = process.cpuUsage();
  let wall = performance.now();
  let gcMax = 0;
  let gcTotal = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMax = Math.max(gcMax, entry.duration);
      gcTotal += entry.duration;
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  return {
    reset() {
      loop.reset();
      gcMax = 0;
      gcTotal = 0;
      cpu = process.cpuUsage();
      wall = performance.now();
    },
    read() {
      const used = process.cpuUsage(cpu);
      const wallMs = performance.now() - wall;
      const cpuMs = (used.user + used.system) / 1000;
      return {
        cpuMs: r1(cpuMs),
        cpuUserMs: r1(used.user / 1000),
        cpuSystemMs: r1(used.system / 1000),
        wallMs: r1(wallMs),
        cpuCores: Math.round((cpuMs / wallMs) * 100) / 100,
        loopP99Ms: r1(loop.percentile(99) / 1e6),
        loopMaxMs: r1(loop.max / 1e6),
        gcMaxMs: r1(gcMax),
        gcTotalMs: Math.round(gcTotal),
        rssMb: Math.round(process.memoryUsage.rss() / 2 ** 20),
      };
    },
  };
}

interface ProbeRequest {
  probe: 'reset' | 'read';
  id: number;
}

/** Answers the parent's probe requests over IPC (no-op without an IPC channel). */
export function answerProbes(): void {
  if (!process.send) return;
  const monitor = processMonitor();
  process.on('message', (raw) => {
    const req = raw as Partial<ProbeRequest>;
    if (req?.probe !== 'reset' && req?.probe !== 'read') return;
    if (req.probe === 'reset') monitor.reset();
    process.send?.({ probe: req.id, sample: req.probe === 'read' ? monitor.read() : undefined });
  });
}

export interface ProbeClient {
  reset(): Promise<void>;
  read(): Promise<ProbeSample>;
}

/** The parent's side for one child forked with an IPC channel. */
export function probeClient(child: ChildProcess): ProbeClient {
  let nextId = 1;
  const pending = new Map<number, (sample: ProbeSample | undefined) => void>();
  child.on('message', (raw) => {
    const reply = raw as { probe?: number; sample?: ProbeSample };
    if (typeof reply?.probe !== 'number') return;
    pending.get(reply.probe)?.(reply.sample);
    pending.delete(reply.probe);
  });
  child.on('exit', () => {
    for (const resolve of pending.values()) resolve(undefined);
    pending.clear();
  });
  const ask = (probe: 'reset' | 'read') =>
    new Promise<ProbeSample | undefined>((resolve, reject) => {
      if (!child.connected) return reject(new Error(`probe ${probe}: process ${child.pid} is gone`));
      const id = nextId++;
      pending.set(id, resolve);
      child.send({ probe, id });
    });
  return {
    reset: async () => void (await ask('reset')),
    async read() {
      const sample = await ask('read');
      if (!sample) throw new Error(`probe read: process ${child.pid} exited`);
      return sample;
    },
  };
}
