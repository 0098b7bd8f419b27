import { z } from 'zod';
import { normalizeCurrency, normalizeEmail, normalizeOrderNumber, normalizePhone, toMinor, type OrderItem, type ParsedOrder, type SnapshotRefund } from '../../domain/order.js';

// The shops' order payloads as they send them (Shopify's Order resource, WooCommerce's REST v3 order, the signed
// orders API of the SPEC), read into one OrderSnapshot. Only the fields threaddesk uses are checked; the rest of
// a payload (addresses, taxes, discounts) is ignored. A payload that lacks what an order needs is refused with
// the field named, before anything is stored.

export type { ParsedOrder, SnapshotRefund };
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const MAX_ITEMS = 5;
const idOf = z.union([z.number().int().nonnegative(), z.string().trim().min(1).max(64)], { error: 'is required (a number or a string)' }).transform(String);
const instant = z.string({ error: 'is required (an ISO 8601 time)' }).refine((s) => !Number.isNaN(Date.parse(s)), 'is not an ISO 8601 time');
const decimal = z.union([z.string(), z.number()], { error: 'is required (a decimal string like "129.95")' });
const currency = z.string({ error: 'is required (an ISO 4217 code like "EUR")' }).refine((s) => normalizeCurrency(s) !== null, 'is not an ISO 4217 code');

function problem(error: z.ZodError): { ok: false; error: string } {
  const issue = error.issues[0]!;
  return { ok: false, error: `${issue.path.join('.') || 'body'}: ${issue.message}` };
}

/** An amount in the order's currency, or the field named. */
function amount(value: unknown, code: string, field: string): Parsed<number> {
  const minor = toMinor(value, code);
  return minor === null ? { ok: false, error: `${field}: is not an amount in ${code} (a decimal string like "129.95")` } : { ok: true, value: minor };
}

const items = (lines: { title?: string | null; name?: string | null; quantity?: number | null }[] | undefined): OrderItem[] =>
  (lines ?? []).slice(0, MAX_ITEMS).map((l) => ({ title: String(l.name ?? l.title ?? '').slice(0, 200), quantity: Number(l.quantity ?? 1) }));

// Shopify: https://shopify.dev/docs/api/admin-rest/latest/resources/order (and the webhook of the same shape).
const shopifyRefund = z.object({
  id: idOf,
  order_id: idOf,
  created_at: instant,
  transactions: z.array(z.object({ kind: z.string().optional(), status: z.string().optional(), amount: decimal })).default([]),
});
const shopifyOrder = z.object({
  id: idOf,
  name: z.string().nullish(),
  order_number: z.union([z.number(), z.string()]).nullish(),
  email: z.string().nullish(),
  contact_email: z.string().nullish(),
  phone: z.string().nullish(),
  customer: z.object({ id: idOf.nullish(), email: z.string().nullish(), phone: z.string().nullish() }).nullish(),
  billing_address: z.object({ phone: z.string().nullish() }).nullish(),
  created_at: instant,
  updated_at: instant.nullish(),
  cancelled_at: instant.nullish(),
  currency,
  total_price: decimal,
  financial_status: z.string().nullish(),
  line_items: z.array(z.object({ name: z.string().nullish(), title: z.string().nullish(), quantity: z.number().nullish() })).optional(),
  refunds: z.array(z.unknown()).optional(),
});

/** A successful refund's amount: the sum of its refund transactions that went through. */
function shopifyRefundOf(raw: z.infer<typeof shopifyRefund>, code: string): Parsed<SnapshotRefund> {
  let minor = 0;
  for (const [i, t] of raw.transactions.entries()) {
    if ((t.kind ?? 'refund') !== 'refund' || (t.status ?? 'success') !== 'success') continue;
    const a = amount(t.amount, code, `transactions.${i}.amount`);
    if (!a.ok) return a;
    minor += a.value;
  }
  return { ok: true, value: { externalId: raw.id, amountMinor: minor, createdAt: Date.parse(raw.created_at) } };
}

export function parseShopifyOrder(json: unknown): Parsed<ParsedOrder> {
  const parsed = shopifyOrder.safeParse(json);
  if (!parsed.success) return problem(parsed.error);
  const o = parsed.data;
  const code = normalizeCurrency(o.currency)!;
  const total = amount(o.total_price, code, 'total_price');
  if (!total.ok) return total;
  const number = normalizeOrderNumber(o.name ?? o.order_number);
  if (number === null) return { ok: false, error: 'name: is required (the order number customers see, like "#1021")' };
  const refunds: SnapshotRefund[] = [];
  for (const [i, r] of (o.refunds ?? []).entries()) {
    const one = shopifyRefund.safeParse(r);
    if (!one.success) return problem(new z.ZodError(one.error.issues.map((issue) => ({ ...issue, path: ['refunds', i, ...issue.path] }))));
    const refund = shopifyRefundOf(one.data, code);
    if (!refund.ok) return { ok: false, error: `refunds.${i}.${refund.error}` };
    refunds.push(refund.value);
  }
  const cancelledAt = o.cancelled_at ? Date.parse(o.cancelled_at) : null;
  return {
    ok: true,
    value: {
      source: 'shopify',
      externalId: o.id,
      number,
      email: normalizeEmail(o.email) ?? normalizeEmail(o.contact_email) ?? normalizeEmail(o.customer?.email),
      phone: normalizePhone(o.phone) ?? normalizePhone(o.customer?.phone) ?? normalizePhone(o.billing_address?.phone),
      customerRef: o.customer?.id ? `shopify:${o.customer.id}` : null,
      currency: code,
      totalMinor: total.value,
      status: cancelledAt !== null ? 'cancelled' : (o.financial_status ?? 'pending'),
      cancelledAt,
      createdAt: Date.parse(o.created_at),
      updatedAt: Date.parse(o.updated_at ?? o.created_at),
      items: items(o.line_items ?? undefined),
      refunds,
    },
  };
}

/**
 * Shopify's refunds/create: a refund of an order already sent (or still to come: it waits for it). Its transactions
 * name their currency (the amounts' minor unit depends on it).
 */
export function parseShopifyRefund(json: unknown): Parsed<SnapshotRefund & { orderExternalId: string; currency: string | null }> {
  const parsed = shopifyRefund.extend({ transactions: z.array(z.object({ kind: z.string().optional(), status: z.string().optional(), amount: decimal, currency: currency.optional() })).default([]) }).safeParse(json);
  if (!parsed.success) return problem(parsed.error);
  const code = normalizeCurrency(parsed.data.transactions[0]?.currency);
  if (code === null && parsed.data.transactions.length > 0) return { ok: false, error: 'transactions.0.currency: is required (an ISO 4217 code like "EUR")' };
  const refund = shopifyRefundOf(parsed.data, code ?? 'EUR');
  if (!refund.ok) return refund;
  return { ok: true, value: { ...refund.value, orderExternalId: parsed.data.order_id, currency: code } };
}

// WooCommerce: https://woocommerce.github.io/woocommerce-rest-api-docs/#order-properties (webhooks send the same).
const wooOrder = z.object({
  id: idOf,
  number: z.union([z.string(), z.number()]).nullish(),
  status: z.string({ error: 'is required (a string)' }),
  currency,
  total: decimal,
  customer_id: z.number().nullish(),
  date_created_gmt: instant,
  date_modified_gmt: instant.nullish(),
  billing: z.object({ email: z.string().nullish(), phone: z.string().nullish() }).nullish(),
  line_items: z.array(z.object({ name: z.string().nullish(), quantity: z.number().nullish() })).optional(),
  refunds: z.array(z.object({ id: idOf, total: decimal })).optional(),
});

/** WooCommerce's times ending in _gmt carry no offset: they are UTC. */
const gmt = (s: string): number => Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);

export function parseWooOrder(json: unknown): Parsed<ParsedOrder> {
  const parsed = wooOrder.safeParse(json);
  if (!parsed.success) return problem(parsed.error);
  const o = parsed.data;
  const code = normalizeCurrency(o.currency)!;
  const total = amount(o.total, code, 'total');
  if (!total.ok) return total;
  const updatedAt = gmt(o.date_modified_gmt ?? o.date_created_gmt);
  const refunds: SnapshotRefund[] = [];
  for (const [i, r] of (o.refunds ?? []).entries()) {
    const a = amount(r.total, code, `refunds.${i}.total`);
    if (!a.ok) return a;
    refunds.push({ externalId: r.id, amountMinor: Math.abs(a.value), createdAt: updatedAt }); // WooCommerce lists refunds as negative totals
  }
  return {
    ok: true,
    value: {
      source: 'woocommerce',
      externalId: o.id,
      number: normalizeOrderNumber(o.number ?? o.id)!,
      email: normalizeEmail(o.billing?.email),
      phone: normalizePhone(o.billing?.phone),
      customerRef: o.customer_id ? `woocommerce:${o.customer_id}` : null, // 0: a guest
      currency: code,
      totalMinor: total.value,
      status: o.status,
      cancelledAt: o.status === 'cancelled' || o.status === 'failed' ? updatedAt : null,
      createdAt: gmt(o.date_created_gmt),
      updatedAt,
      items: items(o.line_items),
      refunds,
    },
  };
}

// The signed orders API (SPEC "Orders and converted tickets").
const apiOrder = z.object({
  order_id: z.string({ error: 'is required (a string)' }).trim().min(1, 'must not be empty').max(64, 'is longer than 64 characters'),
  number: z.string({ error: 'is required (a string, like "1021")' }).trim().min(1, 'must not be empty').max(64, 'is longer than 64 characters'),
  customer: z
    .object({ id: z.string().trim().min(1).max(200).optional(), email: z.email('is not an email address').max(320).optional(), phone: z.string().max(40).optional() }, { error: 'is required (an object with id, email or phone)' })
    .refine((c) => c.id !== undefined || c.email !== undefined || normalizePhone(c.phone) !== null, { message: 'needs an id, an email or a phone number' }),
  total: z.string({ error: 'is required (a decimal string like "129.95")' }),
  currency,
  status: z.string({ error: 'is required (a string such as paid, cancelled or refunded)' }).trim().min(1).max(32),
  created_at: z.iso.datetime({ offset: true, error: 'is required (an ISO 8601 time with its offset)' }),
  updated_at: z.iso.datetime({ offset: true, error: 'is not an ISO 8601 time with its offset' }).optional(),
  refunded: z.string().optional(),
  source: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'must be lower-case letters, digits, - and _').optional(),
  items: z.array(z.object({ title: z.string().max(200), quantity: z.number().int().positive().default(1) })).max(100).optional(),
});

const CANCELLED = new Set(['cancelled', 'canceled', 'voided', 'failed']);

export function parseApiOrder(json: unknown): Parsed<ParsedOrder> {
  const parsed = apiOrder.safeParse(json);
  if (!parsed.success) return problem(parsed.error);
  const o = parsed.data;
  const code = normalizeCurrency(o.currency)!;
  const total = amount(o.total, code, 'total');
  if (!total.ok) return total;
  const status = o.status.toLowerCase();
  const updatedAt = Date.parse(o.updated_at ?? o.created_at);
  let refunded = status === 'refunded' ? total.value : 0;
  if (o.refunded !== undefined) {
    const a = amount(o.refunded, code, 'refunded');
    if (!a.ok) return a;
    refunded = a.value;
  }
  return {
    ok: true,
    value: {
      source: 'api',
      externalId: o.order_id,
      number: normalizeOrderNumber(o.number)!,
      email: normalizeEmail(o.customer.email),
      phone: normalizePhone(o.customer.phone),
      customerRef: o.customer.id ? `${o.source ?? 'api'}:${o.customer.id}` : null,
      currency: code,
      totalMinor: total.value,
      status,
      cancelledAt: CANCELLED.has(status) ? updatedAt : null,
      createdAt: Date.parse(o.created_at),
      updatedAt,
      items: items(o.items),
      // The API says how much is refunded in all: one refund row that each update replaces.
      refunds: refunded > 0 ? [{ externalId: 'api-total', amountMinor: refunded, createdAt: updatedAt }] : [],
    },
  };
}
