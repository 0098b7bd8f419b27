import type { App } from '@slack/bolt';
import { channelKindOf, channelNameOf } from '../../domain/intake-channel.js';
import { DomainError } from '../../domain/errors.js';
import type { IntakeChannel } from '../../store/channel-store.js';
import { answerErrors, respondAnswer, type Answer } from '../answers.js';
import type { BotContext } from '../bot-context.js';
import { patternProblem } from '../../domain/routing.js';
import { escapeMrkdwn } from '../slack-text.js';
import { helpdeskAccess, requireAccess } from '../permissions.js';
import { handleRoutingCommand } from './helpdesk-routing.js';
import { handleTemplateCommand } from './helpdesk-templates.js';
import { handleReportCommand } from './helpdesk-reports.js';
import type { ReportCommand } from '../commands/parse-report-command.js';

const REPORT_KINDS = new Set(['stats', 'export', 'digest', 'timezone', 'hours', 'holiday', 'sla']);
const isReportCommand = (command: HelpdeskCommand): command is ReportCommand => REPORT_KINDS.has(command.kind);
import { HELPDESK_COMMAND_USAGE, parseHelpdeskCommand, type HelpdeskCommand } from '../commands/parse-helpdesk-command.js';

/** `/helpdesk …`: settings, templates and reports; who may run which is decided in one place (permissions.ts). */
export function registerHelpdeskCommand(app: App, ctx: BotContext): void {
  app.command('/helpdesk', async ({ command, ack, respond, context }) => {
    await ack();
    const answer = respondAnswer(respond, command.trigger_id);
    await answerErrors(answer, ctx.logger, { command: '/helpdesk', text: command.text.slice(0, 80) }, async () => {
      const parsed = parseHelpdeskCommand(command.text);
      if (!parsed.ok) return answer.ephemeral(`${parsed.error}\nUsage:\n${HELPDESK_COMMAND_USAGE}`);
      const teamId = context.teamId!; // the installation's workspace, not the user's (installation-team.ts)
      const request = parsed.value;
      if (request.kind === 'help') return answer.ephemeral(`Usage:\n${HELPDESK_COMMAND_USAGE}`);
      await requireAccess(helpdeskAccess(request), command.user_id, teamId, ctx);
      if (request.kind === 'connect') return connect(request, teamId, answer, ctx);
      if (request.kind === 'template') return handleTemplateCommand(request, teamId, command.user_id, answer, ctx);
      if (isReportCommand(request)) return handleReportCommand(request, teamId, command.user_id, command.channel_id, answer, ctx);
      if (request.kind === 'channels') return listChannels(teamId, answer, ctx);
      if (request.kind !== 'channel') return handleRoutingCommand(request, teamId, command.user_id, answer, ctx);
      return channelRules(request, answer, ctx);
    });
  });
}

async function connect(request: Extract<HelpdeskCommand, { kind: 'connect' }>, teamId: string, answer: Answer, ctx: BotContext): Promise<void> {
  const triage = request.triageChannelId ?? (await ctx.channels.defaultTriage(teamId));
  if (!triage) throw new DomainError('channel_not_configured', 'There is no triage channel yet: name one, like `/helpdesk connect #help-desk #support-triage`.');
  if (triage === request.intakeChannelId) throw new DomainError('bad_command', 'The intake and triage channels must be different channels.');
  const kind = channelKindOf(request.intakeChannelId);
  const name = channelNameOf(request.intakeChannelId);
  await ctx.channels.connect(teamId, request.intakeChannelId, triage, ctx.clock.now(), kind, request.replyUrl ?? null);
  if (!(await ctx.channels.defaultTriage(teamId))) await ctx.channels.setDefaultTriage(teamId, triage);
  const missing = [];
  for (const channel of kind === 'slack' ? [request.intakeChannelId, triage] : [triage]) if (!(await ctx.directory.isMember(channel).catch(() => false))) missing.push(`<#${channel}>`);
  const invite = missing.length > 0 ? `\n:warning: Invite me to ${missing.join(' and ')} (\`/invite @threaddesk\`), or I cannot see or post there.` : '';
  if (kind === 'email') return answer.ephemeral(`:white_check_mark: Mail to ${escapeMrkdwn(name)} opens tickets worked in <#${triage}>; replies are mailed back from that address.${invite}`);
  if (kind === 'chat') return answer.ephemeral(`:white_check_mark: Chats from the widget on your website open tickets worked in <#${triage}>; agents' replies show in the visitor's widget.${ctx.chatEnabled ? '' : '\n:warning: THREADDESK_CHAT_ORIGINS is not set: the widget is off until it names your website.'}${invite}`);
  if (kind === 'api') {
    const secret = ctx.apiSecretSet ? '' : '\n:warning: THREADDESK_API_SECRET is not set: the intake API is off until it is.';
    return answer.ephemeral(`:white_check_mark: Messages from the source \`${name}\` (POST /api/v1/messages) open tickets worked in <#${triage}>; replies are POSTed, signed, to ${escapeMrkdwn(request.replyUrl ?? '')}.${invite}${secret}`);
  }
  await answer.ephemeral(`:white_check_mark: <#${request.intakeChannelId}> is an intake channel; its tickets are worked in <#${triage}>.${invite}`);
}

/** Where tickets come in from: every intake channel and mailbox, and where each one's tickets are worked. */
async function listChannels(teamId: string, answer: Answer, ctx: BotContext): Promise<void> {
  const intakes = await ctx.channels.intakeChannels(teamId);
  if (intakes.length === 0) return answer.ephemeral('Nothing is connected yet: `/helpdesk connect #intake #triage` or `/helpdesk connect email support@shop.example #triage`.');
  await answer.ephemeral(['Tickets come in from:', ...intakes.map((i) => `• ${intakeLabel(i.channelId)} → <#${i.triageChannelId}>${i.replyUrl ? ` (replies to ${escapeMrkdwn(i.replyUrl)})` : ''}`)].join('\n'));
}

/** A Slack channel as a link, a mailbox as its address, an API source by its name. */
function intakeLabel(channelId: string): string {
  const kind = channelKindOf(channelId);
  if (kind === 'email') return `:e-mail: ${escapeMrkdwn(channelNameOf(channelId))}`;
  if (kind === 'api') return `:electric_plug: ${escapeMrkdwn(channelNameOf(channelId))} (API)`;
  if (kind === 'chat') return ':iphone: the chat widget';
  return `<#${channelId}>`;
}

async function channelRules(request: Extract<HelpdeskCommand, { kind: 'channel' }>, answer: Answer, ctx: BotContext): Promise<void> {
  const intake = await ctx.channels.intake(request.channelId);
  if (!intake) {
    const how = request.channelId.startsWith('email:') ? `/helpdesk connect email ${request.channelId.slice('email:'.length)} #triage` : `/helpdesk connect <#${request.channelId}> #triage`;
    throw new DomainError('channel_not_configured', `${intakeLabel(request.channelId)} is not connected. Connect it first: \`${how}\`.`);
  }
  if (request.change) {
    const { fieldPattern, ...rules } = request.change;
    if (rules.ackTemplate && !(await ctx.templates.get(intake.teamId, rules.ackTemplate))) {
      throw new DomainError('template_not_found', `There is no template \`${rules.ackTemplate}\`: add it first with \`/helpdesk template add\`.`);
    }
    if (fieldPattern?.pattern) {
      const problem = patternProblem(fieldPattern.pattern);
      if (problem) throw new DomainError('bad_command', `That pattern is not a valid regular expression: ${problem}.`);
    }
    if (fieldPattern) await ctx.channels.setFieldPattern(intake.channelId, fieldPattern.field, fieldPattern.pattern);
    await ctx.channels.updateRules(intake.channelId, rules);
  }
  await answer.ephemeral(describeRules((await ctx.channels.intake(intake.channelId))!, await ctx.channels.fieldPatterns(intake.channelId)));
}

/** 1440 → "1d", 90 → "1h 30m". */
const durationText = (minutes: number) =>
  [[Math.floor(minutes / 1440), 'd'], [Math.floor((minutes % 1440) / 60), 'h'], [minutes % 60, 'm']]
    .filter(([n]) => n)
    .map(([n, unit]) => `${n}${unit}`)
    .join(' ');

function describeRules(intake: IntakeChannel, fieldPatterns: Record<string, string>): string {
  const burst = intake.burstWindowSeconds > 0 ? `within ${Math.round(intake.burstWindowSeconds / 60)} min join their open ticket` : 'always open a new ticket (joining is off)';
  return [
    `${intakeLabel(intake.channelId)} → tickets worked in <#${intake.triageChannelId}>`,
    `• Pleasantries ("thanks", "hello") alone: ${intake.pleasantryFilter ? 'ignored' : 'open tickets like any message'}`,
    `• A requester's top-level messages ${burst}`,
    `• New tickets are acknowledged ${intake.ackTemplate ? `with template \`${intake.ackTemplate}\`` : 'with a 🎫 only'}`,
    `• Solved tickets ${intake.csatEnabled ? `ask the requester to rate 1-5${intake.csatDelayMinutes > 0 ? ` ${durationText(intake.csatDelayMinutes)} after the solve, unless reopened by then` : ''}` : 'send no satisfaction survey'}`,
    ...Object.entries(fieldPatterns).map(([field, pattern]) => `• Field \`${field}\` is picked from customer messages by \`${escapeMrkdwn(pattern)}\``),
  ].join('\n');
}
