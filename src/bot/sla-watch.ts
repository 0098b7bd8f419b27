import { nextDue, runningTargets, SLA_TARGET_NAMES, type RunningTarget } from '../domain/sla.js';
import type { Ticket } from '../domain/ticket.js';
import { formatDuration } from '../reports/format-report.js';
import type { BotContext } from './bot-context.js';
import { buildStatusLine } from './blocks/thread-messages.js';
import { deliver } from './delivery-intents.js';

const CHECK_EVERY_MS = 30_000;

/** What the card shows in its "SLA due" field: the target due soonest, as a Slack date (shown in the reader's zone). */
export function describeDue(due: RunningTarget | null, now: number): string {
  if (!due) return '—';
  const when = `<!date^${Math.floor(due.dueAt / 1000)}^{date_short_pretty} {time}|${new Date(due.dueAt).toISOString()}>`;
  return `${SLA_TARGET_NAMES[due.target]} by ${when}${now >= due.dueAt ? ' :rotating_light: breached' : now >= due.warnAt ? ' :warning: due soon' : ''}`;
}

/**
 * Watches the SLA clocks of active tickets: at 80% of a target the triage thread gets a warning mentioning the
 * assignee (or the channel's routing group), at 100% a breach is posted and recorded. Each alert is claimed in
 * the database together with its post (an outbox delivery), so it is posted once, across restarts and instances.
 */
export function createSlaWatch(ctx: BotContext) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  async function targetsOf(teamId: string, channelId: string, priority: Ticket['priority']) {
    const policy = await ctx.serviceLevels.policy(channelId, priority);
    if (!policy) return null;
    const calendar = policy.businessHours ? await ctx.serviceLevels.calendarFor(teamId, channelId) : null;
    return { minutes: policy.minutes, spans: calendar?.spans ?? null };
  }

  async function whoToTell(ticket: Ticket): Promise<string> {
    if (ticket.assigneeId) return `<@${ticket.assigneeId}>`;
    const group = (await ctx.routing.channelRouting(ticket.originChannelId))?.groupName;
    const members = group ? await ctx.routing.groupMembers(ticket.teamId, group) : [];
    return members.length > 0 ? members.map((id) => `<@${id}>`).join(' ') : 'nobody is assigned';
  }

  async function check(): Promise<void> {
    const now = ctx.clock.now();
    for (const state of await ctx.serviceLevels.activeTicketsUnderPolicy()) {
      const targets = await targetsOf(state.teamId, state.channelId, state.priority);
      if (!targets) continue;
      for (const clock of runningTargets(state, targets)) {
        const kind = now >= clock.dueAt ? 'breach' : now >= clock.warnAt ? 'warning' : null;
        if (!kind) continue;
        const alert = { ticketId: state.ticketId, target: clock.target, startedAt: clock.startedAt, dueAt: clock.dueAt, at: now };
        // A breach found without its warning (the bot was down) records the warning too, so it never comes late.
        if (kind === 'breach') await ctx.serviceLevels.claimAlert({ ...alert, kind: 'warning' });
        if (await ctx.serviceLevels.alertRecorded({ ...alert, kind })) continue;
        const ticket = (await ctx.tickets.byId(state.ticketId))!;
        const target = `${SLA_TARGET_NAMES[clock.target]} target (${formatDuration(targets.minutes[clock.target]! * 60_000)}${targets.spans ? ', business hours' : ''})`;
        const line =
          kind === 'warning'
            ? `:warning: #${ticket.number}: the ${target} is due in ${formatDuration(clock.dueAt - now)}. ${await whoToTell(ticket)}`
            : `:rotating_light: #${ticket.number} breached its ${target}. ${await whoToTell(ticket)}`;
        // The alert and its post are recorded together (the post as an outbox delivery the worker sends, again
        // after errors and restarts): never one claimed and not posted, nor posted twice by two instances.
        if (!(await ctx.serviceLevels.claimAlert({ ...alert, kind }, [deliver.triagePost(ticket, buildStatusLine(line))]))) continue;
        await ctx.publisher.refreshCard(ticket); // the card's "SLA due" field (this also wakes the delivery worker)
      }
    }
  }

  return {
    /** One pass over the clocks (the timer runs it; tests call it at a chosen moment). */
    check(): Promise<void> {
      running ??= check().finally(() => (running = null));
      return running;
    },
    start(): void {
      timer ??= setInterval(() => void this.check().catch((err) => ctx.logger.error({ err }, 'SLA check failed')), CHECK_EVERY_MS);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
    /** The card's "SLA due" text for a ticket. */
    async dueText(ticket: Ticket): Promise<string> {
      if (ticket.status === 'solved' || ticket.status === 'closed' || ticket.mergedIntoId !== null) return '—';
      const targets = await targetsOf(ticket.teamId, ticket.originChannelId, ticket.priority);
      if (!targets) return '—';
      const state = (await ctx.serviceLevels.activeTicketsUnderPolicy(ticket.id))[0];
      return state ? describeDue(nextDue(runningTargets(state, targets)), ctx.clock.now()) : '—';
    },
  };
}
