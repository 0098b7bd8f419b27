import { describe, expect, it } from 'vitest';
import { blockText, useHarness, W, type Harness } from '../support/harness.js';

/** Opens ticket #1 from Carol and returns its origin ts and card ts. */
async function openTicket(h: Harness, text = 'The invoice PDF will not download') {
  const { ts } = await h.driver.userSays(W.carol, W.help, text);
  await h.settle();
  const ticket = (await h.tickets.byOrigin(W.help, ts))!;
  return { originTs: ts, cardTs: ticket.cardTs!, id: ticket.id };
}

const card = (h: Harness, cardTs: string) => blockText(h.emu.message(W.triage, cardTs)!.blocks);
const originReplies = (h: Harness, originTs: string) => h.emu.thread(W.help, originTs);

describe('agents work tickets through buttons, /ticket and ! thread commands', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  it('assigns via the Assign to me button and via the assignee picker: the card is updated in place', async () => {
    const { cardTs, id } = await openTicket(h);
    await h.driver.clickButton(W.alice, W.triage, cardTs, 'ticket_assign_me');
    await h.settle();
    expect((await h.tickets.byId(id))!.assigneeId).toBe(W.alice);
    expect(card(h, cardTs)).toContain(`*Assignee*\n<@${W.alice}>`);
    expect(card(h, cardTs)).toContain('Open');

    await h.driver.clickButton(W.alice, W.triage, cardTs, 'ticket_assign_pick', { selectedUser: W.bob });
    await h.settle();
    expect((await h.tickets.byId(id))!.assigneeId).toBe(W.bob);
    expect(card(h, cardTs)).toContain(`*Assignee*\n<@${W.bob}>`);
    expect(h.emu.messages(W.triage)).toHaveLength(1); // updated, not reposted
    const events = await h.tickets.events(id);
    expect(events.filter((e) => e.kind === 'assigned').map((e) => [e.fromValue, e.toValue])).toEqual([[null, W.alice], [W.alice, W.bob]]);
  });

  it('assigns and closes via /ticket N commands, answering ephemerally', async () => {
    const { cardTs, id } = await openTicket(h);
    const assign = await h.driver.slashCommand(W.bob, W.general, '/ticket', `1 assign <@${W.alice}|alice>`);
    expect(assign.status).toBe(200);
    await h.settle();
    expect((await h.tickets.byId(id))!.assigneeId).toBe(W.alice);
    expect(h.emu.ephemerals({ user: W.bob }).map((e) => e.text).join('\n')).toContain('assigned #1');

    await h.driver.slashCommand(W.bob, W.general, '/ticket', '1 close');
    await h.settle();
    const ticket = (await h.tickets.byId(id))!;
    expect(ticket.status).toBe('solved');
    expect(ticket.solvedAt).not.toBeNull();
    expect(card(h, cardTs)).toContain('Solved');
    const buttons = h.emu.message(W.triage, cardTs)!.blocks!.flatMap((b: { elements?: { action_id?: string }[] }) => b.elements?.map((e) => e.action_id) ?? []);
    expect(buttons).toContain('ticket_reopen');
    expect(buttons).not.toContain('ticket_close');
  });

  it('assigns, sets priority, tags, closes and reopens via ! commands in the triage thread', async () => {
    const { cardTs, id } = await openTicket(h);
    for (const command of ['!assign me', '!pending', '!priority urgent', '!tag billing', '!close']) {
      await h.driver.userSays(W.alice, W.triage, command, { thread_ts: cardTs });
      await h.settle();
    }
    let ticket = (await h.tickets.byId(id))!;
    expect(ticket).toMatchObject({ assigneeId: W.alice, priority: 'urgent', status: 'solved', tags: ['billing'] });
    expect(card(h, cardTs)).toContain('Urgent');
    expect(card(h, cardTs)).toContain('`billing`');
    const threadLines = h.emu.thread(W.triage, cardTs).map((m) => blockText(m.blocks) || m.text).join('\n');
    expect(threadLines).toContain('solved #1');
    expect(threadLines).toContain('set #1 pending: waiting on the requester.');
    expect(threadLines).toContain('set the priority of #1 to urgent');

    await h.driver.userSays(W.alice, W.triage, '!reopen', { thread_ts: cardTs });
    await h.settle();
    ticket = (await h.tickets.byId(id))!;
    expect(ticket.status).toBe('open');
    const kinds = (await h.tickets.events(id)).map((e) => `${e.kind}:${e.toValue ?? ''}`);
    expect(kinds).toEqual(['created:new', `assigned:${W.alice}`, 'status_changed:open', 'status_changed:pending', 'priority_changed:urgent', 'tagged:billing', 'status_changed:solved', 'status_changed:open']);
  });

  it('closes via the Close button', async () => {
    const { cardTs, id } = await openTicket(h);
    await h.driver.clickButton(W.bob, W.triage, cardTs, 'ticket_close');
    await h.settle();
    expect((await h.tickets.byId(id))!.status).toBe('solved');
    expect(card(h, cardTs)).toContain('Solved');
  });

  it('sends a public reply with !reply into the origin thread, recorded as the agent\'s reply', async () => {
    const { originTs, cardTs, id } = await openTicket(h);
    await h.driver.userSays(W.alice, W.triage, '!reply Hi Carol, here is a fresh link: https://example.com/inv/1', { thread_ts: cardTs });
    await h.settle();
    const replies = originReplies(h, originTs);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toContain('here is a fresh link');
    expect(blockText(replies[0]!.blocks)).toContain('Alice Agent');
    const stored = (await h.tickets.messages(id)).filter((m) => m.authorRole === 'agent');
    expect(stored).toMatchObject([{ visibility: 'public', userId: W.alice, channelId: W.help, ts: replies[0]!.ts }]);
    expect((await h.tickets.byId(id))!.status).toBe('open');
  });

  it('sends a public reply with /ticket N reply text', async () => {
    const { originTs } = await openTicket(h);
    await h.driver.slashCommand(W.bob, W.general, '/ticket', '1 reply We are on it, Carol.');
    await h.settle();
    expect(originReplies(h, originTs).map((m) => m.text)).toEqual(['We are on it, Carol.']);
  });

  it('sends a public reply through the Reply modal', async () => {
    const { originTs, cardTs } = await openTicket(h);
    await h.driver.clickButton(W.alice, W.triage, cardTs, 'ticket_reply');
    await h.settle();
    const [view] = h.emu.openViews(W.alice);
    expect(view!.view.callback_id).toBe('ticket_reply_modal');

    const box = view!.view.blocks.find((b: { block_id?: string }) => b.block_id?.startsWith('reply_text')).block_id as string;
    const empty = await h.driver.submitView(W.alice, view!.id, { [box]: { reply_text_input: '   ' } });
    expect(empty.json).toMatchObject({ response_action: 'errors' });
    expect(originReplies(h, originTs)).toHaveLength(0);

    await h.driver.submitView(W.alice, view!.id, { [box]: { reply_text_input: 'Fixed: the download works again.' } });
    await h.settle();
    expect(originReplies(h, originTs).map((m) => m.text)).toEqual(['Fixed: the download works again.']);
  });

  it('!reply without text offers a button that opens the Reply modal (a thread command cannot open one)', async () => {
    const { originTs, cardTs } = await openTicket(h);
    await h.driver.userSays(W.alice, W.triage, '!reply', { thread_ts: cardTs });
    await h.settle();
    const offer = h.emu.ephemerals({ user: W.alice }).at(-1)!;
    expect(offer.text).toContain('Reply to #1: open the Reply box');
    expect(h.emu.openViews(W.alice)).toHaveLength(0);
    await h.driver.clickButton(W.alice, W.triage, offer.ts, 'reply_open');
    await h.settle();
    const [view] = h.emu.openViews(W.alice);
    expect(view!.view.callback_id).toBe('ticket_reply_modal');
    const box = view!.view.blocks.find((b: { block_id?: string }) => b.block_id?.startsWith('reply_text')).block_id as string;
    await h.driver.submitView(W.alice, view!.id, { [box]: { reply_text_input: 'Sent from the offered box.' } });
    await h.settle();
    expect(originReplies(h, originTs).map((m) => m.text)).toEqual(['Sent from the offered box.']);

  });

  it('keeps plain agent messages in the triage thread as internal notes that never reach the requester', async () => {
    const { originTs, cardTs, id } = await openTicket(h);
    await h.driver.userSays(W.bob, W.triage, 'Looks like the CDN again, checking logs', { thread_ts: cardTs });
    await h.settle();
    expect(originReplies(h, originTs)).toHaveLength(0);
    const note = (await h.tickets.messages(id)).find((m) => m.text.includes('CDN'))!;
    expect(note).toMatchObject({ authorRole: 'agent', visibility: 'internal', userId: W.bob });
    expect((await h.tickets.events(id)).map((e) => e.kind)).toContain('note');
  });

  it('refuses a requester who clicks an agent button or types a command: nothing changes', async () => {
    const { cardTs, id } = await openTicket(h);
    const before = await h.tickets.byId(id);
    const cardBefore = card(h, cardTs);

    await h.driver.clickButton(W.carol, W.triage, cardTs, 'ticket_close');
    await h.driver.clickButton(W.carol, W.triage, cardTs, 'ticket_assign_me');
    await h.driver.slashCommand(W.carol, W.help, '/ticket', '1 close');
    await h.driver.slashCommand(W.dave, W.help, '/ticket', 'list');
    await h.settle();

    expect(await h.tickets.byId(id)).toEqual(before);
    expect(card(h, cardTs)).toBe(cardBefore);
    expect((await h.tickets.events(id)).map((e) => e.kind)).toEqual(['created']);
    const refusals = h.emu.ephemerals().filter((e) => e.user === W.carol || e.user === W.dave);
    expect(refusals).toHaveLength(4);
    for (const refusal of refusals) expect(refusal.text).toMatch(/Only agents/);
  });

  it('answers every wrong command with an ephemeral message showing the right form', async () => {
    const { cardTs } = await openTicket(h);
    const attempts = [
      () => h.driver.slashCommand(W.alice, W.general, '/ticket', 'close 1'),
      () => h.driver.slashCommand(W.alice, W.general, '/ticket', '1 priority whenever'),
      () => h.driver.slashCommand(W.alice, W.general, '/ticket', '99 close'),
      () => h.driver.slashCommand(W.alice, W.general, '/helpdesk', 'connect nowhere'),
      () => h.driver.userSays(W.alice, W.triage, '!assign somebody', { thread_ts: cardTs }),
      () => h.driver.userSays(W.alice, W.triage, '!frobnicate', { thread_ts: cardTs }),
    ];
    for (const attempt of attempts) {
      await attempt();
      await h.settle();
    }
    const texts = h.emu.ephemerals({ user: W.alice }).map((e) => e.text);
    expect(texts).toHaveLength(6);
    expect(texts[0]).toContain('Start with a ticket number');
    expect(texts[0]).toContain('/ticket 42 close');
    expect(texts[1]).toContain('Priority must be one of low, normal, high, urgent');
    expect(texts[2]).toContain('There is no ticket #99');
    expect(texts[3]).toContain('/helpdesk connect #help-desk #support-triage');
    expect(texts[4]).toContain('`assign` needs `me` or a @mention');
    expect(texts[5]).toContain("I don't know `frobnicate`");
    expect(texts[5]).toContain('!priority low|normal|high|urgent');
  });

  it('shows a ticket and lists tickets ephemerally', async () => {
    await openTicket(h);
    await h.driver.slashCommand(W.alice, W.general, '/ticket', '1');
    await h.settle();
    await h.driver.slashCommand(W.alice, W.general, '/ticket', 'list unassigned');
    await h.settle();
    const [show, list] = h.emu.ephemerals({ user: W.alice }).map((e) => e.text);
    expect(show).toContain('#1 The invoice PDF will not download');
    expect(list).toContain('1 unassigned ticket');
    expect(list).toContain('*#1*');
  });
});
