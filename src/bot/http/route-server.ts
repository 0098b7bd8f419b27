import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** A plain HTTP route beside Slack's endpoint (/healthz, the chat widget, the intake API, the survey page…). */
export interface HttpRoute {
  method: 'GET' | 'POST';
  path: string;
  handler(req: IncomingMessage, res: ServerResponse): Promise<void> | void;
}

/**
 * The bot's HTTP server, for both receivers: a request goes to `special` first (Slack's endpoint in HTTP mode),
 * then to the route with its path and method, else 404. `routes` is read per request: the channels add theirs
 * after the receiver is built.
 */
export function createRouteServer(routes: HttpRoute[], log: Logger, special?: (path: string, req: IncomingMessage, res: ServerResponse) => Promise<boolean>): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    void (async () => {
      if (special && (await special(path, req, res))) return;
      const route = routes.find((r) => r.path === path && r.method === req.method);
      if (route) return await route.handler(req, res);
      res.writeHead(404).end();
    })().catch((err: unknown) => {
      log.error({ err, path }, 'an HTTP request failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
}

export function listen(server: Server, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

export function close(server: Server | null): Promise<void> {
  if (!server) return Promise.resolve();
  return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}
