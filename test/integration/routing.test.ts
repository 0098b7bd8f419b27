import { describe, expect, it } from 'vitest';
import { blockText, postInIntake, useHarness, W, type Harness } from '../support/harness.js';

const CHARLIE = 'UCHARL07';

async function helpdesk(h: Harness, user: string, text: string): Promise<string> {
  await h.driver.slashCommand(user, W.general, '/helpdesk', text);
  await h.settle();
  return h.emu.ephemerals({ user }).at(-1)!.text;
}

const ticketFrom = async (h: Harness, user: string, text: string) => (await postInIntake(h, user, text)).ticket;

describe('routing: policies, groups, availability and rules', () => {
  let h: Harness;
  useHarness((started) => {
    h = started;
    h.emu.addUser({ id: CHARLIE, name: 'charlie', realName: 'Charlie Agent' });
    h.emu.joinChannel(W.triage, CHARLIE);
    h.emu.joinChannel(W.help, CHARLIE);
    h.emu.joinChannel(W.general, CHARLIE);
  });
  const help = `<#${W.help}|help>`;

  it('round-robin over three agents with one away assigns the other two in turn, and tells each by DM', async () => {
    expect(await helpdesk(h, W.ada, `channel ${help} routing round-robin`)).toContain('round-robin over available agents');
    await helpdesk(h, W.ada, `channel ${help} burst 0`);
    expect(await helpdesk(h, W.bob, 'away')).toContain('You are away');
    const assignees = [];
    for (const [i, user] of [W.carol, W.dave, W.erin, W.ada].entries()) assignees.push((await ticketFrom(h, user, `Problem number ${i + 1}`)).assigneeId);
    expect(assignees).toEqual([W.alice, CHARLIE, W.alice, CHARLIE]);
    const ticket = (await h.tickets.byNumber(h.emu.teamId, 1))!;
    expect(ticket.status).toBe('open');
    expect(blockText(h.emu.message(W.triage, ticket.cardTs!)!.blocks)).toContain(`*Assignee*\n<@${W.alice}>`);
    expect(h.emu.calls('chat.postMessage').filter((c) => c.ok && c.args.channel === CHARLIE).map((c) => c.args.text)).toEqual([
      expect.stringContaining('Routing assigned you ticket'),
      expect.stringContaining('Routing assigned you ticket'),
    ]);
    expect((await h.tickets.events(ticket.id)).find((e) => e.kind === 'assigned')).toMatchObject({ actorId: null, toValue: W.alice });

    await helpdesk(h, W.bob, 'back');
    const next = [(await ticketFrom(h, W.carol, 'Yet another problem')).assigneeId, (await ticketFrom(h, W.dave, 'And one more')).assigneeId];
    expect(next).toEqual([W.alice, W.bob]); // after Charlie the turn wraps to Alice, then Bob is back in it
  });

  it('fewest-open gives a new ticket to the least loaded agent', async () => {
    await helpdesk(h, W.ada, `channel ${help} routing fewest-open`);
    await helpdesk(h, W.ada, `channel ${help} burst 0`);
    const first = await ticketFrom(h, W.carol, 'One'); // all at 0: alphabetical first
    const second = await ticketFrom(h, W.dave, 'Two');
    const third = await ticketFrom(h, W.erin, 'Three');
    expect([first.assigneeId, second.assigneeId, third.assigneeId]).toEqual([W.alice, W.bob, CHARLIE]);
    await h.driver.slashCommand(W.bob, W.general, '/ticket', `${second.number} close`);
    await h.settle();
    expect((await ticketFrom(h, W.ada, 'Four')).assigneeId).toBe(W.bob);
  });

  it('tags and routes by keyword rules to a group', async () => {
    await helpdesk(h, W.ada, `group add billing <@${W.bob}|bob>`);
    await helpdesk(h, W.ada, `channel ${help} routing round-robin`);
    const rules = await helpdesk(h, W.ada, `rule add ${help} refund|chargeback tag billing group billing`);
    expect(rules).toContain('1. `refund|chargeback` → tag `billing` → group `billing`');
    const billing = await ticketFrom(h, W.carol, 'I want a REFUND for order 77');
    expect(billing).toMatchObject({ tags: ['billing'], assigneeId: W.bob });
    expect(h.emu.thread(W.triage, billing.cardTs!).map((m) => m.text).join()).toContain(`Routing assigned to <@${W.bob}> (round-robin), tagged \`billing\``);
    const other = await ticketFrom(h, W.dave, 'Printer jam');
    expect(other.tags).toEqual([]);
    expect(other.assigneeId).not.toBeNull(); // no rule: the whole team's round-robin
    expect(await helpdesk(h, W.ada, `rule add ${help} refund|( tag billing`)).toContain('not a valid regular expression');
  });

  it('hands an away agent\'s open tickets to the others on request', async () => {
    await helpdesk(h, W.ada, `channel ${help} routing round-robin`);
    await helpdesk(h, W.ada, `channel ${help} burst 0`);
    const mine = [await ticketFrom(h, W.carol, 'A'), await ticketFrom(h, W.dave, 'B'), await ticketFrom(h, W.erin, 'C')].filter((t) => t.assigneeId === W.alice);
    expect(mine.length).toBeGreaterThan(0);
    await helpdesk(h, W.alice, 'away');
    const answer = await helpdesk(h, W.bob, `reassign <@${W.alice}|alice>`);
    expect(answer).toContain(`Handed on ${mine.length} ticket`);
    for (const ticket of mine) expect((await h.tickets.byId(ticket.id))!.assigneeId).not.toBe(W.alice);
    expect(await h.tickets.list(h.emu.teamId, 'mine', W.alice)).toHaveLength(0);
  });

  it('refuses routing settings to requesters and agents, and availability to requesters', async () => {
    const refusal = 'Only workspace admins and the people in THREADDESK_ADMINS can change settings.';
    expect(await helpdesk(h, W.carol, `channel ${help} routing round-robin`)).toBe(refusal);
    expect(await helpdesk(h, W.carol, 'group add billing <@UCAROL03>')).toBe(refusal);
    expect(await helpdesk(h, W.carol, `rule add ${help} refund tag billing`)).toBe(refusal);
    expect(await helpdesk(h, W.alice, `channel ${help} routing round-robin`)).toBe(refusal);
    expect(await helpdesk(h, W.carol, 'away')).toContain('Only agents');
    expect((await ticketFrom(h, W.carol, 'Where is my refund?')).assigneeId).toBeNull();
  });
});
