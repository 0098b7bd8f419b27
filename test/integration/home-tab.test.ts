import { describe, expect, it } from 'vitest';
import { blockText, postInIntake, useHarness, W, type Harness } from '../support/harness.js';

const ticketFrom = async (h: Harness, user: string, text: string) => (await postInIntake(h, user, text)).ticket;

describe('App Home', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  it('shows an agent their tickets, the queue, who waits longest and today\'s figures, each linking to its card', async () => {
    const printer = await ticketFrom(h, W.carol, 'Printer on fire');
    await ticketFrom(h, W.dave, 'Mouse missing');
    await h.driver.openHome(W.alice);
    await h.settle();
    let home = blockText(h.emu.homeView(W.alice)!.blocks);
    expect(home).toContain('*Opened*\n2');
    expect(home).toContain('Nothing assigned to you.');
    expect(home).toMatch(/Unassigned\n• <https:\/\/[^|]+\/archives\/CTRIAGE1\/p\d+\|#2 Mouse missing> · new · waiting \d+ min/);

    // after Alice takes #1, her Home is refreshed without reopening it
    await h.driver.clickButton(W.alice, W.triage, printer.cardTs!, 'ticket_assign_me');
    await h.settle();
    home = blockText(h.emu.homeView(W.alice)!.blocks);
    expect(home).toMatch(/Your open tickets\n• <[^|]+\|#1 Printer on fire> · open · normal/);
    expect(home).not.toMatch(/Unassigned\n[^\n]*#1 Printer/);

    await h.driver.slashCommand(W.alice, W.general, '/ticket', '1 close');
    await h.settle();
    expect(blockText(h.emu.homeView(W.alice)!.blocks)).toContain('*Solved*\n1');
  });

  it('publishes the Home tab for an older app_home_opened without `tab`, and nothing for the Messages tab', async () => {
    await ticketFrom(h, W.carol, 'Printer on fire');
    expect((await h.driver.openHome(W.alice, { tab: 'messages' })).status).toBe(200);
    await h.settle();
    expect(h.emu.homeView(W.alice)).toBeUndefined();
    expect(h.emu.calls('views.publish')).toHaveLength(0);

    expect((await h.driver.openHome(W.alice, { tab: null })).status).toBe(200);
    await h.settle();
    expect(h.emu.calls('views.publish')).toHaveLength(1);
    expect(blockText(h.emu.homeView(W.alice)!.blocks)).toMatch(/Unassigned\n• <[^|]+\|#1 Printer on fire> · new/);
  });

  it('shows a requester a short note, never the team\'s tickets', async () => {
    await ticketFrom(h, W.carol, 'Secret project question');
    await h.driver.openHome(W.carol);
    await h.settle();
    const home = blockText(h.emu.homeView(W.carol)!.blocks);
    expect(home).toContain('Need help?');
    expect(home).not.toContain('Secret project');
  });
});
