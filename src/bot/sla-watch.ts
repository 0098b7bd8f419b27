import { nextDue, runningTargets, SLA_TARGET_NAMES, type RunningTarget } from '../domain/sla.js';
import type { Ticket } from '../domain/ticket.js';
import { formatDuration } from '../reports/format-report.js';
import { periodicCheck } from './periodic-check.js';
import type { BotContext } from './bot-context.js';
import { buildStatusLine } from './blocks/thread-messages.js';
import { deliver } from './delivery-intents.js';
import { truncate } from './slack-text.js';

const CHECK_EVERY_MS = 30_000;
/** More alerts than this due in one pass in one triage channel are posted together (postTogether). */
const ONE_BY_ONE = 10;

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

  /** One alert found due in a pass, not yet recorded. */
  interface DueAlert {
    alert: { ticketId: number; target: RunningTarget['target']; startedAt: number; dueAt: number; at: number; kind: 'warning' | 'breach' };
    ticket: Ticket;
    /** What it says, without whom it tells. */
    what: string;
    who: string;
  }

  async function dueAlerts(now: number): Promise<DueAlert[]> {
    const due: DueAlert[] = [];
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
        const what = kind === 'warning' ? `the ${target} is due in ${formatDuration(clock.dueAt - now)}` : `breached its ${target}`;
        due.push({ alert: { ...alert, kind }, ticket, what, who: await whoToTell(ticket) });
      }
    }
    return due.sort((a, b) => a.ticket.number - b.ticket.number); // the same order on every database
  }

  /** Each alert in its ticket's triage thread, claimed together with its post; the card shows the new due state. */
  async function postOneByOne(alerts: DueAlert[]): Promise<void> {
    for (const { alert, ticket, what, who } of alerts) {
      const line = alert.kind === 'warning' ? `:warning: #${ticket.number}: ${what}. ${who}` : `:rotating_light: #${ticket.number} ${what}. ${who}`;
      // The alert and its post are recorded together (the post as an outbox delivery the worker sends, again
      // after errors and restarts): never one claimed and not posted, nor posted twice by two instances.
      if (!(await ctx.serviceLevels.claimAlert(alert, [deliver.triagePost(ticket, buildStatusLine(line))]))) continue;
      await ctx.publisher.refreshCard(ticket); // the card's "SLA due" field (this also wakes the delivery worker)
    }
  }

  /**
   * Many alerts at once in one triage channel (targets just set on an old backlog, or the bot back after hours
   * away): one post in the channel, each person mentioned once, instead of a post and a card update per ticket,
   * which would hold up every other post and card update behind Slack's rate limits for minutes. The cards show
   * their due time as it was; they show the breach when next redrawn.
   */
  async function postTogether(teamId: string, channelId: string, alerts: DueAlert[]): Promise<void> {
    await ctx.serviceLevels.claimAlerts(
      alerts.map((a) => a.alert),
      (claimed) => {
        const mine = alerts.filter((a) => claimed.includes(a.alert)); // the alerts given, those not recorded before
        // Per person, the tickets with the same alert together: "#3, #5, #8 breached its first reply target (1h)".
        const byWho = new Map<string, Map<string, number[]>>();
        for (const a of mine) {
          const whats = byWho.get(a.who) ?? byWho.set(a.who, new Map()).get(a.who)!;
          whats.set(a.what, [...(whats.get(a.what) ?? []), a.ticket.number]);
        }
        const lines = [...byWho].map(([who, whats]) => `• ${who}: ${[...whats].map(([what, numbers]) => `${numbers.map((n) => `#${n}`).join(', ')} ${what}`).join('; ')}`);
        const text = `:rotating_light: ${mine.length} SLA alerts at once (targets new to an old backlog, or the bot was away), together here rather than in each ticket's thread:\n${lines.join('\n')}`;
        return [deliver.channelPost(teamId, `sla:${channelId}`, channelId, { text: truncate(text, 3000), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } }] })];
      },
    );
  }

  async function check(): Promise<void> {
    const byChannel = new Map<string, DueAlert[]>();
    for (const due of await dueAlerts(ctx.clock.now())) byChannel.set(due.ticket.triageChannelId, [...(byChannel.get(due.ticket.triageChannelId) ?? []), due]);
    for (const [channelId, alerts] of byChannel) {
      if (alerts.length <= ONE_BY_ONE) await postOneByOne(alerts);
      else await postTogether(alerts[0]!.ticket.teamId, channelId, alerts);
    }
  }

  return {
    /** check(): one pass over the clocks; start() and stop() its timer. */
    ...periodicCheck(check, CHECK_EVERY_MS, ctx.logger, 'SLA check failed'),
    /** The card's "SLA due" text for a ticket. */
    async dueText(ticket: Ticket): Promise<string> {
      if (ticket.status === 'solved' || ticket.status === 'closed' || ticket.mergedIntoId !== null) return '—';
      // The state names the policy the ticket is under (its source's, channel's or kind's), as the watch judges it.
      const state = (await ctx.serviceLevels.activeTicketsUnderPolicy(ticket.id))[0];
      const targets = state && (await targetsOf(ticket.teamId, state.channelId, ticket.priority));
      return state && targets ? describeDue(nextDue(runningTargets(state, targets)), ctx.clock.now()) : '—';
    },
  };
}
