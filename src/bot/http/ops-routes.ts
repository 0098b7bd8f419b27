import type { Db } from '../../store/db.js';
import { pingDb } from '../../store/db.js';
import type { BotMetrics } from '../metrics.js';
import type { HttpRoute } from './route-server.js';

type Backlog = { backlog(): Promise<{ pending: number; oldestAt: number | null; failed: number }> };

/** GET /healthz (the database answers; with `?details`, what waits to be processed and delivered: Slack events, mails, chat messages, order webhooks, deliveries) and GET /metrics (Prometheus). */
export function opsRoutes(db: Db, metrics: BotMetrics, queues: { delivery: Backlog; inbox: Backlog; mail: Backlog; chat: Backlog; orders: Backlog }, now: () => number = Date.now): HttpRoute[] {
  const summary = async (queue: Backlog) => {
    const b = await queue.backlog().catch(() => null);
    return b && { pending: b.pending, oldestSeconds: b.oldestAt === null ? 0 : Math.round((now() - b.oldestAt) / 100) / 10, failed: b.failed };
  };
  return [
    {
      method: 'GET',
      path: '/healthz',
      handler: async (req, res) => {
        const ok = await pingDb(db);
        // The contract's answer is {"ok":true}; `?details` adds what waits in each queue, for operators.
        const details = new URL(req.url ?? '/', 'http://localhost').searchParams.has('details');
        const [delivery, inbox, mail, chat, orders] = ok && details ? await Promise.all([summary(queues.delivery), summary(queues.inbox), summary(queues.mail), summary(queues.chat), summary(queues.orders)]) : [null, null, null, null, null];
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(details ? { ok, delivery, inbox, mail, chat, orders } : { ok }));
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      handler: async (_req, res) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.registry.metrics());
      },
    },
  ];
}
