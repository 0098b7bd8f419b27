import nodemailer from 'nodemailer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/domain/ticket.js';
import { startMailRelay } from '../support/mail-relay.js';
import { blockText, postInIntake, useHarness, W, type Harness } from '../support/harness.js';

/**
 * Email as a channel, end to end: real mail sent with nodemailer to the bot's SMTP listener, the card and triage
 * thread in the Slack emulator, agents replying through the real Slack endpoint, and the reply received by a real
 * SMTP relay as the customer's mail program would get it.
 */
const MAILBOX = 'support@shop.example';
const SECRET = 'inbound-secret-0123456789';
const env: Record<string, string> = {};
let relay: Awaited<ReturnType<typeof startMailRelay>>;

beforeAll(async () => {
  relay = await startMailRelay();
  Object.assign(env, { THREADDESK_SMTP_LISTEN: '127.0.0.1:0', THREADDESK_SMTP_URL: relay.url, THREADDESK_EMAIL_INBOXES: `${MAILBOX}=${W.triage}`, THREADDESK_API_SECRET: SECRET });
});
afterAll(async () => relay.stop());

type Mail = Parameters<ReturnType<typeof nodemailer.createTransport>['sendMail']>[0];

async function mailIn(h: Harness, mail: Mail): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: h.bot.email.smtpPort!, secure: false, ignoreTLS: true });
  await transport.sendMail({ to: MAILBOX, ...mail });
  transport.close();
  await h.settle();
}

const emailTickets = async (h: Harness): Promise<Ticket[]> => {
  const rows = await h.testDb.db('tickets').where({ origin_kind: 'email' }).orderBy('number').select('id');
  return Promise.all(rows.map(async (r: { id: number }) => (await h.tickets.byId(r.id))!));
};
const texts = async (h: Harness, ticketId: number) => (await h.tickets.messages(ticketId)).map((m) => [m.authorRole, m.visibility, m.text]);
const cardText = (h: Harness, ticket: Ticket) => JSON.stringify(h.emu.message(W.triage, ticket.cardTs!)?.blocks);
const triageThread = (h: Harness, ticket: Ticket) => h.emu.thread(W.triage, ticket.cardTs!).map((m) => m.text);

async function replyFromSlack(h: Harness, ticket: Ticket, text: string): Promise<void> {
  expect((await h.driver.slashCommand(W.alice, W.general, '/ticket', `${ticket.number} reply ${text}`)).status).toBe(200);
  await h.settle();
}

describe('email as a channel', () => {
  let h: Harness;
  useHarness((started) => (h = started), { env });
  // Every case ends with a clean log: no delivery failed for good unless the case says so.
  afterEach(() => {
    const errors = h.logLines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50 && !l.includes('user unknown'));
    expect(errors).toEqual([]);
  });

  it('a mail opens a ticket whose card shows the sender, the mailbox, the subject and the text', async () => {
    relay.mails.length = 0;
    await mailIn(h, { from: '"Mia Jones" <Mia.Jones@example.com>', subject: 'Order 4821 arrived broken', text: 'Hello,\nthe vase in order 4821 arrived in pieces.\nMia', messageId: '<m1@mail.example.com>' });

    const [ticket] = await emailTickets(h);
    expect(ticket).toMatchObject({ number: 1, subject: 'Order 4821 arrived broken', requesterId: 'email:mia.jones@example.com', originKind: 'email', originSource: MAILBOX, source: 'email' });
    expect(ticket!.customerId).not.toBeNull();
    expect(await h.testDb.db('customer_identities').where({ customer_id: ticket!.customerId }).select('kind', 'value')).toEqual([{ kind: 'email', value: 'mia.jones@example.com' }]);
    const card = cardText(h, ticket!);
    expect(card).toContain('mia.jones@example.com');
    expect(card).toContain(`Email to ${MAILBOX}`);
    expect(card).toContain('arrived in pieces');
    expect(await texts(h, ticket!.id)).toEqual([['requester', 'public', 'Hello,\nthe vase in order 4821 arrived in pieces.\nMia']]);
    expect(relay.mails).toHaveLength(0); // nothing is sent back by itself
  });

  it('an agent\'s reply from Slack is mailed from the mailbox, threaded, with the agent\'s name; the customer\'s answer joins the ticket', async () => {
    relay.mails.length = 0;
    await mailIn(h, { from: 'mia@example.com', subject: 'Where is my parcel?', text: 'It has been ten days.', messageId: '<q1@mail.example.com>' });
    const [ticket] = await emailTickets(h);
    await replyFromSlack(h, ticket!, 'Sorry Mia, it ships today & arrives Friday.');

    expect(relay.mails).toHaveLength(1);
    const sent = relay.mails[0]!;
    expect(sent.envelope.to).toEqual(['mia@example.com']);
    expect(sent.parsed.from?.value[0]).toMatchObject({ address: MAILBOX, name: 'Alice Agent' });
    expect(sent.parsed.subject).toBe('Re: Where is my parcel? [#1]');
    expect(sent.parsed.inReplyTo).toBe('<q1@mail.example.com>');
    expect(sent.parsed.references).toContain('<q1@mail.example.com>');
    expect(sent.parsed.messageId).toMatch(/^<td\.[a-z2-7]{26}\.\d+@shop\.example>$/);
    expect(sent.parsed.replyTo?.value[0]?.address).toMatch(/^support\+[a-z2-7]{26}@shop\.example$/);
    expect(sent.parsed.text?.trim()).toBe('Sorry Mia, it ships today & arrives Friday.');
    expect(sent.parsed.headers.get('auto-submitted')).toBeUndefined();
    expect(triageThread(h, ticket!).join('\n')).toContain('replied to the requester');
    expect((await h.tickets.byId(ticket!.id))!.status).toBe('open');

    // The customer answers from their mail program: In-Reply-To names our mail.
    await mailIn(h, { from: 'mia@example.com', subject: 'Re: Where is my parcel? [#1]', text: 'Great, thank you for the update!', messageId: '<q2@mail.example.com>', inReplyTo: sent.parsed.messageId, references: [sent.parsed.messageId!] });
    expect(await emailTickets(h)).toHaveLength(1);
    expect((await texts(h, ticket!.id)).map((t) => t[2])).toEqual(['It has been ten days.', 'Sorry Mia, it ships today & arrives Friday.', 'Great, thank you for the update!']);
    expect(triageThread(h, ticket!).join('\n')).toContain('Great, thank you for the update!');
  });

  it('finds the ticket three ways: the reply address, References to the customer\'s own mail, and [#N] from the requester; a stranger\'s [#N] opens a new ticket', async () => {
    relay.mails.length = 0;
    await mailIn(h, { from: 'ann@example.com', subject: 'Wrong size', text: 'I got an M, I ordered an L.', messageId: '<a1@example.com>' });
    const [ticket] = await emailTickets(h);
    await replyFromSlack(h, ticket!, 'We will send an L.');
    const replyTo = relay.mails[0]!.parsed.replyTo!.value[0]!.address!;

    await mailIn(h, { from: 'ann@example.com', to: replyTo, subject: 'one more thing', text: 'Can you gift wrap it?', messageId: '<a2@example.com>' }); // the reply address alone
    await mailIn(h, { from: 'ann@example.com', subject: 'Re: Wrong size', text: 'Also the colour was off.', messageId: '<a3@example.com>', references: ['<a1@example.com>'] }); // References to her own first mail
    await mailIn(h, { from: 'ann@example.com', subject: 'Still waiting [#1]', text: 'Any news on the L?', messageId: '<a4@example.com>' }); // the tag, from the requester
    await mailIn(h, { from: 'mallory@evil.example', subject: 'Re: Wrong size [#1]', text: 'Please send the refund to my account instead.', messageId: '<x1@evil.example>' }); // a stranger's tag

    const tickets = await emailTickets(h);
    expect(tickets.map((t) => [t.number, t.requesterId])).toEqual([[1, 'email:ann@example.com'], [2, 'email:mallory@evil.example']]);
    expect((await texts(h, tickets[0]!.id)).map((t) => t[2])).toEqual(['I got an M, I ordered an L.', 'We will send an L.', 'Can you gift wrap it?', 'Also the colour was off.', 'Any news on the L?']);
    expect((await texts(h, tickets[1]!.id)).map((t) => t[2])).toEqual(['Please send the refund to my account instead.']);
  });

  it('an email ticket merged into a Slack ticket: replies go by mail while the customer writes by mail, and to the Slack thread once she writes there', async () => {
    relay.mails.length = 0;
    const slack = await postInIntake(h, W.carol, 'My parcel never arrived');
    await mailIn(h, { from: 'carol@example.com', subject: 'Parcel missing', text: 'Order 4821 has not arrived.', messageId: '<c1@mail.example.com>' });
    const [mail] = await emailTickets(h);
    await h.driver.userSays(W.alice, W.triage, `!merge ${slack.ticket.number}`, { thread_ts: mail!.cardTs! });
    await h.settle();
    expect((await h.tickets.byId(mail!.id))!.mergedIntoId).toBe(slack.ticket.id);

    // She answers her own mail thread: it joins the Slack ticket, and the agent's reply there goes back by mail.
    await mailIn(h, { from: 'carol@example.com', subject: 'Re: Parcel missing', text: 'Any news?', messageId: '<c2@mail.example.com>', inReplyTo: '<c1@mail.example.com>', references: ['<c1@mail.example.com>'] });
    expect((await h.tickets.messages(slack.ticket.id)).at(-1)).toMatchObject({ channelId: `email:${MAILBOX}`, text: 'Any news?' });
    await replyFromSlack(h, slack.ticket, 'It left our warehouse today.');
    expect(relay.mails).toHaveLength(1);
    const sent = relay.mails[0]!;
    expect(sent.envelope.to).toEqual(['carol@example.com']);
    expect(sent.parsed.text).toContain('It left our warehouse today.');
    expect(sent.parsed.inReplyTo).toBe('<c2@mail.example.com>');
    expect(sent.parsed.replyTo?.value[0]?.address).toBe(`support+${mail!.originTs}@shop.example`); // her mail thread's address
    expect(h.emu.ephemerals({ user: W.alice }).at(-1)!.text).toBe(`:outbox_tray: Reply sent to :email: carol@example.com on #${slack.ticket.number}.`);
    expect(h.emu.thread(W.help, slack.originTs).map((m) => m.text).join('\n')).not.toContain('It left our warehouse today.');

    // She writes in Slack now: the next reply goes to her Slack thread, not by mail.
    await h.driver.userSays(W.carol, W.help, 'I am here now', { thread_ts: slack.originTs });
    await h.settle();
    await h.driver.userSays(W.alice, W.triage, '!reply It arrives tomorrow.', { thread_ts: slack.ticket.cardTs! });
    await h.settle();
    expect(h.emu.thread(W.help, slack.originTs).map((m) => m.text).join('\n')).toContain('It arrives tomorrow.');
    expect(relay.mails).toHaveLength(1);
  });

  it('stores the same Message-ID once, and a guessed reply token attaches nothing', async () => {
    const mail = { from: 'bo@example.com', subject: 'Invoice', text: 'Please send me an invoice.', messageId: '<dup@example.com>' };
    await mailIn(h, mail);
    await mailIn(h, mail);
    await mailIn(h, { from: 'eve@example.com', to: 'support+aaaaaaaaaaaaaaaaaaaaaaaaaa@shop.example', subject: 'hi', text: 'Let me in', messageId: '<g1@example.com>' });
    const tickets = await emailTickets(h);
    expect(tickets.map((t) => t.requesterId)).toEqual(['email:bo@example.com', 'email:eve@example.com']);
    expect(await texts(h, tickets[0]!.id)).toHaveLength(1);
  });

  it('automated mail opens nothing and reopens nothing; an auto-reply to our mail and a bounce are internal notes on its ticket', async () => {
    relay.mails.length = 0;
    await mailIn(h, { from: 'news@brand.example', subject: 'Our autumn sale', text: 'Save 20%!', messageId: '<n1@brand.example>', headers: { 'List-Id': '<news.brand.example>', Precedence: 'bulk' } });
    await mailIn(h, { from: 'MAILER-DAEMON@mx.example', subject: 'Undelivered Mail', text: 'Something bounced', messageId: '<md1@mx.example>' });
    expect(await emailTickets(h)).toHaveLength(0);

    await mailIn(h, { from: 'kim@example.com', subject: 'Return label', text: 'I need a return label.', messageId: '<k1@example.com>' });
    const [ticket] = await emailTickets(h);
    await replyFromSlack(h, ticket!, 'Here is your label.');
    const ours = relay.mails[0]!.parsed.messageId!;
    // Kim's out-of-office answers our reply.
    await mailIn(h, { from: 'kim@example.com', subject: 'Automatic reply: Re: Return label [#1] <!here>', text: 'I am away until Monday.', messageId: '<ooo@example.com>', inReplyTo: ours, headers: { 'Auto-Submitted': 'auto-replied' } });
    const after = (await h.tickets.byId(ticket!.id))!;
    expect(after.status).toBe('open');
    const messages = await h.tickets.messages(ticket!.id);
    expect(messages.at(-1)).toMatchObject({ authorRole: 'bot', visibility: 'internal' });
    expect(relay.mails).toHaveLength(1); // never answered

    // Our reply bounces: a delivery status report carrying our Message-ID.
    const bounce = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.com>',
      `To: ${MAILBOX}`,
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <bounce1@mx.example.com>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      '',
      '--B',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--B',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.com',
      '',
      'Final-Recipient: rfc822; kim@example.com',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 <kim@example.com>: Recipient address rejected: User unknown',
      '',
      '--B',
      'Content-Type: message/rfc822',
      '',
      `Message-ID: ${ours}`,
      `From: ${MAILBOX}`,
      'To: kim@example.com',
      'Subject: Re: Return label [#1]',
      '',
      'Here is your label.',
      '--B--',
      '',
    ].join('\r\n');
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: h.bot.email.smtpPort!, secure: false, ignoreTLS: true });
    await transport.sendMail({ envelope: { from: '', to: MAILBOX }, raw: bounce });
    await h.settle();
    expect(await emailTickets(h)).toHaveLength(1);
    const note = (await h.tickets.messages(ticket!.id)).at(-1)!;
    expect(note).toMatchObject({ authorRole: 'bot', visibility: 'internal' });
    expect(note.text).toContain('could not be delivered');
    expect(note.text).toContain('kim@example.com');
    expect(triageThread(h, ticket!).join('\n')).toContain('could not be delivered');
    // The notes quote strangers' text: shown inert, never a ping.
    expect(triageThread(h, ticket!).join('\n')).toContain('An automatic mail (auto-submitted)');
    expect(triageThread(h, ticket!).join('\n')).not.toContain('<!here>');
  });

  it('HTML-only mail, other charsets and attachments: the text is readable and the files are uploaded into the triage thread', async () => {
    await mailIn(h, { from: 'lea@example.de', subject: 'Größe falsch – Rücksendung', html: '<html><body><p>Hallo,</p><p>die <b>Schuhe</b> sind zu groß.</p></body></html>', textEncoding: 'quoted-printable', messageId: '<l1@example.de>', attachments: [{ filename: 'photo.png', content: Buffer.alloc(2048, 7), contentType: 'image/png' }] });
    const [ticket] = await emailTickets(h);
    expect(ticket!.subject).toBe('Größe falsch – Rücksendung');
    const [first] = await h.tickets.messages(ticket!.id);
    expect(first!.text).toContain('die Schuhe sind zu groß.');
    expect(first!.text).not.toContain('<b>');
    expect(first!.files).toEqual([{ name: 'photo.png', mimetype: 'image/png', permalink: null }]);
    const uploads = h.emu.files({ channel: W.triage });
    expect(uploads.map((f) => [f.filename, f.threadTs])).toEqual([['photo.png', ticket!.cardTs]]);
  });

  it('a reply the relay refuses for good is shown on the ticket and to the agent; a relay that is down gets the mail once when it is back', async () => {
    relay.mails.length = 0;
    await mailIn(h, { from: 'gone@example.com', subject: 'Help', text: 'My account is locked.', messageId: '<g@example.com>' });
    await mailIn(h, { from: 'sam@example.com', subject: 'Delivery date', text: 'When will it come?', messageId: '<s@example.com>' });
    const [gone, sam] = await emailTickets(h);

    relay.refuse('gone@example.com');
    await replyFromSlack(h, gone!, 'I unlocked it.');
    expect(relay.mails).toHaveLength(0);
    expect(triageThread(h, gone!).join('\n')).toContain('could not be mailed');
    expect(h.emu.ephemerals({ user: W.alice }).map((e) => e.text).join('\n')).toContain('I unlocked it.');

    await relay.down();
    await h.driver.slashCommand(W.alice, W.general, '/ticket', `${sam!.number} reply Tomorrow before noon.`);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the worker tries and fails meanwhile
    expect(relay.mails).toHaveLength(0);
    await relay.up();
    await h.settle();
    expect(relay.mails.map((m) => m.parsed.text?.trim())).toEqual(['Tomorrow before noon.']);
    expect((await texts(h, sam!.id)).map((t) => t[2])).toEqual(['When will it come?', 'Tomorrow before noon.']);
  });

  it('POST /inbound/email takes a raw mail with the bearer secret, and refuses a wrong secret or a body that is not a mail', async () => {
    const raw = ['From: Pat <pat@example.com>', `To: ${MAILBOX}`, 'Subject: Via the provider', 'Message-ID: <p1@example.com>', 'Content-Type: text/plain; charset=utf-8', '', 'Routed by the provider.', ''].join('\r\n');
    const post = (body: string, secret: string) => fetch(`${h.botUrl}/inbound/email`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'message/rfc822' }, body });
    const wrong = await post(raw, 'not-the-secret-at-all!!!');
    expect(wrong.status).toBe(401);
    expect(await emailTickets(h)).toHaveLength(0);

    const ok = await post(raw, SECRET);
    expect(ok.status).toBe(202);
    expect(await ok.json()).toMatchObject({ ok: true, outcome: 'created', ticket: 1 });
    expect((await post(raw, SECRET)).status).toBe(202); // the provider retries: one message
    await h.settle();
    const [ticket] = await emailTickets(h);
    expect(await texts(h, ticket!.id)).toEqual([['requester', 'public', 'Routed by the provider.']]);

    const garbage = await post('\u0000\u0001 not a mail', SECRET);
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: string }).error).toMatch(/^body: /);
  });
  it('an Amazon buyer message: source amazon, the order linked, and a reply with a link or an address is stopped before sending', async () => {
    relay.mails.length = 0;
    await mailIn(h, { from: '"Jo - Amazon Marketplace" <k3x9v2mq7hd4p1s@marketplace.amazon.co.uk>', subject: 'Inquiry from Amazon customer Jo (Order: 203-1234567-1234567)', text: 'The lamp I ordered does not switch on.', messageId: '<amz1@amazon.co.uk>' });
    const [ticket] = await emailTickets(h);
    expect(ticket).toMatchObject({ originSource: 'amazon', requesterId: 'email:k3x9v2mq7hd4p1s@marketplace.amazon.co.uk' });
    expect(await h.tickets.fields(ticket!.id)).toEqual({ 'order.number': '203-1234567-1234567' });
    expect(cardText(h, ticket!)).toContain('Amazon buyer message');
    expect(cardText(h, ticket!)).toContain('`email` · `amazon`'); // the contract's kind and source

    await replyFromSlack(h, ticket!, 'Please see https://shop.example/help or write to help@shop.example');
    expect(relay.mails).toHaveLength(0);
    expect(h.emu.ephemerals({ user: W.alice }).map((e) => e.text).join('\n')).toContain('Amazon does not allow a link, an email address');
    await replyFromSlack(h, ticket!, 'Sorry about that, a new lamp is on its way.');
    expect(relay.mails.map((m) => m.envelope.to)).toEqual([['k3x9v2mq7hd4p1s@marketplace.amazon.co.uk']]);

    // Merged into a Slack ticket, the buyer's conversation keeps Amazon's rules: the reply goes to Amazon.
    const slack = await postInIntake(h, W.carol, 'Lamp question');
    await h.driver.userSays(W.alice, W.triage, `!merge ${slack.ticket.number}`, { thread_ts: ticket!.cardTs! });
    await mailIn(h, { from: '"Jo - Amazon Marketplace" <k3x9v2mq7hd4p1s@marketplace.amazon.co.uk>', subject: 'Re: Inquiry from Amazon customer Jo', text: 'Still dark.', messageId: '<amz2@amazon.co.uk>', inReplyTo: '<amz1@amazon.co.uk>' });
    await replyFromSlack(h, (await h.tickets.byId(slack.ticket.id))!, 'See https://shop.example/lamps');
    expect(h.emu.ephemerals({ user: W.alice }).at(-1)!.text).toContain('Amazon does not allow a link');
    expect(relay.mails).toHaveLength(1);
  });

  it('a Slack user and the mail sender with their profile address are one customer: the customer view lists both channels\' tickets', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect <#${W.help}|help> <#${W.triage}|triage>`);
    await postInIntake(h, W.carol, 'My monitor flickers');
    await mailIn(h, { from: 'Carol Customer <Carol@Example.com>', subject: 'Invoice for my monitor', text: 'Can I get an invoice?', messageId: '<c1@example.com>' });
    const [mailTicket] = await emailTickets(h);

    await h.driver.clickButton(W.bob, W.triage, mailTicket!.cardTs!, 'ticket_customer');
    await h.settle();
    const text = blockText(h.emu.openViews(W.bob)[0]!.view.blocks);
    expect(text).toContain('2 tickets: 2 open, 0 solved');
    expect(text).toContain('My monitor flickers');
    expect(text).toContain(`Invoice for my monitor\nnew · :e-mail: Email to ${MAILBOX}`);
    // Seen from the Slack side, the same customer, now with the Slack identity remembered.
    await h.driver.slashCommand(W.alice, W.general, '/ticket', `customer <@${W.carol}|carol>`);
    await h.settle();
    expect(blockText(h.emu.openViews(W.alice)[0]!.view.blocks)).toContain('2 tickets');
    expect(await h.testDb.db('customer_identities').where({ customer_id: mailTicket!.customerId }).orderBy('kind').select('kind', 'value')).toEqual([
      { kind: 'email', value: 'carol@example.com' },
      { kind: 'slack', value: W.carol },
    ]);
  });

  it('/helpdesk connect email connects a mailbox at run time, and /helpdesk channel lists it', async () => {
    expect((await h.driver.slashCommand(W.ada, W.general, '/helpdesk', 'connect email <mailto:orders@shop.example|orders@shop.example> <#CTRIAGE1|triage>')).status).toBe(200);
    await h.settle();
    expect(h.emu.ephemerals({ user: W.ada }).at(-1)!.text).toContain('Mail to orders@shop.example opens tickets');
    await mailIn(h, { from: 'kai@example.com', to: 'orders@shop.example', subject: 'Order change', text: 'Please change my address.', messageId: '<o1@example.com>' });
    const [ticket] = await emailTickets(h);
    expect(ticket).toMatchObject({ originChannelId: 'email:orders@shop.example', originSource: 'orders@shop.example' });
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', 'channel');
    await h.settle();
    const list = h.emu.ephemerals({ user: W.ada }).at(-1)!.text;
    expect(list).toContain(`:e-mail: orders@shop.example → <#${W.triage}>`);
    expect(list).toContain(`:e-mail: ${MAILBOX} → <#${W.triage}>`);
  });
  it('SLA targets for a mailbox: set with its address, shown on the card, breached in the triage thread, counted in /helpdesk stats', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `sla <mailto:${MAILBOX}|${MAILBOX}> all first 10m`);
    await h.settle();
    expect(h.emu.ephemerals({ user: W.ada }).at(-1)!.text).toContain(`SLA targets for :e-mail: ${MAILBOX}:`);
    await mailIn(h, { from: 'una@example.com', subject: 'Refund?', text: 'Where is my refund?', messageId: '<u1@example.com>' });
    const [ticket] = await emailTickets(h);
    expect(cardText(h, ticket!)).toContain('first reply by');

    h.clock.advance(11 * 60_000);
    await h.bot.sla.check();
    await h.bot.sla.check();
    await h.settle();
    expect(triageThread(h, ticket!).filter((t) => t.includes('breached its first reply target'))).toHaveLength(1);
    await h.driver.slashCommand(W.alice, W.general, '/helpdesk', 'stats 7d');
    await h.settle();
    const stats = h.emu.ephemerals({ user: W.alice }).at(-1)!.text;
    expect(stats).toContain('*SLA* 0% met (0 met, 1 breached, 0 running) · breaches: #1 first reply');
  });
  it('SLA per source: `sla amazon preset` gives Amazon buyer messages 24 calendar hours to a first reply, over the mailbox\'s own targets; reports show SLA by channel', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `sla ${MAILBOX} all first 10m`);
    await h.settle(); // two commands sent at once may be answered in either order: one at a time
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', 'sla amazon preset');
    await h.settle();
    expect(h.emu.ephemerals({ user: W.ada }).at(-1)!.text).toContain('SLA targets for amazon tickets:\n• *low*: first reply 24h 00m (calendar hours)');
    await mailIn(h, { from: 'buyer1@marketplace.amazon.de', subject: 'Frage zu Bestellung 302-1111111-2222222', text: 'Wann kommt die Lampe?', messageId: '<amz-de@amazon.de>' });
    await mailIn(h, { from: 'vic@example.com', subject: 'Late parcel', text: 'Still no parcel.', messageId: '<v1@example.com>' });
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect <#${W.help}|help> <#${W.triage}|triage>`);
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `sla <#${W.help}|help> all first 10m`);
    await postInIntake(h, W.carol, 'The VPN is down');

    h.clock.advance(11 * 60_000); // past the mailbox's and the channel's 10 minutes, far inside Amazon's 24 hours
    await h.bot.sla.check();
    await h.bot.sla.check();
    await h.settle();
    const [amazon, vic] = await emailTickets(h);
    expect(triageThread(h, amazon!).filter((t) => t.includes('breached'))).toEqual([]);
    expect(cardText(h, amazon!)).toContain('first reply by');
    expect(triageThread(h, vic!).filter((t) => t.includes('breached its first reply target'))).toHaveLength(1);

    await replyFromSlack(h, vic!, 'It left our warehouse today.');

    await h.driver.slashCommand(W.alice, W.general, '/helpdesk', 'stats 7d');
    await h.settle();
    const stats = h.emu.ephemerals({ user: W.alice }).at(-1)!.text;
    expect(stats).toContain('*SLA* 0% met (0 met, 2 breached, 1 running)');
    expect(stats).toContain(`*SLA by channel* <#${W.help}> 0% met (1 breached) · :e-mail: ${MAILBOX} 0% met (1 breached)`);
    // Each channel's own figures, the mailbox (two tickets) first: Vic was answered after 11 minutes.
    expect(stats).toContain(`*By intake channel* :e-mail: ${MAILBOX} 2 · <#${W.help}> 1`);
    expect(stats).toContain(`    :e-mail: ${MAILBOX}: 2 created · 0 solved · 1 unanswered · first reply median 11m · one-touch – · CSAT –\n    <#${W.help}>: 1 created · 0 solved · 1 unanswered · first reply median – · one-touch – · CSAT –`);
  });
  it('SLA per channel kind: `sla email` covers every mailbox without targets of its own; a mailbox\'s own and a Slack channel\'s stay apart', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', 'sla email all first 30m');
    await h.settle();
    expect(h.emu.ephemerals({ user: W.ada }).at(-1)!.text).toContain('SLA targets for email tickets:\n• *low*: first reply 30m (calendar hours)');
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', 'sla chat');
    await h.settle();
    expect(h.emu.ephemerals({ user: W.ada }).at(-1)!.text).toBe('No SLA targets for chat tickets. Set some: `/helpdesk sla chat high first 1h next 4h resolve 1d`.');
    await mailIn(h, { from: 'kim@example.com', subject: 'Wrong size', text: 'The jacket is too small.', messageId: '<k1@example.com>' });
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect <#${W.help}|help> <#${W.triage}|triage>`);
    const { ticket: printer } = await postInIntake(h, W.carol, 'The printer is jammed');
    const [kim] = await emailTickets(h);
    expect(cardText(h, kim!)).toContain('first reply by');

    h.clock.advance(31 * 60_000);
    await h.bot.sla.check();
    await h.settle();
    expect(triageThread(h, kim!).filter((t) => t.includes('breached its first reply target'))).toHaveLength(1);
    expect(triageThread(h, printer).filter((t) => t.includes('breached'))).toEqual([]); // no targets for Slack channels
    expect(cardText(h, printer)).not.toContain('first reply by');

    // The mailbox's own targets win over the kind's: 2 hours, not yet breached for a new mail.
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `sla ${MAILBOX} all first 2h`);
    await h.settle();
    await mailIn(h, { from: 'lou@example.com', subject: 'Refund?', text: 'Where is my refund?', messageId: '<l1@example.com>' });
    h.clock.advance(31 * 60_000);
    await h.bot.sla.check();
    await h.settle();
    const lou = (await emailTickets(h)).find((t) => t.id !== kim!.id)!;
    expect(triageThread(h, lou).filter((t) => t.includes('breached'))).toEqual([]);
    expect((await h.driver.slashCommand(W.ada, W.general, '/helpdesk', 'sla pop3 all first 1h')).status).toBe(200);
    await h.settle();
    expect(h.emu.ephemerals({ user: W.ada }).at(-1)!.text).toContain('`slack`, `email`, `chat` or `api`');
  });
  it('a long mail full of emoji still gets its card (cut to Slack\'s own count of characters)', async () => {
    await mailIn(h, { from: 'emo@example.com', subject: 'So happy 😀', text: 'Thank you 🙏🎉 '.repeat(400), messageId: '<emo@example.com>' });
    const [ticket] = await emailTickets(h);
    expect(ticket!.cardTs).not.toBeNull();
    expect(cardText(h, ticket!)).toContain('truncated');
  });
});
