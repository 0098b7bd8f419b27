import { describe, expect, it } from 'vitest';
import { blockText, postInIntake, useHarness, W, type Harness } from '../support/harness.js';

const openTicket = (h: Harness, text = 'The scanner eats paper') => postInIntake(h, W.carol, text);
/** The bot's own reactions on a message (people's reactions stay theirs). */
const reactionsOn = (h: Harness, channel: string, ts: string) =>
  h.emu.message(channel, ts)!.reactions.filter((r) => r.users.includes(h.emu.botUserId)).map((r) => r.name).sort();

describe('emoji actions, status reactions and assignment notices', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  it('assigns with an agent\'s 👀 on the card and solves with ✅ on the customer\'s message; the bot mirrors status there', async () => {
    const { originTs, ticket } = await openTicket(h);
    expect(reactionsOn(h, W.help, originTs)).toEqual(['ticket']);

    await h.driver.react(W.bob, W.triage, ticket.cardTs!, 'eyes');
    await h.settle();
    expect((await h.tickets.byId(ticket.id))!.assigneeId).toBe(W.bob);
    expect(blockText(h.emu.message(W.triage, ticket.cardTs!)!.blocks)).toContain(`<@${W.bob}>`);
    expect(reactionsOn(h, W.help, originTs)).toEqual(['eyes', 'ticket']);

    await h.driver.react(W.alice, W.help, originTs, 'white_check_mark');
    await h.settle();
    expect((await h.tickets.byId(ticket.id))!.status).toBe('solved');
    expect(reactionsOn(h, W.help, originTs)).toEqual(['ticket', 'white_check_mark']);

    await h.driver.userSays(W.carol, W.help, 'It is jamming again', { thread_ts: originTs });
    await h.settle();
    expect(reactionsOn(h, W.help, originTs)).toEqual(['eyes', 'ticket']);
  });

  it('ignores the same emoji from a requester', async () => {
    const { originTs, ticket } = await openTicket(h);
    await h.driver.react(W.carol, W.help, originTs, 'eyes');
    await h.driver.react(W.dave, W.help, originTs, 'white_check_mark');
    await h.settle();
    expect(await h.tickets.byId(ticket.id)).toMatchObject({ status: 'new', assigneeId: null });
    expect((await h.tickets.events(ticket.id)).map((e) => e.kind)).toEqual(['created']);
  });

  it('tells an agent by DM when a teammate assigns them, with a link to the card; not when they take it themselves', async () => {
    const { ticket } = await openTicket(h, 'VPN token expired');
    await h.driver.userSays(W.alice, W.triage, `!assign <@${W.bob}>`, { thread_ts: ticket.cardTs! });
    await h.settle();
    const dms = h.emu.calls('chat.postMessage').filter((c) => c.ok && c.args.channel === W.bob);
    expect(dms).toHaveLength(1);
    expect(dms[0]!.args.text).toContain(`<@${W.alice}> assigned you ticket <https://`);
    expect(dms[0]!.args.text).toContain('#1 VPN token expired>');

    await h.driver.userSays(W.alice, W.triage, '!assign me', { thread_ts: ticket.cardTs! });
    await h.settle();
    expect(h.emu.calls('chat.postMessage').filter((c) => c.ok && c.args.channel === W.alice)).toHaveLength(0);
  });
});

describe('followers', () => {
  let h: Harness;
  useHarness((started) => (h = started));
  const dmsTo = (h: Harness, user: string) => h.emu.calls('chat.postMessage').filter((c) => c.ok && c.args.channel === user).map((c) => c.args.text as string);

  it('follows by the Follow button and by being mentioned in the triage thread; followers get a DM when the customer answers', async () => {
    const { originTs, ticket } = await openTicket(h, 'Cannot reach the wiki');
    await h.driver.clickButton(W.alice, W.triage, ticket.cardTs!, 'ticket_follow');
    await h.driver.userSays(W.alice, W.triage, `<@${W.bob}> can you check the proxy? <@${W.carol}> fyi`, { thread_ts: ticket.cardTs! });
    await h.settle();
    expect(h.emu.ephemerals({ user: W.alice }).at(-1)!.text).toContain('You follow #1');
    expect(await h.tickets.followers(ticket.id)).toEqual([W.alice, W.bob]); // Carol is no agent

    await h.driver.userSays(W.carol, W.help, 'It works from home <!here>', { thread_ts: originTs });
    await h.settle();
    for (const agent of [W.alice, W.bob]) {
      expect(dmsTo(h, agent)).toEqual([expect.stringMatching(/^:speech_balloon: <@UCAROL03> wrote on <https:[^|]+\|#1 Cannot reach the wiki>: It works from home @here$/)]);
    }
    expect(dmsTo(h, W.carol)).toEqual([]);
  });

  it('refuses a requester clicking Follow', async () => {
    const { ticket } = await openTicket(h);
    await h.driver.clickButton(W.carol, W.triage, ticket.cardTs!, 'ticket_follow');
    await h.settle();
    expect(h.emu.ephemerals({ user: W.carol }).at(-1)!.text).toContain('Only agents');
    expect(await h.tickets.followers(ticket.id)).toEqual([]);
  });
});

describe('collision warning', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  it('shows on the card who is replying, warns a second agent, and clears when the modal closes or sends', async () => {
    const { originTs, ticket } = await openTicket(h, 'Password reset loop');
    await h.driver.clickButton(W.alice, W.triage, ticket.cardTs!, 'ticket_reply');
    await h.settle();
    expect(blockText(h.emu.message(W.triage, ticket.cardTs!)!.blocks)).toContain(`<@${W.alice}> is replying…`);

    await h.driver.clickButton(W.bob, W.triage, ticket.cardTs!, 'ticket_reply');
    await h.settle();
    const [bobsView] = h.emu.openViews(W.bob);
    expect(blockText(bobsView!.view.blocks)).toContain(`<@${W.alice}> is already replying to this ticket`);
    expect(blockText(h.emu.message(W.triage, ticket.cardTs!)!.blocks)).toContain(`<@${W.alice}>, <@${W.bob}> are replying…`);

    await h.driver.closeView(W.bob, bobsView!.id);
    await h.settle();
    expect(blockText(h.emu.message(W.triage, ticket.cardTs!)!.blocks)).toContain(`<@${W.alice}> is replying…`);

    const [alicesView] = h.emu.openViews(W.alice);
    const box = alicesView!.view.blocks.find((b: { block_id?: string }) => b.block_id?.startsWith('reply_text')).block_id as string;
    await h.driver.submitView(W.alice, alicesView!.id, { [box]: { reply_text_input: 'Reset link sent again.' } });
    await h.settle();
    expect(blockText(h.emu.message(W.triage, ticket.cardTs!)!.blocks)).not.toContain('replying…');
    expect(h.emu.thread(W.help, originTs).map((m) => m.text)).toEqual(['Reset link sent again.']);
  });
});
