import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';

// Slack tokens look like xoxb-…, xoxp-…, xapp-…: scrubbed wherever they appear, whatever logged them.
const TOKEN_PATTERN = /\b(xox[abeoprs]|xapp)-[A-Za-z0-9-]+/g;

function scrub(value: unknown, secrets: string[], depth = 0): unknown {
  if (typeof value === 'string') {
    let out = value.replace(TOKEN_PATTERN, '[redacted]');
    for (const secret of secrets) out = out.split(secret).join('[redacted]');
    return out;
  }
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { type: value.name, message: scrub(value.message, secrets), stack: scrub(value.stack, secrets) };
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, secrets, depth + 1)]));
}

export interface LoggerOptions {
  level: string;
  /** Secret values (signing secret, tokens) that must never reach a log line. */
  secrets: string[];
  /** Where lines go; stdout by default. Tests pass a stream to read the lines back. */
  destination?: Writable;
}

/** The one root logger: JSON lines, with secrets redacted by path and by value. */
export function createLogger(options: LoggerOptions): Logger {
  const secrets = options.secrets.filter((s) => s.length >= 6);
  return pino(
    {
      level: options.level,
      redact: { paths: ['token', '*.token', 'headers.authorization', '*.headers.authorization', 'signingSecret', '*.signingSecret'], censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => scrub(arg, secrets)) as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? process.stdout,
  );
}

const BOLT_LEVELS: Record<string, LogLevel> = { debug: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN, error: LogLevel.ERROR };

/** Bolt's logger interface, written to our pino root. */
export function boltLogger(root: Logger): BoltLogger {
  const log = root.child({ component: 'bolt' });
  const text = (parts: unknown[]) => parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(scrub(p, [])))).join(' ');
  // Bolt and the Web API client log request bodies at debug level: format only what will be written.
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (...msg: unknown[]) => {
    if (log.isLevelEnabled(level)) log[level](text(msg));
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setLevel: () => undefined,
    getLevel: () => BOLT_LEVELS[root.level] ?? LogLevel.INFO,
    setName: () => undefined,
  };
}
