import { API_SOURCE, apiChannel, CHAT_CHANNEL } from '../../domain/intake-channel.js';
import { ROUTING_POLICIES, type RoutingPolicy } from '../../domain/routing.js';
import { slackToPlain } from '../../ingest/slack-text.js';
import { FIELD_NAME } from '../../tickets/set-field.js';
import { firstWord, parseChannelMention, parseUserMention, type Parsed, parseEmailAddress } from './grammar.js';
import { parseDuration, parseReportCommand, REPORT_COMMAND_USAGE, type ReportCommand } from './parse-report-command.js';

export type TemplateCommand =
  | { kind: 'template'; op: 'list' }
  | { kind: 'template'; op: 'show' | 'delete'; name: string }
  | { kind: 'template'; op: 'add' | 'edit'; name: string; body: string };

export type RoutingCommand =
  | { kind: 'group'; op: 'add' | 'remove'; name: string; userIds: string[] }
  | { kind: 'group'; op: 'list' }
  | { kind: 'availability'; away: boolean }
  | { kind: 'reassign'; userId: string }
  | { kind: 'routing'; channelId: string; policy: RoutingPolicy; groupName: string | null }
  | { kind: 'rule'; op: 'add'; channelId: string; pattern: string; tag: string | null; groupName: string | null }
  | { kind: 'rule'; op: 'list'; channelId: string }
  | { kind: 'rule'; op: 'remove'; channelId: string; id: number };

export type HelpdeskCommand =
  | TemplateCommand
  | RoutingCommand
  | ReportCommand
  | { kind: 'help' }
  | { kind: 'connect'; intakeChannelId: string; triageChannelId: string | null; replyUrl?: string }
  | { kind: 'channel'; channelId: string; change: ChannelChange | null }
  | { kind: 'channels' };

export interface ChannelChange {
  pleasantryFilter?: boolean;
  burstWindowSeconds?: number;
  ackTemplate?: string | null;
  fieldPattern?: { field: string; pattern: string | null };
  csatEnabled?: boolean;
  csatDelayMinutes?: number;
}

export const HELPDESK_COMMAND_USAGE = [
  '`/helpdesk connect #intake [#triage]` makes #intake an intake channel whose tickets are worked in #triage',
  '`/helpdesk connect email support@shop.example [#triage]` makes mail to that address open tickets (see the README for the SMTP, IMAP and HTTP doors)',
  '`/helpdesk connect api SOURCE #triage REPLY_URL` takes messages from a form or tool by the intake API; replies are POSTed, signed, to REPLY_URL',
  '`/helpdesk connect chat [#triage]` makes chats from the widget on your website open tickets',
  '`/helpdesk channel` lists the intake channels and mailboxes; `/helpdesk channel #intake` (or an address) shows its rules',
  '`/helpdesk channel #intake pleasantries on|off` ignore "thanks"/"hello" alone (default on)',
  '`/helpdesk channel #intake burst MINUTES` join a requester\'s messages within MINUTES to their open ticket (default 5, 0 = off)',
  '`/helpdesk channel #intake ack TEMPLATE|off` acknowledge every new ticket with a template',
  '`/helpdesk channel #intake field NAME PATTERN|off` pick a ticket field out of customer messages, e.g. `field order.number #(\\d{4,})`',
  '`/helpdesk template add NAME [text]`, `template edit NAME [text]`: save a reply template (mustache, e.g. `Hi {{customer.first_name}}, order {{order.number}} ships today.`); without text, an editor opens',
  '`/helpdesk template list`, `template show NAME`, `template delete NAME`',
  '`/helpdesk channel #intake routing round-robin|fewest-open|learned|manual [group NAME]` assigns new tickets automatically (`learned`: to whom, and with which tags, similar solved tickets went)',
  '`/helpdesk rule add #intake PATTERN tag TAG [group NAME]`, `rule list #intake`, `rule remove #intake ID`: e.g. `rule add #help refund|chargeback tag billing group billing`',
  '`/helpdesk group add NAME @a @b`, `group remove NAME @a`, `group list`',
  '`/helpdesk away`, `/helpdesk back`: an away agent gets no new tickets; `/helpdesk reassign @agent` hands their open tickets on',
  '`/helpdesk channel #intake survey on|off|after DURATION` ask requesters to rate solved tickets 1-5 (default on, at once; `after 1d`: a day after the solve, unless reopened by then)',
  REPORT_COMMAND_USAGE,
  '`/helpdesk help`',
].join('\n');

export const TEMPLATE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function parseHelpdeskCommand(text: string): Parsed<HelpdeskCommand> {
  const [verb, rest] = firstWord(text);
  const args = rest.trim().split(/\s+/).filter(Boolean);
  switch (verb.toLowerCase()) {
    case '':
    case 'help':
      return { ok: true, value: { kind: 'help' } };
    case 'connect': {
      if (args[0]?.toLowerCase() === 'api') {
        const source = args[1]?.toLowerCase() ?? '';
        const triage = parseChannelMention(args[2] ?? '');
        const replyUrl = parseWebUrl(args[3] ?? '');
        if (!API_SOURCE.test(source) || !triage || !replyUrl || args.length > 4) return { ok: false, error: 'Name the source, the triage channel and the URL replies are POSTed to, like `/helpdesk connect api shopify-form #support-triage https://shop.example/threaddesk/replies`.' };
        return { ok: true, value: { kind: 'connect', intakeChannelId: apiChannel(source), triageChannelId: triage, replyUrl } };
      }
      if (args[0]?.toLowerCase() === 'chat') {
        const triage = args[1] === undefined ? null : parseChannelMention(args[1]);
        if ((args[1] !== undefined && !triage) || args.length > 2) return { ok: false, error: 'Name the triage channel, like `/helpdesk connect chat #support-triage`.' };
        return { ok: true, value: { kind: 'connect', intakeChannelId: CHAT_CHANNEL, triageChannelId: triage } };
      }
      if (args[0]?.toLowerCase() === 'email') {
        const address = parseEmailAddress(args[1] ?? '');
        const triage = args[2] === undefined ? null : parseChannelMention(args[2]);
        if (!address || (args[2] !== undefined && !triage) || args.length > 3) return { ok: false, error: 'Name the mailbox, like `/helpdesk connect email support@shop.example #support-triage`.' };
        return { ok: true, value: { kind: 'connect', intakeChannelId: `email:${address}`, triageChannelId: triage } };
      }
      const intake = parseChannelMention(args[0] ?? '');
      const triage = args[1] === undefined ? null : parseChannelMention(args[1]);
      if (!intake || (args[1] !== undefined && !triage) || args.length > 2) return { ok: false, error: 'Name the channels, like `/helpdesk connect #help-desk #support-triage`.' };
      return { ok: true, value: { kind: 'connect', intakeChannelId: intake, triageChannelId: triage } };
    }
    case 'channel':
      return args[1]?.toLowerCase() === 'routing' ? parseRouting(args) : parseChannelRules(args);
    case 'group':
      return parseGroup(args);
    case 'rule':
      return parseRule(args);
    case 'away':
    case 'back':
      return args.length === 0 ? { ok: true, value: { kind: 'availability', away: verb.toLowerCase() === 'away' } } : { ok: false, error: `\`/helpdesk ${verb.toLowerCase()}\` takes no arguments.` };
    case 'reassign': {
      const userId = args.length === 1 ? parseUserMention(args[0]!) : null;
      return userId ? { ok: true, value: { kind: 'reassign', userId } } : { ok: false, error: 'Name the agent, like `/helpdesk reassign @sam`.' };
    }
    case 'template':
      return parseTemplateCommand(rest);
    case 'stats':
    case 'digest':
    case 'export':
    case 'timezone':
    case 'hours':
    case 'holiday':
    case 'sla':
      return parseReportCommand(verb.toLowerCase(), args);
    default:
      return { ok: false, error: `I don't know \`${verb.slice(0, 40)}\`.` };
  }
}

function parseTemplateCommand(text: string): Parsed<HelpdeskCommand> {
  const [op, rest] = firstWord(text);
  const [rawName, body] = firstWord(rest);
  const name = rawName.toLowerCase();
  const lowerOp = op.toLowerCase();
  if (lowerOp === 'list' && rest.trim() === '') return { ok: true, value: { kind: 'template', op: 'list' } };
  if (!['add', 'edit', 'show', 'delete'].includes(lowerOp)) return { ok: false, error: 'Template commands are `add`, `edit`, `list`, `show` and `delete`.' };
  if (!TEMPLATE_NAME.test(name)) return { ok: false, error: 'A template name is one word of letters, digits, `-` and `_`, like `refund-approved`.' };
  if (lowerOp === 'show' || lowerOp === 'delete') {
    return body.trim() === '' ? { ok: true, value: { kind: 'template', op: lowerOp, name } } : { ok: false, error: `\`template ${lowerOp}\` takes only a name.` };
  }
  // Without text, the template editor (a modal) opens.
  return { ok: true, value: { kind: 'template', op: lowerOp as 'add' | 'edit', name, body: body.trim() } };
}

const GROUP_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

function parseGroup(args: string[]): Parsed<HelpdeskCommand> {
  const op = args[0]?.toLowerCase();
  if (op === 'list' && args.length === 1) return { ok: true, value: { kind: 'group', op: 'list' } };
  const name = args[1]?.toLowerCase() ?? '';
  const userIds = args.slice(2).map(parseUserMention);
  if ((op !== 'add' && op !== 'remove') || !GROUP_NAME.test(name) || userIds.length === 0 || userIds.some((id) => !id)) {
    return { ok: false, error: 'Group commands are `group add NAME @a @b`, `group remove NAME @a` and `group list`.' };
  }
  return { ok: true, value: { kind: 'group', op, name, userIds: userIds as string[] } };
}

function parseRouting(args: string[]): Parsed<HelpdeskCommand> {
  const channelId = parseChannelMention(args[0] ?? '');
  const policy = args[2]?.toLowerCase() as RoutingPolicy;
  const group = args[3]?.toLowerCase() === 'group' ? args[4]?.toLowerCase() : undefined;
  const sizeOk = args.length === 3 || (args.length === 5 && group !== undefined && GROUP_NAME.test(group));
  if (!channelId || !ROUTING_POLICIES.includes(policy) || !sizeOk) {
    return { ok: false, error: `Routing is \`/helpdesk channel #intake routing ${ROUTING_POLICIES.join('|')} [group NAME]\`.` };
  }
  return { ok: true, value: { kind: 'routing', channelId, policy, groupName: group ?? null } };
}

function parseRule(args: string[]): Parsed<HelpdeskCommand> {
  const op = args[0]?.toLowerCase();
  const channelId = parseChannelMention(args[1] ?? '');
  const usage = { ok: false as const, error: 'Rule commands are `rule add #intake PATTERN tag TAG [group NAME]`, `rule list #intake` and `rule remove #intake ID`.' };
  if (!channelId) return usage;
  if (op === 'list' && args.length === 2) return { ok: true, value: { kind: 'rule', op: 'list', channelId } };
  if (op === 'remove' && args.length === 3 && /^\d+$/.test(args[2]!)) return { ok: true, value: { kind: 'rule', op: 'remove', channelId, id: Number(args[2]) } };
  if (op !== 'add' || args.length < 5) return usage;
  const options = new Map<string, string>();
  for (let i = 3; i + 1 < args.length; i += 2) options.set(args[i]!.toLowerCase(), args[i + 1]!.toLowerCase());
  const tag = options.get('tag') ?? null;
  const groupName = options.get('group') ?? null;
  const known = [...options.keys()].every((k) => k === 'tag' || k === 'group') && (args.length - 3) % 2 === 0;
  if (!known || (!tag && !groupName) || (tag && !/^[a-z0-9][a-z0-9_.-]{0,39}$/.test(tag)) || (groupName && !GROUP_NAME.test(groupName))) return usage;
  // Slack escapes &, < and > in command text; the pattern is meant as typed.
  return { ok: true, value: { kind: 'rule', op: 'add', channelId, pattern: slackToPlain(args[2]!), tag, groupName } };
}

function parseChannelRules(args: string[]): Parsed<HelpdeskCommand> {
  if (args.length === 0) return { ok: true, value: { kind: 'channels' } };
  const mailbox = parseEmailAddress(args[0] ?? '');
  const channelId = mailbox ? `email:${mailbox}` : parseChannelMention(args[0] ?? '');
  if (!channelId) return { ok: false, error: 'Name the intake channel, like `/helpdesk channel #help-desk burst 5`.' };
  if (args.length === 1) return { ok: true, value: { kind: 'channel', channelId, change: null } };
  const [rule, value] = [args[1]!.toLowerCase(), (args[2] ?? '').toLowerCase()];
  if (rule === 'pleasantries' && (value === 'on' || value === 'off') && args.length === 3) {
    return { ok: true, value: { kind: 'channel', channelId, change: { pleasantryFilter: value === 'on' } } };
  }
  if (rule === 'burst' && /^\d{1,4}$/.test(value) && args.length === 3) {
    return { ok: true, value: { kind: 'channel', channelId, change: { burstWindowSeconds: Number(value) * 60 } } };
  }
  if (rule === 'ack' && args.length === 3 && (value === 'off' || TEMPLATE_NAME.test(value))) {
    return { ok: true, value: { kind: 'channel', channelId, change: { ackTemplate: value === 'off' ? null : value } } };
  }
  if (rule === 'survey' && (value === 'on' || value === 'off') && args.length === 3) {
    return { ok: true, value: { kind: 'channel', channelId, change: { csatEnabled: value === 'on' } } };
  }
  if (rule === 'survey' && value === 'after' && args.length === 4) {
    const minutes = args[3] === '0' ? 0 : parseDuration(args[3]!);
    if (minutes === null || minutes > 30 * 1440) return { ok: false, error: '`survey after` takes a duration up to 30 days, like `2h`, `1d` or `0` (at once).' };
    return { ok: true, value: { kind: 'channel', channelId, change: { csatEnabled: true, csatDelayMinutes: minutes } } };
  }
  if (rule === 'field' && args.length === 4 && FIELD_NAME.test(value)) {
    const pattern = args[3]!.toLowerCase() === 'off' ? null : slackToPlain(args[3]!);
    return { ok: true, value: { kind: 'channel', channelId, change: { fieldPattern: { field: value, pattern } } } };
  }
  return { ok: false, error: 'Rules are `pleasantries on|off`, `burst MINUTES` (0 turns joining off), `ack TEMPLATE|off`, `survey on|off|after DURATION`, `field NAME PATTERN|off` and `routing …`.' };
}

/** An http(s) URL as typed, or as Slack escapes it in a command (`<https://…>`, `<https://…|label>`). */
function parseWebUrl(text: string): string | null {
  const bare = /^<([^|>]+)(\|[^>]*)?>$/.exec(text)?.[1] ?? text;
  try {
    const url = new URL(bare);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : null;
  } catch {
    return null;
  }
}
