/**
 * The measured processes of the ingest benchmark, each forked with an IPC channel for its probe
 * (bench/lib/probe.ts):
 *   startBotProcess     the bot as deployed: `src/main.ts` (or its build) configured by environment, nothing of the
 *                       benchmark inside it but the probe preload; it is spoken to only over HTTP (/slack/events, /healthz);
 *   startServerProcess  bare Bolt, or a null HTTP server (bench/lib/server-child.ts).
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeClient, type ProbeClient } from './probe.js';
import { sleep } from './stats.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '../..');

export interface LogSummary {
  /** Log lines at warn or above, by level name (and `unparsed` for lines that are not JSON). */
  counts: Record<string, number>;
  /** The first few of them, for the report. */
  samples: string[];
}

export interface MeasuredProcess {
  readonly pid: number;
  readonly url: string;
  readonly probe: ProbeClient;
  logs(): LogSummary;
  stop(): Promise<void>;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

function collectLogs(child: ChildProcess): LogSummary {
  const logs: LogSummary = { counts: {}, samples: [] };
  const take = (line: string) => {
    if (!line.trim()) return;
    let level = 'unparsed';
    let text = line.slice(0, 200);
    try {
      const entry = JSON.parse(line) as { level: number; msg?: string; err?: { message?: string }; error?: string };
      level = LEVEL_NAMES[entry.level] ?? String(entry.level);
      if (entry.level < 40) return;
      text = `${entry.msg ?? ''}${entry.err?.message ? ` — ${entry.err.message}` : ''}${entry.error ? ` (${entry.error})` : ''}`;
    } catch {
      // not JSON: a crash trace or a console line; counted as is
    }
    logs.counts[level] = (logs.counts[level] ?? 0) + 1;
    if (logs.samples.length < 5) logs.samples.push(`${level}: ${text}`);
  };
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      lines.forEach(take);
    });
  }
  return logs;
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(timer);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * How the bot is run: `compiled` as `npm start` runs it (`node dist/src/main.js`, built first by `npm run build`),
 * `tsx` from its TypeScript sources (at rest the loader and its transformed sources cost the process about 90 MB:
 * 246 MB against 153 MB measured; under load the difference is lost in the noise).
 */
export type BotRuntime = 'compiled' | 'tsx';

let built = false;
/** `npm run build` once per benchmark run, so the compiled bot is the code of this checkout. */
function buildOnce(): void {
  if (built) return;
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  built = true;
}

/** Starts the bot with `env` (PORT is chosen here) and waits for /healthz. */
export async function startBotProcess(env: Record<string, string>, runtime: BotRuntime = 'tsx'): Promise<MeasuredProcess> {
  const port = await freePort();
  if (runtime === 'compiled') buildOnce();
  const entry = runtime === 'compiled' ? ['dist/src/main.js', 'dist/bench/lib/probe-preload.js'] : ['src/main.ts', 'bench/lib/probe-preload.ts'];
  const child = fork(path.join(ROOT, entry[0]!), [], {
    cwd: ROOT,
    // Only what the benchmark sets: a developer's .env must not change the bot under test.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DOTENV_CONFIG_PATH: '/dev/null', DOTENV_CONFIG_QUIET: 'true', ...env, PORT: String(port) },
    execArgv: [...(runtime === 'tsx' ? ['--import', 'tsx'] : []), '--import', path.join(ROOT, entry[1]!), ...(process.env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter(Boolean)],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const logs = collectLogs(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) return { pid: child.pid!, url, probe: probeClient(child), logs: () => logs, stop: () => stopChild(child) };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  await stopChild(child, 'SIGKILL');
  throw new Error(`the bot did not start: ${logs.samples.join(' | ')}`);
}

export interface ServerProcess extends MeasuredProcess {
  /** Resolves with the epoch ms at which the server had handled `target` events in all, or null after timeoutMs. */
  whenCount(target: number, timeoutMs: number): Promise<{ at: number | null; count: number }>;
}

export async function startServerProcess(mode: 'bare' | 'null', opts: { signingSecret: string; apiUrl: string; token: string }): Promise<ServerProcess> {
  const child = fork(path.join(HERE, 'server-child.ts'), [mode, JSON.stringify(opts)], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter(Boolean)],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const logs = collectLogs(child);
  const port = await new Promise<number>((resolve, reject) => {
    const onMessage = (raw: unknown) => {
      const m = raw as { ready?: number };
      if (typeof m?.ready === 'number') {
        child.off('message', onMessage);
        resolve(m.ready);
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`${mode} server exited (${code}) before listening: ${logs.samples.join(' | ')}`)));
  });
  let nextId = 1;
  const waiting = new Map<number, (r: { at: number | null; count: number }) => void>();
  child.on('message', (raw) => {
    const m = raw as { id?: number; at?: number | null; count?: number };
    if (typeof m?.id !== 'number' || !('at' in m)) return;
    waiting.get(m.id)?.({ at: m.at ?? null, count: m.count ?? 0 });
    waiting.delete(m.id);
  });
  return {
    pid: child.pid!,
    url: `http://127.0.0.1:${port}`,
    probe: probeClient(child),
    logs: () => logs,
    stop: () => stopChild(child),
    whenCount: (target, timeoutMs) =>
      new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        child.send({ op: 'count', id, target, timeoutMs });
      }),
  };
}

/**
 * Waits until a bot has nothing left to deliver (its /healthz) and the emulator sees no new calls for four looks
 * in a row, or `timeoutMs` passes.
 */
export async function settleBot(emu: { idle(): Promise<void>; calls(): unknown[] }, botUrl: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let stable = 0;
  let last = '';
  while (stable < 4 && performance.now() < deadline) {
    await emu.idle();
    await sleep(50);
    const pending = await fetch(`${botUrl}/healthz?details`)
      .then((r) => r.json() as Promise<{ delivery?: { pending?: number } }>)
      .then((h) => h.delivery?.pending ?? 0, () => 0);
    const now = `${emu.calls().length}:${pending}`;
    stable = now === last && pending === 0 ? stable + 1 : 0;
    last = now;
  }
}
