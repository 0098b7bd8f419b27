import { describe, expect, it } from 'vitest';
import { postInIntake, useHarness, W, type Harness } from '../support/harness.js';

/*
 * An SLA alert is claimed (recorded once, across instances) and posted in the ticket's triage thread. The claim and
 * the post are one write: the post is an outbox delivery recorded in the claim's transaction, so an alert is never
 * claimed without its post (which the delivery worker sends, again after Slack's errors) nor posted twice.
 */

const MIN = 60_000;
const helpdesk = (h: Harness, user: string, text: string) => h.driver.slashCommand(user, W.general, '/helpdesk', text);
const WARNING = 'first reply target (10m) is due in';

/** A ticket in #help under a 10-minute first reply target, assigned to Bob, with its card posted. */
async function ticketUnderTarget(h: Harness) {
  await helpdesk(h, W.ada, `sla <#${W.help}|help> normal first 10m`);
  await h.settle();
  const { ticket } = await postInIntake(h, W.carol, 'The VPN drops every hour');
  await h.driver.slashCommand(W.alice, W.general, '/ticket', `${ticket.number} assign <@${W.bob}>`);
  await h.settle();
  const cardTs = (await h.tickets.byId(ticket.id))!.cardTs!;
  return { ticket, warnings: () => h.emu.thread(W.triage, cardTs).filter((m) => m.text.includes(WARNING)) };
}

/** Makes every insert into the outbox fail, as a database refusing the write would (until `allow`). */
async function refuseOutboxWrites(h: Harness): Promise<{ allow(): Promise<void> }> {
  const db = h.testDb.db;
  if (h.testDb.schema) {
    await db.raw(`CREATE FUNCTION refuse_deliveries() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'outbox refused'; END $$ LANGUAGE plpgsql`);
    await db.raw('CREATE TRIGGER refuse_deliveries BEFORE INSERT ON deliveries FOR EACH ROW EXECUTE FUNCTION refuse_deliveries()');
    return { allow: async () => void (await db.raw('DROP TRIGGER refuse_deliveries ON deliveries'), await db.raw('DROP FUNCTION refuse_deliveries()')) };
  }
  await db.raw(`CREATE TRIGGER refuse_deliveries BEFORE INSERT ON deliveries BEGIN SELECT RAISE(ABORT, 'outbox refused'); END`);
  return { allow: async () => void (await db.raw('DROP TRIGGER refuse_deliveries')) };
}

describe('SLA alerts: claimed and posted together', () => {
  let h: Harness;
  useHarness((x) => (h = x));

  it('posts an alert Slack refused for a while once the fault is gone, and once only', async () => {
    const { ticket, warnings } = await ticketUnderTarget(h);
    const failedBefore = h.emu.calls('chat.postMessage').filter((c) => !c.ok).length;
    // Slack answers the next three posts with a 500: the post may or may not have been made, as far as the bot knows.
    h.emu.failNext('chat.postMessage', { status: 500, times: 3 });

    h.clock.advance(8.5 * MIN);
    await h.bot.sla.check();
    await h.settle(); // the delivery worker tries again (after a look for the post) until Slack takes it

    const failed = h.emu.calls('chat.postMessage').filter((c) => !c.ok).slice(failedBefore);
    expect(failed.map((c) => [c.status, String(c.args.text)])).toEqual(Array(3).fill([500, expect.stringContaining(WARNING)]));
    expect(warnings().map((m) => m.text)).toEqual([expect.stringMatching(new RegExp(`^:warning: #${ticket.number}: the first reply target \\(10m\\) is due in \\S+.* <@${W.bob}>$`))]);

    // Later checks (this instance or another) find the alert claimed: nothing is posted again.
    await h.bot.sla.check();
    await h.bot.sla.check();
    await h.settle();
    expect(warnings()).toHaveLength(1);
    expect((await h.bot.context.serviceLevels.alerts(ticket.id)).map((a) => `${a.target}:${a.kind}`)).toEqual(['first_reply:warning']);
  });

  it('does not record an alert whose post could not be recorded: the next check posts it, once', async () => {
    const { ticket, warnings } = await ticketUnderTarget(h);
    const outbox = await refuseOutboxWrites(h);

    h.clock.advance(8.5 * MIN);
    await expect(h.bot.sla.check()).rejects.toThrow(/outbox refused/);
    await h.settle();
    // Neither the claim nor the post: a claim alone would stop every later check from posting it.
    expect(await h.bot.context.serviceLevels.alerts(ticket.id)).toEqual([]);
    expect(warnings()).toEqual([]);

    await outbox.allow();
    await h.bot.sla.check();
    await h.bot.sla.check();
    await h.settle();
    expect(warnings()).toHaveLength(1);
    expect((await h.bot.context.serviceLevels.alerts(ticket.id)).map((a) => `${a.target}:${a.kind}`)).toEqual(['first_reply:warning']);
  });
});

describe('SLA alerts all at once', () => {
  let h: Harness;
  useHarness((x) => (h = x));

  it('more than ten due in one pass (targets new to an old backlog) make one post in the channel, each person mentioned once, instead of a post per ticket', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `channel <#${W.help}|help> burst 0`);
    const tickets = [];
    for (let i = 1; i <= 12; i++) tickets.push((await postInIntake(h, W.carol, `Printer ${i} is jammed`)).ticket);
    for (const t of tickets.slice(0, 7)) await h.driver.slashCommand(W.alice, W.general, '/ticket', `${t.number} assign <@${W.bob}>`);
    h.clock.advance(30 * MIN);
    await helpdesk(h, W.ada, `sla <#${W.help}|help> normal first 10m`); // the targets come after the backlog
    await h.settle();
    const postsBefore = h.emu.calls('chat.postMessage').length;

    await h.bot.sla.check();
    await h.settle();
    const summaries = h.emu.messages(W.triage).filter((m) => m.text.includes('SLA alerts at once'));
    expect(summaries).toHaveLength(1);
    const text = summaries[0]!.text;
    expect(text).toContain(':rotating_light: 12 SLA alerts at once');
    expect(text.split(`<@${W.bob}>`)).toHaveLength(2); // Bob is mentioned once, for his seven tickets
    const bobs = tickets.slice(0, 7).map((t) => `#${t.number}`).join(', ');
    const unassigned = tickets.slice(7).map((t) => `#${t.number}`).join(', ');
    expect(text).toContain(`• <@${W.bob}>: ${bobs} breached its first reply target (10m)`);
    expect(text).toContain(`• nobody is assigned: ${unassigned} breached its first reply target (10m)`);
    for (const t of tickets) expect(h.emu.thread(W.triage, (await h.tickets.byId(t.id))!.cardTs!).map((m) => m.text).join()).not.toContain('breached');
    expect(h.emu.calls('chat.postMessage').length - postsBefore).toBe(1);
    expect(Number(((await h.testDb.db('sla_alerts').where({ kind: 'breach' }).count({ n: '*' })) as { n: number | string }[])[0]!.n)).toBe(12);

    // Recorded: the next passes post nothing more.
    await h.bot.sla.check();
    await h.settle();
    expect(h.emu.calls('chat.postMessage').length - postsBefore).toBe(1);
  });
});
