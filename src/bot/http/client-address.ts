import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import type { TrustProxy } from '../../config.js';

/**
 * The address a request came from: its connection's, or, behind trusted reverse proxies, the nearest untrusted
 * address of X-Forwarded-For (proxy-addr, as Express does). Without trust the header is ignored: anyone can send it.
 */
export function clientAddressOf(trust: TrustProxy): (req: IncomingMessage) => string {
  const trusted = typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : proxyAddr.compile(trust);
  return (req) => proxyAddr(req, trusted);
}
