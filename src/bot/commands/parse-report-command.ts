import { DomainError } from '../../domain/errors.js';
import { isTimeZone, parseBusinessHours, type BusinessCalendar } from '../../domain/business-hours.js';
import { CHANNEL_KINDS, PRIORITIES, type Priority } from '../../domain/ticket.js';
import type { SlaTarget } from '../../store/service-level-store.js';
import { PERIOD_FORMS } from '../../reports/period.js';
import { parseChannelMention, parseEmailAddress, type Parsed } from './grammar.js';

/** `/helpdesk stats|digest|export|timezone|hours|holiday|sla`: reports and what "on time" means. */
export type ReportCommand =
  | { kind: 'stats'; period: string; channelId: string | null }
  | { kind: 'export'; period: string }
  | { kind: 'digest'; op: 'add'; frequency: 'daily' | 'weekly'; channelId: string; weekday: number | null; atTime: string }
  | { kind: 'digest'; op: 'now'; channelId: string | null; period: string }
  | { kind: 'digest'; op: 'list' }
  | { kind: 'digest'; op: 'remove'; id: number }
  | { kind: 'timezone'; timeZone: string | null }
  | { kind: 'hours'; channelId: string | null; hours: Pick<BusinessCalendar, 'timeZone' | 'weekly'> | 'off' | null }
  | { kind: 'holiday'; op: 'add' | 'remove'; channelId: string | null; day: string }
  | { kind: 'sla'; channelId: string; change: SlaChange | 'off' | null };

export interface SlaChange {
  priorities: Priority[];
  minutes: Partial<Record<SlaTarget, number>>;
  businessHours: boolean;
}

export const REPORT_COMMAND_USAGE = [
  `\`/helpdesk stats [period] [#intake]\` figures for a period: ${PERIOD_FORMS} (default today)`,
  '`/helpdesk digest daily #channel 09:00`, `digest weekly #channel mon 09:00` post the figures every day or week (in the team\'s time zone)',
  '`/helpdesk digest now [#channel] [period]`, `digest list`, `digest remove ID`',
  '`/helpdesk export [period]` sends you the period\'s tickets as a CSV file',
  '`/helpdesk timezone Europe/Berlin` the team\'s time zone (days of reports and digests)',
  '`/helpdesk hours [#intake] Europe/Berlin mon-fri 09:00-17:00`, `hours [#intake] off`: business hours; `holiday add|remove [#intake] 2026-12-25`',
  '`/helpdesk sla #intake high first 1h next 4h resolve 1d [business]` SLA targets per priority (`all` for every priority), `sla #intake` shows them, `sla #intake off`',
].join('\n');

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const normaliseTime = (time: string) => {
  const [, h, m] = TIME.exec(time)!;
  return `${h!.padStart(2, '0')}:${m}`;
};

/** `90m`, `4h`, `1d`, `1h30m` → minutes. */
export function parseDuration(word: string): number | null {
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/.exec(word.toLowerCase());
  if (!match || word === '') return null;
  const minutes = Number(match[1] ?? 0) * 1440 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
  return minutes > 0 ? minutes : null;
}

function takeChannel(args: string[]): string | null {
  const channel = args[0] ? parseChannelMention(args[0]) : null;
  if (channel) args.shift();
  return channel;
}

export function parseReportCommand(verb: string, args: string[]): Parsed<ReportCommand> {
  const fail = (error: string): Parsed<ReportCommand> => ({ ok: false, error });
  switch (verb) {
    case 'stats': {
      const rest = [...args];
      const channelId = rest.length > 0 && parseChannelMention(rest.at(-1)!) ? parseChannelMention(rest.pop()!) : null;
      if (rest.length > 1) return fail(`Stats take one period: ${PERIOD_FORMS}.`);
      return { ok: true, value: { kind: 'stats', period: rest[0] ?? 'today', channelId } };
    }
    case 'export':
      return args.length <= 1 ? { ok: true, value: { kind: 'export', period: args[0] ?? '30d' } } : fail(`Export takes one period: ${PERIOD_FORMS}.`);
    case 'digest':
      return parseDigest(args);
    case 'timezone':
      if (args.length === 0) return { ok: true, value: { kind: 'timezone', timeZone: null } };
      return args.length === 1 && isTimeZone(args[0]!) ? { ok: true, value: { kind: 'timezone', timeZone: args[0]! } } : fail('Give an IANA time zone, like `/helpdesk timezone Europe/Berlin`.');
    case 'hours': {
      const rest = [...args];
      const channelId = takeChannel(rest);
      if (rest.length === 0) return { ok: true, value: { kind: 'hours', channelId, hours: null } };
      if (rest.length === 1 && rest[0]!.toLowerCase() === 'off') return { ok: true, value: { kind: 'hours', channelId, hours: 'off' } };
      try {
        return { ok: true, value: { kind: 'hours', channelId, hours: parseBusinessHours(rest) } };
      } catch (err) {
        return fail(err instanceof DomainError ? err.message : String(err));
      }
    }
    case 'holiday': {
      const rest = [...args];
      const op = rest.shift()?.toLowerCase();
      const channelId = takeChannel(rest);
      if ((op !== 'add' && op !== 'remove') || rest.length !== 1 || !DAY.test(rest[0]!)) return fail('Holidays are `holiday add [#intake] 2026-12-25` and `holiday remove [#intake] 2026-12-25`.');
      return { ok: true, value: { kind: 'holiday', op, channelId, day: rest[0]! } };
    }
    case 'sla':
      return parseSla(args);
    default:
      return fail(`I don't know \`${verb}\`.`);
  }
}

function parseDigest(args: string[]): Parsed<ReportCommand> {
  const usage = { ok: false as const, error: 'Digests are `digest daily #channel 09:00`, `digest weekly #channel mon 09:00`, `digest now [#channel] [period]`, `digest list` and `digest remove ID`.' };
  const [op, ...rest] = args;
  switch (op?.toLowerCase()) {
    case 'list':
      return rest.length === 0 ? { ok: true, value: { kind: 'digest', op: 'list' } } : usage;
    case 'remove':
      return rest.length === 1 && /^\d+$/.test(rest[0]!) ? { ok: true, value: { kind: 'digest', op: 'remove', id: Number(rest[0]) } } : usage;
    case 'now': {
      const channelId = takeChannel(rest);
      return rest.length <= 1 ? { ok: true, value: { kind: 'digest', op: 'now', channelId, period: rest[0] ?? 'yesterday' } } : usage;
    }
    case 'daily':
    case 'weekly': {
      const channelId = parseChannelMention(rest[0] ?? '');
      const weekly = op.toLowerCase() === 'weekly';
      const weekday = weekly ? WEEKDAYS.indexOf((rest[1] ?? '').toLowerCase().slice(0, 3)) + 1 : null;
      const time = rest[weekly ? 2 : 1] ?? '';
      if (!channelId || (weekly && !weekday) || !TIME.test(time) || rest.length !== (weekly ? 3 : 2)) return usage;
      return { ok: true, value: { kind: 'digest', op: 'add', frequency: weekly ? 'weekly' : 'daily', channelId, weekday, atTime: normaliseTime(time) } };
    }
    default:
      return usage;
  }
}

function parseSla(args: string[]): Parsed<ReportCommand> {
  const usage = { ok: false as const, error: 'SLA targets are `sla #intake PRIORITY|all first 1h next 4h resolve 1d [business]` (a mailbox address in place of #intake for mail, `slack`, `email`, `chat` or `api` for every channel of that kind without targets of its own, `amazon` for Amazon buyer messages, `amazon preset` for Amazon\'s 24 hours); `sla #intake` shows them; `sla #intake off` removes them.' };
  const kind = CHANNEL_KINDS.find((k) => k === (args[0] ?? '').toLowerCase());
  if (kind) return parseSlaChange(`kind:${kind}`, args, usage);
  const mailbox = parseEmailAddress(args[0] ?? '');
  const source = /^(?:source:)?(amazon|[a-z][a-z0-9-]{1,39})$/i.exec(args[0] ?? '')?.[1]?.toLowerCase();
  const channelId = mailbox ? `email:${mailbox}` : (parseChannelMention(args[0] ?? '') ?? (source && (source === 'amazon' || args[0]!.startsWith('source:')) ? `source:${source}` : null));
  if (!channelId) return usage;
  return parseSlaChange(channelId, args, usage);
}

/** The rest of `sla SCOPE …`: nothing (show), `off`, Amazon's `preset`, or a priority and targets. */
function parseSlaChange(channelId: string, args: string[], usage: { ok: false; error: string }): Parsed<ReportCommand> {
  if (args.length === 1) return { ok: true, value: { kind: 'sla', channelId, change: null } };
  // Amazon's own rule: a first reply within 24 hours, weekends and holidays included.
  if (channelId === 'source:amazon' && args.length === 2 && args[1]!.toLowerCase() === 'preset') {
    return { ok: true, value: { kind: 'sla', channelId, change: { priorities: [...PRIORITIES], minutes: { first_reply: 24 * 60 }, businessHours: false } } };
  }
  if (args.length === 2 && args[1]!.toLowerCase() === 'off') return { ok: true, value: { kind: 'sla', channelId, change: 'off' } };
  const which = args[1]!.toLowerCase();
  const priorities = which === 'all' ? [...PRIORITIES] : PRIORITIES.includes(which as Priority) ? [which as Priority] : null;
  if (!priorities) return usage;
  const minutes: Partial<Record<SlaTarget, number>> = {};
  let businessHours = false;
  const names: Record<string, SlaTarget> = { first: 'first_reply', next: 'next_reply', resolve: 'resolution', resolution: 'resolution' };
  for (let i = 2; i < args.length; i++) {
    const word = args[i]!.toLowerCase();
    if (word === 'business') businessHours = true;
    else if (word === 'calendar') businessHours = false;
    else if (names[word] && args[i + 1] && parseDuration(args[i + 1]!)) minutes[names[word]] = parseDuration(args[++i]!)!;
    else return usage;
  }
  if (Object.keys(minutes).length === 0) return usage;
  return { ok: true, value: { kind: 'sla', channelId, change: { priorities, minutes, businessHours } } };
}
