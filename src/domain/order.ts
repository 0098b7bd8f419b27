// A shop's order, whichever shop sent it (Shopify, WooCommerce, the signed orders API), as threaddesk keeps it:
// who bought (email, phone, the shop's customer id), when, for how much, and whether it still counts as a sale.
// Amounts are kept in the currency's minor units (cents; yen have none), never as floating point.

export type OrderSource = 'shopify' | 'woocommerce' | 'api';

export interface OrderItem {
  title: string;
  quantity: number;
}

/** An order as a shop described it at one moment (a later description of the same order replaces it). */
export interface OrderSnapshot {
  source: OrderSource;
  /** The shop's own id of the order (Shopify's 5923418734001). */
  externalId: string;
  /** What customers and agents call it: "1021" (shown as #1021). */
  number: string;
  email: string | null;
  phone: string | null;
  /** The shop's id of its customer, as "<source>:<id>" (a customer identity of kind external). */
  customerRef: string | null;
  currency: string;
  totalMinor: number;
  /** The shop's status word (paid, processing, refunded, voided…), shown as is. */
  status: string;
  cancelledAt: number | null;
  createdAt: number;
  updatedAt: number;
  items: OrderItem[];
}

/** A refund as an order's description carries it (Shopify's refunds[], WooCommerce's refunds[]), by its own id. */
export interface SnapshotRefund {
  externalId: string;
  amountMinor: number;
  createdAt: number;
}

/** An order, and the refunds its description lists (more may come alone: Shopify's refunds/create). */
export type ParsedOrder = OrderSnapshot & { refunds: SnapshotRefund[] };

/** The email address orders and customers are matched on: trimmed, without case. */
export const normalizeEmail = (value: unknown): string | null => {
  if (typeof value !== 'string') return null;
  const email = value.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+$/.test(email) && email.length <= 320 ? email : null;
};

/**
 * The phone number orders and customers are matched on: its digits, with a leading + kept ("+44 7700 900123" →
 * "+447700900123", "(312) 555-0142" → "3125550142"); too short to be a number: null. Numbers written with and
 * without the country code do not match (no guess at a country).
 */
export const normalizePhone = (value: unknown): string | null => {
  if (typeof value !== 'string') return null;
  const digits = value.replace(/\D/g, '').replace(/^00/, '');
  if (digits.length < 7 || digits.length > 15) return null;
  return /^\s*(\+|00)/.test(value) ? `+${digits}` : digits;
};

/** Decimal places of a currency's minor unit (EUR 2, JPY 0, BHD 3), from the ICU data Node carries. */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** An ISO 4217 code, or null. */
export const normalizeCurrency = (value: unknown): string | null => (typeof value === 'string' && /^[A-Za-z]{3}$/.test(value.trim()) ? value.trim().toUpperCase() : null);

/** "129.95" in EUR → 12995; "-10.00" → -1000; not a decimal amount (or more places than the currency has): null. */
export function toMinor(value: unknown, currency: string): number | null {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') return null;
  const match = /^\s*(-?)(\d{1,12})(?:\.(\d+))?\s*$/.exec(text);
  if (!match) return null;
  const places = minorDigits(currency);
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  if (fraction.length > places) return null;
  const minor = Number(match[2]) * 10 ** places + Number(fraction.padEnd(places, '0') || '0');
  return match[1] === '-' ? -minor : minor;
}

/** 12995 EUR → "129.95". */
export function fromMinor(minor: number, currency: string): string {
  const places = minorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  if (places === 0) return `${sign}${abs}`;
  const unit = 10 ** places;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(places, '0')}`;
}

/** 12995 EUR → "€129.95" (in the given locale). */
export function formatMoney(minor: number, currency: string, locale = 'en'): string {
  const places = minorDigits(currency);
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: places, maximumFractionDigits: places }).format(minor / 10 ** places);
  } catch {
    return `${fromMinor(minor, currency)} ${currency}`;
  }
}

/** An order number as customers write it: "#1021" and "1021" are the same order. */
export const normalizeOrderNumber = (value: unknown): string | null => {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim().replace(/^#/, '') : '';
  return text.length > 0 && text.length <= 64 ? text : null;
};

/** Whether an order still counts as a sale: not cancelled, not refunded in full. */
export const countsAsSale = (order: { cancelledAt: number | null; totalMinor: number; refundedMinor: number }): boolean => order.cancelledAt === null && order.refundedMinor < order.totalMinor;
