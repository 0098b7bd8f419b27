import { createHmac, timingSafeEqual } from 'node:crypto';

// The intake API's signature, the same scheme as Slack's: X-Threaddesk-Request-Timestamp is the unix time in
// seconds, X-Threaddesk-Signature is "v1=" + hex HMAC-SHA256 of "v1:<timestamp>:<raw body>" with
// THREADDESK_API_SECRET. Our reply webhooks are signed the same way, so one check serves both sides.

export const TIMESTAMP_HEADER = 'x-threaddesk-request-timestamp';
export const SIGNATURE_HEADER = 'x-threaddesk-signature';
/** A request older (or newer) than this is refused: a captured request cannot be replayed later. */
export const MAX_SKEW_SECONDS = 5 * 60;

export function signature(secret: string, timestamp: number | string, body: Buffer | string): string {
  return `v1=${createHmac('sha256', secret).update(`v1:${timestamp}:`).update(body).digest('hex')}`;
}

/** The headers that sign `body` now. */
export function signedHeaders(secret: string, body: Buffer | string, nowMs: number): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return { 'X-Threaddesk-Request-Timestamp': String(timestamp), 'X-Threaddesk-Signature': signature(secret, timestamp, body) };
}

/** Why a request's signature is refused, or null when it is good (compared in constant time). */
export function signatureProblem(secret: string, headers: { timestamp?: string; signature?: string }, body: Buffer, nowMs: number): string | null {
  if (!headers.timestamp || !/^\d{1,12}$/.test(headers.timestamp)) return `${TIMESTAMP_HEADER} is missing or not unix seconds`;
  if (Math.abs(nowMs / 1000 - Number(headers.timestamp)) > MAX_SKEW_SECONDS) return `${TIMESTAMP_HEADER} is more than 5 minutes away from now`;
  const given = Buffer.from(headers.signature ?? '');
  const wanted = Buffer.from(signature(secret, headers.timestamp, body));
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return `${SIGNATURE_HEADER} does not match the body`;
  return null;
}
