import { firstWord, parseChannelMention, type Parsed } from './grammar.js';

export type HelpdeskCommand =
  | { kind: 'help' }
  | { kind: 'connect'; intakeChannelId: string; triageChannelId: string | null }
  | { kind: 'channel'; channelId: string; change: { pleasantryFilter?: boolean; burstWindowSeconds?: number } | null };

export const HELPDESK_COMMAND_USAGE = [
  '`/helpdesk connect #intake [#triage]` makes #intake an intake channel whose tickets are worked in #triage',
  '`/helpdesk channel #intake` shows its rules',
  '`/helpdesk channel #intake pleasantries on|off` ignore "thanks"/"hello" alone (default on)',
  '`/helpdesk channel #intake burst MINUTES` join a requester\'s messages within MINUTES to their open ticket (default 5, 0 = off)',
  '`/helpdesk help`',
].join('\n');

export function parseHelpdeskCommand(text: string): Parsed<HelpdeskCommand> {
  const [verb, rest] = firstWord(text);
  const args = rest.trim().split(/\s+/).filter(Boolean);
  switch (verb.toLowerCase()) {
    case '':
    case 'help':
      return { ok: true, value: { kind: 'help' } };
    case 'connect': {
      const intake = parseChannelMention(args[0] ?? '');
      const triage = args[1] === undefined ? null : parseChannelMention(args[1]);
      if (!intake || (args[1] !== undefined && !triage) || args.length > 2) return { ok: false, error: 'Name the channels, like `/helpdesk connect #help-desk #support-triage`.' };
      return { ok: true, value: { kind: 'connect', intakeChannelId: intake, triageChannelId: triage } };
    }
    case 'channel':
      return parseChannelRules(args);
    case 'template':
    case 'stats':
    case 'digest':
      return { ok: false, error: `\`/helpdesk ${verb}\` is not available in this version yet.` };
    default:
      return { ok: false, error: `I don't know \`${verb.slice(0, 40)}\`.` };
  }
}

function parseChannelRules(args: string[]): Parsed<HelpdeskCommand> {
  const channelId = parseChannelMention(args[0] ?? '');
  if (!channelId) return { ok: false, error: 'Name the intake channel, like `/helpdesk channel #help-desk burst 5`.' };
  if (args.length === 1) return { ok: true, value: { kind: 'channel', channelId, change: null } };
  const [rule, value] = [args[1]!.toLowerCase(), (args[2] ?? '').toLowerCase()];
  if (rule === 'pleasantries' && (value === 'on' || value === 'off') && args.length === 3) {
    return { ok: true, value: { kind: 'channel', channelId, change: { pleasantryFilter: value === 'on' } } };
  }
  if (rule === 'burst' && /^\d{1,4}$/.test(value) && args.length === 3) {
    return { ok: true, value: { kind: 'channel', channelId, change: { burstWindowSeconds: Number(value) * 60 } } };
  }
  return { ok: false, error: 'Rules are `pleasantries on|off` and `burst MINUTES` (0 turns joining off).' };
}
