import { describe, expect, it } from 'vitest';
import { W, blockText, postInIntake, useHarness, type Harness } from '../support/harness.js';

const MIN = 60_000;
const ticketCommand = (h: Harness, user: string, text: string) => h.driver.slashCommand(user, W.general, '/ticket', text);
const helpdesk = (h: Harness, user: string, text: string) => h.driver.slashCommand(user, W.general, '/helpdesk', text);
const lastEphemeral = (h: Harness, user: string) => h.emu.ephemerals({ user }).at(-1)?.text ?? '';

describe('satisfaction survey (CSAT)', () => {
  let h: Harness;
  useHarness((x) => (h = x));

  it('asks the requester to rate a solved ticket; only their rating counts; a low rating and its comment reach the triage thread', async () => {
    const { originTs, ticket } = await postInIntake(h, W.carol, 'My invoice is wrong');
    await ticketCommand(h, W.alice, `${ticket.number} assign me`);
    await ticketCommand(h, W.alice, `${ticket.number} close`);
    await h.settle();
    const survey = h.emu.thread(W.help, originTs).find((m) => m.text.includes('How did we do'))!;
    expect(blockText(survey.blocks)).toContain('Rate us from 1 (poor) to 5 (great)');

    await h.driver.clickButton(W.dave, W.help, survey.ts, 'csat_rate_5');
    await h.settle();
    expect(lastEphemeral(h, W.dave)).toContain(`Only <@${W.carol}>, who asked, can rate`);
    expect((await h.testDb.db('csat_surveys').where({ ticket_id: ticket.id }).first()).rating).toBeNull();

    await h.driver.clickButton(W.carol, W.help, survey.ts, 'csat_rate_2');
    await h.settle();
    expect(Number((await h.testDb.db('csat_surveys').where({ ticket_id: ticket.id }).first()).rating)).toBe(2);
    expect(blockText(h.emu.message(W.help, survey.ts)!.blocks)).toContain('Thanks for rating #1: ⭐⭐ 2/5');
    const card = (await h.tickets.byId(ticket.id))!.cardTs!;
    expect(h.emu.thread(W.triage, card).map((m) => m.text).join('\n')).toContain(`<@${W.carol}> rated #1 2/5. (assignee <@${W.alice}>)`);

    const [modal] = h.emu.openViews(W.carol);
    expect(modal!.view.title.text).toBe('Thanks for rating');
    await h.driver.submitView(W.carol, modal!.id, { csat_comment_block: { csat_comment_input: 'Took <!here> three days' } });
    await h.settle();
    const triage = h.emu.thread(W.triage, card).map((m) => m.text).join('\n');
    expect(triage).toContain('commented on their 2/5 rating of #1: Took &lt;!here&gt; three days');

    // The rating can be changed: the latest counts.
    await h.driver.clickButton(W.carol, W.help, survey.ts, 'csat_rate_5');
    await h.settle();
    await helpdesk(h, W.alice, 'stats today');
    await h.settle();
    expect(lastEphemeral(h, W.alice)).toContain('*CSAT* 100% rated 4-5 (1 rating) · mean 5.00 · response rate 100%');
  });

  it('sends no survey where the channel switched surveys off', async () => {
    await helpdesk(h, W.ada, `channel <#${W.help}|help> survey off`);
    await h.settle();
    const { originTs, ticket } = await postInIntake(h, W.carol, 'Printer offline');
    await ticketCommand(h, W.alice, `${ticket.number} close`);
    await h.settle();
    expect((await h.tickets.byId(ticket.id))!.status).toBe('solved');
    expect(h.emu.thread(W.help, originTs).filter((m) => m.text.includes('How did we do'))).toHaveLength(0);
  });

  it('`close no-survey` solves without asking; `survey after 1d` asks a day after the solve, and not at all when the ticket was reopened or marked as spam by then', async () => {
    const surveys = (originTs: string) => h.emu.thread(W.help, originTs).filter((m) => m.text.includes('How did we do'));
    const quiet = await postInIntake(h, W.carol, 'Wrong channel, sorry');
    await ticketCommand(h, W.alice, `${quiet.ticket.number} close no-survey`);
    await h.settle();
    expect((await h.tickets.byId(quiet.ticket.id))!.status).toBe('solved');
    expect(h.emu.thread(W.triage, (await h.tickets.byId(quiet.ticket.id))!.cardTs!).map((m) => m.text)).toContain(`:white_check_mark: <@${W.alice}> solved #${quiet.ticket.number} (no survey).`);
    expect(surveys(quiet.originTs)).toHaveLength(0);
    expect(await h.testDb.db('csat_surveys').where({ ticket_id: quiet.ticket.id }).first()).toBeUndefined();
    await ticketCommand(h, W.alice, `${quiet.ticket.number} close please`);
    await h.settle();
    expect(lastEphemeral(h, W.alice)).toContain('`close` takes nothing, or `no-survey`');

    await helpdesk(h, W.ada, `channel <#${W.help}|help> survey after 1d`);
    await h.settle();
    await helpdesk(h, W.ada, `channel <#${W.help}|help>`);
    await h.settle();
    expect(lastEphemeral(h, W.ada)).toContain('Solved tickets ask the requester to rate 1-5 1d after the solve, unless reopened by then');
    await helpdesk(h, W.ada, `channel <#${W.help}|help> survey after 45d`);
    await h.settle();
    expect(lastEphemeral(h, W.ada)).toContain('`survey after` takes a duration up to 30 days');

    const later = await postInIntake(h, W.carol, 'Invoice missing');
    const reopened = await postInIntake(h, W.dave, 'Password reset');
    const spam = await postInIntake(h, W.erin, 'Buy followers now');
    await ticketCommand(h, W.alice, `${later.ticket.number} close`);
    await ticketCommand(h, W.alice, `${reopened.ticket.number} close`);
    await ticketCommand(h, W.alice, `${spam.ticket.number} close`);
    await h.settle();
    expect(surveys(later.originTs)).toHaveLength(0); // not yet
    const waiting = await h.testDb.db('deliveries').where({ kind: 'survey', status: 'pending' }).select('id', 'not_before', 'created_at');
    expect(waiting).toHaveLength(3);
    for (const d of waiting) expect(Number(d.not_before) - Number(d.created_at)).toBe(1440 * MIN);
    await ticketCommand(h, W.alice, `${reopened.ticket.number} reopen`);
    await ticketCommand(h, W.alice, `${spam.ticket.number} spam`); // spam found out after the solve: never asked
    await h.settle();

    // A day later (the deliveries come due).
    await h.testDb.db('deliveries').where({ kind: 'survey', status: 'pending' }).update({ not_before: Date.now() });
    await ticketCommand(h, W.alice, `${later.ticket.number} show`); // any write wakes the delivery worker
    for (let i = 0; i < 250 && surveys(later.originTs).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    await h.settle();
    expect(surveys(later.originTs)).toHaveLength(1);
    expect(await h.testDb.db('csat_surveys').where({ ticket_id: later.ticket.id }).first()).toMatchObject({ rating: null });
    expect(surveys(reopened.originTs)).toHaveLength(0);
    expect(await h.testDb.db('csat_surveys').where({ ticket_id: reopened.ticket.id }).first()).toBeUndefined();
    expect(surveys(spam.originTs)).toHaveLength(0);
    expect(await h.testDb.db('csat_surveys').where({ ticket_id: spam.ticket.id }).first()).toBeUndefined();
    expect(await h.testDb.db('deliveries').where({ kind: 'survey', status: 'pending' })).toEqual([]);
  });
});

describe('/helpdesk stats and export', () => {
  let h: Harness;
  useHarness((x) => (h = x));

  it('answers an agent with the period figures, and refuses a requester', async () => {
    const first = await postInIntake(h, W.carol, 'VPN drops every hour');
    await postInIntake(h, W.dave, 'Need a new laptop');
    await h.driver.userSays(W.alice, W.help, 'Restart the VPN client please', { thread_ts: first.originTs });
    await h.settle();
    await helpdesk(h, W.alice, 'stats today');
    await h.settle();
    const text = lastEphemeral(h, W.alice);
    expect(text).toContain('*Tickets created* 2');
    expect(text).toMatch(/\*First reply time\* median \d+s · mean \d+s · p90 \d+s · 1 unanswered/);
    expect(text).toContain(`<@${W.alice}>: 0 solved · 1 replies`);

    await helpdesk(h, W.carol, 'stats today');
    await helpdesk(h, W.alice, 'stats someday');
    await h.settle();
    expect(lastEphemeral(h, W.carol)).toContain('Only agents');
    expect(lastEphemeral(h, W.alice)).toContain('`someday` is not a period');
  });

  it('sends the asking agent a CSV of the period tickets in a direct message', async () => {
    await postInIntake(h, W.carol, '=HYPERLINK("http://evil") printer');
    await helpdesk(h, W.alice, 'export today');
    await h.settle();
    expect(lastEphemeral(h, W.alice)).toContain('I sent you the CSV of 1 ticket');
    const [file] = h.emu.files().filter((f) => f.filename.endsWith('.csv'));
    const lines = file!.bytes.toString('utf8').trim().split('\n');
    expect(lines[0]).toBe('number,created_at,channel,requester,assignee,status,priority,subject,tags,first_reply_at,first_reply_minutes,agent_replies,reopens,solved_at,resolution_minutes,csat_rating,converted,order,amount');
    expect(lines[1]).toContain(`1,`);
    expect(lines[1]).toMatch(/,no,,$/); // no order converted it
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"") printer"`);
    expect(file!.channel!.startsWith('D')).toBe(true);
  });
});

describe('digests', () => {
  let h: Harness;
  useHarness((x) => (h = x));

  it('stores schedules, posts a digest now with its chart, and posts each scheduled period once', async () => {
    await postInIntake(h, W.carol, 'Cannot log in <!channel> <https://evil.example|bank>');
    await helpdesk(h, W.ada, `digest daily <#${W.general}|general> 09:00`);
    await helpdesk(h, W.carol, `digest daily <#${W.general}|general> 10:00`);
    await helpdesk(h, W.alice, `digest daily <#${W.general}|general> 11:00`);
    await h.settle();
    expect(lastEphemeral(h, W.carol)).toBe('Only workspace admins and the people in THREADDESK_ADMINS can change settings.');
    expect(lastEphemeral(h, W.alice)).toBe('Only workspace admins and the people in THREADDESK_ADMINS can change settings.');
    await helpdesk(h, W.alice, 'digest list');
    await h.settle();
    expect(lastEphemeral(h, W.alice)).toMatch(/• `\d+` every day at 09:00 \(UTC\) in <#CGENERA1>/);

    await helpdesk(h, W.alice, `digest now <#${W.general}|general> today`);
    await h.settle();
    const posted = h.emu.messages(W.general).filter((m) => m.text.startsWith(':bar_chart: Support digest'));
    expect(posted).toHaveLength(1);
    expect(blockText(posted[0]!.blocks)).toContain('*Tickets created* 1');
    // the oldest open ticket's subject is customer text: shown inert
    expect(blockText(posted[0]!.blocks)).not.toMatch(/<!channel>|<https:\/\/evil/);
    expect(blockText(posted[0]!.blocks)).toMatch(/#1>? Cannot log in/);
    const [chart] = h.emu.files({ channel: W.general });
    expect(chart!.bytes.subarray(1, 4).toString()).toBe('PNG');

    // A scheduled firing claims its period: the second firing of the same period posts nothing.
    const [digest] = await h.bot.context.digests.list(h.emu.teamId);
    const fireAt = h.clock.now();
    expect(await h.bot.digests.fire(digest!, fireAt)).toBe('posted');
    expect(await h.bot.digests.fire(digest!, fireAt + 1000)).toBe('already');
    await h.settle();
    expect(h.emu.messages(W.general).filter((m) => m.text.startsWith(':bar_chart: Support digest'))).toHaveLength(2);
  });

  it('posts a digest missed while the bot was down when it starts, late and saying so, and only once', async () => {
    const digest = await h.bot.context.digests.add({ teamId: h.emu.teamId, channelId: W.general, frequency: 'daily', weekday: null, atTime: '00:00', createdBy: W.alice }, h.clock.now() - 3 * 86_400_000);
    await h.bot.digests.start();
    await h.bot.digests.start(); // a second instance (or restart) finds the period claimed
    await h.settle();
    const posted = h.emu.messages(W.general).filter((m) => m.text.startsWith(':bar_chart: Support digest'));
    expect(posted).toHaveLength(1);
    expect(blockText(posted[0]!.blocks)).toContain('Posted late');
    expect(await h.bot.context.digests.runs(digest.id)).toMatchObject([{ late: true }]);
  });
});

describe('SLA targets', () => {
  let h: Harness;
  useHarness((x) => (h = x));

  it('shows when the next target is due, warns the assignee once at 80%, and posts and records a breach once', async () => {
    await helpdesk(h, W.ada, `sla <#${W.help}|help> normal first 10m resolve 1d`);
    await h.settle();
    expect(lastEphemeral(h, W.ada)).toContain('*normal*: first reply 10m · resolution 24h 00m (calendar hours)');
    const { ticket } = await postInIntake(h, W.carol, 'Email bounces');
    await ticketCommand(h, W.alice, `${ticket.number} assign <@${W.bob}>`);
    await h.settle();
    const cardTs = (await h.tickets.byId(ticket.id))!.cardTs!;
    expect(blockText(h.emu.message(W.triage, cardTs)!.blocks)).toContain('first reply by');
    const thread = () => h.emu.thread(W.triage, cardTs).map((m) => m.text);

    await h.bot.sla.check();
    await h.settle();
    expect(thread().filter((t) => t.includes('target'))).toHaveLength(0);

    h.clock.advance(8.5 * MIN);
    await h.bot.sla.check();
    await h.bot.sla.check();
    await h.settle();
    expect(thread().filter((t) => t.includes('first reply target (10m) is due in'))).toEqual([expect.stringContaining(`<@${W.bob}>`)]);

    h.clock.advance(2 * MIN);
    await h.bot.sla.check();
    await h.bot.sla.check();
    await h.settle();
    expect(thread().filter((t) => t.includes('breached its first reply target'))).toHaveLength(1);
    expect(blockText(h.emu.message(W.triage, cardTs)!.blocks)).toContain('breached');
    const alerts = await h.bot.context.serviceLevels.alerts(ticket.id);
    expect(alerts.map((a) => `${a.target}:${a.kind}`)).toEqual(['first_reply:warning', 'first_reply:breach']);

    // The report counts it: one first reply target breached.
    await helpdesk(h, W.alice, 'stats 7d');
    await h.settle();
    expect(lastEphemeral(h, W.alice)).toContain('#1 first reply');
  });

  it('measures business-hours targets on the team calendar and refuses settings from requesters', async () => {
    await helpdesk(h, W.carol, `sla <#${W.help}|help> all first 1h`);
    await helpdesk(h, W.ada, 'hours UTC mon-sun 00:00-24:00');
    await h.settle();
    expect(lastEphemeral(h, W.carol)).toBe('Only workspace admins and the people in THREADDESK_ADMINS can change settings.');
    expect(lastEphemeral(h, W.ada)).toContain('Business hours of the team: UTC: mon 00:00-24:00');
    await helpdesk(h, W.ada, 'holiday add 2030-01-01');
    await h.settle(); // answers come after the ack: let this one land before the next
    await helpdesk(h, W.ada, `sla <#${W.help}|help> all first 1h business`);
    await h.settle();
    expect(lastEphemeral(h, W.ada)).toContain('*urgent*: first reply 1h 00m (business hours)');
    expect((await h.bot.context.serviceLevels.calendar(h.emu.teamId))!.calendar.holidays).toEqual(['2030-01-01']);
  });
});
