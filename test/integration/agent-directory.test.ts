import { describe, expect, it } from 'vitest';
import { postInIntake, useHarness, W, type Harness } from '../support/harness.js';

const MEMBERS = 500;
const memberId = (i: number) => `UMEMB${String(i).padStart(4, '0')}`;

describe('the agent directory in a large triage channel', () => {
  let h: Harness;
  useHarness((started) => {
    h = started;
    // A triage channel of 500 members (plus the seeded ones), two of which are other apps' bots.
    for (let i = 0; i < MEMBERS; i++) {
      h.emu.addUser({ id: memberId(i), name: `member${i}`, realName: `Member ${i}`, isBot: i === 7 || i === 123 });
      h.emu.joinChannel(W.triage, memberId(i));
    }
  });

  it('routes round-robin over 500 members with a few users.list pages, not 500 users.info calls, and never to a bot', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `channel <#${W.help}|help> routing round-robin`);
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `channel <#${W.help}|help> burst 0`);
    await h.settle();
    const before = h.emu.calls().length;
    const assignees: (string | null)[] = [];
    for (const [i, user] of [W.carol, W.dave, W.carol].entries()) assignees.push((await postInIntake(h, user, `Question number ${i + 1}`)).ticket.assigneeId);

    const calls = h.emu.calls().slice(before);
    const count = (method: string) => calls.filter((c) => c.method === method).length;
    // 500 + 10 users at 200 a page: three pages at most, once (the cache serves the next tickets).
    expect(count('users.list')).toBeGreaterThan(0);
    expect(count('users.list')).toBeLessThanOrEqual(3);
    expect(count('conversations.members')).toBeLessThanOrEqual(3);
    expect(count('users.info')).toBeLessThan(10);
    expect(assignees.every((id) => id !== null)).toBe(true);
    expect(new Set(assignees).size).toBe(3); // in turn
    expect(assignees).not.toContain(memberId(7));
    expect(assignees).not.toContain(memberId(123));
    expect(assignees).not.toContain(h.emu.botUserId);
  });
});
