/**
 * Fault injection for Web API calls. Shapes follow doc §2.2-2.3: Slack answers API errors with HTTP 200
 * {ok:false,error}; rate limiting is HTTP 429 + Retry-After + {ok:false,error:'ratelimited'}; outages are
 * 5xx (which WebClient retries, unlike ok:false). FaultInjector fails chosen calls; Outage fails them all for a while.
 */
import type { FaultSpec } from './types.js';

export interface FaultResponse {
  status: number;
  body: { ok: false; error: string };
  headers?: Record<string, string>;
}

const ERROR_FOR_STATUS: Record<number, string> = {
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'request_timeout',
  429: 'ratelimited',
};

export class FaultInjector {
  private readonly queue = new Map<string, { fault: FaultSpec; remaining: number }[]>();

  add(method: string, fault: FaultSpec): void {
    const list = this.queue.get(method) ?? [];
    list.push({ fault, remaining: fault.times ?? 1 });
    this.queue.set(method, list);
  }

  /** The fault for this call of `method`, if one is pending (consumes one use). */
  take(method: string): FaultResponse | undefined {
    const list = this.queue.get(method);
    const entry = list?.[0];
    if (!entry) return undefined;
    if (--entry.remaining <= 0) list!.shift();
    const { fault } = entry;
    if (fault.retryAfter !== undefined) {
      return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(fault.retryAfter) } };
    }
    const status = fault.status ?? 200;
    const error = fault.error ?? ERROR_FOR_STATUS[status] ?? 'fatal_error';
    return { status, body: { ok: false, error } };
  }
}

/** A Slack outage: until it ends, every Web API call is refused with one 5xx (event delivery is not affected). */
export class Outage {
  private until = 0;
  private status = 503;
  /** Calls refused by outages so far. */
  refused = 0;

  start(ms: number, status: number): void {
    this.until = Date.now() + ms;
    this.status = status;
  }

  end(): void {
    this.until = 0;
  }

  /** The answer to a call made now, if Slack is down (counts it as refused). */
  take(): FaultResponse | undefined {
    if (Date.now() >= this.until) return undefined;
    this.refused++;
    return { status: this.status, body: { ok: false, error: ERROR_FOR_STATUS[this.status] ?? 'service_unavailable' } };
  }
}
