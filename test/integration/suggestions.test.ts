import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockText, postInIntake, useHarness, W, type Harness } from '../support/harness.js';

const root = path.resolve(import.meta.dirname, '../..');

type View = { blocks: { block_id?: string; type: string; element?: { initial_value?: string } }[]; private_metadata: string };
const replyBox = (view: View) => view.blocks.find((b) => b.block_id?.startsWith('reply_text'))!;
const sendChoice = { reply_after: { reply_after_choice: { type: 'radio_buttons', selected_option: { value: 'nothing' } } } };

const REFUND = 'Hi Carol, sorry it arrived broken! I have refunded order 48213 in full; it shows on your card within 5 days.';
const PASSWORD = 'You can set a new password at https://shop.example/account/reset and then sign in again.';

/** Carol's past tickets, answered by Alice in their triage threads: two breakages, one password. */
async function history(h: Harness): Promise<void> {
  // Every message of Carol's opens its own ticket (no joining of her messages within 5 minutes).
  await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `channel <#${W.help}|help> burst 0`);
  await h.settle();
  for (const [question, answer] of [
    ['My teapot arrived broken, can I get a refund? Order 48213', REFUND],
    ['The vase in order 48213 is broken, I want a refund please', REFUND],
    ['I forgot my password and cannot log in to my account', PASSWORD],
  ] as const) {
    const { ticket } = await postInIntake(h, W.carol, question);
    await h.driver.userSays(W.alice, W.triage, `!reply ${answer}`, { thread_ts: ticket.cardTs! });
    await h.settle();
  }
}

describe('suggested replies (Suggest)', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  it('opens the Reply modal with the best past answer for this customer, a hole named until its order is known', async () => {
    await history(h);
    const { originTs, ticket } = await postInIntake(h, W.dave, 'My mug came broken in the parcel. Refund please?');
    expect(blockText(h.emu.message(W.triage, ticket.cardTs!)!.blocks).split('\n')).toContain('Suggest');
    await h.driver.clickButton(W.bob, W.triage, ticket.cardTs!, 'ticket_suggest');
    await h.settle();
    const [opened] = h.emu.openViews(W.bob);
    const view = opened!.view as View;
    // Carol's name and order became snippets: Dave is greeted, the order he did not name is a hole to fill
    expect(replyBox(view).element!.initial_value).toBe('Hi Dave, sorry it arrived broken! I have refunded order {{order.number}} in full; it shows on your card within 5 days.');
    const text = blockText(view.blocks);
    expect(text).toContain('Suggested replies');
    expect(text).toContain('1. past reply');
    expect(text).toContain('Fill in `{{order.number}}` before sending');
    // sending it as it is is refused in the modal, nothing reaches Dave
    const refused = await h.driver.submitView(W.bob, opened!.id, { [replyBox(view).block_id!]: { reply_text_input: replyBox(view).element!.initial_value! }, ...sendChoice });
    await h.settle();
    expect(refused.json).toMatchObject({ response_action: 'errors', errors: { [replyBox(view).block_id!]: 'Fill in {{order.number}} first: the customer would see it as it is.' } });
    expect(h.emu.thread(W.help, originTs)).toHaveLength(0);
    await h.driver.closeView(W.bob, opened!.id);

    // with the order named, the suggestion is complete
    await h.driver.userSays(W.bob, W.triage, '!order 51000', { thread_ts: ticket.cardTs! });
    await h.settle();
    await h.driver.clickButton(W.bob, W.triage, ticket.cardTs!, 'ticket_suggest');
    await h.settle();
    const [again] = h.emu.openViews(W.bob);
    const box = replyBox(again!.view as View);
    expect(box.element!.initial_value).toBe('Hi Dave, sorry it arrived broken! I have refunded order 51000 in full; it shows on your card within 5 days.');
    await h.driver.submitView(W.bob, again!.id, { [box.block_id!]: { reply_text_input: box.element!.initial_value! }, ...sendChoice });
    await h.settle();
    expect(h.emu.thread(W.help, originTs).map((m) => m.text)).toEqual([box.element!.initial_value]);
    // what the agent sent teaches the ranking
    const feedback = await h.testDb.db('suggestion_feedback').select('answer_key', 'sent');
    expect(feedback).toHaveLength(1);
    expect(feedback[0]).toMatchObject({ sent: 1 });
  });

  it('offers the others one click away, and ranks the password answer first for a password question', async () => {
    await history(h);
    const { originTs, ticket } = await postInIntake(h, W.dave, 'Cannot log in, I think I forgot my password');
    await h.driver.slashCommand(W.alice, W.general, '/ticket', `${ticket.number} suggest`);
    await h.settle();
    const [opened] = h.emu.openViews(W.alice);
    expect(replyBox(opened!.view as View).element!.initial_value).toBe(PASSWORD);
    expect(blockText(opened!.view.blocks)).toContain('2. past reply');
    await h.driver.clickViewButton(W.alice, opened!.id, 'reply_suggestion_pick', { value: '1' });
    await h.settle();
    expect(h.emu.calls('views.update').filter((c) => !c.ok)).toEqual([]);
    const [picked] = h.emu.openViews(W.alice);
    const box = replyBox(picked!.view as View);
    expect(box.element!.initial_value).toContain('sorry it arrived broken');
    await h.driver.submitView(W.alice, picked!.id, { [box.block_id!]: { reply_text_input: 'Let me check your account first.' }, ...sendChoice });
    await h.settle();
    expect(h.emu.thread(W.help, originTs).map((m) => m.text)).toEqual(['Let me check your account first.']);
    // an answer written by hand is not counted as a suggestion sent
    expect(Number((await h.testDb.db('suggestion_feedback').count({ n: '*' }).first())!.n)).toBe(0);
  });

  it('!suggest in the thread shows the best suggestion and a button that opens it; requesters get nothing', async () => {
    await history(h);
    const { ticket } = await postInIntake(h, W.dave, 'The plate is broken, refund?');
    await h.driver.userSays(W.alice, W.triage, '!suggest', { thread_ts: ticket.cardTs! });
    await h.settle();
    const offer = h.emu.ephemerals({ user: W.alice }).at(-1)!;
    expect(offer.text).toContain(`Suggested reply for #${ticket.number} (past reply)`);
    expect(offer.text).toContain('\n> Hi Dave, sorry it arrived broken! I have refunded order {{order.number}}');
    await h.driver.clickButton(W.alice, W.triage, offer.ts, 'suggest_open_reply');
    await h.settle();
    expect(h.emu.openViews(W.alice)).toHaveLength(1);

    await h.driver.clickButton(W.carol, W.triage, ticket.cardTs!, 'ticket_suggest');
    await h.settle();
    expect(h.emu.openViews(W.carol)).toHaveLength(0);
    expect(h.emu.ephemerals({ user: W.carol }).at(-1)!.text).toContain('Only agents');
  });

  it('learns a reply as soon as it is sent, ranks a matching template, and says so when nothing fits', async () => {
    const { ticket: first } = await postInIntake(h, W.dave, 'Do you ship to Norway?');
    await h.driver.userSays(W.alice, W.triage, '!suggest', { thread_ts: first.cardTs! });
    await h.settle();
    expect(h.emu.ephemerals({ user: W.alice }).at(-1)!.text).toContain('No suggestion for #1 yet');
    await h.driver.userSays(W.alice, W.triage, '!reply Yes, we ship to Norway: 5 to 7 days, customs included.', { thread_ts: first.cardTs! });
    await h.driver.userSays(W.alice, W.triage, '!close', { thread_ts: first.cardTs! });
    await h.settle();
    await h.driver.slashCommand(W.alice, W.general, '/helpdesk', 'template add gift-wrap Hi {{customer.first_name}}, we gift wrap any order for free: tick "gift" at checkout.');
    await h.settle();

    const { ticket } = await postInIntake(h, W.carol, 'Can you ship my order to Norway, and gift wrap it?');
    await h.driver.clickButton(W.alice, W.triage, ticket.cardTs!, 'ticket_suggest');
    await h.settle();
    const text = blockText(h.emu.openViews(W.alice)[0]!.view.blocks);
    expect(text).toContain('Yes, we ship to Norway: 5 to 7 days, customs included.');
    expect(text).toContain('template gift-wrap');
    expect(text).toContain('Hi Carol, we gift wrap any order for free');
  });

  it('threaddesk suggest --ticket N prints the same suggestions from the database', async () => {
    if (h.testDb.schema) return; // the command line reaches PostgreSQL by DATABASE_URL only (no test schema)
    await history(h);
    const { ticket } = await postInIntake(h, W.dave, 'My bowl arrived broken, can I have a refund?');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'suggest', '--ticket', String(ticket.number), '--format', 'json'], { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), DATABASE_URL: h.testDb.url }, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const printed = JSON.parse(run.stdout) as { ticket: number; suggestions: { text: string; source: string; score: number }[] };
    expect(printed.ticket).toBe(ticket.number);
    expect(printed.suggestions[0]).toMatchObject({ source: 'reply', text: 'Hi {{customer.first_name}}, sorry it arrived broken! I have refunded order {{order.number}} in full; it shows on your card within 5 days.' });
    expect(printed.suggestions.map((s) => s.score)).toEqual([...printed.suggestions.map((s) => s.score)].sort((a, b) => b - a));
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'suggest', '--ticket', 'x'], { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), DATABASE_URL: h.testDb.url }, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('threaddesk: suggest needs --ticket N (a ticket number)');
  });
});
