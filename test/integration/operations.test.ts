import { describe, expect, it } from 'vitest';
import { postInIntake, useHarness, W, type Harness } from '../support/harness.js';

/** One sample of a metric in the Prometheus text format (0 when absent). */
function sample(metrics: string, name: string, labels = ''): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('operations: /metrics and /healthz', () => {
  let h: Harness;
  useHarness((x) => (h = x));
  const scrape = async () => (await fetch(`${h.botUrl}/metrics`)).text();

  it('counts tickets, times Slack calls by method, counts 429s, replays and digest runs, and shows the delivery backlog', async () => {
    await postInIntake(h, W.carol, 'Printer on fire');
    let metrics = await scrape();
    expect(sample(metrics, 'threaddesk_tickets_created_total')).toBe(1);
    expect(sample(metrics, 'threaddesk_slack_api_seconds_count', '{method="chat.postMessage"}')).toBeGreaterThanOrEqual(1);
    expect(sample(metrics, 'threaddesk_slack_requests_total', '{kind="event_callback"}')).toBeGreaterThanOrEqual(1);
    expect(sample(metrics, 'threaddesk_delivery_pending')).toBe(0);
    expect(sample(metrics, 'threaddesk_delivery_oldest_seconds')).toBe(0);
    expect(sample(metrics, 'threaddesk_inbox_pending')).toBe(0);
    expect(sample(metrics, 'threaddesk_inbox_failed')).toBe(0);

    // Slack rate-limits one card post: counted by method and status.
    h.emu.failNext('chat.postMessage', { retryAfter: 0 });
    await postInIntake(h, W.dave, 'Second printer on fire');
    metrics = await scrape();
    expect(sample(metrics, 'threaddesk_slack_api_errors_total', '{method="chat.postMessage",status="429"}')).toBe(1);
    // The delivery waited out Retry-After and went through: two cards delivered, one attempt rate-limited.
    expect(sample(metrics, 'threaddesk_deliveries_total', '{kind="card",outcome="rate_limited"}')).toBe(1);
    expect(sample(metrics, 'threaddesk_deliveries_total', '{kind="card",outcome="delivered"}')).toBe(2);
    expect(h.emu.messages(W.triage)).toHaveLength(2);

    await h.driver.slashCommand(W.alice, W.general, '/ticket', '1 show');
    await h.settle();
    await h.driver.replaySigned('command=%2Fticket');
    await h.settle();
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `digest daily <#${W.general}|general> 09:00`);
    await h.settle();
    const [digest] = await h.bot.context.digests.list(h.emu.teamId);
    expect(await h.bot.digests.fire(digest!, h.clock.now())).toBe('posted');
    await h.settle();
    expect(h.emu.messages(W.general).some((m) => m.text?.includes('Support digest'))).toBe(true);
    metrics = await scrape();
    expect(sample(metrics, 'threaddesk_slack_requests_rejected_total', '{reason="replay"}')).toBe(1);
    expect(sample(metrics, 'threaddesk_digest_runs_total', '{outcome="posted"}')).toBe(1);

    const health = await fetch(`${h.botUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    expect(await (await fetch(`${h.botUrl}/healthz?details`)).json()).toEqual({ ok: true, delivery: { pending: 0, oldestSeconds: 0, failed: 0 }, inbox: { pending: 0, oldestSeconds: 0, failed: 0 }, mail: { pending: 0, oldestSeconds: 0, failed: 0 }, chat: { pending: 0, oldestSeconds: 0, failed: 0 }, orders: { pending: 0, oldestSeconds: 0, failed: 0 } });
  });
});
