/** Small helpers around node:http for the emulator's server: body reading, Web API argument parsing, signing. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHmac } from 'node:crypto';

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Form fields that WebClient JSON-encodes (objects/arrays become JSON strings in form fields, doc §2.1). */
function decodeFormValue(value: string): any {
  const t = value.trim();
  if ((t.startsWith('[') && t.endsWith(']')) || (t.startsWith('{') && t.endsWith('}'))) {
    try {
      return JSON.parse(t);
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * Web API arguments from any of the encodings Slack accepts: x-www-form-urlencoded (WebClient's default),
 * application/json, multipart/form-data (WebClient switches to it for Buffers/streams).
 */
export async function parseApiArgs(contentType: string, raw: Buffer): Promise<Record<string, any>> {
  const ct = contentType.toLowerCase();
  if (ct.startsWith('application/json')) {
    const text = raw.toString('utf8');
    return text.trim() === '' ? {} : (JSON.parse(text) as Record<string, any>);
  }
  if (ct.startsWith('multipart/form-data')) {
    // undici's Request implements the multipart parser; no extra dependency needed.
    const form = await new Request('http://emulator.local/', { method: 'POST', headers: { 'content-type': contentType }, body: raw }).formData();
    const out: Record<string, any> = {};
    for (const [k, v] of form.entries()) out[k] = typeof v === 'string' ? decodeFormValue(v) : v;
    return out;
  }
  const out: Record<string, any> = {};
  for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) out[k] = decodeFormValue(v);
  return out;
}

/** The file bytes of a POST to an upload_url: the first part of a multipart form, otherwise the raw body. */
export async function uploadedBytes(contentType: string, raw: Buffer): Promise<Buffer> {
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) return raw;
  const form = await new Request('http://emulator.local/', { method: 'POST', headers: { 'content-type': contentType }, body: raw }).formData();
  const first = form.values().next().value;
  if (first === undefined) return Buffer.alloc(0);
  return typeof first === 'string' ? Buffer.from(first) : Buffer.from(await first.arrayBuffer());
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Slack request signing (doc §1.3): v0= + hex(HMAC-SHA256(secret, "v0:" + ts + ":" + rawBody)). */
export function signatureHeaders(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const sig = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${sig}` };
}
