/** Parent side of bench/lib/loadgen-child.ts: one load-generator process, jobs run one at a time. */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadJob, LoadResult } from './loadgen-child.js';

export type { LoadJob, LoadResult } from './loadgen-child.js';

export interface LoadGenerator {
  readonly pid: number;
  run(job: LoadJob): Promise<LoadResult>;
  stop(): Promise<void>;
}

export async function startLoadGenerator(): Promise<LoadGenerator> {
  const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'loadgen-child.ts');
  const child = fork(entry, [], { execArgv: ['--import', 'tsx', ...(process.env.BENCH_LOADGEN_NODE_ARGS ?? '').split(' ').filter(Boolean)], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  await new Promise<void>((resolve, reject) => {
    const onMessage = (raw: unknown) => {
      if ((raw as { ready?: boolean })?.ready) {
        child.off('message', onMessage);
        resolve();
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`load generator exited (${code}) before it was ready`)));
  });
  child.on('message', (raw) => {
    const reply = raw as { id?: number; ok?: boolean; result?: unknown; error?: string };
    if (typeof reply?.id !== 'number') return;
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.ok) waiter?.resolve(reply.result);
    else waiter?.reject(new Error(`load generator: ${reply.error}`));
  });
  child.on('exit', (code, signal) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`load generator exited (code ${code}, signal ${signal})`));
    pending.clear();
  });
  const request = <T>(message: Record<string, unknown>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (!child.connected) return reject(new Error('load generator is gone'));
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ ...message, id });
    });
  return {
    pid: child.pid!,
    run: (job) => request<LoadResult>({ op: 'run', job }),
    async stop() {
      if (!child.connected) return;
      await request({ op: 'close' }).catch(() => undefined);
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}
