import { DomainError } from '../domain/errors.js';
import type { BotContext } from './bot-context.js';
import type { HelpdeskCommand } from './commands/parse-helpdesk-command.js';

/**
 * Who may do what. Three kinds of people:
 * - agents: members of a triage channel (or of THREADDESK_AGENTS). They work tickets, keep the reply templates,
 *   read the settings and the figures. Ticket actions check the ticket's own triage channel (`requireAgent`).
 * - settings admins: workspace admins and owners of this workspace (not of a Slack Connect partner's), and the
 *   people in THREADDESK_ADMINS. They change settings, and may read settings, figures and templates; they work
 *   tickets only if they are agents too.
 * - everyone else (requesters): the usage texts, and rating their own solved ticket. Every refusal is an ephemeral
 *   message (or a modal's error) naming who may, and changes nothing.
 */
export type Access =
  /** `/helpdesk help`. */
  | 'anyone'
  /** An agent's own work: away, back, reassign. */
  | 'agent'
  /** Agents and settings admins: read settings and figures, keep templates. */
  | 'team'
  /** Settings admins only: anything that changes how the helpdesk behaves. */
  | 'settings';

export const REFUSALS: Record<Exclude<Access, 'anyone'>, string> = {
  agent: 'Only agents (members of a triage channel) can do that.',
  team: 'Only agents (members of a triage channel) and settings admins (workspace admins and the people in THREADDESK_ADMINS) can do that.',
  settings: 'Only workspace admins and the people in THREADDESK_ADMINS can change settings.',
};

/** The one table of what each `/helpdesk` command needs. */
export function helpdeskAccess(command: HelpdeskCommand): Access {
  switch (command.kind) {
    case 'help':
      return 'anyone';
    case 'availability':
    case 'reassign':
      return 'agent';
    case 'template':
    case 'stats':
    case 'export':
      return 'team';
    case 'channel':
      return command.change ? 'settings' : 'team';
    case 'channels':
      return 'team';
    case 'group':
    case 'rule':
      return command.op === 'list' ? 'team' : 'settings';
    case 'digest':
      return command.op === 'list' || command.op === 'now' ? 'team' : 'settings';
    case 'timezone':
      return command.timeZone === null ? 'team' : 'settings';
    case 'hours':
      return command.hours === null ? 'team' : 'settings';
    case 'sla':
      return command.change === null ? 'team' : 'settings';
    case 'connect':
    case 'routing':
    case 'holiday':
      return 'settings';
  }
}

/** The one guard: refuses (a DomainError, shown ephemerally) anyone the access does not let in. */
export async function requireAccess(access: Access, userId: string, teamId: string, ctx: BotContext): Promise<void> {
  if (access === 'anyone') return;
  if (access !== 'settings' && (await isAgentSomewhere(userId, teamId, ctx))) return;
  if (access !== 'agent' && (await ctx.directory.isSettingsAdmin(userId))) return;
  throw new DomainError(access === 'settings' ? 'not_allowed' : 'not_agent', REFUSALS[access]);
}

/** Who may look at what agents see outside a ticket (lists, customers, the Home tab): agents of any triage channel. */
export const requireAgentSomewhere = (userId: string, teamId: string, ctx: BotContext) => requireAccess('agent', userId, teamId, ctx);

async function isAgentSomewhere(userId: string, teamId: string, ctx: BotContext): Promise<boolean> {
  const triage = new Set((await ctx.channels.intakeChannels(teamId)).map((c) => c.triageChannelId));
  const fallback = await ctx.channels.defaultTriage(teamId);
  if (fallback) triage.add(fallback);
  for (const channel of triage) if (await ctx.directory.isAgent(userId, channel)) return true;
  return false;
}
