import { describe, expect, it } from 'vitest';
import { blockText, useHarness, W, type Harness } from '../support/harness.js';

describe('intake: messages become tickets with a card in the triage channel', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  it('turns a top-level intake message into ticket #1 with a card, and acknowledges it with a reaction', async () => {
    const { ts } = await h.driver.userSays(W.carol, W.help, 'My order 1234 never arrived\nIt was due last Tuesday.');
    await h.settle();

    const ticket = await h.tickets.byNumber(h.emu.teamId, 1);
    expect(ticket).toMatchObject({ number: 1, subject: 'My order 1234 never arrived', status: 'new', priority: 'normal', requesterId: W.carol, originChannelId: W.help, originTs: ts });
    expect(ticket!.createdAt).toBe(Math.round(Number(ts) * 1000));

    const cards = h.emu.messages(W.triage);
    expect(cards).toHaveLength(1);
    const card = blockText(cards[0]!.blocks);
    expect(card).toContain('#1 My order 1234 never arrived');
    expect(card).toContain(`<@${W.carol}>`);
    expect(card).toContain(`<#${W.help}>`);
    expect(card).toContain('`slack`'); // the origin's channel kind, as the contract names it
    expect(card).toContain('New');
    expect(card).toContain('Normal');
    expect(card).toContain('Unassigned');
    expect(card).toContain('It was due last Tuesday.');
    const actionIds = cards[0]!.blocks!.flatMap((b: { elements?: { action_id?: string }[] }) => b.elements?.map((e) => e.action_id) ?? []);
    expect(actionIds).toEqual(expect.arrayContaining(['ticket_assign_me', 'ticket_assign_pick', 'ticket_reply', 'ticket_close']));
    expect(ticket!.cardTs).toBe(cards[0]!.ts);

    expect(h.emu.message(W.help, ts)!.reactions.map((r) => r.name)).toContain('ticket');
    const events = await h.tickets.events(ticket!.id);
    expect(events.map((e) => e.kind)).toEqual(['created']);
  });

  it('mirrors replies in the origin thread into the triage thread and keeps them on the ticket', async () => {
    const { ts } = await h.driver.userSays(W.carol, W.help, 'Printer on floor 3 is jammed');
    await h.settle();
    await h.driver.userSays(W.carol, W.help, 'It shows error E42 now', { thread_ts: ts });
    await h.settle();

    const ticket = (await h.tickets.byOrigin(W.help, ts))!;
    const mirrored = h.emu.thread(W.triage, ticket.cardTs!);
    expect(mirrored.map((m) => blockText(m.blocks)).join('\n')).toContain('It shows error E42 now');
    const messages = await h.tickets.messages(ticket.id);
    expect(messages.map((m) => [m.authorRole, m.text])).toEqual([
      ['requester', 'Printer on floor 3 is jammed'],
      ['requester', 'It shows error E42 now'],
    ]);
  });

  it('records an agent typing in the origin thread as a public reply, and the ticket opens', async () => {
    const { ts } = await h.driver.userSays(W.carol, W.help, 'VPN does not connect');
    await h.settle();
    const { ts: replyTs } = await h.driver.userSays(W.alice, W.help, 'Try restarting the client please', { thread_ts: ts });
    await h.settle();

    const ticket = (await h.tickets.byOrigin(W.help, ts))!;
    expect(ticket.status).toBe('open');
    const reply = (await h.tickets.messages(ticket.id)).find((m) => m.ts === replyTs)!;
    expect(reply).toMatchObject({ authorRole: 'agent', visibility: 'public', userId: W.alice });
    const events = await h.tickets.events(ticket.id);
    expect(events.find((e) => e.kind === 'public_reply')).toMatchObject({ actorId: W.alice, at: Math.round(Number(replyTs) * 1000) });
    expect(blockText(h.emu.message(W.triage, ticket.cardTs!)!.blocks)).toContain('Open');
  });

  it('shows people\'s names, not their ids, for mentions in the subject wherever it is shown', async () => {
    const { ts } = await h.driver.userSays(W.carol, W.help, `<@${W.alice}> test`);
    await h.settle();
    const ticket = (await h.tickets.byOrigin(W.help, ts))!;
    // Stored as Slack sent it (ingest asks Slack nothing); the name is looked up when the subject is shown.
    expect(ticket.subject).toBe(`@${W.alice} test`);

    const card = h.emu.message(W.triage, ticket.cardTs!)!;
    const cardText = `${card.text}\n${blockText(card.blocks)}`;
    expect(cardText).toContain('#1 @Alice Agent test');
    expect(cardText).not.toContain(W.alice);
    // Mentions in the customer's words are named too, and never ping: nothing unescaped reaches Slack.
    await h.driver.userSays(W.carol, W.help, `<@${W.bob}> knows about it, and <@U0GHOST99> too`, { thread_ts: ts });
    await h.settle();
    const mirror = h.emu.thread(W.triage, ticket.cardTs!).at(-1)!;
    expect(blockText(mirror.blocks)).toContain('@Bob Agent knows about it, and @U0GHOST99 too');
    for (const id of [W.bob, 'U0GHOST99']) expect(`${mirror.text}${JSON.stringify(mirror.blocks)}`).not.toContain(`<@${id}`);

    await h.driver.openHome(W.alice);
    await h.driver.slashCommand(W.alice, W.general, '/ticket', 'list all');
    await h.driver.slashCommand(W.alice, W.general, '/ticket', '1');
    await h.driver.slashCommand(W.alice, W.general, '/helpdesk', 'stats today');
    await h.driver.slashCommand(W.alice, W.general, '/ticket', `customer <@${W.carol}>`);
    await h.settle();
    expect(blockText(h.emu.homeView(W.alice)!.blocks)).toMatch(/\|#1 @Alice Agent test> · new/);
    const answers = h.emu.ephemerals({ user: W.alice }).map((e) => e.text);
    expect(answers.find((a) => a.includes('ticket* (newest first)') || a.includes('tickets* (newest first)'))).toContain('*#1* @Alice Agent test');
    expect(answers).toContainEqual(expect.stringContaining('*#1 @Alice Agent test*'));
    expect(answers.find((a) => a.includes('Figures for'))).toContain('@Alice Agent test');
    expect(blockText(h.emu.openViews(W.alice).at(-1)!.view.blocks)).toContain('*#1* @Alice Agent test');
    for (const answer of answers) expect(answer).not.toContain(`@${W.alice} test`);
    expect(h.logLines.join('')).not.toMatch(/"level":(50|60)/); // an id nobody has is no error
  });
});
