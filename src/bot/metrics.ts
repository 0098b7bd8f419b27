import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

export type BotMetrics = ReturnType<typeof createBotMetrics>;

/** Prometheus metrics served on GET /metrics. */
export function createBotMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'threaddesk_' });
  return {
    registry,
    requests: new Counter({ name: 'threaddesk_slack_requests_total', help: 'Slack requests processed, by kind', labelNames: ['kind'], registers: [registry] }),
    rejected: new Counter({ name: 'threaddesk_slack_requests_rejected_total', help: 'Slack requests refused or ignored, by reason', labelNames: ['reason'], registers: [registry] }),
    ticketsCreated: new Counter({ name: 'threaddesk_tickets_created_total', help: 'Tickets created', registers: [registry] }),
    errors: new Counter({ name: 'threaddesk_errors_total', help: 'Unhandled errors in listeners', registers: [registry] }),
  };
}
