import { describe, expect, it } from 'vitest';
import { createReplayGuard, SIGNATURE_WINDOW_MS } from '../../../src/bot/replay-guard.js';

describe('replay guard', () => {
  it('lets a signed request through once within Slack\'s five-minute window, and forgets it after', () => {
    let now = 1_000_000;
    const guard = createReplayGuard(() => now);
    expect(guard.firstSight('v0=abc:')).toBe(true);
    expect(guard.firstSight('v0=abc:')).toBe(false);
    expect(guard.firstSight('v0=abd')).toBe(true);
    now += SIGNATURE_WINDOW_MS - 1;
    expect(guard.firstSight('v0=abc:')).toBe(false);
    now += 1; // by now Bolt refuses the signature as stale anyway
    expect(guard.firstSight('v0=abc:')).toBe(true);
  });
});
