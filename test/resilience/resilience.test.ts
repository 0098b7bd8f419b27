import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioResult } from '../../bench/lib/resilience.js';
import { isPostgresReachable } from '../support/databases.js';

// Issue 5's scenarios, smaller than `npm run bench:resilience` (which prints the full-size figures): the real bot
// process behind one URL, the emulator enforcing Slack's rate limits (×20 so a run takes seconds), events sent as
// Slack sends them (signed, retried when not answered). Run by `npm run test:resilience`, one test at a time.

const pgReachable = await isPostgresReachable();

/** What every scenario must end with: each message one ticket, each ticket one card and one 🎫, nothing given up. */
function expectWholeEndState(r: ScenarioResult): void {
  expect({ lost: r.lost, duplicatedTickets: r.duplicatedTickets, duplicatedCards: r.duplicatedCards }).toEqual({ lost: 0, duplicatedTickets: 0, duplicatedCards: 0 });
  expect(r.tickets).toBe(r.sent);
  expect(r.numbersGapFree).toBe(true);
  expect(r.cards).toBe(r.sent);
  expect(r.acknowledged).toBe(r.sent);
  expect(r.failedDeliveries).toBe(0);
  expect(Number.isFinite(r.drainMs)).toBe(true);
}

describe('resilience scenarios (SQLite, one bot process)', () => {
  it('burst: 300 messages in 5 s are all stored within the burst, and the cards go out at 80% of the allowed rate or more, with no 429 storm', async () => {
    const r = await runScenario({ db: 'sqlite', messages: 300, seconds: 5, scale: 20 });
    expectWholeEndState(r);
    expect(r.storedAfterMs).toBeLessThan(r.burstMs + 1000);
    // Paced to the limit: a stall of the machine can bunch a few calls past Slack's burst allowance, never many.
    expect(Object.values(r.rateLimited).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(r.sent * 0.02);
    // Not idling below the limit. 80%, not 90%: on a shared 2-core CI machine the rate measured 85% once (17 of 20/s)
    // while 95%+ on a quiet one; `npm run bench:resilience` measures the rate itself.
    expect(r.cardRate).toBeGreaterThanOrEqual(0.8 * r.allowedCardRate);
  }, 120_000);

  it('kill -9 of the bot in the middle of a burst, then a restart: the same end state, nothing doubled', async () => {
    const r = await runScenario({ db: 'sqlite', messages: 300, seconds: 5, scale: 20, crash: { afterMs: 2500, restartAfterMs: 1000 } });
    expectWholeEndState(r);
  }, 120_000);

  it('a Slack outage (503 on every call for 8 s): events keep being stored, and every delivery completes afterwards', async () => {
    const r = await runScenario({ db: 'sqlite', messages: 150, seconds: 4, scale: 20, outage: { afterMs: 500, durationMs: 8000 } });
    expectWholeEndState(r);
    expect(r.refusedByOutage).toBeGreaterThan(0);
    expect(r.storedAfterMs).toBeLessThan(r.burstMs + 1000); // stored while Slack was still down
    expect(r.drainAfterOutageMs).not.toBeNull();
  }, 120_000);
});

describe.skipIf(!pgReachable)('resilience scenarios (PostgreSQL, three bot processes behind one URL)', () => {
  it('events spread over three instances, one killed mid-burst: the same end state, and a digest due at start posted once', async () => {
    const r = await runScenario({ db: 'postgres', messages: 300, seconds: 5, scale: 20, instances: 3, crash: { afterMs: 2500, restartAfterMs: null }, digest: true });
    expectWholeEndState(r);
    expect(r.digestsPosted).toBe(1);
  }, 180_000);
});
