import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import WebSocket from 'ws';
import { createBot } from '../../src/bot/create-bot.js';
import { loadConfig } from '../../src/config.js';
import { startMailRelay } from '../support/mail-relay.js';
import { isPostgresReachable } from '../support/databases.js';
import { SIGNING_SECRET, useHarness, W, type Harness } from '../support/harness.js';

/**
 * The chat widget's socket as a program speaks it (the browser tests drive the widget itself): tokens, catch-up,
 * and a reply nobody saw going to the visitor's email address through the email channel's relay.
 */
let relay: Awaited<ReturnType<typeof startMailRelay>>;
const env: Record<string, string> = {};
beforeAll(async () => {
  relay = await startMailRelay();
  // Unseen replies are mailed after 3 s here (2 minutes by default): the outbox runs on wall time.
  Object.assign(env, { THREADDESK_CHAT_EMAIL_AFTER_SECONDS: '3', THREADDESK_CHAT_ORIGINS: 'https://shop.example', THREADDESK_SMTP_URL: relay.url, THREADDESK_SMTP_LISTEN: '127.0.0.1:0', THREADDESK_EMAIL_INBOXES: `support@shop.example=${W.triage}` });
});
afterAll(async () => relay.stop());

interface Line {
  id: number;
  from: string;
  text: string;
  agent: string | null;
}

/** A widget without the page: the socket, what it received, and a way to send. */
async function widget(h: Harness, token: string | null, since = 0, botUrl = h.botUrl, headers: Record<string, string> = {}) {
  const ws = new WebSocket(`${botUrl.replace('http', 'ws')}/chat/socket`, { origin: 'https://shop.example', headers });
  const lines: Line[] = [];
  const stored: string[] = [];
  const errors: string[] = [];
  let welcome: { token?: string } | null = null;
  const typing: boolean[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string; lines?: Line[]; token?: string; message?: string; on?: boolean; id?: string };
    if (message.type === 'welcome') welcome = message;
    if (message.type === 'stored') stored.push(message.id!);
    if (message.type === 'typing') typing.push(message.on!);
    if (message.type === 'lines') lines.push(...message.lines!);
    if (message.type === 'error') errors.push(message.message!);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify({ type: 'hello', token, since }));
  for (let i = 0; i < 250 && !welcome; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  if (!welcome) throw new Error(`the bot did not welcome the widget: ${errors.join('; ') || 'no answer in 5 s'}`);
  return {
    token: (welcome as { token?: string } | null)?.token ?? token,
    lines,
    stored,
    errors,
    typing,
    send: (id: string, text: string, email?: string) => ws.send(JSON.stringify({ type: 'send', id, text, page: 'https://shop.example/jackets', email })),
    close: () => new Promise<void>((resolve) => ws.once('close', () => resolve()).close()),
  };
}

const until = async (check: () => boolean, what: string, timeoutMs = 3_000) => {
  for (let i = 0; i < timeoutMs / 20; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
};

/** A hello without a token from `address`: how the bot answered and closed. */
async function newVisitorFrom(botUrl: string, address: string): Promise<{ error: string | null; code: number | null; welcomed: boolean }> {
  const ws = new WebSocket(`${botUrl.replace('http', 'ws')}/chat/socket`, { origin: 'https://shop.example', headers: { 'X-Forwarded-For': address } });
  let error: string | null = null;
  let welcomed = false;
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string; message?: string };
    if (message.type === 'error') error = message.message!;
    if (message.type === 'welcome') welcomed = true;
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.send(JSON.stringify({ type: 'hello', token: null, since: 0 }));
  const code = await Promise.race([closed, until(() => welcomed, 'a welcome').then(() => null, () => null)]);
  if (welcomed) ws.close();
  return { error, code, welcomed };
}

describe('the chat socket', () => {
  let h: Harness;
  useHarness((started) => (h = started), { env });

  it('a token reads only its own conversation; a reconnect with the last id gets only what came after; a forged token is a new visitor', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect chat <#${W.triage}|triage>`);
    await h.settle(); // connected before a widget says hello (else: "The chat is not set up yet")
    const ann = await widget(h, null);
    expect(ann.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
    ann.send('m1', 'Is the shop open on Sunday?');
    await until(() => ann.lines.length === 1, 'the echo of her message');
    expect(ann.lines[0]).toMatchObject({ from: 'visitor', text: 'Is the shop open on Sunday?' });
    await h.settle();
    const [ticket] = await h.testDb.db('tickets').where({ origin_kind: 'chat' }).select('card_ts', 'origin_source');
    expect(ticket.origin_source).toBe('https://shop.example/jackets');

    // An agent opens the Reply modal: the widget says someone is typing; closing it ends that.
    await h.driver.clickButton(W.alice, W.triage, ticket.card_ts, 'ticket_reply');
    await h.settle();
    await until(() => ann.typing.length === 1, 'typing…');
    await h.driver.closeView(W.alice, h.emu.openViews(W.alice)[0]!.id);
    await h.settle();
    await until(() => ann.typing.length === 2, 'no longer typing');
    expect(ann.typing).toEqual([true, false]);
    await ann.close();

    await h.driver.userSays(W.alice, W.triage, '!reply Yes, from 10 to 4.', { thread_ts: ticket.card_ts });
    await h.settle();
    const back = await widget(h, ann.token, ann.lines[0]!.id);
    await until(() => back.lines.length === 1, 'the reply after her last message');
    expect(back.lines).toEqual([expect.objectContaining({ from: 'agent', text: 'Yes, from 10 to 4.', agent: 'Alice Agent' })]);

    const bob = await widget(h, 'A'.repeat(43)); // a guessed token is nobody's: a fresh visitor with an empty conversation
    expect(bob.token).not.toBe('A'.repeat(43));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bob.lines).toEqual([]);
    await back.close();
    await bob.close();
  });

  it('a message is stored before the widget hears so: with tickets unwritable it waits in the chat inbox, sent again it is one message, and a restarted bot makes one ticket of it', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect chat <#${W.triage}|triage>`);
    await h.settle(); // connected before a widget says hello (else: "The chat is not set up yet")
    const tickets = h.bot.context.useCaseDeps.tickets;
    tickets.open = () => Promise.reject(new Error('database unreachable'));
    const lea = await widget(h, null);
    lea.send('c1', 'Where is my parcel?');
    await until(() => lea.stored.length === 1, '"stored"');
    lea.send('c1', 'Where is my parcel?'); // the widget sends it again after a reconnect
    await until(() => lea.stored.length === 2, 'the second "stored"');
    expect(lea.stored).toEqual(['c1', 'c1']);
    await h.settle();
    expect(lea.lines).toEqual([]); // not a ticket's message yet
    expect(await h.testDb.db('tickets').where({ origin_kind: 'chat' })).toEqual([]);
    const rows = await h.inboxDb('chat_inbox').select('status', 'attempts', 'last_error', 'body');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'pending', attempts: 1, last_error: 'database unreachable' });
    expect(JSON.parse(rows[0].body)).toMatchObject({ clientId: 'c1', text: 'Where is my parcel?', page: 'https://shop.example/jackets' });
    expect(await (await fetch(`${h.botUrl}/healthz?details`)).json()).toMatchObject({ chat: { pending: 1, failed: 0 } });

    // The bot stops (a deploy, a crash) with the message not yet a ticket's; the next run makes it one, once.
    await lea.close();
    await h.bot.stop();
    const config = loadConfig({ SLACK_BOT_TOKEN: h.emu.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: h.emu.apiUrl, DATABASE_URL: h.testDb.url, THREADDESK_TRIAGE_CHANNEL: W.triage, THREADDESK_SLACK_RATE_SCALE: '1000', ...env });
    if (!config.ok) throw new Error(config.errors.join('; '));
    h.clock.advance(1_000); // its retry time has come
    const next = await createBot({ config: config.config, db: h.testDb.db, logger: h.logger, clock: h.clock, retryConfig: { retries: 0 } });
    const port = await next.start(0);
    try {
      await next.whenIdle();
      await h.emu.idle();
      await next.whenIdle();
      const chatTickets = await h.testDb.db('tickets').where({ origin_kind: 'chat' }).select('id', 'card_ts');
      expect(chatTickets).toHaveLength(1);
      expect((await h.testDb.db('messages').where({ ticket_id: chatTickets[0].id })).map((m: { text: string }) => m.text)).toEqual(['Where is my parcel?']);
      expect(h.emu.messages(W.triage).filter((m) => m.ts === chatTickets[0].card_ts)).toHaveLength(1);
      expect(Number(((await h.inboxDb('chat_inbox').count({ n: '*' })) as { n: number | string }[])[0]!.n)).toBe(0);
      // Her widget, back, shows it as a line of the conversation.
      const back = await widget(h, lea.token, 0, `http://127.0.0.1:${port}`);
      await until(() => back.lines.length === 1, 'her message in the conversation');
      expect(back.lines[0]).toMatchObject({ from: 'visitor', text: 'Where is my parcel?' });
      await back.close();
    } finally {
      await next.stop();
    }
  });

  it('a reply no open widget showed in time (THREADDESK_CHAT_EMAIL_AFTER_SECONDS) is mailed to the address the visitor left; one they saw is not', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect chat <#${W.triage}|triage>`);
    await h.settle(); // connected before a widget says hello (else: "The chat is not set up yet")
    relay.mails.length = 0;
    const away = await widget(h, null);
    away.send('a1', 'Can you hold a jacket in M for me?', 'Lea@Example.com');
    await until(() => away.lines.length === 1, 'her message', 10_000);
    await away.close();
    const stays = await widget(h, null);
    stays.send('b1', 'Do you have gift cards?', 'sam@example.com');
    await until(() => stays.lines.length === 1, 'his message');
    await h.settle();
    const [lea, sam] = await h.testDb.db('tickets').where({ origin_kind: 'chat' }).orderBy('number').select('card_ts');

    const repliedAt = Date.now();
    await h.driver.userSays(W.alice, W.triage, '!reply Done: it waits for you at the counter until Friday.', { thread_ts: lea.card_ts });
    await h.driver.userSays(W.alice, W.triage, '!reply Yes, any amount from 10 euros.', { thread_ts: sam.card_ts });
    await h.settle();
    await until(() => stays.lines.length === 2, 'his reply in the open widget');

    await until(() => relay.mails.length === 1, 'the mail of the reply nobody saw', 10_000);
    expect(Date.now() - repliedAt).toBeGreaterThanOrEqual(2_900); // not before its time
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await h.settle();
    expect(relay.mails).toHaveLength(1); // Sam saw his reply: not mailed, though he left an address
    const mail = relay.mails[0]!;
    expect(mail.envelope.to).toEqual(['lea@example.com']);
    expect(mail.parsed.from?.value[0]).toMatchObject({ address: 'support@shop.example', name: 'Alice Agent' });
    expect(mail.parsed.text).toContain('Done: it waits for you at the counter until Friday.');
    expect(mail.parsed.text).toContain('https://shop.example/jackets');
    await stays.close();
  });

  it('the visitor\'s answer to that mail joins the chat ticket (not a new email ticket), and the next unseen reply is mailed in its thread', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect chat <#${W.triage}|triage>`);
    await h.settle();
    relay.mails.length = 0;
    const lea = await widget(h, null);
    lea.send('a1', 'Can you hold a jacket in M for me?', 'lea@example.com');
    await until(() => lea.lines.length === 1, 'her message', 10_000);
    await lea.close();
    await h.settle();
    const ticket = (await h.testDb.db('tickets').where({ origin_kind: 'chat' }).first('id', 'number', 'card_ts')) as { id: number; number: number; card_ts: string };
    await h.driver.userSays(W.alice, W.triage, '!reply Done: it waits for you at the counter until Friday.', { thread_ts: ticket.card_ts });
    await until(() => relay.mails.length === 1, 'the mail of the reply she did not see', 10_000);
    const first = relay.mails[0]!;
    const replyTo = first.parsed.replyTo?.value[0]?.address ?? '';
    expect(replyTo).toMatch(/^support\+[a-z2-7]{26}@shop\.example$/); // her conversation's unguessable reply address
    expect(first.parsed.messageId).toMatch(/^<td\.[a-z2-7]{26}\.\d+@shop\.example>$/);
    expect(first.parsed.subject).toBe(`Re: Can you hold a jacket in M for me? [#${ticket.number}]`);

    // She answers from her mail program: to the Reply-To, in reply to our mail.
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: h.bot.email.smtpPort!, secure: false, ignoreTLS: true });
    await transport.sendMail({ from: 'Lea <lea@example.com>', to: replyTo, subject: first.parsed.subject, text: 'Thank you! I will come on Thursday.', messageId: '<lea-1@mail.example.com>', inReplyTo: first.parsed.messageId, references: first.parsed.messageId });
    // A stranger guessing a reply address gets a ticket of their own, never into her conversation.
    await transport.sendMail({ from: 'eve@example.com', to: 'support+aaaaaaaaaaaaaaaaaaaaaaaaaa@shop.example', subject: first.parsed.subject, text: 'Please cancel the jacket.', messageId: '<eve-1@mail.example.com>' });
    transport.close();
    await h.settle();

    const messages = await h.tickets.messages(ticket.id);
    expect(messages.filter((m) => m.visibility === 'public').map((m) => [m.authorRole, m.text])).toEqual([
      ['requester', 'Can you hold a jacket in M for me?'],
      ['agent', 'Done: it waits for you at the counter until Friday.'],
      ['requester', 'Thank you! I will come on Thursday.'],
    ]);
    expect(await h.testDb.db('tickets').where({ origin_kind: 'email' }).pluck('requester_id')).toEqual(['email:eve@example.com']);
    expect(h.emu.thread(W.triage, ticket.card_ts).map((m) => m.text).join('\n')).toContain('I will come on Thursday');
    // Her widget, opened again, shows her mailed answer in the conversation.
    const back = await widget(h, lea.token, 0);
    await until(() => back.lines.length === 3, 'the conversation with her mailed answer');
    expect(back.lines.map((l) => [l.from, l.text])).toEqual([
      ['visitor', 'Can you hold a jacket in M for me?'],
      ['agent', 'Done: it waits for you at the counter until Friday.'],
      ['visitor', 'Thank you! I will come on Thursday.'],
    ]);
    await back.close();

    // The agent answers again; she is not on the page: the mail goes in the same thread, to the same address.
    await h.driver.userSays(W.alice, W.triage, '!reply See you Thursday!', { thread_ts: ticket.card_ts });
    await until(() => relay.mails.length === 2, 'the second mail', 10_000);
    const second = relay.mails[1]!;
    expect(second.parsed.inReplyTo).toBe('<lea-1@mail.example.com>');
    expect(second.parsed.replyTo?.value[0]?.address).toBe(replyTo);
    expect(second.parsed.text).toContain('See you Thursday!');
  });
});

describe('a chat merged into another ticket', () => {
  let h: Harness;
  useHarness((started) => (h = started), { env });

  it('keeps the visitor\'s conversation: the widget still shows it, new messages join the surviving ticket, and replies go to the chat while she writes there', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect chat <#${W.triage}|triage>`);
    await h.settle();
    relay.mails.length = 0;
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: h.bot.email.smtpPort!, secure: false, ignoreTLS: true });
    await transport.sendMail({ from: 'lea@example.com', to: 'support@shop.example', subject: 'My jacket order', text: 'Which size did I order?', messageId: '<lea-m1@mail.example.com>' });
    await h.settle();
    const lea = await widget(h, null);
    lea.send('c1', 'Hi, about my jacket order', 'lea@example.com');
    await until(() => lea.lines.length === 1, 'her chat message', 10_000);
    await lea.close();
    await h.settle();
    const row = async (kind: string) => (await h.testDb.db('tickets').where({ origin_kind: kind }).first('id', 'number', 'card_ts', 'status', 'merged_into_id')) as { id: number; number: number; card_ts: string; status: string; merged_into_id: number | null };
    const [email, chat] = [await row('email'), await row('chat')];
    expect((await h.driver.slashCommand(W.alice, W.general, '/ticket', `${chat.number} merge ${email.number}`)).status).toBe(200);
    await h.settle();
    expect((await row('chat')).merged_into_id).toBe(email.id);

    // Her widget, opened again, still shows her conversation (its messages now belong to the email ticket).
    const back = await widget(h, lea.token, 0);
    await until(() => back.lines.length === 1, 'her earlier chat message after the merge');
    expect(back.lines.map((l) => [l.from, l.text])).toEqual([['visitor', 'Hi, about my jacket order']]);

    // What she writes now joins the surviving ticket; the merged one stays closed.
    back.send('c2', 'Is size M still in stock?');
    await until(() => back.lines.length === 2, 'her new message');
    await h.settle();
    expect((await h.tickets.messages(email.id)).filter((m) => m.visibility === 'public').map((m) => [m.channelId, m.text])).toEqual([
      ['email:support@shop.example', 'Which size did I order?'],
      ['chat:web', 'Hi, about my jacket order'],
      ['chat:web', 'Is size M still in stock?'],
    ]);
    expect(await row('chat')).toMatchObject({ status: 'closed', merged_into_id: email.id });
    expect(await h.testDb.db('tickets').count({ n: '*' }).first()).toMatchObject({ n: 2 });
    expect(h.emu.thread(W.triage, email.card_ts).map((m) => m.text).join('\n')).toContain('Is size M still in stock?');

    // She wrote last in the chat: an agent opening the Reply modal on the surviving ticket shows as typing…
    await h.driver.clickButton(W.alice, W.triage, email.card_ts, 'ticket_reply');
    await until(() => back.typing.length === 1, 'typing…');
    await h.driver.closeView(W.alice, h.emu.openViews(W.alice)[0]!.id);
    await until(() => back.typing.length === 2, 'no longer typing');
    // … and the reply is shown in her widget, not mailed.
    await h.driver.userSays(W.alice, W.triage, '!reply Yes, M is in stock and you ordered M.', { thread_ts: email.card_ts });
    await until(() => back.lines.length === 3, 'the reply in her widget');
    expect(back.lines[2]).toMatchObject({ from: 'agent', text: 'Yes, M is in stock and you ordered M.' });
    await new Promise((resolve) => setTimeout(resolve, 3_500)); // past THREADDESK_CHAT_EMAIL_AFTER_SECONDS
    await h.settle();
    expect(relay.mails).toHaveLength(0);

    // She answers by mail this time: the next reply goes by mail, and not to the widget.
    await transport.sendMail({ from: 'lea@example.com', to: 'support@shop.example', subject: `Re: My jacket order [#${email.number}]`, text: 'Great, please send it.', messageId: '<lea-m2@mail.example.com>', inReplyTo: '<lea-m1@mail.example.com>' });
    transport.close();
    await h.settle();
    await h.driver.userSays(W.alice, W.triage, '!reply It ships today.', { thread_ts: email.card_ts });
    await h.settle();
    await until(() => relay.mails.length === 1, 'the reply by mail');
    expect(relay.mails[0]!.parsed.text).toContain('It ships today.');
    expect(relay.mails[0]!.envelope.to).toEqual(['lea@example.com']);
    expect(back.lines).toHaveLength(3);
    await back.close();
  });
});

describe('the chat socket against scripts', () => {
  let h: Harness;
  // Three new visitors an hour per address; the bot sits behind a proxy on this machine (X-Forwarded-For believed).
  useHarness((started) => (h = started), { env: { THREADDESK_CHAT_ORIGINS: 'https://shop.example', THREADDESK_CHAT_VISITORS_PER_HOUR: '3', THREADDESK_TRUST_PROXY: 'loopback' } });

  it('one address starts at most THREADDESK_CHAT_VISITORS_PER_HOUR new conversations; returning visitors and other addresses are not held back', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect chat <#${W.triage}|triage>`);
    await h.settle();
    const first = await widget(h, null, 0, h.botUrl, { 'X-Forwarded-For': '203.0.113.7' });
    for (let i = 0; i < 2; i++) expect((await newVisitorFrom(h.botUrl, '203.0.113.7')).welcomed).toBe(true);
    const refused = await newVisitorFrom(h.botUrl, '203.0.113.7');
    expect(refused).toEqual({ welcomed: false, code: 4429, error: 'Too many new conversations from your network: please try again later.' });
    expect((await newVisitorFrom(h.botUrl, '198.51.100.4')).welcomed).toBe(true); // another address
    await first.close();
    const back = await widget(h, first.token, 0, h.botUrl, { 'X-Forwarded-For': '203.0.113.7' }); // her token: she may come back
    expect(back.token).toBe(first.token);
    await back.close();
    expect(Number(((await h.testDb.db('chat_visitors').count({ n: '*' })) as { n: number | string }[])[0]!.n)).toBe(4);
  });

  it('a visitor sending more than 30 messages a minute is told to wait; the messages before are taken', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect chat <#${W.triage}|triage>`);
    await h.settle();
    const bot = await widget(h, null, 0, h.botUrl, { 'X-Forwarded-For': '192.0.2.55' });
    for (let i = 1; i <= 31; i++) bot.send(`m${i}`, `spam ${i}`);
    await until(() => bot.stored.length + bot.errors.length === 31, 'an answer to every message');
    expect(bot.stored).toHaveLength(30);
    expect(bot.errors).toEqual(['Too many messages at once: wait a minute, please.']);
    await h.settle();
    const [ticket] = await h.testDb.db('tickets').where({ origin_kind: 'chat' }).select('id');
    expect(Number(((await h.testDb.db('messages').where({ ticket_id: ticket.id }).count({ n: '*' })) as { n: number | string }[])[0]!.n)).toBe(30);
  });
});

describe.skipIf(!(await isPostgresReachable()))('the chat socket on several instances (PostgreSQL)', () => {
  let h: Harness;
  const limits = { THREADDESK_CHAT_ORIGINS: 'https://shop.example', THREADDESK_CHAT_VISITORS_PER_HOUR: '3', THREADDESK_TRUST_PROXY: 'loopback' };
  useHarness((started) => (h = started), { db: 'postgres', env: limits });

  it('counts an address\'s new conversations once across instances, not once per instance', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect chat <#${W.triage}|triage>`);
    await h.settle();
    const config = loadConfig({ SLACK_BOT_TOKEN: h.emu.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: h.emu.apiUrl, DATABASE_URL: h.testDb.url, THREADDESK_TRIAGE_CHANNEL: W.triage, ...limits });
    if (!config.ok) throw new Error(config.errors.join('; '));
    const other = await createBot({ config: config.config, db: h.testDb.db, logger: h.logger, clock: h.clock, retryConfig: { retries: 0 } });
    const otherUrl = `http://127.0.0.1:${await other.start(0)}`;
    try {
      expect((await newVisitorFrom(h.botUrl, '203.0.113.9')).welcomed).toBe(true);
      expect((await newVisitorFrom(h.botUrl, '203.0.113.9')).welcomed).toBe(true);
      expect((await newVisitorFrom(otherUrl, '203.0.113.9')).welcomed).toBe(true);
      expect(await newVisitorFrom(otherUrl, '203.0.113.9')).toMatchObject({ welcomed: false, code: 4429 });
      expect(await newVisitorFrom(h.botUrl, '203.0.113.9')).toMatchObject({ welcomed: false, code: 4429 });
      expect((await newVisitorFrom(otherUrl, '198.51.100.9')).welcomed).toBe(true); // another address
      expect(Number(((await h.testDb.db('chat_visitors').count({ n: '*' })) as { n: number | string }[])[0]!.n)).toBe(4);
    } finally {
      await other.stop();
    }
  });
});
