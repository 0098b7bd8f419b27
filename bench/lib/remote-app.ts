/** Parent side of bench/lib/app-child.ts: the same AppHandle, backed by a child process. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AppHandle, AppSpec, LogSummary, ProcessStats } from './app-host.js';

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export async function startRemoteApp(spec: AppSpec): Promise<AppHandle> {
  const entry = fileURLToPath(new URL('./app-child.ts', import.meta.url));
  const child: ChildProcess = fork(entry, [], { execArgv: ['--import', 'tsx', ...(process.env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter(Boolean)], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let exited = false;
  child.on('message', (raw) => {
    const reply = raw as Reply;
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.result);
    else waiter.reject(new Error(`app child: ${reply.error}`));
  });
  child.on('exit', (code, signal) => {
    exited = true;
    for (const waiter of pending.values()) waiter.reject(new Error(`app child exited (code ${code}, signal ${signal})`));
    pending.clear();
  });

  const request = <T>(op: string, extra: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(new Error('app child has exited'));
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, op, ...extra });
    });

  let port: number;
  try {
    ({ port } = await request<{ port: number }>('start', { spec }));
  } catch (err) {
    child.kill();
    throw err;
  }
  return {
    port,
    received: () => request<number>('received'),
    idle: () => request<void>('idle'),
    logs: () => request<LogSummary>('logs'),
    resetStats: () => request<void>('resetStats'),
    stats: () => request<ProcessStats>('stats'),
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await request<void>('stop').catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}
