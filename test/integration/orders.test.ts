import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { signature } from '../../src/ingest/api/signature.js';
import { blockText, postInIntake, useHarness, W, type Harness } from '../support/harness.js';

/**
 * The shops' order webhooks end to end: real Shopify and WooCommerce payloads (test/fixtures/orders, shapes from
 * their documentation and sources) posted with real signatures to the bot's HTTP endpoint, stored in the order
 * inbox, recorded in the database, and linked to the customer who wrote in before or after.
 */
const SHOPIFY_SECRET = 'shpss_7d1f44a9c0b2e8f31a6c';
const WOO_SECRET = 'wc-secret&amp;42'; // as WordPress stores "wc-secret&42": it signs with the decoded one
const API_SECRET = 'orders-api-secret-5b1c9e2f';
const env = { SHOPIFY_WEBHOOK_SECRET: SHOPIFY_SECRET, WOOCOMMERCE_WEBHOOK_SECRET: WOO_SECRET, THREADDESK_API_SECRET: API_SECRET };

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/orders');
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
const hmac64 = (secret: string, raw: string) => createHmac('sha256', secret).update(raw).digest('base64');

async function shopify(h: Harness, topic: string, body: unknown, options: { webhookId?: string | null; secret?: string; raw?: string } = {}) {
  const raw = options.raw ?? JSON.stringify(body);
  const response = await fetch(`${h.botUrl}/webhooks/shopify`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'X-Shopify-Topic': topic,
      'X-Shopify-Hmac-Sha256': hmac64(options.secret ?? SHOPIFY_SECRET, raw),
      'X-Shopify-Shop-Domain': 'linen-and-loom.myshopify.com',
      ...(options.webhookId === null ? {} : { 'X-Shopify-Webhook-Id': options.webhookId ?? `wh-${topic}-${raw.length}` }),
      'X-Shopify-API-Version': '2026-10',
      'X-Shopify-Triggered-At': new Date().toISOString(),
    },
    body: raw,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function woo(h: Harness, body: unknown, options: { deliveryId?: string; secret?: string } = {}) {
  const raw = JSON.stringify(body).replace(/\//g, '\\/'); // wp_json_encode escapes slashes: the signature is over these bytes
  const response = await fetch(`${h.botUrl}/webhooks/woocommerce`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'X-WC-Webhook-Source': 'https://trail-shop.example/',
      'X-WC-Webhook-Topic': 'order.created',
      'X-WC-Webhook-Resource': 'order',
      'X-WC-Webhook-Event': 'created',
      'X-WC-Webhook-Signature': hmac64(options.secret ?? 'wc-secret&42', raw),
      'X-WC-Webhook-ID': '17',
      'X-WC-Webhook-Delivery-ID': options.deliveryId ?? '901',
    },
    body: raw,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function apiOrder(h: Harness, body: unknown) {
  const raw = JSON.stringify(body);
  const timestamp = Math.floor(h.clock.now() / 1000);
  const response = await fetch(`${h.botUrl}/api/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-Threaddesk-Request-Timestamp': String(timestamp), 'X-Threaddesk-Signature': signature(API_SECRET, timestamp, raw) },
    body: raw,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const orders = (h: Harness) => h.testDb.db('orders').orderBy('id').select('source', 'external_id', 'number', 'customer_id', 'email', 'phone', 'customer_ref', 'currency', 'total_minor', 'refunded_minor', 'status', 'cancelled_at', 'created_at', 'items');
const inboxRows = async (h: Harness) => Number(((await h.inboxDb('order_inbox').count({ n: '*' })) as { n: number | string }[])[0]!.n);

describe('order webhooks', () => {
  let h: Harness;
  useHarness((started) => (h = started), { env });

  it('Shopify: a signed orders/create is stored once (a replayed webhook id too), refunds and a cancellation follow; a bad signature stores nothing; a bad body gets 400 naming the field', async () => {
    const created = fixture('shopify-orders-create.json');
    expect(await shopify(h, 'orders/create', created, { webhookId: 'b54557e4-0001' })).toEqual({ status: 200, json: { ok: true } });
    expect(await shopify(h, 'orders/create', created, { webhookId: 'b54557e4-0001' })).toEqual({ status: 200, json: { ok: true, repeat: true } });
    await h.settle();
    const [order] = await orders(h);
    expect(order).toMatchObject({ source: 'shopify', external_id: '5923418734001', number: '1021', customer_id: null, email: 'priya.shah@example.com', phone: '+447700900123', customer_ref: 'shopify:7311112223334', currency: 'EUR', status: 'paid', cancelled_at: null });
    expect(Number(order.total_minor)).toBe(12995);
    expect(Number(order.created_at)).toBe(Date.parse('2026-11-24T09:15:00Z')); // 10:15 at +01:00
    expect(JSON.parse(order.items)).toEqual([{ title: 'Linen shirt - Blue / L', quantity: 1 }, { title: 'Canvas tote', quantity: 2 }]);

    // A refund of the tote, twice (Shopify's retry): counted once.
    const refund = fixture('shopify-refunds-create.json');
    expect((await shopify(h, 'refunds/create', refund, { webhookId: 'r-1' })).status).toBe(200);
    expect((await shopify(h, 'refunds/create', refund, { webhookId: 'r-1-retry-after-timeout' })).status).toBe(200);
    await h.settle();
    expect(Number((await orders(h))[0].refunded_minor)).toBe(2000);

    // Cancelled later; the older orders/create delivered late again changes nothing.
    expect((await shopify(h, 'orders/cancelled', fixture('shopify-orders-cancelled.json'), { webhookId: 'c-1' })).status).toBe(200);
    expect((await shopify(h, 'orders/updated', created, { webhookId: 'late-1' })).status).toBe(200);
    await h.settle();
    const [cancelled] = await orders(h);
    expect(cancelled.status).toBe('cancelled');
    expect(Number(cancelled.cancelled_at)).toBe(Date.parse('2026-11-25T08:00:00Z'));
    expect(await orders(h)).toHaveLength(1);

    // Refused before anything is stored.
    const before = await inboxRows(h);
    expect(await shopify(h, 'orders/create', { ...created, id: 1 }, { secret: 'not-the-secret', webhookId: 'x-1' })).toEqual({ status: 401, json: { error: 'X-Shopify-Hmac-Sha256: does not match the body' } });
    const lines = h.logLines.length;
    expect(await shopify(h, 'orders/create', null, { raw: '{"id": 5923418734002, "name": ', webhookId: 'x-2' })).toEqual({ status: 400, json: { error: 'body: not JSON' } });
    expect(h.logLines.slice(lines).filter((l) => l.includes('refused'))).toHaveLength(1);
    const { total_price: _gone, ...noTotal } = created;
    expect(await shopify(h, 'orders/create', { ...noTotal, id: 2 }, { webhookId: 'x-3' })).toEqual({ status: 400, json: { error: 'total_price: is required (a decimal string like "129.95")' } });
    expect(await shopify(h, 'orders/create', { ...created, id: 3, total_price: '12.999' }, { webhookId: 'x-4' })).toEqual({ status: 400, json: { error: 'total_price: is not an amount in EUR (a decimal string like "129.95")' } });
    expect(await inboxRows(h)).toBe(before);
    expect(await orders(h)).toHaveLength(1);
    expect(h.logLines.join('')).not.toContain(SHOPIFY_SECRET);

    // Without X-Shopify-Webhook-Id (a sender that drops it): stored, and the identical repeat is one delivery.
    const another = { ...created, id: 5923418734077, name: '#1077' };
    expect(await shopify(h, 'orders/create', another, { webhookId: null })).toEqual({ status: 200, json: { ok: true } });
    expect(await shopify(h, 'orders/create', another, { webhookId: null })).toEqual({ status: 200, json: { ok: true, repeat: true } });
    await h.settle();
    expect((await orders(h)).map((o) => o.number).sort()).toEqual(['1021', '1077']);
  });

  it('an order for a customer nobody knows yet is kept, and linked when she writes in; her next order (by phone only) finds her', async () => {
    expect((await shopify(h, 'orders/create', fixture('shopify-orders-create.json'))).status).toBe(200);
    await h.settle();
    expect((await orders(h))[0].customer_id).toBeNull();

    // Priya writes in through the intake API with her address in another case: the order is hers now.
    expect((await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect api shopify-form <#${W.triage}|triage> <https://shop.example/replies>`)).status).toBe(200);
    await h.settle(); // the source is connected (the command's work follows its ack) before the form writes
    const raw = JSON.stringify({ source: 'shopify-form', conversation_id: 'c-1', message_id: 'm-1', customer: { email: 'PRIYA.SHAH@example.com', name: 'Priya Shah' }, text: 'Does the linen shirt run small?' });
    const timestamp = Math.floor(h.clock.now() / 1000);
    const sent = await fetch(`${h.botUrl}/api/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Threaddesk-Request-Timestamp': String(timestamp), 'X-Threaddesk-Signature': signature(API_SECRET, timestamp, raw) }, body: raw });
    expect(sent.status).toBe(202);
    await h.settle();
    const [ticket] = await h.testDb.db('tickets').where({ origin_kind: 'api' }).select('customer_id');
    expect(ticket.customer_id).not.toBeNull();
    expect((await orders(h))[0].customer_id).toBe(ticket.customer_id);

    // A later order gives only her phone number, written differently: it is hers too (the first order taught it).
    const second = { ...fixture('shopify-orders-create.json'), id: 5923418734999, name: '#1022', email: null, contact_email: null, customer: null, phone: '+44 (0)7700 900123'.replace(' (0)', ' ') };
    expect((await shopify(h, 'orders/create', second)).status).toBe(200);
    await h.settle();
    const [, next] = await orders(h);
    expect(next).toMatchObject({ number: '1022', phone: '+447700900123', customer_id: ticket.customer_id });
  });

  it('WooCommerce: the ping when the webhook is saved gets 200 and stores nothing; a signed order is stored with its phone normalised; a wrong secret gets 401', async () => {
    const ping = await fetch(`${h.botUrl}/webhooks/woocommerce`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'webhook_id=17' });
    expect(ping.status).toBe(200);
    expect(await inboxRows(h)).toBe(0);
    const order = fixture('woocommerce-order-created.json');
    expect(await woo(h, order, { secret: 'wc-secret&amp;42' })).toEqual({ status: 401, json: { error: 'X-WC-Webhook-Signature: does not match the body' } });
    expect(await woo(h, order)).toEqual({ status: 200, json: { ok: true } });
    expect(await woo(h, order)).toEqual({ status: 200, json: { ok: true, repeat: true } }); // the same delivery id again
    await h.settle();
    expect(await orders(h)).toEqual([
      expect.objectContaining({ source: 'woocommerce', external_id: '4711', number: '4711', email: 'tom.berg@example.com', phone: '3125550142', customer_ref: 'woocommerce:12', currency: 'USD', status: 'processing', cancelled_at: null }),
    ]);
    const [row] = await orders(h);
    expect(Number(row.total_minor)).toBe(5900);
    expect(Number(row.created_at)).toBe(Date.parse('2026-11-24T09:30:00Z'));
  });

  it('the orders API: signed orders are answered 202, a bad field gets 400 naming it, an unsigned one 401', async () => {
    const order = { order_id: 'A-77', number: '77', customer: { email: 'ana@example.com', phone: '+34 600 111 222' }, total: '1500', currency: 'JPY', status: 'paid', created_at: '2026-11-30T10:00:00+09:00' };
    expect(await apiOrder(h, order)).toEqual({ status: 202, json: { ok: true } });
    expect(await apiOrder(h, { ...order, order_id: 'A-78', total: 15 })).toEqual({ status: 400, json: { error: 'total: is required (a decimal string like "129.95")' } });
    expect(await apiOrder(h, { ...order, order_id: 'A-79', customer: {} })).toEqual({ status: 400, json: { error: 'customer: needs an id, an email or a phone number' } });
    const unsigned = await fetch(`${h.botUrl}/api/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(order) });
    expect(unsigned.status).toBe(401);
    await h.settle();
    expect(await orders(h)).toEqual([expect.objectContaining({ source: 'api', external_id: 'A-77', number: '77', currency: 'JPY', email: 'ana@example.com', phone: '+34600111222' })]);
    expect(Number((await orders(h))[0].total_minor)).toBe(1500); // yen have no minor unit
    expect(Number((await orders(h))[0].created_at)).toBe(Date.parse('2026-11-30T01:00:00Z'));
  });
});

describe('orders in the ticket', () => {
  let h: Harness;
  useHarness((started) => (h = started), { env });

  /** Carol (a Slack user whose profile says carol@example.com) as the shop knows her: two orders. */
  async function carolsOrders() {
    const base = fixture('shopify-orders-create.json');
    const customer = { ...(base.customer as object), id: 8800, email: 'carol@example.com', phone: null, first_name: 'Carol' };
    const older = { ...base, id: 7001, name: '#1021', email: 'Carol@Example.com', customer, created_at: '2026-11-20T15:00:00+01:00', updated_at: '2026-11-20T15:00:00+01:00' };
    const latest = { ...base, id: 7002, name: '#1034', email: 'carol@example.com', customer, total_price: '45.50', financial_status: 'pending', created_at: '2026-11-28T11:00:00+01:00', updated_at: '2026-11-28T11:00:00+01:00', line_items: [{ name: 'Wool socks <3-pack>', quantity: 1, price: '45.50' }] };
    expect((await shopify(h, 'orders/create', older)).status).toBe(200);
    expect((await shopify(h, 'orders/create', latest)).status).toBe(200);
    await h.settle();
  }

  it('the card shows the order the customer names (else her latest); order snippets fill a template; !order picks another; an unknown order stops the template, naming the snippet', async () => {
    await carolsOrders();
    // A Slack user is the customer with her profile's address: the card shows the order her message names.
    const { ticket } = await postInIntake(h, W.carol, 'Hi! Where is my order #1021? It has been a week.');
    await h.settle();
    const row = await h.testDb.db('tickets').where({ id: ticket.id }).first('customer_id');
    expect(row.customer_id).not.toBeNull();
    const card = () => blockText(h.emu.message(W.triage, ticket.cardTs!)!.blocks);
    expect(card()).toContain('*Order*\n#1021 · <!date^');
    expect(card()).toContain('€129.95 · paid\nLinen shirt - Blue / L ×1, Canvas tote ×2');

    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', 'template add where-is-it Hi {{customer.first_name}}, order {{order.number}} ({{order.total}}, placed {{order.created}}) is {{order.status}}.');
    await h.settle(); // the template is saved before it is used
    await h.driver.userSays(W.alice, W.triage, '!template where-is-it', { thread_ts: ticket.cardTs! });
    await h.settle();
    const replies = () => h.emu.thread(W.help, ticket.originTs).map((m) => m.text);
    expect(replies()).toContain('Hi Carol, order 1021 (€129.95, placed 20 November 2026) is paid.');

    // The agent says which order it is about: the card and the snippets follow.
    await h.driver.userSays(W.alice, W.triage, '!order #1034', { thread_ts: ticket.cardTs! });
    await h.settle();
    expect(card()).toContain('*Order*\n#1034');
    expect(card()).toContain('€45.50 · pending\nWool socks &lt;3-pack&gt; ×1'); // shop text is escaped on the card
    await h.driver.userSays(W.alice, W.triage, '!template where-is-it', { thread_ts: ticket.cardTs! });
    await h.settle();
    expect(replies()).toContain('Hi Carol, order 1034 (€45.50, placed 28 November 2026) is pending.');

    // An order the shop never sent: the number is known (the agent said it), its total is not.
    const sentBefore = replies().length;
    await h.driver.userSays(W.alice, W.triage, '!order 555', { thread_ts: ticket.cardTs! });
    await h.driver.userSays(W.alice, W.triage, '!template where-is-it', { thread_ts: ticket.cardTs! });
    await h.settle();
    expect(replies()).toHaveLength(sentBefore);
    expect(JSON.stringify(h.emu.ephemerals({ user: W.alice }).at(-1))).toContain('order.total');
  });

  it('an order that arrives after the card was posted shows on it, and so does its cancellation', async () => {
    // The shop is connected (someone else bought already); Carol asks before buying.
    const base = fixture('shopify-orders-create.json');
    const other = { ...base, id: 7099, name: '#1049', email: 'dan@example.com', customer: { ...(base.customer as object), id: 8801, email: 'dan@example.com', phone: null } };
    expect((await shopify(h, 'orders/create', other)).status).toBe(200);
    await h.settle();
    const { ticket } = await postInIntake(h, W.carol, 'Is the blue linen shirt back in size L?');
    await h.settle();
    const card = () => blockText(h.emu.message(W.triage, ticket.cardTs!)!.blocks);
    expect(card()).not.toContain('*Order*');
    const order = { ...base, id: 7100, name: '#1050', email: 'carol@example.com', customer: { ...(base.customer as object), id: 8800, email: 'carol@example.com', phone: null } };
    expect((await shopify(h, 'orders/create', order)).status).toBe(200);
    await h.settle();
    expect(card()).toContain('*Order*\n#1050');
    expect(card()).toContain('€129.95 · paid');
    const cancelled = { ...order, cancelled_at: '2026-12-01T10:00:00+01:00', updated_at: '2026-12-01T10:00:00+01:00', financial_status: 'voided' };
    expect((await shopify(h, 'orders/cancelled', cancelled)).status).toBe(200);
    await h.settle();
    expect(card()).toMatch(/\*Order\*\n#1050 · .* · €129\.95 · cancelled\n/);
  });

  it('without an order named, the card shows the customer\'s latest; the customer view lists her orders and what she spent', async () => {
    await carolsOrders();
    const { ticket } = await postInIntake(h, W.carol, 'Do you ship to Norway?');
    await h.settle();
    expect(blockText(h.emu.message(W.triage, ticket.cardTs!)!.blocks)).toContain('*Order*\n#1034');
    await h.driver.clickButton(W.bob, W.triage, ticket.cardTs!, 'ticket_customer');
    await h.settle();
    const text = blockText(h.emu.openViews(W.bob)[0]!.view.blocks);
    expect(text).toContain('2 orders · spent €175.45 in all');
    expect(text).toMatch(/\*Orders\*\n• #1034 .*€45\.50 · pending · Wool socks &lt;3-pack&gt; ×1\n• #1021 .*€129\.95 · paid/);
  });
});
