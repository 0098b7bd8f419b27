import { describe, expect, it } from 'vitest';
import { blockText, postInIntake, useHarness, W, type Harness } from '../support/harness.js';

const ticketFrom = postInIntake;

describe('merging a duplicate ticket', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  it('leaves one ticket with all messages; the duplicate closes pointing at it, and its thread keeps feeding the survivor', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `channel <#${W.help}|help> burst 0`);
    const first = await ticketFrom(h, W.carol, 'Email not syncing');
    await h.driver.userSays(W.carol, W.help, 'On my phone too', { thread_ts: first.originTs });
    const dup = await ticketFrom(h, W.carol, 'Mail app broken again');
    await h.driver.userSays(W.bob, W.triage, `!merge ${first.ticket.number}`, { thread_ts: dup.ticket.cardTs! });
    await h.settle();

    const survivor = (await h.tickets.byId(first.ticket.id))!;
    const merged = (await h.tickets.byId(dup.ticket.id))!;
    expect(merged).toMatchObject({ status: 'closed', mergedIntoId: survivor.id });
    expect((await h.tickets.messages(survivor.id)).map((m) => m.text)).toEqual(['Email not syncing', 'On my phone too', 'Mail app broken again']);
    expect(await h.tickets.messages(merged.id)).toEqual([]);
    expect(blockText(h.emu.message(W.triage, merged.cardTs!)!.blocks)).toContain('Merged into another ticket');
    expect(h.emu.thread(W.triage, merged.cardTs!).map((m) => m.text).join()).toContain(`merged #${merged.number} into #${survivor.number}`);
    expect(h.emu.thread(W.triage, survivor.cardTs!).map((m) => m.text).join()).toContain(`merged #${merged.number} into this ticket`);

    await h.driver.userSays(W.carol, W.help, 'Any news?', { thread_ts: dup.originTs });
    await h.settle();
    expect((await h.tickets.messages(survivor.id)).at(-1)!.text).toBe('Any news?');
    // The answer goes to the thread she wrote in last.
    await h.driver.userSays(W.bob, W.triage, '!reply Fixed on our side: try again?', { thread_ts: survivor.cardTs! });
    await h.settle();
    expect(h.emu.thread(W.help, dup.originTs).map((m) => m.text).join()).toContain('Fixed on our side');
    expect(h.emu.thread(W.help, first.originTs).map((m) => m.text).join()).not.toContain('Fixed on our side');
  });

  it('answers a message that joined the survivor by the burst window in the survivor\'s own thread', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `channel <#${W.help}|help> burst 0`);
    const keep = await ticketFrom(h, W.carol, 'Badge does not open the door');
    const dup = await ticketFrom(h, W.carol, 'Door badge broken');
    await h.driver.userSays(W.bob, W.triage, `!merge ${keep.ticket.number}`, { thread_ts: dup.ticket.cardTs! });
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `channel <#${W.help}|help> burst 300`);
    await h.settle();
    await h.driver.userSays(W.carol, W.help, 'Still locked out');
    await h.settle();
    expect((await h.tickets.messages(keep.ticket.id)).at(-1)!.text).toBe('Still locked out');
    await h.driver.userSays(W.bob, W.triage, '!reply A new badge is at reception.', { thread_ts: keep.ticket.cardTs! });
    await h.settle();
    expect(h.emu.thread(W.help, keep.originTs).map((m) => m.text).join()).toContain('A new badge is at reception.');
    expect(h.emu.thread(W.help, dup.originTs).map((m) => m.text).join()).not.toContain('A new badge');
  });

  it('refuses a merge into itself, into a missing ticket, or by a requester', async () => {
    const a = await ticketFrom(h, W.carol, 'One');
    await h.driver.userSays(W.alice, W.triage, `!merge ${a.ticket.number}`, { thread_ts: a.ticket.cardTs! });
    await h.settle();
    await h.driver.userSays(W.alice, W.triage, '!merge 99', { thread_ts: a.ticket.cardTs! });
    await h.settle();
    await h.driver.slashCommand(W.carol, W.help, '/ticket', `${a.ticket.number} merge 1`);
    await h.settle();
    expect(h.emu.ephemerals({ user: W.alice }).map((e) => e.text)).toEqual([expect.stringContaining('cannot be merged into itself'), expect.stringContaining('There is no ticket #99')]);
    expect(h.emu.ephemerals({ user: W.carol }).at(-1)!.text).toContain('Only agents');
    expect((await h.tickets.byId(a.ticket.id))!.mergedIntoId).toBeNull();
  });
});

describe('the Merge card button', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  it('asks for the ticket to keep, refuses a wrong number in the modal, and merges', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `channel <#${W.help}|help> burst 0`);
    const keep = await ticketFrom(h, W.carol, 'Laptop will not boot');
    const dup = await ticketFrom(h, W.carol, 'Laptop dead');
    await h.driver.clickButton(W.alice, W.triage, dup.ticket.cardTs!, 'ticket_merge');
    await h.settle();
    const [view] = h.emu.openViews(W.alice);
    const wrong = await h.driver.submitView(W.alice, view!.id, { merge_into: { merge_into_number: '99' } });
    expect(wrong.json).toMatchObject({ response_action: 'errors', errors: { merge_into: 'There is no ticket #99.' } });
    await h.driver.submitView(W.alice, view!.id, { merge_into: { merge_into_number: `#${keep.ticket.number}` } });
    await h.settle();
    expect((await h.tickets.byId(dup.ticket.id))!.mergedIntoId).toBe(keep.ticket.id);
    expect(h.emu.openViews(W.alice)).toHaveLength(0);
  });
});
