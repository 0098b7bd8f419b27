/**
 * Child-process entry for the two reference servers of the ingest benchmark (forked by bench/lib/processes.ts):
 *   bare  the bare Bolt app of test/support/bare-bolt.ts (HTTP receiver, signature check, a `message` listener
 *         that only counts): the framework's ceiling;
 *   null  a node:http server that reads the body and answers 200 at once: what the load generator can do when
 *         the server costs next to nothing.
 * Sends `{ ready: port }` once listening; answers probes (bench/lib/probe.ts) and `{ op: 'count', id, target,
 * timeoutMs }` with the epoch ms at which the count of handled events first reached target (polled every 2 ms,
 * no hook in the listener), or null on timeout. Argument: the mode, then a JSON of { signingSecret, apiUrl, token }.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBareBolt } from '../../test/support/bare-bolt.js';
import { answerProbes } from './probe.js';

const [mode, rawOpts] = process.argv.slice(2);
const opts = JSON.parse(rawOpts ?? '{}') as { signingSecret: string; apiUrl: string; token: string };
const epoch = (): number => performance.timeOrigin + performance.now();

async function start(): Promise<{ port: number; count: () => number }> {
  if (mode === 'bare') {
    const bare = await startBareBolt(opts);
    return { port: bare.port, count: () => bare.received };
  }
  if (mode === 'null') {
    let handled = 0;
    const server = http.createServer((req, res) => {
      req.on('data', () => undefined);
      req.on('end', () => {
        handled += 1;
        res.writeHead(200, { 'content-length': '0' }).end();
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as AddressInfo).port, count: () => handled };
  }
  throw new Error(`server-child: unknown mode ${mode}`);
}

answerProbes();
process.on('disconnect', () => process.exit(0));
start().then(
  ({ port, count }) => {
    process.on('message', (raw) => {
      const req = raw as { op?: string; id: number; target: number; timeoutMs: number };
      if (req?.op !== 'count') return;
      const deadline = Date.now() + req.timeoutMs;
      const check = () => {
        if (count() >= req.target) return process.send?.({ id: req.id, at: epoch(), count: count() });
        if (Date.now() > deadline) return process.send?.({ id: req.id, at: null, count: count() });
        setTimeout(check, 2);
      };
      check();
    });
    process.send?.({ ready: port });
  },
  (err: unknown) => {
    console.error('server-child failed:', err);
    process.exit(1);
  },
);
