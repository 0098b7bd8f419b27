import { firstWord, parseChannelMention, type Parsed } from './grammar.js';

export type TemplateCommand =
  | { kind: 'template'; op: 'list' }
  | { kind: 'template'; op: 'show' | 'delete'; name: string }
  | { kind: 'template'; op: 'add' | 'edit'; name: string; body: string };

export type HelpdeskCommand =
  | TemplateCommand
  | { kind: 'help' }
  | { kind: 'connect'; intakeChannelId: string; triageChannelId: string | null }
  | { kind: 'channel'; channelId: string; change: { pleasantryFilter?: boolean; burstWindowSeconds?: number } | null };

export const HELPDESK_COMMAND_USAGE = [
  '`/helpdesk connect #intake [#triage]` makes #intake an intake channel whose tickets are worked in #triage',
  '`/helpdesk channel #intake` shows its rules',
  '`/helpdesk channel #intake pleasantries on|off` ignore "thanks"/"hello" alone (default on)',
  '`/helpdesk channel #intake burst MINUTES` join a requester\'s messages within MINUTES to their open ticket (default 5, 0 = off)',
  '`/helpdesk template add NAME text`, `template edit NAME text`: save a reply template (mustache, e.g. `Hi {{customer.first_name}}, order {{order.number}} ships today.`)',
  '`/helpdesk template list`, `template show NAME`, `template delete NAME`',
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
      const intake = parseChannelMention(args[0] ?? '');
      const triage = args[1] === undefined ? null : parseChannelMention(args[1]);
      if (!intake || (args[1] !== undefined && !triage) || args.length > 2) return { ok: false, error: 'Name the channels, like `/helpdesk connect #help-desk #support-triage`.' };
      return { ok: true, value: { kind: 'connect', intakeChannelId: intake, triageChannelId: triage } };
    }
    case 'channel':
      return parseChannelRules(args);
    case 'template':
      return parseTemplateCommand(rest);
    case 'stats':
    case 'digest':
      return { ok: false, error: `\`/helpdesk ${verb}\` is not available in this version yet.` };
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
  if (body.trim() === '') return { ok: false, error: `Write the template after its name, like \`/helpdesk template ${lowerOp} ${name} Hi {{customer.first_name}}, …\`.` };
  return { ok: true, value: { kind: 'template', op: lowerOp as 'add' | 'edit', name, body: body.trim() } };
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
