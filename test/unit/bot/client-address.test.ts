import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddressOf } from '../../../src/bot/http/client-address.js';

/** A request as the bot's server sees it: its connection's address and the header a proxy (or anyone) sent. */
const request = (remoteAddress: string, forwardedFor?: string) =>
  ({ socket: { remoteAddress }, connection: { remoteAddress }, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} }) as unknown as IncomingMessage;

describe('the address a request came from', () => {
  it('without trusted proxies is the connection\'s: anyone can write X-Forwarded-For', () => {
    expect(clientAddressOf(0)(request('203.0.113.7', '198.51.100.1'))).toBe('203.0.113.7');
  });

  it('behind trusted proxies is the nearest address of X-Forwarded-For that is not one of them', () => {
    const behindLoopback = clientAddressOf(['loopback']);
    expect(behindLoopback(request('127.0.0.1', '198.51.100.1, 203.0.113.7'))).toBe('203.0.113.7'); // the first hop is a forgery the client sent
    expect(behindLoopback(request('192.0.2.9', '198.51.100.1'))).toBe('192.0.2.9'); // not from the proxy: header ignored
    expect(clientAddressOf(['10.0.0.0/8', 'loopback'])(request('127.0.0.1', '203.0.113.7, 10.1.2.3'))).toBe('203.0.113.7');
  });

  it('with a number of proxies believes that many hops', () => {
    expect(clientAddressOf(1)(request('10.0.0.2', '198.51.100.1, 203.0.113.7'))).toBe('203.0.113.7');
    expect(clientAddressOf(2)(request('10.0.0.2', '198.51.100.1, 203.0.113.7'))).toBe('198.51.100.1');
  });
});
