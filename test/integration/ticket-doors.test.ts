import { describe, expect, it } from 'vitest';
import { blockText, useHarness, W, type Harness } from '../support/harness.js';

const allTickets = (h: Harness) => h.tickets.list(h.emu.teamId, 'all', W.alice, 100);

describe('doors into a ticket, pleasantries, follow-ups and message lifecycle', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  it('opens a ticket from a 🎫 reaction on a message in any channel the bot is in, dated at the message', async () => {
    const { ts } = await h.driver.userSays(W.dave, W.general, 'Is the office closed on Friday?');
    await h.settle();
    expect(await allTickets(h)).toHaveLength(0); // #general is not an intake channel
    await h.driver.react(W.alice, W.general, ts, 'ticket');
    await h.settle();
    const [ticket] = await allTickets(h);
    expect(ticket).toMatchObject({ requesterId: W.dave, originChannelId: W.general, originTs: ts, source: 'reaction', createdAt: Math.round(Number(ts) * 1000) });
    expect(blockText(h.emu.messages(W.triage)[0]!.blocks)).toContain('Is the office closed on Friday?');
    expect(h.emu.thread(W.triage, ticket!.cardTs!).map((m) => m.text).join('\n')).toContain(`<@${W.alice}> opened this ticket`);
    // a second 🎫 changes nothing
    await h.driver.react(W.bob, W.general, ts, 'ticket');
    await h.settle();
    expect(await allTickets(h)).toHaveLength(1);
  });

  it('opens a ticket from the Create ticket message shortcut', async () => {
    const { ts } = await h.driver.userSays(W.dave, W.general, 'Wifi in room 4 keeps dropping');
    await h.driver.messageShortcut(W.bob, W.general, ts, 'create_ticket_from_message');
    await h.settle();
    const [ticket] = await allTickets(h);
    expect(ticket).toMatchObject({ requesterId: W.dave, source: 'shortcut', subject: 'Wifi in room 4 keeps dropping' });
    expect(h.emu.ephemerals({ user: W.bob }).map((e) => e.text).join()).toContain('Ticket #1 opened');
  });

  it('opens a ticket from a direct message to the app, and public replies go back to the DM', async () => {
    const im = h.emu.openIm(W.carol);
    const { ts } = await h.driver.userSays(W.carol, im.id, 'Can I get access to the finance drive?');
    await h.settle();
    const [ticket] = await allTickets(h);
    expect(ticket).toMatchObject({ source: 'dm', originChannelId: im.id, triageChannelId: W.triage });
    await h.driver.userSays(W.alice, W.triage, '!reply Access granted.', { thread_ts: ticket!.cardTs! });
    await h.settle();
    expect(h.emu.thread(im.id, ts).map((m) => m.text)).toEqual(['Access granted.']);
  });

  it('ignores pleasantries alone, and "thanks" never reopens a solved ticket while a real question does', async () => {
    await h.driver.userSays(W.carol, W.help, 'thanks!');
    await h.driver.userSays(W.dave, W.help, 'hello :wave:');
    await h.driver.userSays(W.dave, W.help, 'ok 👍');
    await h.settle();
    expect(await allTickets(h)).toHaveLength(0);

    const { ts } = await h.driver.userSays(W.carol, W.help, 'My monitor flickers');
    await h.settle();
    const id = (await h.tickets.byOrigin(W.help, ts))!.id;
    await h.driver.slashCommand(W.alice, W.general, '/ticket', '1 close');
    await h.settle();
    await h.driver.userSays(W.carol, W.help, 'Thank you so much! 🙏', { thread_ts: ts });
    await h.settle();
    expect((await h.tickets.byId(id))!.status).toBe('solved');
    await h.driver.userSays(W.carol, W.help, 'It started flickering again', { thread_ts: ts });
    await h.settle();
    expect((await h.tickets.byId(id))!.status).toBe('open');
    const cardTs = (await h.tickets.byId(id))!.cardTs!;
    expect(blockText(h.emu.message(W.triage, cardTs)!.blocks)).toContain('Open');
    expect(h.emu.thread(W.triage, cardTs).filter((m) => m.text.includes('is open again'))).toHaveLength(1);
  });

  it('joins a requester\'s top-level follow-ups within the window to their open ticket; the rule can be switched off', async () => {
    await h.driver.userSays(W.carol, W.help, 'Outlook crashes on start');
    await h.driver.userSays(W.carol, W.help, 'also my calendar is empty');
    await h.driver.userSays(W.dave, W.help, 'Different problem: no sound');
    await h.settle();
    let tickets = await allTickets(h);
    expect(tickets.map((t) => t.subject).sort()).toEqual(['Different problem: no sound', 'Outlook crashes on start']);
    const carols = tickets.find((t) => t.requesterId === W.carol)!;
    expect((await h.tickets.messages(carols.id)).map((m) => m.text)).toEqual(['Outlook crashes on start', 'also my calendar is empty']);
    expect(h.emu.thread(W.triage, carols.cardTs!).map((m) => m.text).join()).toContain('also my calendar is empty');

    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `channel <#${W.help}|help> burst 0`);
    await h.settle(); // each answer is posted after the ack, so let the first land before the second
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `channel <#${W.help}|help> pleasantries off`);
    await h.settle();
    await h.driver.userSays(W.carol, W.help, 'and Teams will not start');
    await h.driver.userSays(W.dave, W.help, 'thanks');
    await h.settle();
    tickets = await allTickets(h);
    expect(tickets).toHaveLength(4);
    expect(h.emu.ephemerals({ user: W.ada }).at(-1)!.text).toContain('open tickets like any message');
  });

  it('follows edits and deletions, and records file shares', async () => {
    const { ts } = await h.driver.userSays(W.carol, W.help, 'Scanner broken', { files: [{ name: 'scanner.jpg', mimetype: 'image/jpeg' }] });
    await h.settle();
    const ticket = (await h.tickets.byOrigin(W.help, ts))!;
    const [first] = await h.tickets.messages(ticket.id);
    expect(first!.files).toMatchObject([{ name: 'scanner.jpg', mimetype: 'image/jpeg' }]);
    expect(first!.files[0]!.permalink).toMatch(/^https?:\/\//);
    expect(blockText(h.emu.message(W.triage, ticket.cardTs!)!.blocks)).toContain('scanner.jpg');

    await h.driver.editMessage(W.carol, W.help, ts, 'Scanner on floor 2 is broken');
    await h.settle();
    expect((await h.tickets.byId(ticket.id))!.subject).toBe('Scanner on floor 2 is broken');
    expect(blockText(h.emu.message(W.triage, ticket.cardTs!)!.blocks)).toContain('#1 Scanner on floor 2 is broken');

    const { ts: replyTs } = await h.driver.userSays(W.carol, W.help, 'wrong thread, sorry', { thread_ts: ts });
    await h.settle();
    await h.driver.deleteMessage(W.help, replyTs);
    await h.settle();
    const reply = (await h.tickets.messageByTs(W.help, replyTs))!;
    expect(reply.deletedAt).not.toBeNull();
    expect(reply.text).toBe('wrong thread, sorry');
    expect(blockText(h.emu.message(W.triage, reply.mirrorTs!)!.blocks)).toContain('(deleted)');
    const kinds = (await h.tickets.events(ticket.id)).map((e) => e.kind);
    expect(kinds).toEqual(['created', 'message_edited', 'requester_message', 'message_deleted']);
  });

  it('takes Slack\'s tombstone for a deleted first message with replies as a deletion, not as the customer\'s words', async () => {
    const { ts } = await h.driver.userSays(W.carol, W.help, 'VPN drops every hour');
    await h.driver.userSays(W.carol, W.help, 'since Monday', { thread_ts: ts });
    await h.settle();
    const ticket = (await h.tickets.byOrigin(W.help, ts))!;

    // The parent has a reply: Slack (and the emulator) sends message_changed whose `message` is a tombstone
    // (subtype tombstone, user USLACKBOT, "This message was deleted.", hidden), not message_deleted.
    expect((await h.driver.deleteMessage(W.help, ts)).status).toBe(200);
    await h.settle();
    const first = (await h.tickets.messageByTs(W.help, ts))!;
    expect(first).toMatchObject({ text: 'VPN drops every hour', editedAt: null });
    expect(first.deletedAt).not.toBeNull();
    expect((await h.tickets.byId(ticket.id))!.subject).toBe('VPN drops every hour');
    const card = blockText(h.emu.message(W.triage, ticket.cardTs!)!.blocks);
    expect(card).toContain('#1 VPN drops every hour');
    expect(card).toContain('_(deleted by the author)_\nVPN drops every hour');
    const triage = [h.emu.message(W.triage, ticket.cardTs!)!, ...h.emu.thread(W.triage, ticket.cardTs!)];
    expect(triage.map((m) => `${m.text}\n${blockText(m.blocks)}`).join('\n')).not.toContain('This message was deleted.');
    expect(h.emu.thread(W.triage, ticket.cardTs!).map((m) => m.text).join()).toContain('since Monday');

    // Once its last reply is gone Slack deletes the tombstone too (captured: slack-edge/slack-edge#10): nothing new.
    const eventTs = `${Math.floor(Date.now() / 1000)}.000800`;
    await h.driver.deliverEvent({
      type: 'message', subtype: 'message_deleted',
      previous_message: {
        type: 'message', subtype: 'tombstone', text: 'This message was deleted.', user: 'USLACKBOT', hidden: true, ts, thread_ts: ts,
        parent_user_id: 'USLACKBOT', reply_count: 0, reply_users_count: 0, latest_reply: '0000000000.000000', reply_users: [], is_locked: false, subscribed: false,
      },
      channel: W.help, hidden: true, deleted_ts: ts, event_ts: eventTs, ts: eventTs, channel_type: 'channel',
    });
    await h.settle();
    expect((await h.tickets.events(ticket.id)).map((e) => e.kind)).toEqual(['created', 'requester_message', 'message_deleted']);
    expect((await h.tickets.messageByTs(W.help, ts))!.deletedAt).toBe(first.deletedAt);
  });

  it('treats thread broadcasts as thread replies', async () => {
    const { ts } = await h.driver.userSays(W.carol, W.help, 'Keyboard missing keys');
    await h.settle();
    await h.driver.userSays(W.carol, W.help, 'the Q key specifically', { thread_ts: ts, broadcast: true });
    await h.settle();
    const ticket = (await h.tickets.byOrigin(W.help, ts))!;
    expect((await h.tickets.messages(ticket.id)).map((m) => m.text)).toEqual(['Keyboard missing keys', 'the Q key specifically']);
  });

  it('takes tickets from Slack Connect users of another organisation', async () => {
    const { ts } = await h.driver.userSays(W.erin, W.help, 'Our API key stopped working');
    await h.settle();
    const ticket = (await h.tickets.byOrigin(W.help, ts))!;
    expect(ticket).toMatchObject({ requesterId: W.erin, requesterTeamId: W.partnerTeam, teamId: h.emu.teamId });
    expect(blockText(h.emu.message(W.triage, ticket.cardTs!)!.blocks)).toContain('(external)');
  });

  it('connects channels with /helpdesk connect, for admins only', async () => {
    h.emu.addChannel({ id: 'CBILLING', name: 'billing-help', members: [W.carol, W.ada, h.emu.botUserId] });
    await h.driver.slashCommand(W.carol, W.general, '/helpdesk', `connect <#CBILLING|billing-help> <#${W.triage}|triage>`);
    await h.driver.slashCommand(W.alice, W.general, '/helpdesk', `connect <#CBILLING|billing-help> <#${W.triage}|triage>`);
    await h.settle();
    for (const user of [W.carol, W.alice]) expect(h.emu.ephemerals({ user }).at(-1)!.text).toBe('Only workspace admins and the people in THREADDESK_ADMINS can change settings.');
    await h.driver.userSays(W.carol, 'CBILLING', 'Invoice 77 is wrong');
    await h.settle();
    expect(await allTickets(h)).toHaveLength(0);

    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect <#CBILLING|billing-help> <#${W.triage}|triage>`);
    await h.settle();
    expect(h.emu.ephemerals({ user: W.ada }).at(-1)!.text).toContain('is an intake channel');
    await h.driver.userSays(W.carol, 'CBILLING', 'Invoice 78 is wrong too');
    await h.settle();
    expect((await allTickets(h)).map((t) => t.subject)).toEqual(['Invoice 78 is wrong too']);
  });
});
