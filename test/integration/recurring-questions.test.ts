import { describe, expect, it } from 'vitest';
import { W, blockText, useHarness, type Harness } from '../support/harness.js';

// The weekly digest's "Questions that keep coming back", end to end: customers' messages come in through Slack
// (dated over five weeks, as a channel's history would be), agents answer through the bot's own commands, and the
// digest posted in #general groups the week's tickets, counts the weeks before and names how they were answered.

const DAY = 86_400_000;
const helpdesk = (h: Harness, user: string, text: string) => h.driver.slashCommand(user, W.general, '/helpdesk', text);
let sequence = 0;
/** A message `days` ago: its Slack ts says when it was written, which is when its ticket was opened. */
async function askedDaysAgo(h: Harness, user: string, days: number, text: string) {
  const ts = `${Math.floor((h.clock.now() - days * DAY) / 1000)}.${String(++sequence).padStart(6, '0')}`;
  await h.driver.userSays(user, W.help, text, { ts });
  await h.settle();
  const ticket = await h.tickets.byOrigin(W.help, ts);
  if (!ticket) throw new Error(`no ticket for "${text}"`);
  return ticket;
}

describe('questions that keep coming back (weekly digest)', () => {
  let h: Harness;
  useHarness((x) => (h = x));

  it('groups the week’s tickets by their first message, with the trend, an example linked to its card and the template used', async () => {
    await helpdesk(h, W.ada, `channel <#${W.help}|help> burst 0`);
    await helpdesk(h, W.alice, 'template add refund-status Hi {{customer.first_name}}, your refund left us today: allow 3 to 5 days.');
    await h.settle();

    // The four weeks before: the refund question once a week.
    for (const [days, text] of [[9, 'where is my refund please'], [16, 'Where is my refund? I sent the shoes back'], [23, 'refund not received, where is it'], [30, 'where is the refund for my return']] as const) {
      await askedDaysAgo(h, W.dave, days, text);
    }
    await askedDaysAgo(h, W.carol, 12, 'Do you have the jacket in blue?');

    // This week.
    const refund1 = await askedDaysAgo(h, W.carol, 5, 'Where is my refund for order 4821? It has been two weeks');
    const address1 = await askedDaysAgo(h, W.dave, 5, 'How do I change the delivery address on my order?');
    const refund2 = await askedDaysAgo(h, W.dave, 4, 'My refund has not arrived yet, where is it?');
    await askedDaysAgo(h, W.carol, 4, 'Do you ship to Iceland?');
    const address2 = await askedDaysAgo(h, W.carol, 3, 'Can I change the delivery address after ordering?');
    await askedDaysAgo(h, W.carol, 2, 'Still waiting for my refund, where is it');
    await askedDaysAgo(h, W.dave, 2, 'The zipper of my jacket broke');
    await askedDaysAgo(h, W.dave, 1, 'I need to change my delivery address');
    await askedDaysAgo(h, W.carol, 1, 'Refund not arrived after I returned the parcel, where is my refund?');

    for (const ticket of [refund1, refund2]) await h.driver.userSays(W.alice, W.triage, '!template refund-status', { thread_ts: ticket.cardTs! });
    for (const ticket of [address1, address2]) await h.driver.userSays(W.bob, W.triage, '!reply You can change it in your account under Orders.', { thread_ts: ticket.cardTs! });
    await h.settle();
    expect(Number(((await h.testDb.db('ticket_events').where({ kind: 'template_used' }).count({ n: '*' }).first()) as { n: number | string }).n)).toBe(2);

    await helpdesk(h, W.alice, `digest now <#${W.general}|general> 7d`);
    await h.settle();
    const digest = h.emu.messages(W.general).find((m) => m.text.startsWith(':bar_chart: Support digest'))!;
    const lines = blockText(digest.blocks).split('\n');
    const at = lines.findIndex((l) => l.startsWith('*Questions that keep coming back*'));
    expect(at).toBeGreaterThan(0);
    const [refund, address, after] = lines.slice(at + 1, at + 4);
    // The refund question: four this week against one a week before; the example links to its ticket's card.
    expect(refund).toMatch(/^ {2}• \*4 tickets\* · refund, .* · ▲ from 1 a week · e\.g\. <https?:\/\/[^|>]+\|#\d+> “[^”]*refund[^”]*” · answered most with template `refund-status` \(2×\)$/);
    const example = /\|#(\d+)>/.exec(refund!)![1];
    const exampleTicket = (await h.testDb.db('tickets').where({ number: Number(example) }).first()) as { card_ts: string };
    expect(refund).toContain(exampleTicket.card_ts.replace('.', ''));
    // The address question is new this week, answered twice with the same words.
    expect(address).toMatch(/^ {2}• \*3 tickets\* · .*address.* · new this week · e\.g\. <[^>]+\|#\d+> “[^”]*address[^”]*” · most given answer \(2×\): “You can change it in your account under Orders\.”$/);
    // One-off questions are not listed.
    expect(after ?? '').not.toMatch(/^ {2}•/);
    expect(blockText(digest.blocks)).not.toContain('Iceland');

    // A daily digest has no such section.
    await helpdesk(h, W.alice, `digest now <#${W.general}|general> yesterday`);
    await h.settle();
    const daily = h.emu.messages(W.general).filter((m) => m.text.startsWith(':bar_chart: Support digest'))[1]!;
    expect(blockText(daily.blocks)).not.toContain('Questions that keep coming back');
  });
});
