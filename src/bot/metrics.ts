import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type BotMetrics = ReturnType<typeof createBotMetrics>;

/** What the delivery gauges read when /metrics is scraped (the outbox). */
export interface DeliveryBacklog {
  backlog(): Promise<{ pending: number; oldestAt: number | null; failed: number }>;
}

/** Prometheus metrics served on GET /metrics. */
export function createBotMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'threaddesk_' });
  let source: DeliveryBacklog = { backlog: async () => ({ pending: 0, oldestAt: null, failed: 0 }) };
  let inbox: DeliveryBacklog = { backlog: async () => ({ pending: 0, oldestAt: null, failed: 0 }) };
  let mailInbox: DeliveryBacklog = { backlog: async () => ({ pending: 0, oldestAt: null, failed: 0 }) };
  const registers = [registry];
  return {
    registry,
    /** Where the delivery gauges read from (the outbox). */
    watchDeliveries(outbox: DeliveryBacklog) {
      source = outbox;
    },
    /** Where the inbox gauges read from (stored Slack events). */
    watchInbox(events: DeliveryBacklog) {
      inbox = events;
    },
    /** Where the mail inbox gauges read from (mail taken by SMTP). */
    watchMailInbox(mails: DeliveryBacklog) {
      mailInbox = mails;
    },
    mailInboxPending: new Gauge({
      name: 'threaddesk_mail_inbox_pending',
      help: 'Mails taken by the SMTP listener (answered 250) and not yet tickets',
      registers,
      async collect() {
        this.set((await mailInbox.backlog().catch(() => null))?.pending ?? 0);
      },
    }),
    mailInboxFailed: new Gauge({
      name: 'threaddesk_mail_inbox_failed',
      help: 'Mails taken by SMTP that could not be processed after their retries (kept in mail_inbox with their error)',
      registers,
      async collect() {
        this.set((await mailInbox.backlog().catch(() => null))?.failed ?? 0);
      },
    }),
    inboxPending: new Gauge({
      name: 'threaddesk_inbox_pending',
      help: 'Slack events stored and not yet processed (a backlog that keeps growing: processing is failing or too slow)',
      registers,
      async collect() {
        this.set((await inbox.backlog().catch(() => null))?.pending ?? 0);
      },
    }),
    inboxFailed: new Gauge({
      name: 'threaddesk_inbox_failed',
      help: 'Slack events given up on after their retries (kept in slack_inbox with their error)',
      registers,
      async collect() {
        this.set((await inbox.backlog().catch(() => null))?.failed ?? 0);
      },
    }),
    requests: new Counter({ name: 'threaddesk_slack_requests_total', help: 'Slack requests processed, by kind', labelNames: ['kind'], registers }),
    rejected: new Counter({ name: 'threaddesk_slack_requests_rejected_total', help: 'Slack requests refused or ignored, by reason', labelNames: ['reason'], registers }),
    ticketsCreated: new Counter({ name: 'threaddesk_tickets_created_total', help: 'Tickets created', registers }),
    errors: new Counter({ name: 'threaddesk_errors_total', help: 'Unhandled errors in listeners', registers }),
    apiSeconds: new Histogram({
      name: 'threaddesk_slack_api_seconds',
      help: 'Slack Web API calls: time to the response, by method',
      labelNames: ['method'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    apiErrors: new Counter({ name: 'threaddesk_slack_api_errors_total', help: 'Slack Web API calls answered with an HTTP error or not answered, by method and status (429: rate limited; network: no answer)', labelNames: ['method', 'status'], registers }),
    digestRuns: new Counter({ name: 'threaddesk_digest_runs_total', help: 'Digests posted by schedule or late after a restart, or failed', labelNames: ['outcome'], registers }),
    deliveries: new Counter({ name: 'threaddesk_deliveries_total', help: 'Slack delivery attempts by kind and outcome (delivered, retried, rate_limited, failed)', labelNames: ['kind', 'outcome'], registers }),
    deliveryPending: new Gauge({
      name: 'threaddesk_delivery_pending',
      help: 'Slack deliveries (cards, mirrors, replies, digests) recorded and not yet delivered',
      registers,
      async collect() {
        this.set((await source.backlog().catch(() => null))?.pending ?? 0);
      },
    }),
    deliveryOldestSeconds: new Gauge({
      name: 'threaddesk_delivery_oldest_seconds',
      help: 'Age of the oldest Slack delivery not yet delivered',
      registers,
      async collect() {
        const oldestAt = (await source.backlog().catch(() => null))?.oldestAt ?? null;
        this.set(oldestAt === null ? 0 : (Date.now() - oldestAt) / 1000);
      },
    }),
    deliveryFailed: new Gauge({
      name: 'threaddesk_delivery_failed',
      help: 'Slack deliveries given up on (a permanent error such as channel_not_found); shown on agents\' Home tab',
      registers,
      async collect() {
        this.set((await source.backlog().catch(() => null))?.failed ?? 0);
      },
    }),
  };
}

/** Wraps the Web API client's transport to time every call and count its HTTP errors by method. */
export function observedFetch(fetchImpl: typeof fetch, metrics: BotMetrics): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = /\/api\/([\w.]+)/.exec(url)?.[1] ?? 'other';
    const stop = metrics.apiSeconds.startTimer({ method });
    try {
      const res = await fetchImpl(input, init);
      if (res.status >= 400) metrics.apiErrors.inc({ method, status: String(res.status) });
      return res;
    } catch (err) {
      metrics.apiErrors.inc({ method, status: 'network' });
      throw err;
    } finally {
      stop();
    }
  };
}
