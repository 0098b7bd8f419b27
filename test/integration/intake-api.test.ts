import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signature, signatureProblem } from '../../src/ingest/api/signature.js';
import { blockText, postInIntake, useHarness, W, type Harness } from '../support/harness.js';

/**
 * The intake API end to end: signed requests to the bot's real HTTP endpoint, the card in the Slack emulator,
 * and agents' replies POSTed, signed, to a real HTTP server standing in for the shop's reply URL.
 */
const SECRET = 'intake-secret-6c1f0e9b27';
const env: Record<string, string> = { THREADDESK_API_SECRET: SECRET };

interface ReplyPost {
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  signatureProblem: string | null;
}

/** The shop's side: records every reply POSTed to it, answering with the statuses it is told to, then 200. */
const shop = {
  posts: [] as ReplyPost[],
  answers: [] as number[],
  url: '',
  server: null as http.Server | null,
};

beforeAll(async () => {
  shop.server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const problem = signatureProblem(SECRET, { timestamp: req.headers['x-threaddesk-request-timestamp'] as string, signature: req.headers['x-threaddesk-signature'] as string }, raw, Date.now());
      shop.posts.push({ headers: req.headers, body: JSON.parse(raw.toString('utf8')) as Record<string, unknown>, signatureProblem: problem });
      res.writeHead(shop.answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => shop.server!.listen(0, '127.0.0.1', resolve));
  shop.url = `http://127.0.0.1:${(shop.server!.address() as AddressInfo).port}/threaddesk/replies`;
});
afterAll(async () => new Promise<void>((resolve) => shop.server!.close(() => resolve())));

/** A request signed as the SPEC says: v1=hex HMAC-SHA256("v1:<timestamp>:<raw body>"). */
async function post(h: Harness, body: unknown, options: { secret?: string; timestamp?: number; raw?: string } = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const raw = options.raw ?? JSON.stringify(body);
  const timestamp = options.timestamp ?? Math.floor(h.clock.now() / 1000);
  const response = await fetch(`${h.botUrl}/api/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-Threaddesk-Request-Timestamp': String(timestamp), 'X-Threaddesk-Signature': signature(options.secret ?? SECRET, timestamp, raw) },
    body: raw,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const message = (overrides: Record<string, unknown> = {}) => ({
  source: 'shopify-form',
  conversation_id: 'form-4471',
  message_id: 'sub-1',
  customer: { id: 'cust-88', email: 'Nora.Berg@example.com', name: 'Nora Berg' },
  subject: 'Size exchange for order 1042',
  text: 'The jacket in order 1042 is too small. Can I exchange it for an L?',
  ...overrides,
});

const apiTickets = (h: Harness) => h.testDb.db('tickets').where({ origin_kind: 'api' }).orderBy('number').select('id', 'number', 'subject', 'card_ts', 'requester_id', 'origin_source', 'customer_id');
const texts = async (h: Harness, ticketId: number) => (await h.testDb.db('messages').where({ ticket_id: ticketId }).orderBy('id')).map((m: { author_role: string; text: string }) => [m.author_role, m.text]);

async function connect(h: Harness): Promise<void> {
  expect((await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect api shopify-form <#${W.triage}|triage> <${shop.url}>`)).status).toBe(200);
  await h.settle();
}

describe('the intake API', () => {
  let h: Harness;
  useHarness((started) => (h = started), { env });

  it('/helpdesk connect api makes a source; a signed message opens a ticket whose card shows the source; a repeat is one message, a follow-up joins', async () => {
    await connect(h);
    expect(h.emu.ephemerals({ user: W.ada }).at(-1)!.text).toContain('Messages from the source `shopify-form` (POST /api/v1/messages) open tickets worked in');
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', 'channel');
    await h.settle();
    expect(h.emu.ephemerals({ user: W.ada }).at(-1)!.text).toContain(`:electric_plug: shopify-form (API) → <#${W.triage}> (replies to ${shop.url})`);

    expect(await post(h, message())).toEqual({ status: 202, json: { ticket: 1 } });
    expect(await post(h, message())).toEqual({ status: 202, json: { ticket: 1 } }); // the caller retried
    expect(await post(h, message({ message_id: 'sub-2', text: 'Also: the receipt is attached to my account.' }))).toEqual({ status: 202, json: { ticket: 1 } });
    expect(await post(h, message({ conversation_id: 'form-4472', message_id: 'sub-3', customer: { id: 'cust-91' }, subject: undefined, text: 'Do you ship to Norway?' }))).toEqual({ status: 202, json: { ticket: 2 } });
    await h.settle();

    const [nora, other] = await apiTickets(h);
    expect(nora).toMatchObject({ number: 1, subject: 'Size exchange for order 1042', requester_id: 'email:nora.berg@example.com', origin_source: 'shopify-form' });
    expect(await texts(h, nora.id)).toEqual([['requester', 'The jacket in order 1042 is too small. Can I exchange it for an L?'], ['requester', 'Also: the receipt is attached to my account.']]);
    expect(other).toMatchObject({ number: 2, subject: 'Do you ship to Norway?', requester_id: 'ext:shopify-form:cust-91' });
    // One customer, known by the form's id and by email: the same person mailing in would be the same customer.
    expect(await h.testDb.db('customer_identities').where({ customer_id: nora.customer_id }).orderBy('kind').select('kind', 'value')).toEqual([
      { kind: 'email', value: 'nora.berg@example.com' },
      { kind: 'external', value: 'shopify-form:cust-88' },
    ]);
    const card = JSON.stringify(h.emu.message(W.triage, nora.card_ts)?.blocks);
    expect(card).toContain('API · shopify-form');
    expect(card).toContain('`api` · `shopify-form`');
    expect(card).toContain('nora.berg@example.com');
    expect(card).toContain('too small');
    expect(h.emu.thread(W.triage, nora.card_ts).map((m) => m.text).join('\n')).toContain('the receipt is attached');
    expect(JSON.stringify(h.emu.message(W.triage, other.card_ts)?.blocks)).toContain(':electric_plug: shopify-form:cust-91');

    // The customer view of a customer known only by the form's id: their ticket, from the API.
    await h.driver.clickButton(W.bob, W.triage, other.card_ts, 'ticket_customer');
    await h.settle();
    const view = blockText(h.emu.openViews(W.bob)[0]!.view.blocks);
    expect(view).toContain('1 ticket');
    expect(view).toContain('Do you ship to Norway?');
    expect(view).toContain('API · shopify-form');
  });

  it('a form conversation merged into a Slack ticket: its follow-up joins that ticket, and the reply is POSTed to the form\'s conversation', async () => {
    await connect(h);
    shop.posts.length = 0;
    const slack = await postInIntake(h, W.carol, 'Exchange for order 1042?');
    await post(h, message());
    await h.settle();
    const [form] = await apiTickets(h);
    await h.driver.userSays(W.alice, W.triage, `!merge ${slack.ticket.number}`, { thread_ts: form.card_ts });
    await h.settle();
    expect(await post(h, message({ message_id: 'sub-2', text: 'Any update on the L?' }))).toEqual({ status: 202, json: { ticket: slack.ticket.number } });
    await h.settle();

    await h.driver.slashCommand(W.alice, W.general, '/ticket', `${slack.ticket.number} reply The L ships tomorrow.`);
    await h.settle();
    expect(shop.posts.map((p) => p.body)).toEqual([expect.objectContaining({ conversation_id: 'form-4471', source: 'shopify-form', ticket: slack.ticket.number, text: 'The L ships tomorrow.' })]);
    expect(h.emu.thread(W.help, slack.originTs).map((m) => m.text).join()).not.toContain('The L ships tomorrow.');
  });

  it('refuses a bad or stale signature with 401, a bad body with 400 naming the field, a body over 256 KB with 413, and stores nothing', async () => {
    await connect(h);
    expect((await post(h, message(), { secret: 'not-the-secret' })).status).toBe(401);
    const stale = await post(h, message(), { timestamp: Math.floor(h.clock.now() / 1000) - 6 * 60 });
    expect(stale).toEqual({ status: 401, json: { error: 'x-threaddesk-request-timestamp is more than 5 minutes away from now' } });
    expect(await post(h, null, { raw: '{"source":' })).toEqual({ status: 400, json: { error: 'body: not JSON' } });
    expect((await post(h, message({ customer: { email: 'not an address' } }))).json.error).toMatch(/^customer\.email: /);
    expect((await post(h, message({ customer: {} }))).json.error).toBe('customer: needs an id or an email');
    expect((await post(h, message({ message_id: undefined }))).json.error).toBe('message_id: is required (a string)');
    expect((await post(h, message({ text: '' }))).json).toEqual({ error: 'text: must not be empty' });
    expect((await post(h, message({ source: 'Shopify Form' }))).json.error).toMatch(/^source: /);
    expect((await post(h, message({ text: 'x'.repeat(300 * 1024) }))).status).toBe(413);
    await h.settle();
    expect(await apiTickets(h)).toEqual([]);
    expect(h.emu.messages(W.triage)).toHaveLength(0);
  });

  it('a source nobody connected still gets its messages in: the default triage channel takes them, and a reply says a reply URL is missing', async () => {
    expect(await post(h, message({ source: 'ebay', conversation_id: 'eb-1', message_id: 'eb-1a' }))).toEqual({ status: 202, json: { ticket: 1 } });
    await h.settle();
    const [ticket] = await apiTickets(h);
    expect(ticket).toMatchObject({ number: 1, origin_source: 'ebay' });
    expect(blockText(h.emu.message(W.triage, ticket.card_ts)!.blocks)).toContain('`api` · `ebay`');

    await h.driver.slashCommand(W.alice, W.general, '/ticket', '1 reply Your parcel left today.');
    await h.settle();
    expect(h.emu.thread(W.triage, ticket.card_ts).map((m) => m.text).join('\n')).toContain('api:ebay has no reply URL: /helpdesk connect api ebay #triage REPLY_URL');
    expect(h.emu.ephemerals({ user: W.alice }).map((e) => e.text).join('\n')).toContain('Your parcel left today.');

    // Connected afterwards with its reply URL, its replies go out.
    expect((await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect api ebay <#${W.triage}|triage> <${shop.url}>`)).status).toBe(200);
    await h.settle();
    shop.posts.length = 0;
    await h.driver.slashCommand(W.alice, W.general, '/ticket', '1 reply Tracking: 1Z999.');
    await h.settle();
    expect(shop.posts.map((p) => p.body.text)).toEqual(['Tracking: 1Z999.']);
  });

  it('an agent\'s reply is POSTed, signed, to the reply URL; a 500 is tried again (one reply, one message_id), a 400 is shown on the ticket and to the agent', async () => {
    await connect(h);
    shop.posts.length = 0;
    await post(h, message());
    await h.settle();
    const [ticket] = await apiTickets(h);

    shop.answers.push(500);
    expect((await h.driver.slashCommand(W.alice, W.general, '/ticket', '1 reply Yes Nora, an L is on its way & the label is in your inbox.')).status).toBe(200);
    await h.settle();
    await new Promise((resolve) => setTimeout(resolve, 800)); // the retry's backoff
    await h.settle();
    expect(shop.posts).toHaveLength(2);
    expect(shop.posts.map((p) => p.signatureProblem)).toEqual([null, null]);
    const untimed = (body: Record<string, unknown>) => ({ ...body, sent_at: 'when sent' });
    expect(untimed(shop.posts[0]!.body)).toEqual(untimed(shop.posts[1]!.body)); // the same reply, tried twice
    expect(shop.posts[1]!.body).toMatchObject({ ticket: 1, source: 'shopify-form', conversation_id: 'form-4471', text: 'Yes Nora, an L is on its way & the label is in your inbox.', agent: { name: 'Alice Agent' }, automatic: false });
    expect(shop.posts[0]!.body.message_id).toBe(shop.posts[1]!.body.message_id);
    expect(shop.posts[0]!.headers['x-threaddesk-delivery']).toBe(shop.posts[1]!.headers['x-threaddesk-delivery']);
    expect(await texts(h, ticket.id)).toEqual([['requester', 'The jacket in order 1042 is too small. Can I exchange it for an L?'], ['agent', 'Yes Nora, an L is on its way & the label is in your inbox.']]);
    expect(h.emu.thread(W.triage, ticket.card_ts).map((m) => m.text).join('\n')).toContain('replied to the requester');

    // The customer answers through the form: it joins the ticket.
    expect(await post(h, message({ message_id: 'sub-9', text: 'Thank you, received the label.' }))).toEqual({ status: 202, json: { ticket: 1 } });

    shop.answers.push(400);
    await h.driver.slashCommand(W.alice, W.general, '/ticket', '1 reply One more thing: keep the tags on.');
    await h.settle();
    expect(shop.posts).toHaveLength(3);
    expect(h.emu.thread(W.triage, ticket.card_ts).map((m) => m.text).join('\n')).toContain('could not be sent to the customer\'s channel: the reply URL refused it (HTTP 400)');
    expect(h.emu.ephemerals({ user: W.alice }).map((e) => e.text).join('\n')).toContain('One more thing: keep the tags on.');
    expect((await texts(h, ticket.id)).map((t) => t[1])).not.toContain('One more thing: keep the tags on.');
  });
});
