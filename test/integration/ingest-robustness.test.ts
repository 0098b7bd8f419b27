import { describe, expect, it } from 'vitest';
import { createBot } from '../../src/bot/create-bot.js';
import { RETRY_DELAYS_MS } from '../../src/bot/event-inbox.js';
import { loadConfig } from '../../src/config.js';
import { blockText, postInIntake, SIGNING_SECRET, useHarness, W, type Harness } from '../support/harness.js';

const countTickets = async (h: Harness) => Number(((await h.testDb.db('tickets').count({ n: '*' })) as { n: number }[])[0]!.n);

describe('ingest is safe against redeliveries, bots, forged requests and hostile text', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  it('answers a forged or stale signature with 401 and stores nothing', async () => {
    const envelope = JSON.stringify({
      type: 'event_callback',
      team_id: h.emu.teamId,
      api_app_id: 'A1',
      event_id: 'EvFORGED1',
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: h.emu.teamId, user_id: h.emu.botUserId, is_bot: true }],
      event: { type: 'message', user: W.carol, text: 'forged ticket', ts: '1700000000.000100', channel: W.help, channel_type: 'channel' },
    });
    const forged = await h.driver.sendSigned(envelope, 'application/json', { secret: 'not-the-secret' });
    const stale = await h.driver.sendSigned(envelope, 'application/json', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    await h.settle();
    expect(forged.status).toBe(401);
    expect(stale.status).toBe(401);
    expect(await countTickets(h)).toBe(0);
    expect(h.emu.messages(W.triage)).toHaveLength(0);
    // Refused before any listener runs, and still counted.
    expect(await (await fetch(`${h.botUrl}/metrics`)).text()).toContain('threaddesk_slack_requests_rejected_total{reason="signature"} 2');
  });

  it('ignores a replayed request (same signature and timestamp): a captured reply command posts once', async () => {
    const { originTs } = await postInIntake(h, W.carol, 'My order never arrived');
    expect((await h.driver.slashCommand(W.alice, W.general, '/ticket', '1 reply It ships today.')).status).toBe(200);
    await h.settle();
    const replay = await h.driver.replaySigned('command=%2Fticket');
    await h.settle();
    expect(replay.status).toBe(200);
    expect(h.emu.thread(W.help, originTs).map((m) => m.text)).toEqual(['It ships today.']);
    expect(h.logLines.join('')).toContain('a replayed Slack request (same signature and timestamp) was ignored');

    // A replayed event is recognised by its event_id (the inbox stores each one once): one message, one row.
    await h.driver.userSays(W.carol, W.help, 'Any news?', { thread_ts: originTs });
    await h.settle();
    const stored = await h.inboxDb('slack_inbox').count({ n: '*' });
    expect((await h.driver.replaySigned('"text":"Any news?"')).status).toBe(200);
    await h.settle();
    expect((await h.testDb.db('messages').where({ channel_id: W.help, text: 'Any news?' })).length).toBe(1);
    expect(await h.inboxDb('slack_inbox').count({ n: '*' })).toEqual(stored);
  });

  it('keeps an event it could not process in the inbox and processes it once when the store is back', async () => {
    const store = h.bot.context.useCaseDeps.tickets;
    const open = store.open;
    store.open = () => Promise.reject(new Error('database unreachable'));
    // Stored in the inbox first: Slack gets its 200 and does not retry; processing fails after the answer.
    expect((await h.driver.userSays(W.carol, W.help, 'My card was charged twice')).status).toBe(200);
    await h.settle();
    const [row] = await h.inboxDb('slack_inbox').where('body', 'like', '%charged twice%');
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'database unreachable' });
    expect(await countTickets(h)).toBe(0);

    store.open = open;
    expect(await h.bot.inbox.processDue()).toBe(0); // not before its retry delay (1 s)
    h.clock.advance(1_000);
    expect(await h.bot.inbox.processDue()).toBe(1);
    await h.settle();
    // A replay of the request (a load balancer retrying it) is the same event: not stored again.
    expect((await h.driver.replaySigned('charged twice')).status).toBe(200);
    await h.settle();
    expect((await h.testDb.db('messages').where({ text: 'My card was charged twice' })).length).toBe(1);
    expect(h.emu.messages(W.triage)).toHaveLength(1);
    expect(await h.inboxDb('slack_inbox').where('body', 'like', '%charged twice%').first('status')).toEqual({ status: 'done' });
  });

  it('gives up on an event that keeps failing after its retries, and keeps it as failed', async () => {
    const store = h.bot.context.useCaseDeps.tickets;
    store.open = () => Promise.reject(new Error('a bug that does not pass'));
    await h.driver.userSays(W.carol, W.help, 'This one cannot be stored');
    await h.settle();
    for (const delay of RETRY_DELAYS_MS) {
      h.clock.advance(delay);
      expect(await h.bot.inbox.processDue()).toBe(1);
      await h.settle();
    }
    h.clock.advance(3_600_000);
    expect(await h.bot.inbox.processDue()).toBe(0);
    const [row] = await h.inboxDb('slack_inbox').where('body', 'like', '%cannot be stored%');
    expect(row).toMatchObject({ status: 'failed', attempts: RETRY_DELAYS_MS.length + 1, last_error: 'a bug that does not pass' });
    expect(h.logLines.filter((l) => l.includes('was given up on'))).toHaveLength(1);
    expect(await (await fetch(`${h.botUrl}/healthz?details`)).json()).toMatchObject({ inbox: { pending: 0, failed: 1 } });
    expect(await (await fetch(`${h.botUrl}/metrics`)).text()).toMatch(/^threaddesk_inbox_failed 1$/m);
  });

  it('answers 503 to an event it could not store at all, and stores it once when Slack sends it again', async () => {
    await h.inboxDb.schema.renameTable('slack_inbox', 'slack_inbox_away');
    const failed = await h.driver.userSays(W.carol, W.help, 'Refund for order 5521 please');
    expect(failed.status).toBe(503); // Slack's retries (the emulator sends three) were refused as well
    await h.settle();
    await h.inboxDb.schema.renameTable('slack_inbox_away', 'slack_inbox');
    // Slack's next retry, byte for byte.
    expect((await h.driver.replaySigned('order 5521')).status).toBe(200);
    expect((await h.driver.replaySigned('order 5521')).status).toBe(200);
    await h.settle();
    expect((await h.testDb.db('messages').where({ text: 'Refund for order 5521 please' })).length).toBe(1);
    expect(h.emu.messages(W.triage)).toHaveLength(1);
  });

  // Several instances share a PostgreSQL database only (SQLite serves one process, whose memory is enough).
  it.skipIf(process.env.THREADDESK_TEST_DB !== 'postgres')('ignores a replay sent to another instance on the same database', async () => {
    const { originTs } = await postInIntake(h, W.carol, 'Where is my parcel?');
    await h.driver.slashCommand(W.alice, W.general, '/ticket', '1 reply Tomorrow morning.');
    await h.settle();
    const config = loadConfig({ SLACK_BOT_TOKEN: h.emu.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: h.emu.apiUrl, DATABASE_URL: h.testDb.url, THREADDESK_SLACK_RATE_SCALE: '1000' });
    if (!config.ok) throw new Error(config.errors.join('; '));
    const second = await createBot({ config: config.config, db: h.testDb.db, logger: h.logger, clock: h.clock, retryConfig: { retries: 0 } });
    const port = await second.start(0);
    try {
      expect((await h.driver.replaySigned('command=%2Fticket', `http://127.0.0.1:${port}/slack/events`)).status).toBe(200);
      // An event replayed to the other instance is the same event_id in the shared inbox: not stored again.
      expect((await h.driver.replaySigned('Where is my parcel?', `http://127.0.0.1:${port}/slack/events`)).status).toBe(200);
      await second.whenIdle();
      await h.settle();
      expect(h.emu.thread(W.help, originTs).map((m) => m.text)).toEqual(['Tomorrow morning.']);
      expect((await h.testDb.db('messages').where({ text: 'Where is my parcel?' })).length).toBe(1);
    } finally {
      await second.stop();
    }
  });

  it('refuses a request body over 1 MB with 413 before reading it all, and keeps working', async () => {
    const huge = JSON.stringify({ type: 'event_callback', event: { type: 'message', text: 'x'.repeat(1024 * 1024 + 1000) } });
    expect((await h.driver.sendSigned(huge, 'application/json')).status).toBe(413);
    expect(await (await fetch(`${h.botUrl}/metrics`)).text()).toContain('threaddesk_slack_requests_rejected_total{reason="too_large"} 1');
    await postInIntake(h, W.carol, 'Still there after the big one?');
    expect(await countTickets(h)).toBe(1);
  });

  it('never writes the bot token or the signing secret to the logs', async () => {
    await postInIntake(h, W.carol, `My token is ${h.emu.botToken}, please help`); // even when a customer pastes it
    await h.driver.sendSigned('{not json', 'application/json');
    await h.driver.sendSigned('{}', 'application/json', { secret: 'not-the-secret' });
    await h.driver.slashCommand(W.carol, W.general, '/ticket', '1 close'); // refused: not an agent
    await h.settle();
    const logs = h.logLines.join('');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(h.emu.botToken);
    expect(logs).not.toContain(SIGNING_SECRET);
  });

  it('answers malformed or odd requests without crashing, and keeps working', async () => {
    // Signed but not JSON: refused once with a 200 (an error status would only make Slack send it again).
    expect((await h.driver.sendSigned('{not json', 'application/json')).status).toBe(200);
    const odd = [
      { type: 'message', user: W.carol }, // no channel, no ts
      { type: 'message', subtype: 'message_changed', channel: W.help }, // no message
      { type: 'reaction_added', user: W.carol, reaction: 'ticket', item: { type: 'file', file: 'F1' } },
      { type: 'something_new', payload: 1 },
    ];
    for (const event of odd) expect((await h.driver.deliverEvent(event)).status).toBe(200);
    await h.settle();
    await h.driver.userSays(W.carol, W.help, 'Still there?');
    await h.settle();
    expect(await countTickets(h)).toBe(1);
  });

  it('makes one ticket of the same event delivered three times (Slack retries)', async () => {
    const { ts } = await h.driver.userSays(W.carol, W.help, 'Cannot log in to the portal');
    const event = { type: 'message', user: W.carol, text: 'Cannot log in to the portal', ts, channel: W.help, channel_type: 'channel', team: h.emu.teamId, event_ts: ts };
    const results = await Promise.all([1, 2, 3].map((retryNum) => h.driver.deliverEvent(event, { eventId: 'EvSAME0001', retryNum })));
    await h.settle();
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await countTickets(h)).toBe(1);
    expect(h.emu.messages(W.triage)).toHaveLength(1);
    const ticket = (await h.tickets.byOrigin(W.help, ts))!;
    expect(await h.tickets.messages(ticket.id)).toHaveLength(1);
  });

  it('makes one ticket of one message arriving as several events with different event_ids', async () => {
    await h.driver.userSays(W.carol, W.help, 'Laptop battery swells', { eventIds: 3 });
    await h.settle();
    expect(await countTickets(h)).toBe(1);
    expect(h.emu.messages(W.triage)).toHaveLength(1);
  });

  it('never makes tickets of bot messages, including its own posts echoed back', async () => {
    await h.driver.botSays('BOTHER01', W.help, 'Deploy finished: v1.2.3');
    await h.driver.botSays('BOTHER02', W.help, 'Webhook says hi', { subtype: 'bot_message' });
    const { ts } = await h.driver.userSays(W.carol, W.help, 'Need a new badge');
    await h.settle();
    await h.driver.userSays(W.alice, W.triage, '!reply Your badge is ready at reception', { thread_ts: (await h.tickets.byOrigin(W.help, ts))!.cardTs! });
    await h.settle();
    // Our card, mirror and reply posts all came back as message events with bot_id; none made a ticket.
    expect(h.emu.calls('chat.postMessage').length).toBeGreaterThanOrEqual(3);
    expect(await countTickets(h)).toBe(1);
    const ticket = (await h.tickets.byOrigin(W.help, ts))!;
    expect((await h.tickets.messages(ticket.id)).map((m) => m.authorRole)).toEqual(['requester', 'agent']);
  });

  it('ignores joins and other housekeeping subtypes', async () => {
    await h.driver.joins(W.dave, W.help);
    await h.settle();
    expect(await countTickets(h)).toBe(0);
  });

  it('shows customer text with <!channel>, <@U…> and a disguised link inert on the card and in mirrors', async () => {
    const hostile = `<!channel> urgent! ask <@${W.alice}> or log in at <https://evil.example/login|https://bank.example> &lt;b&gt;`;
    const { ts } = await h.driver.userSays(W.carol, W.help, hostile);
    await h.settle();
    await h.driver.userSays(W.carol, W.help, `<!here> <!subteam^S123|@support> <https://evil.example|click me>`, { thread_ts: ts });
    await h.settle();
    const ticket = (await h.tickets.byOrigin(W.help, ts))!;
    const cardBlocks = h.emu.message(W.triage, ticket.cardTs!)!.blocks!;
    const quoted = blockText(cardBlocks.filter((b: { type: string; text?: unknown }) => b.type === 'section' && b.text));
    expect(quoted).not.toMatch(/<!channel>|<!here>|<@UALICE01>|<https?:/);
    expect(quoted).toContain('@channel urgent!');
    expect(quoted).toContain('https://bank.example (https://evil.example/login)');
    expect(quoted).toContain('&lt;b&gt;');
    const mirror = h.emu.thread(W.triage, ticket.cardTs!).map((m) => `${m.text}\n${blockText(m.blocks)}`).join('\n');
    expect(mirror).toContain('@here');
    expect(mirror).toContain('click me (https://evil.example)');
    expect(mirror).not.toMatch(/<!here>|<!subteam|<https?:/);
  });

  it('keeps a 5,000 character message within Block Kit limits with a visible truncation marker', async () => {
    const long = `Error log follows\n${'stack frame at module.js:42 '.repeat(200)}`.slice(0, 5000);
    const { ts } = await h.driver.userSays(W.carol, W.help, long);
    await h.settle();
    const ticket = (await h.tickets.byOrigin(W.help, ts))!;
    expect(h.emu.calls('chat.postMessage').filter((c) => !c.ok)).toEqual([]);
    const card = h.emu.message(W.triage, ticket.cardTs!)!;
    for (const block of card.blocks!) if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
    expect(blockText(card.blocks)).toMatch(/… \[truncated: \d+ more characters\]/);
    expect((await h.tickets.messages(ticket.id))[0]!.text).toHaveLength(5000); // stored whole
  });
});

describe('ingest when Slack misbehaves or events race', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  it('keeps the ticket when Slack fails the card, and posts it once when Slack answers again', async () => {
    // A 500 may or may not have been processed: before posting again the bot looks for the card in the channel.
    h.emu.failNext('chat.postMessage', { status: 500, times: 2 });
    const { ts } = await h.driver.userSays(W.carol, W.help, 'Badge reader at door B is dead');
    await h.settle();
    const ticket = (await h.tickets.byOrigin(W.help, ts))!;
    expect(ticket.cardTs).not.toBeNull();
    expect(h.emu.messages(W.triage)).toHaveLength(1);
    expect(h.emu.calls().filter((c) => c.method === 'conversations.history').length).toBeGreaterThanOrEqual(1);
    expect(h.logLines.join('')).toMatch(/"level":40.*Slack delivery will be tried again/);

    await h.driver.userSays(W.carol, W.help, 'Door C too', { thread_ts: ts });
    await h.settle();
    expect(h.emu.messages(W.triage)).toHaveLength(1);
    expect(h.emu.thread(W.triage, ticket.cardTs!).map((m) => m.text).join()).toContain('Door C too');
  });

  it('tells the agent, with their text, when Slack refuses their public reply for good', async () => {
    const { originTs } = await postInIntake(h, W.carol, 'Is my order lost?');
    h.emu.failNext('chat.postMessage', { error: 'is_archived' });
    await h.driver.slashCommand(W.alice, W.general, '/ticket', '1 reply It left the warehouse today.');
    await h.settle();
    expect(h.emu.thread(W.help, originTs)).toHaveLength(0);
    expect(h.emu.ephemerals({ user: W.alice }).at(-1)?.text).toContain("Your reply to #1 could not be posted in the customer's thread (Slack said `is_archived`). Your text was:\nIt left the warehouse today.");
    expect(await h.testDb.db('messages').where({ author_role: 'agent' })).toHaveLength(0);
  });

  it('gives up on a delivery Slack refuses for good, records it, and goes on with the others', async () => {
    h.emu.failNext('chat.postMessage', { error: 'channel_not_found' });
    const { ts } = await h.driver.userSays(W.carol, W.help, 'Printer on floor 2 jams');
    await h.settle();
    const ticket = (await h.tickets.byOrigin(W.help, ts))!;
    expect(ticket.cardTs).toBeNull();
    const failed = await h.testDb.db('deliveries').where({ status: 'failed' });
    expect(failed.map((f) => [f.kind, f.last_error])).toEqual([['card', 'channel_not_found']]);
    expect(h.logLines.join('')).toMatch(/"level":50.*Slack delivery failed for good/);
    // Agents see it on their Home tab, and operators on /healthz.
    await h.driver.openHome(W.alice);
    await h.settle();
    expect(blockText(h.emu.homeView(W.alice)!.blocks)).toContain(`1 Slack post could not be delivered`);
    expect(blockText(h.emu.homeView(W.alice)!.blocks)).toContain(`card of #${ticket.number}: \`channel_not_found\``);
    expect(await (await fetch(`${h.botUrl}/healthz?details`)).json()).toMatchObject({ delivery: { failed: 1 } });

    // The ticket's later deliveries are not held up by the failed one: the next change posts the card.
    await h.driver.userSays(W.carol, W.help, 'It jams on every page', { thread_ts: ts });
    await h.settle();
    const repaired = (await h.tickets.byId(ticket.id))!;
    expect(repaired.cardTs).not.toBeNull();
    expect(h.emu.thread(W.triage, repaired.cardTs!).map((m) => m.text).join()).toContain('every page');
  });

  it('mirrors a reply sent right after the first message, before its ticket is shown', async () => {
    const { ts } = await h.driver.userSays(W.carol, W.help, 'Projector in room 7 is blank');
    await h.driver.userSays(W.carol, W.help, 'HDMI cable is fine', { thread_ts: ts });
    await h.settle();
    const ticket = (await h.tickets.byOrigin(W.help, ts))!;
    expect((await h.tickets.messages(ticket.id)).map((m) => m.text)).toEqual(['Projector in room 7 is blank', 'HDMI cable is fine']);
    expect(h.emu.messages(W.triage)).toHaveLength(1);
    expect(h.emu.thread(W.triage, ticket.cardTs!).map((m) => m.text).join()).toContain('HDMI cable is fine');
  });
});
