/**
 * Slack's Web API rate limits (research doc §2.4, docs.slack.dev/apis/web-api/rate-limits) as token buckets.
 * Tier methods are limited "per API method per workspace per app" (one emulator = one workspace and one app);
 * chat.postMessage allows "one message per second per channel" with short bursts. Over the limit Slack answers
 * HTTP 429 + Retry-After (whole seconds). Slack's undocumented workspace-wide cap on chat.postMessage is not
 * emulated.
 */
import type { RateLimitOptions } from './types.js';

const TIER_2 = 20;
const TIER_3 = 50;
const TIER_4 = 100;

/** Calls per minute per method (doc §2.4 tier table); a method not listed here is not limited. */
const PER_MINUTE: Record<string, number> = {
  'chat.update': TIER_3,
  'reactions.add': TIER_3,
  'reactions.remove': TIER_3,
  'conversations.history': TIER_3,
  'conversations.replies': TIER_3,
  'chat.postEphemeral': TIER_4,
  'views.open': TIER_4,
  'views.update': TIER_4,
  'views.publish': TIER_4,
  'views.push': TIER_4,
  'users.info': TIER_4,
  'users.list': TIER_2,
  'conversations.list': TIER_2,
  'conversations.members': TIER_2,
};

/** "Posting messages: 1 per second" per channel. */
const POST_MESSAGE_PER_SECOND = 1;

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly scale: number;
  private readonly capacity: number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(opts: RateLimitOptions, private readonly now: () => number = Date.now) {
    this.scale = opts.scale ?? 1;
    if (!(this.scale > 0)) throw new Error(`SlackEmulator: rate limit scale must be > 0, got ${this.scale}`);
    this.capacity = Math.max(1, opts.burst ?? 3);
  }

  /** Steady calls per second allowed for `method` (chat.postMessage: per channel); Infinity when unlimited. */
  allowedPerSecond(method: string): number {
    if (method === 'chat.postMessage') return POST_MESSAGE_PER_SECOND * this.scale;
    const perMinute = PER_MINUTE[method];
    return perMinute === undefined ? Infinity : (perMinute * this.scale) / 60;
  }

  /**
   * Takes a token for this call. Returns 0 when the call may go ahead, otherwise the Retry-After to answer
   * with: the whole seconds (at least 1) until the bucket holds a token again.
   */
  take(method: string, args: Record<string, any>): number {
    const rate = this.allowedPerSecond(method);
    if (rate === Infinity) return 0;
    const key = method === 'chat.postMessage' ? `${method} ${String(args.channel)}` : method;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.capacity, at: now };
    this.buckets.set(key, bucket);
    bucket.tokens = Math.min(this.capacity, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / rate));
  }
}
