import { z } from 'zod';

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
}

const channelId = /^[CGD][A-Z0-9]{2,}$/;
const userId = /^[UW][A-Z0-9]{2,}$/;
const list = (pattern: RegExp, what: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean))
    .refine((ids) => ids.every((id) => pattern.test(id)), `expected comma-separated ${what} ids`);

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
  THREADDESK_SLACK_RATE_SCALE: z.coerce.number({ error: 'expected a positive number' }).positive('expected a positive number').default(1),
});

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

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
  return {
    ok: true,
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
    },
  };
}
