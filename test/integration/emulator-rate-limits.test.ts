/**
 * The emulator's rate limits (429 + Retry-After, token buckets per channel / per method), outages (5xx for every
 * Web API call, events still delivered) and message metadata, exercised with a real @slack/web-api WebClient.
 * Rates are scaled up so waiting for a token takes a few hundred milliseconds at most.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient, type WebAPIHTTPError, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';
import { SlackEmulator } from '../../src/emulator/index.js';

const SCALE = 10;
const BURST = 3;
let emu: SlackEmulator;
let client: WebClient;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs calls all at once; returns the rate-limited errors and how many succeeded. */
async function burst(calls: (() => Promise<unknown>)[]): Promise<{ ok: number; limited: WebAPIRateLimitedError[] }> {
  const results = await Promise.allSettled(calls.map((c) => c()));
  const limited = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as WebAPIRateLimitedError] : []));
  for (const e of limited) expect(e.code).toBe('slack_webapi_rate_limited_error');
  return { ok: results.length - limited.length, limited };
}

function times<T>(n: number, f: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

beforeEach(async () => {
  emu = new SlackEmulator({ signingSecret: 'secret', echoBotMessages: false });
  await emu.start(0);
  // rejectRateLimitedCalls: a 429 surfaces as WebAPIRateLimitedError instead of a paused queue and a retry.
  client = new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  emu.addUser({ id: 'U1', name: 'alice' });
  emu.addChannel({ id: 'C1', name: 'support', members: ['UBOT', 'U1'] });
  emu.addChannel({ id: 'C2', name: 'triage', members: ['UBOT', 'U1'] });
});

afterEach(async () => {
  await emu.stop();
});

describe('rate limits', () => {
  it('are off by default', async () => {
    const { ok } = await burst(times(10, () => () => client.chat.postMessage({ channel: 'C1', text: 'hi' })));
    expect(ok).toBe(10);
    expect(emu.allowedPerSecond('chat.postMessage')).toBe(Infinity);
    expect(emu.rateLimitStats()).toEqual({ limited: {}, allowed: {} });
  });

  it('chat.postMessage: a burst past capacity on one channel gets 429 + Retry-After; other channels are not limited; a token comes back', async () => {
    emu.setRateLimits({ scale: SCALE, burst: BURST });
    expect(emu.allowedPerSecond('chat.postMessage')).toBe(SCALE);

    const { ok, limited } = await burst(times(12, (i) => () => client.chat.postMessage({ channel: 'C1', text: `m${i}` })));
    expect(ok).toBeGreaterThanOrEqual(BURST);
    expect(limited.length).toBeGreaterThan(0);
    for (const e of limited) expect(e.retryAfter).toBeGreaterThanOrEqual(1);
    // A refused call is not performed.
    expect(emu.messages('C1')).toHaveLength(ok);
    const refused = emu.calls('chat.postMessage').filter((c) => c.status === 429);
    expect(refused).toHaveLength(limited.length);
    expect(refused[0].error).toBe('ratelimited');

    await client.chat.postMessage({ channel: 'C2', text: 'elsewhere' });

    await sleep((2 * 1000) / SCALE);
    await client.chat.postMessage({ channel: 'C1', text: 'again' });
    expect(emu.messages('C1').at(-1)?.text).toBe('again');

    expect(emu.rateLimitStats()).toEqual({ limited: { 'chat.postMessage': limited.length }, allowed: { 'chat.postMessage': ok + 2 } });
  });

  it('the raw answer is HTTP 429, Retry-After in whole seconds, {ok:false,error:"ratelimited"}', async () => {
    emu.setRateLimits({ scale: SCALE, burst: 1 });
    const post = (): Promise<Response> =>
      fetch(`${emu.apiUrl}chat.postMessage`, { method: 'POST', headers: { authorization: `Bearer ${emu.botToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ channel: 'C1', text: 'x' }) });
    expect((await post()).status).toBe(200);
    const res = await post();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(await res.json()).toEqual({ ok: false, error: 'ratelimited' });
  });

  it('reactions.add is limited per workspace (Tier 3), across channels; unlimited methods are not', async () => {
    const posts = await Promise.all(times(10, (i) => client.chat.postMessage({ channel: i % 2 ? 'C1' : 'C2', text: `m${i}` })));
    emu.setRateLimits({ scale: SCALE, burst: BURST });
    expect(emu.allowedPerSecond('reactions.add')).toBeCloseTo((50 * SCALE) / 60);
    expect(emu.allowedPerSecond('auth.test')).toBe(Infinity);

    const { ok, limited } = await burst(posts.map((p) => () => client.reactions.add({ channel: p.channel!, timestamp: p.ts!, name: 'eyes' })));
    expect(ok).toBeGreaterThanOrEqual(BURST);
    expect(limited.length).toBeGreaterThan(0);
    expect(emu.rateLimitStats().limited).toEqual({ 'reactions.add': limited.length });

    expect((await burst(times(10, () => () => client.auth.test()))).ok).toBe(10);
    expect(emu.rateLimitStats().allowed['auth.test']).toBe(10);

    emu.setRateLimits(null);
    expect((await burst(posts.map((p) => () => client.reactions.add({ channel: p.channel!, timestamp: p.ts!, name: 'white_check_mark' })))).ok).toBe(10);
  });

  it('can be set from the constructor options', async () => {
    const limitedEmu = new SlackEmulator({ signingSecret: 'secret', rateLimits: { scale: 2, burst: 1 } });
    expect(limitedEmu.allowedPerSecond('chat.postMessage')).toBe(2);
    expect(limitedEmu.allowedPerSecond('conversations.list')).toBeCloseTo((20 * 2) / 60);
    expect(limitedEmu.allowedPerSecond('views.open')).toBeCloseTo((100 * 2) / 60);
  });
});

describe('outage', () => {
  it('answers every Web API call with 503 service_unavailable until endOutage', async () => {
    emu.startOutage(60_000);
    const err = (await client.auth.test().catch((e: unknown) => e)) as WebAPIHTTPError;
    expect(err.code).toBe('slack_webapi_http_error');
    expect(err.statusCode).toBe(503);
    const raw = await fetch(`${emu.apiUrl}chat.postMessage`, { method: 'POST', headers: { authorization: `Bearer ${emu.botToken}` } });
    expect(raw.status).toBe(503);
    expect(await raw.json()).toEqual({ ok: false, error: 'service_unavailable' });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'lost' })).rejects.toMatchObject({ statusCode: 503 });
    expect(emu.messages('C1')).toHaveLength(0);
    expect(emu.outageStats()).toEqual({ refused: 3 });

    emu.endOutage();
    expect((await client.auth.test()).ok).toBe(true);
    expect(emu.outageStats()).toEqual({ refused: 3 });
  });

  it('ends by itself after its time; 502 is bad_gateway', async () => {
    emu.startOutage(150, 502);
    const raw = await fetch(`${emu.apiUrl}auth.test`, { method: 'POST', headers: { authorization: `Bearer ${emu.botToken}` } });
    expect(raw.status).toBe(502);
    expect(await raw.json()).toEqual({ ok: false, error: 'bad_gateway' });
    await sleep(200);
    expect((await client.auth.test()).ok).toBe(true);
  });

  it('does not stop event delivery to the bot', async () => {
    let received = 0;
    const bot: Server = createServer((req, res) => {
      received++;
      req.resume();
      res.end();
    });
    await new Promise<void>((r) => bot.listen(0, '127.0.0.1', () => r()));
    try {
      emu.setBotEndpoint(`http://127.0.0.1:${(bot.address() as AddressInfo).port}/slack/events`);
      emu.startOutage(60_000);
      const r = await emu.driver.userSays('U1', 'C1', 'is anyone there?');
      expect(r).toMatchObject({ status: 200, delivered: true });
      expect(received).toBe(1);
    } finally {
      await new Promise((r) => bot.close(r));
    }
  });
});

describe('message metadata', () => {
  const metadata = { event_type: 'ticket_opened', event_payload: { ticket_id: 42, priority: 'high' } };

  it('is stored from chat.postMessage and returned by history and replies only with include_all_metadata', async () => {
    const parent = await client.chat.postMessage({ channel: 'C1', text: 'Ticket #42', metadata });
    const reply = await client.chat.postMessage({ channel: 'C1', text: 'update', thread_ts: parent.ts, metadata: { ...metadata, event_type: 'ticket_updated' } });
    expect(emu.message('C1', parent.ts!)?.metadata).toEqual(metadata);

    const plain = await client.conversations.history({ channel: 'C1' });
    expect(plain.messages![0]).not.toHaveProperty('metadata');
    const withMeta = await client.conversations.history({ channel: 'C1', include_all_metadata: true });
    expect(withMeta.messages![0].metadata).toEqual(metadata);

    const thread = await client.conversations.replies({ channel: 'C1', ts: parent.ts!, include_all_metadata: true });
    expect(thread.messages!.map((m) => m.metadata?.event_type)).toEqual(['ticket_opened', 'ticket_updated']);
    expect(thread.messages![1].ts).toBe(reply.ts);
    const threadPlain = await client.conversations.replies({ channel: 'C1', ts: parent.ts! });
    expect(threadPlain.messages!.some((m) => 'metadata' in m)).toBe(false);
  });

  it('conversations.history honours oldest, with metadata', async () => {
    const first = await client.chat.postMessage({ channel: 'C1', text: 'one' });
    await client.chat.postMessage({ channel: 'C1', text: 'two', metadata });
    const r = await client.conversations.history({ channel: 'C1', oldest: first.ts, include_all_metadata: true });
    expect(r.messages!.map((m) => [m.text, m.metadata?.event_type])).toEqual([['two', 'ticket_opened']]);
  });

  it('rejects malformed metadata', async () => {
    const post = (body: string): Promise<any> =>
      fetch(`${emu.apiUrl}chat.postMessage`, { method: 'POST', headers: { authorization: `Bearer ${emu.botToken}`, 'content-type': 'application/x-www-form-urlencoded' }, body }).then((r) => r.json());
    expect(await post(`channel=C1&text=x&metadata=${encodeURIComponent('{not json')}`)).toEqual({ ok: false, error: 'invalid_metadata_format' });
    expect(await post(`channel=C1&text=x&metadata=${encodeURIComponent('{"event_payload":{}}')}`)).toEqual({ ok: false, error: 'invalid_metadata_schema' });
    const err = (await client.chat.postMessage({ channel: 'C1', text: 'x', metadata: { event_type: 'e' } as any }).catch((e: unknown) => e)) as WebAPIPlatformError;
    expect(err.data.error).toBe('invalid_metadata_schema');
    expect(emu.messages('C1')).toHaveLength(0);
  });
});
