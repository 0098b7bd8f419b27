/**
 * `--node-http`: makes the emulator POST events with node:http and a keep-alive Agent instead of the global
 * fetch its HttpTransport uses. fetch (undici behind WHATWG streams) costs about 1.2 ms of CPU per event on a
 * small machine, which caps what the driver can send at well under what a bare Bolt app can take; with
 * node:http it is about 0.4 ms. This reaches into the emulator's private `http` field (there is no option for
 * it): a benchmark-only workaround until the emulator's transport changes. Same contract as HttpTransport.post:
 * resolves with status 0 (timedOut) after the ack window, never rejects.
 */
import http from 'node:http';
import type { SlackEmulator } from '../../src/emulator/index.js';

interface PostResult {
  status: number;
  body: string;
  timedOut?: boolean;
  noRetry?: boolean;
  transport: 'http';
}

export function useNodeHttpTransport(emu: SlackEmulator, ackTimeoutMs = 3000): () => void {
  const transport = (emu as unknown as { http?: { post?: unknown } }).http;
  if (!transport || typeof transport.post !== 'function') throw new Error('--node-http: the emulator has no http.post to replace (its internals changed)');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  transport.post = (url: string, body: string, headers: Record<string, string>): Promise<PostResult> =>
    new Promise((resolve) => {
      let timedOut = false;
      const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), noRetry: res.headers['x-slack-no-retry'] === '1', transport: 'http' });
        });
        res.on('error', () => undefined);
      });
      const timer = setTimeout(() => {
        timedOut = true;
        req.destroy();
      }, ackTimeoutMs);
      req.on('error', () => {
        clearTimeout(timer);
        resolve({ status: 0, body: '', timedOut, transport: 'http' });
      });
      req.end(body);
    });
  return () => agent.destroy();
}
