import { describe, expect, it } from 'vitest';
import { blockText, postInIntake, useHarness, W, type Harness } from '../support/harness.js';

const ticketFrom = async (h: Harness, user: string, text: string) => (await postInIntake(h, user, text)).ticket;

describe('single customer view', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  it('shows the requester, all their tickets newest first and the totals, from the card and from /ticket customer', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `channel <#${W.help}|help> burst 0`);
    const first = await ticketFrom(h, W.carol, 'Monitor flickers');
    await ticketFrom(h, W.dave, 'Mouse is dead');
    const second = await ticketFrom(h, W.carol, 'Need a new badge');
    await h.driver.slashCommand(W.alice, W.general, '/ticket', `${first.number} close`);
    await h.settle();

    await h.driver.clickButton(W.bob, W.triage, second.cardTs!, 'ticket_customer');
    await h.settle();
    const [view] = h.emu.openViews(W.bob);
    const text = blockText(view!.view.blocks);
    expect(view!.view.title.text).toBe('Customer: Carol Customer');
    expect(text).toContain('carol@example.com');
    expect(text).toContain('2 tickets: 1 open, 1 solved');
    expect(text.indexOf('#3')).toBeLessThan(text.indexOf('#1'));
    expect(text).toMatch(/\*#1\* Monitor flickers\nsolved · opened \d{4}-\d\d-\d\d · solved \d{4}-\d\d-\d\d/);
    expect(text).not.toContain('Mouse is dead');

    await h.driver.slashCommand(W.alice, W.general, '/ticket', `customer <@${W.erin}|erin>`);
    await h.settle();
    const [erin] = h.emu.openViews(W.alice);
    expect(blockText(erin!.view.blocks)).toContain('external (Slack Connect)');
    expect(blockText(erin!.view.blocks)).toContain('0 tickets');
  });

  it('refuses requesters', async () => {
    const ticket = await ticketFrom(h, W.carol, 'Keyboard broken');
    await h.driver.slashCommand(W.dave, W.help, '/ticket', `customer <@${W.carol}>`);
    await h.driver.clickButton(W.dave, W.triage, ticket.cardTs!, 'ticket_customer');
    await h.settle();
    expect(h.emu.openViews(W.dave)).toHaveLength(0);
    expect(h.emu.ephemerals({ user: W.dave }).map((e) => e.text)).toEqual([expect.stringContaining('Only agents'), expect.stringContaining('Only agents')]);
  });
});
