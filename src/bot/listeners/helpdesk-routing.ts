import { DomainError } from '../../domain/errors.js';
import { patternProblem, type RoutingPolicy } from '../../domain/routing.js';
import { reassignTickets } from '../../tickets/reassign-tickets.js';
import type { Answer } from '../answers.js';
import type { BotContext } from '../bot-context.js';
import type { RoutingCommand } from '../commands/parse-helpdesk-command.js';
import { escapeMrkdwn } from '../slack-text.js';

/** `/helpdesk group|away|back|reassign|rule` and `channel #x routing …`: who gets new tickets (access checked by the caller). */
export async function handleRoutingCommand(command: RoutingCommand, teamId: string, userId: string, answer: Answer, ctx: BotContext): Promise<void> {
  const { routing } = ctx;
  switch (command.kind) {
    case 'availability':
      await routing.setAway(teamId, userId, command.away, ctx.clock.now());
      return answer.ephemeral(command.away ? ':palm_tree: You are away: routing gives you no new tickets. `/helpdesk back` when you return; `/helpdesk reassign @you` hands on your open tickets.' : ':wave: Welcome back: routing gives you tickets again.');
    case 'reassign': {
      const handovers = await reassignTickets(teamId, command.userId, userId, ctx.useCaseDeps);
      for (const { ticket, to } of handovers) {
        await ctx.publisher.refreshCard(ticket);
        await ctx.publisher.announce(ticket, `:twisted_rightwards_arrows: <@${userId}> handed #${ticket.number} from <@${command.userId}> to ${to ? `<@${to}>` : 'the queue'}.`);
        if (to) await ctx.publisher.notifyAssignee(ticket, to, userId);
      }
      return answer.ephemeral(handovers.length === 0 ? `<@${command.userId}> has no open tickets.` : `Handed on ${handovers.length} ticket${handovers.length === 1 ? '' : 's'}: ${handovers.map((h) => `#${h.ticket.number} → ${h.to ? `<@${h.to}>` : 'queue'}`).join(', ')}.`);
    }
    case 'group':
      if (command.op === 'list') {
        const groups = Object.entries(await routing.groups(teamId));
        return answer.ephemeral(groups.length === 0 ? 'No groups yet: `/helpdesk group add billing @a @b`.' : groups.map(([name, ids]) => `• \`${name}\`: ${ids.map((id) => `<@${id}>`).join(' ')}`).join('\n'));
      }
      if (command.op === 'add') {
        for (const id of command.userIds) {
          if (!(await ctx.directory.isAgent(id, (await ctx.channels.defaultTriage(teamId)) ?? ''))) throw new DomainError('not_an_agent_assignee', `<@${id}> is not an agent, so cannot be in a group.`);
        }
        await routing.addToGroup(teamId, command.name, command.userIds);
      } else await routing.removeFromGroup(teamId, command.name, command.userIds);
      return answer.ephemeral(`Group \`${command.name}\`: ${(await routing.groupMembers(teamId, command.name)).map((id) => `<@${id}>`).join(' ') || 'empty'}.`);
    case 'routing':
      await requireIntake(command.channelId, ctx);
      await routing.setPolicy(command.channelId, command.policy, command.groupName);
      return answer.ephemeral(`New tickets in <#${command.channelId}>: ${describePolicy(command.policy, command.groupName)}.`);
    case 'rule':
      await requireIntake(command.channelId, ctx);
      if (command.op === 'add') {
        const problem = patternProblem(command.pattern);
        if (problem) throw new DomainError('bad_command', `That pattern is not a valid regular expression: ${problem}.`);
        await routing.addRule(command.channelId, { pattern: command.pattern, tag: command.tag, groupName: command.groupName });
      } else if (command.op === 'remove' && !(await routing.removeRule(command.channelId, command.id))) {
        throw new DomainError('bad_command', `<#${command.channelId}> has no rule ${command.id}.`);
      }
      return answer.ephemeral(describeRules(command.channelId, await routing.rules(command.channelId)));
  }
}

function describePolicy(policy: RoutingPolicy, groupName: string | null): string {
  if (policy === 'manual') return 'assigned by hand';
  if (policy === 'learned') return 'assigned and tagged as similar solved tickets were (when most of them agree), else left for an agent';
  return `${policy} over available ${groupName ? `\`${groupName}\` agents` : 'agents'}`;
}

function describeRules(channelId: string, rules: Awaited<ReturnType<BotContext['routing']['rules']>>): string {
  if (rules.length === 0) return `<#${channelId}> has no routing rules.`;
  return [`Routing rules of <#${channelId}> (matched case-insensitively against the first message):`, ...rules.map((r) => `${r.id}. \`${escapeMrkdwn(r.pattern)}\`${r.tag ? ` → tag \`${r.tag}\`` : ''}${r.groupName ? ` → group \`${r.groupName}\`` : ''}`)].join('\n');
}

async function requireIntake(channelId: string, ctx: BotContext): Promise<void> {
  if (!(await ctx.channels.intake(channelId))) throw new DomainError('channel_not_configured', `<#${channelId}> is not an intake channel. Connect it first: \`/helpdesk connect <#${channelId}> #triage\`.`);
}
