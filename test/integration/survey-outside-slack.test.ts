import nodemailer from 'nodemailer';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/domain/ticket.js';
import { startMailRelay } from '../support/mail-relay.js';
import { useHarness, W, type Harness } from '../support/harness.js';

/**
 * The satisfaction survey for customers who are not in Slack: by email (a link per rating, to a page of the bot's)
 * and in the chat widget. End to end: a real mail to the bot's SMTP listener, the solve from Slack, the survey
 * mail caught by a real SMTP relay, its page fetched and its form posted over HTTP, the rating in the database,
 * the low rating in the triage thread and in the CSAT report.
 */
const MAILBOX = 'support@shop.example';
const PUBLIC_URL = 'https://help.shop.example';
const env: Record<string, string> = {};
let relay: Awaited<ReturnType<typeof startMailRelay>>;

beforeAll(async () => {
  relay = await startMailRelay();
  Object.assign(env, {
    THREADDESK_SMTP_LISTEN: '127.0.0.1:0',
    THREADDESK_SMTP_URL: relay.url,
    THREADDESK_EMAIL_INBOXES: `${MAILBOX}=${W.triage}`,
    THREADDESK_PUBLIC_URL: PUBLIC_URL,
    THREADDESK_CHAT_ORIGINS: 'https://shop.example',
  });
});
afterAll(async () => relay.stop());

async function mailIn(h: Harness, mail: Parameters<ReturnType<typeof nodemailer.createTransport>['sendMail']>[0]): Promise<Ticket> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: h.bot.email.smtpPort!, secure: false, ignoreTLS: true });
  await transport.sendMail({ to: MAILBOX, ...mail });
  transport.close();
  await h.settle();
  const row = await h.testDb.db('tickets').where({ origin_kind: 'email' }).orderBy('number', 'desc').first();
  return (await h.tickets.byId(row.id))!;
}

async function ticketCommand(h: Harness, text: string): Promise<void> {
  expect((await h.driver.slashCommand(W.alice, W.general, '/ticket', text)).status).toBe(200);
  await h.settle();
}

/** The survey's links in a text, as paths on the bot (the public URL is the shop's proxy in front of it). */
const surveyLinks = (text: string) => [...text.matchAll(/https:\/\/help\.shop\.example(\/csat\?t=[a-z2-7]{26}(?:&rating=\d)?)/g)].map((m) => m[1]!);

async function get(h: Harness, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${h.botUrl}${path}`);
  return { status: res.status, body: await res.text() };
}
async function rate(h: Harness, token: string, fields: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(`${h.botUrl}/csat`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ t: token, ...fields }).toString() });
  const body = await res.text();
  await h.settle();
  return { status: res.status, body };
}
const surveyRow = (h: Harness, ticketId: number) => h.testDb.db('csat_surveys').where({ ticket_id: ticketId }).first();
const triageThread = (h: Harness, ticket: Ticket) => h.emu.thread(W.triage, ticket.cardTs!).map((m) => m.text).join('\n');

describe('the satisfaction survey outside Slack', () => {
  let h: Harness;
  useHarness((started) => (h = started), { env });

  it('by email: solving mails the customer a link per rating; opening one records nothing, the page\'s form does; a low rating and its comment reach the triage thread and the report', async () => {
    relay.mails.length = 0;
    const ticket = await mailIn(h, { from: '"Mia Jones" <mia@example.com>', subject: 'Where is my parcel?', text: 'It has been ten days.', messageId: '<p1@mail.example.com>' });
    await ticketCommand(h, `${ticket.number} assign me`);
    await ticketCommand(h, `${ticket.number} reply It ships today.`);
    await ticketCommand(h, `${ticket.number} close`);

    expect(relay.mails).toHaveLength(2);
    const survey = relay.mails[1]!;
    expect(survey.envelope.to).toEqual(['mia@example.com']);
    expect(survey.parsed.subject).toBe('Re: Where is my parcel? [#1]');
    expect(survey.parsed.inReplyTo).toBe('<p1@mail.example.com>');
    expect(survey.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    const text = survey.parsed.text!;
    expect(text).toContain('Your request #1 "Where is my parcel?" is solved. How did we do?');
    const links = surveyLinks(text);
    expect(links).toHaveLength(5);
    expect(links[1]).toMatch(/&rating=2$/);
    const token = /t=([a-z2-7]{26})/.exec(links[0]!)![1]!;
    expect(await surveyRow(h, ticket.id)).toMatchObject({ token, channel_id: `email:${MAILBOX}`, rating: null });

    // A mail scanner (or the customer) opening the "2" link: a page with 2 chosen, nothing recorded.
    const page = await get(h, links[1]!);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Your request #1 “Where is my parcel?” is solved.');
    expect(page.body).toContain('<input type="radio" name="rating" value="2" checked required>');
    expect((await surveyRow(h, ticket.id)).rating).toBeNull();

    // Bad input: refused with the field named, nothing recorded; an unknown link says the survey is not open.
    const bad = await rate(h, token, { rating: '9' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('rating: choose a number from 1 to 5');
    expect((await rate(h, 'a'.repeat(26), { rating: '5' })).status).toBe(404);
    expect((await get(h, '/csat?t=<script>')).body).not.toContain('<script>');
    expect((await surveyRow(h, ticket.id)).rating).toBeNull();

    const sent = await rate(h, token, { rating: '2', comment: 'Slow <b>courier</b>, but kind replies.' });
    expect(sent.status).toBe(200);
    expect(sent.body).toContain('Thanks for rating request #1: ⭐⭐ 2/5.');
    expect(await surveyRow(h, ticket.id)).toMatchObject({ rating: 2, comment: 'Slow <b>courier</b>, but kind replies.' });
    const thread = triageThread(h, ticket);
    expect(thread).toContain(`:warning: :email: mia@example.com rated #1 2/5. (assignee <@${W.alice}>)`);
    expect(thread).toContain('commented on their 2/5 rating of #1: Slow &lt;b&gt;courier&lt;/b&gt;, but kind replies.');
    // The page shows the comment back escaped, never as markup.
    expect((await get(h, `/csat?t=${token}`)).body).toContain('Slow &lt;b&gt;courier&lt;/b&gt;, but kind replies.');

    // She changes her mind: the latest rating counts, and the report has it (one survey sent, one answered).
    await rate(h, token, { rating: '5' });
    expect(Number((await surveyRow(h, ticket.id)).rating)).toBe(5);
    expect((await h.driver.slashCommand(W.alice, W.general, '/helpdesk', 'stats today')).status).toBe(200);
    await h.settle();
    expect(h.emu.ephemerals({ user: W.alice }).at(-1)!.text).toContain('*CSAT* 100% rated 4-5 (1 rating) · mean 5.00 · response rate 100%');

    // Solved again after she writes back: a new survey, and the old link is closed.
    await mailIn(h, { from: 'mia@example.com', subject: 'Re: Where is my parcel? [#1]', text: 'It did not arrive after all.', messageId: '<p2@mail.example.com>', inReplyTo: '<p1@mail.example.com>' });
    await ticketCommand(h, `${ticket.number} close`);
    const again = surveyLinks(relay.mails.at(-1)!.parsed.text!);
    expect(again[0]).not.toContain(token);
    expect((await get(h, `/csat?t=${token}`)).status).toBe(404);
    expect((await get(h, again[0]!)).status).toBe(200);

    // After 28 days the link takes no answer.
    await h.testDb.db('csat_surveys').where({ ticket_id: ticket.id }).update({ sent_at: Date.now() - 29 * 86_400_000 });
    const late = await rate(h, /t=([a-z2-7]{26})/.exec(again[0]!)![1]!, { rating: '1' });
    expect(late.status).toBe(410);
    expect(late.body).toContain('This survey closed 28 days after it was sent.');
    expect((await surveyRow(h, ticket.id)).rating).toBeNull();
  });

  it('an Amazon buyer is not asked (Amazon forbids it) and no survey is counted as sent', async () => {
    relay.mails.length = 0;
    const ticket = await mailIn(h, { from: '"Jo - Amazon Marketplace" <k3x9v2mq7hd4p1s@marketplace.amazon.co.uk>', subject: 'Inquiry from Amazon customer Jo (Order: 203-1234567-1234567)', text: 'The lamp does not switch on.', messageId: '<amz1@amazon.co.uk>' });
    await ticketCommand(h, `${ticket.number} reply A new lamp is on its way.`);
    await ticketCommand(h, `${ticket.number} close`);
    expect(relay.mails).toHaveLength(1); // the reply only
    expect(await surveyRow(h, ticket.id)).toBeUndefined();
  });

  it('in the chat widget: the survey is a line whose link the widget shows as rating buttons; the rating is recorded from its page', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect chat <#${W.triage}|triage>`);
    await h.settle();
    const ws = new WebSocket(`${h.botUrl.replace('http', 'ws')}/chat/socket`, { origin: 'https://shop.example' });
    const lines: { from: string; text: string }[] = [];
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; token?: string; lines?: typeof lines };
      if (message.type === 'welcome') ws.send(JSON.stringify({ type: 'send', id: 'c1', text: 'Do you ship to Norway?', page: 'https://shop.example/', email: null }));
      if (message.type === 'lines') lines.push(...message.lines!);
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ type: 'hello', token: null, since: 0 }));
    await until(() => lines.length === 1, 'her message');
    await h.settle();
    const row = await h.testDb.db('tickets').where({ origin_kind: 'chat' }).first();
    await ticketCommand(h, `${row.number} reply Yes, in 3 to 5 days.`);
    await ticketCommand(h, `${row.number} close`);
    await until(() => lines.length === 3, 'the reply and the survey');
    ws.close();

    expect(lines[2]).toMatchObject({ from: 'agent', text: expect.stringContaining(`Your request #${row.number} is solved. How did we do? Rate us from 1 (poor) to 5 (great): ${PUBLIC_URL}/csat?t=`) });
    const [link] = surveyLinks(lines[2]!.text);
    const token = /t=([a-z2-7]{26})/.exec(link!)![1]!;
    expect((await rate(h, token, { rating: '4' })).status).toBe(200);
    expect(await surveyRow(h, row.id)).toMatchObject({ channel_id: 'chat:web', rating: 4 });
    expect(triageThread(h, (await h.tickets.byId(row.id))!)).not.toContain('rated'); // 4/5 is not a low rating
  });
});

async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
