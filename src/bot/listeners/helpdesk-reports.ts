import { describeBusinessHours, type BusinessCalendar } from '../../domain/business-hours.js';
import { DomainError } from '../../domain/errors.js';
import { PRIORITIES, type ChannelKind } from '../../domain/ticket.js';
import { reportWithPrevious } from '../../reports/digest.js';
import { exportTicketsCsv } from '../../reports/export-tickets.js';
import { formatDuration, reportLines, slackStyle } from '../../reports/format-report.js';
import { parsePeriod, PERIOD_FORMS, type Period } from '../../reports/period.js';
import { SLA_TARGETS } from '../../store/service-level-store.js';
import { SLA_TARGET_NAMES } from '../../domain/sla.js';
import type { Answer } from '../answers.js';
import type { BotContext } from '../bot-context.js';
import type { ReportCommand } from '../commands/parse-report-command.js';
import { postDigest } from '../post-digest.js';
import { withSubjectsNamed } from '../mention-names.js';

const WEEKDAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** `/helpdesk stats|digest|export|timezone|hours|holiday|sla`: figures and their settings (access checked by the caller). */
export async function handleReportCommand(command: ReportCommand, teamId: string, userId: string, channelId: string, answer: Answer, ctx: BotContext): Promise<void> {
  const timeZone = await ctx.channels.timeZone(teamId);
  const period = (spec: string): Period => {
    const parsed = parsePeriod(spec, timeZone, ctx.clock.now());
    if (!parsed) throw new DomainError('bad_command', `\`${spec.slice(0, 40)}\` is not a period. Use ${PERIOD_FORMS}.`);
    return parsed;
  };
  switch (command.kind) {
    case 'stats': {
      const p = period(command.period);
      const now = ctx.clock.now();
      const { report, previous } = await reportWithPrevious(teamId, p, { db: ctx.reportDb, serviceLevels: ctx.serviceLevels, now, conversionDays: ctx.conversionDays }, command.channelId ?? undefined);
      const named = { ...report, oldestOpen: await withSubjectsNamed(report.oldestOpen, ctx.directory) };
      const lines = reportLines(named, previous, slackStyle((t) => `#${t.number}`), now);
      const where = command.channelId ? ` in <#${command.channelId}>` : '';
      return answer.ephemeral([`:bar_chart: *Figures for ${p.label}${where}* (tickets created in the period; times in ${timeZone})`, ...lines].join('\n'));
    }
    case 'export': {
      const p = period(command.period);
      const { csv, count } = await exportTicketsCsv(ctx.reportDb, { teamId, from: p.from, to: p.to }, ctx.conversionDays);
      const dm = await ctx.sender.openDm(userId);
      await ctx.sender.uploadFile({ channelId: dm, filename: `tickets-${command.period.replace(/[^0-9a-z.-]/gi, '_')}.csv`, title: `Tickets created ${p.label}`, bytes: Buffer.from(csv, 'utf8'), initialComment: `${count} ticket${count === 1 ? '' : 's'} created ${p.label}.` });
      return answer.ephemeral(`:page_facing_up: I sent you the CSV of ${count} ticket${count === 1 ? '' : 's'} (created ${p.label}) in a direct message.`);
    }
    case 'digest':
      return digestCommand(command, teamId, userId, channelId, timeZone, period, answer, ctx);
    case 'timezone':
      if (command.timeZone) {
        await ctx.channels.setTimeZone(teamId, command.timeZone);
        await replanDigests(teamId, ctx);
      }
      return answer.ephemeral(`The team's time zone is *${command.timeZone ?? timeZone}*: report days and digest times follow it.`);
    case 'hours':
      return hoursCommand(command, teamId, answer, ctx);
    case 'holiday': {
      const scope = command.channelId ?? teamId;
      const current = await ctx.serviceLevels.calendar(scope);
      if (!current) throw new DomainError('bad_setting', `Set business hours first: \`/helpdesk hours ${command.channelId ? `<#${command.channelId}> ` : ''}Europe/Berlin mon-fri 09:00-17:00\`.`);
      const holidays = new Set(current.calendar.holidays);
      if (command.op === 'add') holidays.add(command.day);
      else holidays.delete(command.day);
      const calendar: BusinessCalendar = { ...current.calendar, holidays: [...holidays].sort() };
      await ctx.serviceLevels.saveCalendar(teamId, scope, calendar, ctx.clock.now());
      return answer.ephemeral(`Business hours${command.channelId ? ` of <#${command.channelId}>` : ''}: ${describeBusinessHours(calendar)}.`);
    }
    case 'sla':
      return slaCommand(command, answer, ctx);
  }
}

async function digestCommand(
  command: Extract<ReportCommand, { kind: 'digest' }>,
  teamId: string,
  userId: string,
  channelId: string,
  timeZone: string,
  period: (spec: string) => Period,
  answer: Answer,
  ctx: BotContext,
): Promise<void> {
  switch (command.op) {
    case 'list': {
      const digests = await ctx.digests.list(teamId);
      if (digests.length === 0) return answer.ephemeral('No digests yet: `/helpdesk digest daily #channel 09:00`.');
      return answer.ephemeral(digests.map((d) => `• \`${d.id}\` ${d.frequency === 'weekly' ? `every ${WEEKDAY_NAMES[d.weekday!]}` : 'every day'} at ${d.atTime} (${timeZone}) in <#${d.channelId}>`).join('\n'));
    }
    case 'remove':
      if (!(await ctx.digests.remove(teamId, command.id))) throw new DomainError('bad_command', `There is no digest \`${command.id}\`: \`/helpdesk digest list\` shows them.`);
      ctx.digestPlanner?.unplan(command.id);
      return answer.ephemeral(`Digest \`${command.id}\` removed.`);
    case 'add': {
      await requireBotIn(command.channelId, ctx);
      const digest = await ctx.digests.add({ teamId, channelId: command.channelId, frequency: command.frequency, weekday: command.weekday, atTime: command.atTime, createdBy: userId }, ctx.clock.now());
      await ctx.digestPlanner?.plan(digest);
      const when = command.frequency === 'weekly' ? `every ${WEEKDAY_NAMES[command.weekday!]}` : 'every day';
      const covers = command.frequency === 'weekly' ? 'the seven days before' : 'the day before';
      return answer.ephemeral(`:calendar: Digest \`${digest.id}\`: ${when} at ${command.atTime} (${timeZone}) in <#${command.channelId}>, covering ${covers}.`);
    }
    case 'now': {
      const target = command.channelId ?? channelId;
      await requireBotIn(target, ctx);
      await postDigest(teamId, target, period(command.period), false, ctx);
      return answer.ephemeral(`:bar_chart: Digest posted in <#${target}>.`);
    }
  }
}

async function hoursCommand(command: Extract<ReportCommand, { kind: 'hours' }>, teamId: string, answer: Answer, ctx: BotContext): Promise<void> {
  const scope = command.channelId ?? teamId;
  const whose = command.channelId ? `of <#${command.channelId}>` : 'of the team';
  if (command.hours === null) {
    const current = await ctx.serviceLevels.calendar(scope);
    return answer.ephemeral(current ? `Business hours ${whose}: ${describeBusinessHours(current.calendar)}.` : `No business hours ${whose}: times are reported in calendar hours.`);
  }
  if (command.hours === 'off') {
    await ctx.serviceLevels.removeCalendar(scope);
    return answer.ephemeral(`Business hours ${whose} removed.`);
  }
  const holidays = (await ctx.serviceLevels.calendar(scope))?.calendar.holidays ?? [];
  const calendar = { ...command.hours, holidays };
  await ctx.serviceLevels.saveCalendar(teamId, scope, calendar, ctx.clock.now());
  return answer.ephemeral(`:clock9: Business hours ${whose}: ${describeBusinessHours(calendar)}. Reports show times in business hours too.`);
}

const KIND_NAMES: Record<ChannelKind, string> = { slack: 'Slack', email: 'email', chat: 'chat', api: 'intake API' };

async function slaCommand(command: Extract<ReportCommand, { kind: 'sla' }>, answer: Answer, ctx: BotContext): Promise<void> {
  const intake = await ctx.channels.intake(command.channelId);
  // A source (`amazon`) or a channel kind (`email`): every ticket of it, whichever channel it came through.
  const source = /^(source|kind):/.test(command.channelId) ? command.channelId.slice(command.channelId.indexOf(':') + 1) : null;
  const where = source ? `${command.channelId.startsWith('kind:') ? KIND_NAMES[source as ChannelKind] : source} tickets` : slackStyle(() => '').channel(command.channelId);
  if (!intake && !source) throw new DomainError('channel_not_configured', `${where} is not an intake channel or mailbox.`);
  if (command.change === 'off') await ctx.serviceLevels.removePolicies(command.channelId);
  else if (command.change) {
    for (const priority of command.change.priorities) {
      const current = await ctx.serviceLevels.policy(command.channelId, priority);
      const minutes = { ...(current?.minutes ?? { first_reply: null, next_reply: null, resolution: null }), ...command.change.minutes };
      await ctx.serviceLevels.savePolicy({ channelId: command.channelId, priority, minutes, businessHours: command.change.businessHours });
    }
  }
  const policies = await ctx.serviceLevels.policies([command.channelId]);
  if (policies.length === 0) return answer.ephemeral(`No SLA targets ${!source && !command.channelId.startsWith('email:') ? 'in' : 'for'} ${where}. Set some: \`/helpdesk sla ${command.channelId.startsWith('email:') ? command.channelId.slice(6) : (source ?? `<#${command.channelId}>`)} high first 1h next 4h resolve 1d\`.`);
  const lines = PRIORITIES.flatMap((priority) => {
    const policy = policies.find((p) => p.priority === priority);
    if (!policy) return [];
    const targets = SLA_TARGETS.filter((t) => policy.minutes[t] !== null).map((t) => `${SLA_TARGET_NAMES[t]} ${formatDuration(policy.minutes[t]! * 60_000)}`);
    return [`• *${priority}*: ${targets.join(' · ')} (${policy.businessHours ? 'business hours' : 'calendar hours'})`];
  });
  const slack = !source && !command.channelId.startsWith('email:');
  return answer.ephemeral([`SLA targets ${slack ? 'in' : 'for'} ${where}:`, ...lines].join('\n'));
}

async function requireBotIn(channelId: string, ctx: BotContext): Promise<void> {
  if (!(await ctx.directory.isMember(channelId).catch(() => false))) {
    throw new DomainError('bad_setting', `I am not in <#${channelId}>: invite me first (\`/invite @threaddesk\`).`);
  }
}

async function replanDigests(teamId: string, ctx: BotContext): Promise<void> {
  for (const digest of await ctx.digests.list(teamId)) await ctx.digestPlanner?.plan(digest);
}
