import { z } from 'zod';
import proxyAddr from 'proxy-addr';

export interface Config {
  botToken: string;
  signingSecret: string | null;
  appToken: string | null;
  slackApiUrl: string;
  port: number;
  databaseUrl: string;
  logLevel: string;
  triageChannel: string | null;
  intakeChannels: string[];
  agentIds: string[];
  adminIds: string[];
  /** Multiplies Slack's documented rate limits the delivery worker keeps to (1 for real Slack; a test emulator may allow more). */
  slackRateScale: number;
  /** Days after a solve (not reopened since) when the ticket is closed; 0: never. */
  closeAfterDays: number;
  email: EmailConfig;
  chat: ChatConfig;
  orders: OrdersConfig;
  llm: LlmConfig;
}

/** An OpenAI-compatible endpoint that may rewrite a suggested reply for its conversation; off unless a URL is set. */
export interface LlmConfig {
  /** Base URL (…/v1): POST {url}/chat/completions. Null: no customer text is sent anywhere. */
  url: string | null;
  model: string;
  apiKey: string | null;
  timeoutMs: number;
}

export interface OrdersConfig {
  /** Verifies POST /webhooks/shopify (the app's client secret), or null (the route is off). */
  shopifySecret: string | null;
  /** Verifies POST /webhooks/woocommerce (the webhook's secret), or null (the route is off). */
  wooSecret: string | null;
  /** A ticket whose requester ordered within this many days (× 24 h) after it was created converted. */
  conversionDays: number;
}

/**
 * Which reverse proxies' X-Forwarded-For is believed (as Express's "trust proxy"): how many hops, or their addresses
 * and subnets (`loopback`, `10.0.0.0/8`). 0: none, a request's address is its connection's.
 */
export type TrustProxy = number | string[];

export interface ChatConfig {
  /** Websites allowed to embed the widget (origins like https://shop.example); empty: the widget is off. */
  origins: string[];
  /** New visitors one address may start an hour (0: no limit); returning visitors (their token) are not counted. */
  visitorsPerHour: number;
  trustProxy: TrustProxy;
  /** The bot's public base URL (the widget's script and socket are served from it). */
  publicUrl: string;
  /** A reply no open widget has shown for this long goes to the visitor's email address. */
  unseenMs: number;
}

export interface EmailConfig {
  /** Inbound SMTP listener, or null (off). */
  smtpListen: { host: string; port: number } | null;
  /** Outbound relay, smtp://[user:pass@]host:port or smtps://…, or null. */
  smtpUrl: string | null;
  /** Bootstrap mailboxes: address → triage channel id. */
  inboxes: { address: string; triageChannelId: string }[];
  /** A mailbox to poll, imap(s)://user:pass@host[:port]/MAILBOX, or null. */
  imapUrl: string | null;
  /** Bearer secret of POST /inbound/email (and the intake API), or null (those routes are off). */
  apiSecret: string | null;
  /** Mails over this many bytes are refused. */
  maxBytes: number;
}

const channelId = /^[CGD][A-Z0-9]{2,}$/;
const userId = /^[UW][A-Z0-9]{2,}$/;
const list = (pattern: RegExp, what: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean))
    .refine((ids) => ids.every((id) => pattern.test(id)), `expected comma-separated ${what} ids`);

const address = /^[^\s@,=]+@[^\s@,=]+\.[^\s@,=]+$/;
const inboxes = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean))
  .refine((pairs) => pairs.every((p) => { const [a, c] = p.split('='); return address.test(a ?? '') && channelId.test(c ?? ''); }), 'expected address=CHANNEL_ID pairs, comma-separated (support@shop.example=C0123ABCD)')
  .transform((pairs) => pairs.map((p) => ({ address: p.split('=')[0]!.toLowerCase(), triageChannelId: p.split('=')[1]! })));
const listen = z
  .string()
  .regex(/^(?:[^:\s]+:)?\d{1,5}$/, 'expected [host:]port, e.g. 2525 or 127.0.0.1:2525')
  .transform((v) => { const at = v.lastIndexOf(':'); return at < 0 ? { host: '0.0.0.0', port: Number(v) } : { host: v.slice(0, at), port: Number(v.slice(at + 1)) }; })
  .refine((l) => l.port <= 65535, 'expected a port up to 65535')
  .optional();

const schema = z.object({
  SLACK_BOT_TOKEN: z.string({ error: 'is required (a bot token, xoxb-…)' }).regex(/^xoxb-/, 'expected a bot token starting with xoxb-'),
  SLACK_SIGNING_SECRET: z.string().min(1, 'must not be empty').optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'expected an app-level token starting with xapp-').optional(),
  SLACK_API_URL: z.url({ error: 'expected a URL such as https://slack.com/api/' }).default('https://slack.com/api/'),
  PORT: z.coerce.number({ error: 'expected a port number' }).int().min(0).max(65535).default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'expected sqlite:<path> or postgres://…')
    .default('sqlite:./data/threaddesk.sqlite'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'expected one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  THREADDESK_TRIAGE_CHANNEL: z.string().regex(channelId, 'expected a channel id such as C0123ABCD').optional(),
  THREADDESK_INTAKE_CHANNELS: list(channelId, 'channel'),
  THREADDESK_AGENTS: list(userId, 'user'),
  THREADDESK_ADMINS: list(userId, 'user'),
  THREADDESK_SMTP_LISTEN: listen,
  THREADDESK_SMTP_URL: z.string().regex(/^smtps?:\/\/[^\s]+$/, 'expected smtp://[user:pass@]host:port or smtps://…').optional(),
  THREADDESK_EMAIL_INBOXES: inboxes,
  THREADDESK_IMAP_URL: z.string().regex(/^imaps?:\/\/[^\s]+$/, 'expected imaps://user:pass@host[:port]/INBOX').optional(),
  THREADDESK_API_SECRET: z.string().min(1).optional(),
  THREADDESK_CHAT_ORIGINS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const origins = (value ?? '').split(',').map((o) => o.trim()).filter(Boolean);
      for (const origin of origins) {
        let parsed: URL | null;
        try {
          parsed = new URL(origin);
        } catch {
          parsed = null;
        }
        if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin.replace(/\/$/, '')) ctx.addIssue({ code: 'custom', message: `expected origins like https://shop.example, got ${origin}` });
      }
      return origins.map((o) => o.replace(/\/$/, ''));
    }),
  THREADDESK_CHAT_VISITORS_PER_HOUR: z.coerce.number({ error: 'expected a number of visitors' }).int('expected a whole number').min(0, 'expected 0 (no limit) or more').default(60),
  THREADDESK_TRUST_PROXY: z
    .string()
    .optional()
    .transform((value, ctx): TrustProxy => {
      if (value === undefined) return 0;
      if (/^\d+$/.test(value.trim())) return Number(value.trim());
      const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
      try {
        proxyAddr.compile(entries);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `expected a number of proxies, or addresses and subnets like loopback,10.0.0.0/8 (${(err as Error).message})` });
      }
      return entries;
    }),
  THREADDESK_CHAT_EMAIL_AFTER_SECONDS: z.coerce.number({ error: 'expected a number of seconds' }).int().min(1, 'expected at least 1 second').default(120),
  THREADDESK_PUBLIC_URL: z.string().regex(/^https?:\/\/[^\s]+$/, 'expected a URL like https://helpdesk.shop.example').optional(),
  THREADDESK_EMAIL_MAX_BYTES: z.coerce.number({ error: 'expected a number of bytes' }).int().positive('expected a positive number of bytes').default(25 * 1024 * 1024),
  SHOPIFY_WEBHOOK_SECRET: z.string().min(1).optional(),
  WOOCOMMERCE_WEBHOOK_SECRET: z.string().min(1).optional(),
  THREADDESK_CLOSE_AFTER_DAYS: z.coerce.number({ error: 'expected a number of days' }).int('expected a whole number of days').min(0, 'expected 0 (never) or more days').max(365, 'expected at most 365 days').default(4),
  THREADDESK_CONVERSION_DAYS: z.coerce.number({ error: 'expected a number of days' }).int('expected a whole number of days').min(1, 'expected at least 1 day').max(90, 'expected at most 90 days').default(5),
  THREADDESK_SLACK_RATE_SCALE: z.coerce.number({ error: 'expected a positive number' }).positive('expected a positive number').default(1),
  THREADDESK_LLM_URL: z.string().regex(/^https?:\/\/[^\s]+$/, 'expected the base URL of an OpenAI-compatible API, like http://127.0.0.1:8080/v1').optional(),
  THREADDESK_LLM_MODEL: z.string().min(1).default('default'),
  THREADDESK_LLM_API_KEY: z.string().min(1).optional(),
  THREADDESK_LLM_TIMEOUT_MS: z.coerce.number({ error: 'expected a number of milliseconds' }).int().min(100, 'expected at least 100 ms').max(2500, 'expected at most 2500 ms (the Suggest click must answer within Slack\'s 3 s)').default(1500),
});

/** `warnings`: settings that work but should change (a short secret), one line each for the log. */
export type ConfigResult = { ok: true; config: Config; warnings: string[] } | { ok: false; errors: string[] };

/** Reads the configuration from an environment; reports every problem at once, each naming its variable. */
export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(clean);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) };
  }
  const v = parsed.data;
  const errors: string[] = [];
  if (!v.SLACK_APP_TOKEN && !v.SLACK_SIGNING_SECRET) errors.push('SLACK_SIGNING_SECRET: is required in HTTP mode (set it, or SLACK_APP_TOKEN for Socket Mode)');
  if (v.THREADDESK_INTAKE_CHANNELS.length > 0 && !v.THREADDESK_TRIAGE_CHANNEL) errors.push('THREADDESK_TRIAGE_CHANNEL: is required when THREADDESK_INTAKE_CHANNELS is set');
  if (v.THREADDESK_TRIAGE_CHANNEL && v.THREADDESK_INTAKE_CHANNELS.includes(v.THREADDESK_TRIAGE_CHANNEL)) {
    errors.push('THREADDESK_INTAKE_CHANNELS: must not contain the triage channel');
  }
  if (errors.length > 0) return { ok: false, errors };
  // A short secret works (an operator's test setup may use one) but is guessable: said once at start.
  const warnings = [
    ...(v.THREADDESK_API_SECRET && v.THREADDESK_API_SECRET.length < 16 ? [`THREADDESK_API_SECRET: only ${v.THREADDESK_API_SECRET.length} characters; use a long random string (openssl rand -hex 32)`] : []),
  ];
  return {
    ok: true,
    warnings,
    config: {
      botToken: v.SLACK_BOT_TOKEN,
      signingSecret: v.SLACK_SIGNING_SECRET ?? null,
      appToken: v.SLACK_APP_TOKEN ?? null,
      slackApiUrl: v.SLACK_API_URL,
      port: v.PORT,
      databaseUrl: v.DATABASE_URL,
      logLevel: v.LOG_LEVEL,
      triageChannel: v.THREADDESK_TRIAGE_CHANNEL ?? null,
      intakeChannels: v.THREADDESK_INTAKE_CHANNELS,
      agentIds: v.THREADDESK_AGENTS,
      adminIds: v.THREADDESK_ADMINS,
      slackRateScale: v.THREADDESK_SLACK_RATE_SCALE,
      closeAfterDays: v.THREADDESK_CLOSE_AFTER_DAYS,
      email: {
        smtpListen: v.THREADDESK_SMTP_LISTEN ?? null,
        smtpUrl: v.THREADDESK_SMTP_URL ?? null,
        inboxes: v.THREADDESK_EMAIL_INBOXES,
        imapUrl: v.THREADDESK_IMAP_URL ?? null,
        apiSecret: v.THREADDESK_API_SECRET ?? null,
        maxBytes: v.THREADDESK_EMAIL_MAX_BYTES,
      },
      orders: { shopifySecret: v.SHOPIFY_WEBHOOK_SECRET ?? null, wooSecret: v.WOOCOMMERCE_WEBHOOK_SECRET ?? null, conversionDays: v.THREADDESK_CONVERSION_DAYS },
      llm: { url: v.THREADDESK_LLM_URL?.replace(/\/$/, '') ?? null, model: v.THREADDESK_LLM_MODEL, apiKey: v.THREADDESK_LLM_API_KEY ?? null, timeoutMs: v.THREADDESK_LLM_TIMEOUT_MS },
      chat: { origins: v.THREADDESK_CHAT_ORIGINS, visitorsPerHour: v.THREADDESK_CHAT_VISITORS_PER_HOUR, trustProxy: v.THREADDESK_TRUST_PROXY, unseenMs: v.THREADDESK_CHAT_EMAIL_AFTER_SECONDS * 1000, publicUrl: (v.THREADDESK_PUBLIC_URL ?? `http://localhost:${v.PORT}`).replace(/\/$/, '') },
    },
  };
}
