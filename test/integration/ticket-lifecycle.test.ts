import { describe, expect, it } from 'vitest';
import { createRoutingHistoryStore } from '../../src/store/routing-history-store.js';
import { blockText, postInIntake, useHarness, W, type Harness } from '../support/harness.js';

// The end of a ticket's life (SPEC "Tickets": solved → closed after a quiet period or by hand; "Metrics": spam and
// deleted tickets are left out), through Slack, the bot and the database.

const DAY = 86_400_000;
const card = (h: Harness, cardTs: string) => blockText(h.emu.message(W.triage, cardTs)!.blocks);
const thread = (h: Harness, cardTs: string) => h.emu.thread(W.triage, cardTs).map((m) => blockText(m.blocks) || m.text).join('\n');
const say = async (h: Harness, text: string, cardTs: string) => {
  await h.driver.userSays(W.alice, W.triage, text, { thread_ts: cardTs });
  await h.settle();
};
async function stats(h: Harness): Promise<string> {
  await h.driver.slashCommand(W.alice, W.general, '/helpdesk', 'stats 7d');
  await h.settle();
  return h.emu.ephemerals({ user: W.alice }).at(-1)!.text;
}

describe('closed, spam and deleted tickets', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  it('closing a solved ticket closes it for good; the quiet period closes the others by itself; a requester\'s question still opens one again', async () => {
    const { ticket: first, originTs } = await postInIntake(h, W.carol, 'The badge reader at the door is dead');
    const { ticket: second } = await postInIntake(h, W.dave, 'Can I get a second monitor?');
    await say(h, '!close', first.cardTs!); // solved first: Carol's next message is a new ticket, not a follow-up
    const { ticket: third } = await postInIntake(h, W.carol, 'The blinds in room 4 are stuck');
    for (const t of [second, third]) await say(h, '!close', t.cardTs!);
    await say(h, '!close', first.cardTs!);
    expect((await h.tickets.byId(first.id))!.status).toBe('closed');
    expect(card(h, first.cardTs!)).toContain('Closed');
    expect(thread(h, first.cardTs!)).toContain(`closed #${first.number}.`);

    // Three days later the third is reopened; four days after the solves the one still solved is closed, quietly.
    h.clock.advance(3 * DAY);
    await h.driver.userSays(W.carol, W.help, 'They are stuck again, sorry', { thread_ts: (await h.tickets.byId(third.id))!.originTs });
    await h.settle();
    expect(await h.bot.autoClose.check()).toBe(0);
    h.clock.advance(DAY + 60_000);
    expect(await h.bot.autoClose.check()).toBe(1);
    await h.settle();
    expect((await h.tickets.byId(second.id))!.status).toBe('closed');
    expect(card(h, second.cardTs!)).toContain('Closed');
    expect((await h.tickets.byId(third.id))!.status).toBe('open');
    const events = (await h.tickets.events(second.id)).map((e) => `${e.kind}:${e.toValue ?? ''}:${e.actorId ?? 'the bot'}`);
    expect(events.at(-1)).toBe('status_changed:closed:the bot');
    expect(await h.bot.autoClose.check()).toBe(0); // nothing twice
    // Learned routing learns each solve once: closing a solved ticket is not a second solve.
    const learned = await createRoutingHistoryStore(h.testDb.db).solvedAfter(0, 100);
    expect(learned.tickets.map((t) => t.ticketId).sort()).toEqual([first.id, second.id, third.id].sort());

    // The requester writes on a closed ticket: it opens again.
    await h.driver.userSays(W.carol, W.help, 'The reader died again this morning', { thread_ts: originTs });
    await h.settle();
    expect((await h.tickets.byId(first.id))!.status).toBe('open');
  });

  it('spam: closed, shown as spam, not opened by its sender\'s follow-ups, left out of reports; !reopen undoes it', async () => {
    const { ticket: spam, originTs } = await postInIntake(h, W.dave, 'Cheap followers for your channel!!! visit my site');
    await postInIntake(h, W.carol, 'The coffee machine leaks');
    expect(await stats(h)).toContain('*Tickets created* 2');

    await say(h, '!spam', spam.cardTs!);
    expect(await h.tickets.byId(spam.id)).toMatchObject({ status: 'closed', discarded: 'spam' });
    expect(card(h, spam.cardTs!)).toContain('Spam (closed, left out of reports)');
    expect(thread(h, spam.cardTs!)).toContain(`marked #${spam.number} as spam`);
    await h.driver.userSays(W.dave, W.help, 'Last chance, 50% off followers', { thread_ts: originTs });
    await h.settle();
    expect((await h.tickets.byId(spam.id))!.status).toBe('closed');
    expect((await h.tickets.messages(spam.id)).map((m) => m.text)).toContain('Last chance, 50% off followers'); // kept, not lost
    expect(await stats(h)).toContain('*Tickets created* 1');
    const again = await h.driver.slashCommand(W.alice, W.general, '/ticket', `${spam.number} spam`);
    expect(again.status).toBe(200);
    await h.settle();
    expect(h.emu.ephemerals({ user: W.alice }).at(-1)!.text).toContain('already marked as spam');

    await say(h, '!reopen', spam.cardTs!);
    expect(await h.tickets.byId(spam.id)).toMatchObject({ status: 'open', discarded: null });
    expect(await stats(h)).toContain('*Tickets created* 2');
  });

  it('a question its requester deleted before anyone answered is closed as deleted and left out; an answered one is not', async () => {
    const { ticket: taken, originTs } = await postInIntake(h, W.carol, 'Wrong channel, sorry: lunch at 12?');
    const { ticket: answered, originTs: answeredTs } = await postInIntake(h, W.dave, 'Printer on floor 3 is out of toner');
    await say(h, '!reply A new cartridge is on its way.', answered.cardTs!);

    await h.driver.deleteMessage(W.help, originTs);
    await h.driver.deleteMessage(W.help, answeredTs);
    await h.settle();
    expect(await h.tickets.byId(taken.id)).toMatchObject({ status: 'closed', discarded: 'deleted' });
    expect(card(h, taken.cardTs!)).toContain('Deleted by the requester');
    expect(thread(h, taken.cardTs!)).toContain(`The requester deleted their message before anyone answered: #${taken.number} is closed`);
    expect(await h.tickets.byId(answered.id)).toMatchObject({ status: 'open', discarded: null });
    expect(await stats(h)).toContain('*Tickets created* 1');
  });
});
