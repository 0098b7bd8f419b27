import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { OrdersConfig } from '../../config.js';
import type { Clock } from '../../domain/clock.js';
import type { OrderSource } from '../../domain/order.js';
import { SIGNATURE_HEADER, signatureProblem, TIMESTAMP_HEADER } from '../../ingest/api/signature.js';
import { parseApiOrder, parseShopifyOrder, parseShopifyRefund, parseWooOrder, type Parsed, type ParsedOrder, type SnapshotRefund } from '../../ingest/orders/order-payloads.js';
import { createInboxStore } from '../../store/inbox-store.js';
import type { OrderStore } from '../../store/order-store.js';
import { createEventInbox } from '../event-inbox.js';
import { readLimited } from '../http/read-body.js';
import type { HttpRoute } from '../http/route-server.js';

/** A big Shopify order (hundreds of line items) is a few hundred KB; more is refused while read. */
export const ORDER_BODY_LIMIT = 2 * 1024 * 1024;

/** Stored webhooks recorded at once; each is one short write transaction. */
const CONCURRENT_ORDERS = 8;

const SHOPIFY_ORDER_TOPICS = new Set(['orders/create', 'orders/updated', 'orders/cancelled', 'orders/paid', 'orders/fulfilled', 'orders/edited']);
const WOO_ORDER_TOPICS = new Set(['order.created', 'order.updated', 'order.restored']);

/** What a stored delivery says, read and checked before it was stored. */
type OrderEvent = { teamId: string; kind: 'order'; order: ParsedOrder } | { teamId: string; kind: 'refund'; source: OrderSource; orderExternalId: string; refund: SnapshotRefund };

export interface OrderWebhookDeps {
  config: OrdersConfig;
  /** Signs POST /api/v1/orders (as the intake API), or null (that route is off). */
  apiSecret: string | null;
  orders: OrderStore;
  /** The workspace orders belong to (the bot's own). */
  homeTeam: () => Promise<string>;
  inbox: { db: Knex; owner: string; recoverAbandonedAtStart: boolean };
  clock: Clock;
  logger: Logger;
  /** A customer's orders changed (a new order, a new status, a refund): her open tickets' cards are redrawn. */
  ordersChanged?: (customerId: number) => Promise<void>;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** base64 HMAC-SHA256 of the raw body, compared in constant time (Shopify's and WooCommerce's scheme). */
function base64HmacMatches(secret: string, body: Buffer, given: string | undefined): boolean {
  if (!given) return false;
  const wanted = createHmac('sha256', secret).update(body).digest();
  const got = Buffer.from(given, 'base64');
  return got.length === wanted.length && timingSafeEqual(got, wanted);
}

/** WooCommerce signs with its stored secret HTML-entity-decoded (wp_specialchars_decode): `a&amp;b` signs as `a&b`. */
export const wooSigningSecret = (secret: string): string =>
  secret.replace(/&(amp|lt|gt|quot|#0?39|#x27);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"' } as Record<string, string>)[name] ?? "'");

/**
 * The shops' order webhooks (contract: SPEC "Orders and converted tickets"): POST /webhooks/shopify,
 * POST /webhooks/woocommerce and the signed POST /api/v1/orders. Each request is verified on its raw body, read
 * and checked, then written to the order inbox and answered (Shopify waits 5 s at most); a delivery id seen
 * before is stored once. The order is recorded right after, from the inbox, so a crash in between loses nothing.
 */
export function createOrderWebhooks(deps: OrderWebhookDeps) {
  const log = deps.logger.child({ component: 'orders' });
  const store = createInboxStore(deps.inbox.db, 'order_inbox');
  const inbox = createEventInbox({
    store,
    clock: deps.clock,
    logger: deps.logger,
    owner: deps.inbox.owner,
    recoverAbandonedAtStart: deps.inbox.recoverAbandonedAtStart,
    what: 'order webhook',
    component: 'order-inbox',
    // A few at a time: a burst of webhooks (a sale, a bulk import) waits in the inbox, not in memory, and the
    // answers never queue behind the orders' transactions.
    concurrency: CONCURRENT_ORDERS,
    async process(body) {
      const event = JSON.parse(String(body)) as OrderEvent;
      let customerId: number | null;
      if (event.kind === 'order') {
        const outcome = await deps.orders.record(event.teamId, event.order, deps.clock.now());
        log.info({ source: event.order.source, order: event.order.number, outcome: outcome.kind, customer: outcome.customerId }, 'order recorded');
        customerId = outcome.kind === 'stale' ? null : outcome.customerId;
      } else {
        ({ customerId } = await deps.orders.refund(event.teamId, event.source, event.orderExternalId, event.refund));
      }
      // The order is recorded: a card that could not be redrawn is not a reason to record it again.
      if (customerId !== null && deps.ordersChanged) await deps.ordersChanged(customerId).catch((err: unknown) => log.warn({ err, customer: customerId }, 'cards not redrawn for the order'));
      return { retry: false };
    },
  });

  type Answer = (status: number, body: object) => void;
  const answerOf = (res: ServerResponse): Answer => (status, body) => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  /** Reads the body; null when it was too big (answered 413 then). */
  async function body(req: IncomingMessage, answer: Answer): Promise<Buffer | null> {
    const raw = await readLimited(req, ORDER_BODY_LIMIT);
    if (raw === null) answer(413, { error: `body: larger than ${ORDER_BODY_LIMIT} bytes` });
    return raw;
  }

  function json(raw: Buffer, answer: Answer, what: string): unknown {
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch {
      log.warn({ bytes: raw.length }, `a ${what} was refused (400): its body is not JSON`);
      answer(400, { error: 'body: not JSON' });
      return undefined;
    }
  }

  /** Stores a checked delivery and answers: 200 (or `okStatus`), 503 when it could not be stored (the shop retries). */
  async function store1(eventId: string, make: (teamId: string) => OrderEvent, answer: Answer, okStatus = 200): Promise<void> {
    try {
      const teamId = await deps.homeTeam();
      const outcome = await inbox.accept({ eventId, teamId, body: JSON.stringify(make(teamId)) });
      answer(okStatus, { ok: true, ...(outcome === 'repeat' ? { repeat: true } : {}) });
    } catch (err) {
      log.warn({ err: (err as Error).message, eventId }, 'an order webhook could not be stored; the shop will retry (503)');
      answer(503, { error: 'the order could not be stored now; try again later' });
    }
  }

  function refused(answer: Answer, status: 400 | 401, what: string, error: string): void {
    log.warn({ problem: error }, `a ${what} was refused (${status})`);
    answer(status, { error });
  }

  async function shopify(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const answer = answerOf(res);
    const raw = await body(req, answer);
    if (raw === null) return;
    if (!base64HmacMatches(deps.config.shopifySecret!, raw, header(req, 'x-shopify-hmac-sha256'))) return refused(answer, 401, 'Shopify webhook', 'X-Shopify-Hmac-Sha256: does not match the body');
    const topic = header(req, 'x-shopify-topic') ?? '';
    // Shopify names each delivery (its retries carry the same id); a sender without it (a test, a proxy that drops
    // headers) is told apart by its body, so an identical repeat is still one.
    const webhookId = header(req, 'x-shopify-webhook-id') ?? `body-${bodyDigest(topic, raw)}`;
    if (!SHOPIFY_ORDER_TOPICS.has(topic) && topic !== 'refunds/create') return answer(200, { ok: true, ignored: topic || 'no topic' });
    const payload = json(raw, answer, 'Shopify webhook');
    if (payload === undefined) return;
    if (topic === 'refunds/create') {
      const parsed = parseShopifyRefund(payload);
      if (!parsed.ok) return refused(answer, 400, 'Shopify refund', parsed.error);
      const { orderExternalId, currency: _c, ...refund } = parsed.value;
      return store1(`shopify:${webhookId}`, (teamId) => ({ teamId, kind: 'refund', source: 'shopify', orderExternalId, refund }), answer);
    }
    return storeOrder(`shopify:${webhookId}`, parseShopifyOrder(payload), answer, 'Shopify order');
  }

  async function woocommerce(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const answer = answerOf(res);
    const raw = await body(req, answer);
    if (raw === null) return;
    // Saving a webhook in WooCommerce sends a ping (`webhook_id=N`, form-encoded, unsigned): answered 200 so the
    // shop saves it, and nothing is stored.
    const signature = header(req, 'x-wc-webhook-signature');
    if (!signature && /^webhook_id=\d+$/.test(raw.toString('utf8').trim())) return answer(200, { ok: true, ping: true });
    if (!base64HmacMatches(wooSigningSecret(deps.config.wooSecret!), raw, signature)) return refused(answer, 401, 'WooCommerce webhook', 'X-WC-Webhook-Signature: does not match the body');
    const topic = header(req, 'x-wc-webhook-topic') ?? '';
    if (!WOO_ORDER_TOPICS.has(topic)) return answer(200, { ok: true, ignored: topic || 'no topic' });
    const deliveryId = header(req, 'x-wc-webhook-delivery-id') ?? `body-${bodyDigest(topic, raw)}`;
    const payload = json(raw, answer, 'WooCommerce webhook');
    if (payload === undefined) return;
    return storeOrder(`woocommerce:${header(req, 'x-wc-webhook-id') ?? ''}:${deliveryId}`, parseWooOrder(payload), answer, 'WooCommerce order');
  }

  async function api(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const answer = answerOf(res);
    const raw = await body(req, answer);
    if (raw === null) return;
    const problem = signatureProblem(deps.apiSecret!, { timestamp: header(req, TIMESTAMP_HEADER), signature: header(req, SIGNATURE_HEADER) }, raw, deps.clock.now());
    if (problem) return refused(answer, 401, 'orders API request', problem);
    const payload = json(raw, answer, 'orders API request');
    if (payload === undefined) return;
    // The same body sent again (a retry) is one delivery; a changed order is a new one.
    return storeOrder(`api:${createHash('sha256').update(raw).digest('hex')}`, parseApiOrder(payload), answer, 'orders API request', 202);
  }

  function storeOrder(eventId: string, parsed: Parsed<ParsedOrder>, answer: Answer, what: string, okStatus = 200): Promise<void> | void {
    if (!parsed.ok) return refused(answer, 400, what, parsed.error);
    return store1(eventId, (teamId) => ({ teamId, kind: 'order', order: parsed.value }), answer, okStatus);
  }

  const routes: HttpRoute[] = [
    ...(deps.config.shopifySecret ? [{ method: 'POST' as const, path: '/webhooks/shopify', handler: shopify }] : []),
    ...(deps.config.wooSecret ? [{ method: 'POST' as const, path: '/webhooks/woocommerce', handler: woocommerce }] : []),
    ...(deps.apiSecret ? [{ method: 'POST' as const, path: '/api/v1/orders', handler: api }] : []),
  ];
  return {
    routes,
    start: () => inbox.start(),
    stop: () => inbox.stop(),
    idle: () => inbox.idle(),
    backlog: () => store.backlog(),
  };
}

export type OrderWebhooks = ReturnType<typeof createOrderWebhooks>;

/** A delivery without its shop's id, known by what it says: the same topic and bytes are the same delivery. */
function bodyDigest(topic: string, raw: Buffer): string {
  return createHash('sha256').update(topic).update('\n').update(raw).digest('hex').slice(0, 32);
}
