import { describe, expect, it } from 'vitest';
import { blockText, postInIntake, useHarness, W, type Harness } from '../support/harness.js';

// Learned routing: the team's solved tickets teach who gets (and how to tag) a new one. Shown in the ticket's
// thread with an Apply button where the channel routes otherwise; applied by itself with `routing learned`.

async function helpdesk(h: Harness, user: string, text: string): Promise<string> {
  await h.driver.slashCommand(user, W.general, '/helpdesk', text);
  await h.settle();
  return h.emu.ephemerals({ user }).at(-1)!.text;
}
const ticketCommand = async (h: Harness, user: string, text: string) => {
  await h.driver.slashCommand(user, W.general, '/ticket', text);
  await h.settle();
};

/** A question answered and solved the way the team does it: one agent, one tag. */
async function solved(h: Harness, requester: string, text: string, agent: string, tag: string) {
  const { ticket } = await postInIntake(h, requester, text);
  await ticketCommand(h, agent, `${ticket.number} assign me`);
  await ticketCommand(h, agent, `${ticket.number} tag ${tag}`);
  await ticketCommand(h, agent, `${ticket.number} close`);
}

const threadOf = (h: Harness, cardTs: string) => h.emu.thread(W.triage, cardTs);

describe('learned routing and tags', () => {
  let h: Harness;
  useHarness((x) => (h = x));
  const help = `<#${W.help}|help>`;

  it('offers what similar solved tickets got (Apply does it), and assigns and tags by itself with `routing learned`', async () => {
    await helpdesk(h, W.ada, `channel ${help} burst 0`);
    await solved(h, W.carol, 'Where is my refund? I returned the shoes', W.bob, 'refund');
    await solved(h, W.dave, 'My refund has not arrived yet', W.bob, 'refund');
    await solved(h, W.carol, 'Still no refund for my returned parcel', W.bob, 'refund');
    await solved(h, W.dave, 'Can I change the delivery address of my order?', W.alice, 'shipping');
    await solved(h, W.carol, 'Please change the delivery address to my office', W.alice, 'shipping');

    // Manual routing: a suggestion in the ticket's thread, nothing done until an agent applies it.
    const { ticket } = await postInIntake(h, W.dave, 'The refund for my return is still missing');
    expect(ticket.assigneeId).toBeNull();
    const hint = threadOf(h, ticket.cardTs!).find((m) => m.text.startsWith(':bulb:'))!;
    expect(hint.text).toBe(`:bulb: Similar solved tickets went to <@${W.bob}> and were tagged \`refund\`.`);
    expect((await h.tickets.byId(ticket.id))!.tags).toEqual([]);

    await h.driver.clickButton(W.carol, W.triage, hint.ts, 'learned_routing_apply'); // a requester cannot
    await h.settle();
    expect((await h.tickets.byId(ticket.id))!.assigneeId).toBeNull();
    await h.driver.clickButton(W.alice, W.triage, hint.ts, 'learned_routing_apply');
    await h.settle();
    const applied = (await h.tickets.byId(ticket.id))!;
    expect(applied.assigneeId).toBe(W.bob);
    expect(applied.tags).toEqual(['refund']);
    expect(blockText(h.emu.message(W.triage, ticket.cardTs!)!.blocks)).toContain(`*Assignee*\n<@${W.bob}>`);
    const done = h.emu.message(W.triage, hint.ts)!;
    expect(done.text).toBe(`:bulb: Similar solved tickets went to <@${W.bob}> and were tagged \`refund\`. Applied by <@${W.alice}>.`);
    expect(JSON.stringify(done.blocks)).not.toContain('learned_routing_apply');

    // A question unlike the history gets no suggestion.
    const other = (await postInIntake(h, W.carol, 'Do you sell gift cards?')).ticket;
    expect(threadOf(h, other.cardTs!).filter((m) => m.text.startsWith(':bulb:'))).toEqual([]);

    // `routing learned`: applied as the ticket opens, and said so in its thread.
    expect(await helpdesk(h, W.ada, `channel ${help} routing learned`)).toContain('as similar solved tickets were');
    const routed = (await postInIntake(h, W.carol, 'How do I change my delivery address?')).ticket;
    const now = (await h.tickets.byId(routed.id))!;
    expect(now.assigneeId).toBe(W.alice);
    expect(now.tags).toEqual(['shipping']);
    const lines = threadOf(h, routed.cardTs!).map((m) => m.text);
    expect(lines).toContain(`:twisted_rightwards_arrows: Routing assigned to <@${W.alice}> (learned from similar tickets), tagged \`shipping\`.`);
    expect(lines.filter((l) => l.startsWith(':bulb:'))).toEqual([]);
    const unlike = (await postInIntake(h, W.dave, 'Do you sell gift cards?')).ticket;
    expect((await h.tickets.byId(unlike.id))!.assigneeId).toBeNull();

    // The agent similar tickets went to is away: their group's least loaded available agent gets it.
    await helpdesk(h, W.ada, `group add payments <@${W.bob}|bob> <@${W.alice}|alice>`);
    await helpdesk(h, W.bob, 'away');
    const whileAway = (await postInIntake(h, W.dave, 'My refund never arrived')).ticket;
    expect((await h.tickets.byId(whileAway.id))!.assigneeId).toBe(W.alice);
    expect(threadOf(h, whileAway.cardTs!).map((m) => m.text)).toContain(`:twisted_rightwards_arrows: Routing assigned to <@${W.alice}> (learned from similar tickets: group \`payments\`, fewest open), tagged \`refund\`.`);
  });
});
