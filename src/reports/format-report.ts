import type { ChannelFigures, Distribution, OpenTicketRef } from '../store/report-queries.js';
import { SLA_TARGET_NAMES } from '../domain/sla.js';
import type { Conversion, Csat, Report } from './compute-report.js';
import { formatMoney, fromMinor, minorDigits } from '../domain/order.js';
import { channelKindOf, channelNameOf } from '../domain/intake-channel.js';

/** How a report names people and links tickets (the bot gives Slack mentions and card links; the CLI plain ids). */
export interface ReportStyle {
  person(userId: string): string;
  ticket(ref: OpenTicketRef): string;
  bold(text: string): string;
  /** Customer text (ticket subjects): escaped for mrkdwn in Slack, so it can never ping or link. */
  untrusted(text: string): string;
  channel(channelId: string): string;
}

export const plainStyle: ReportStyle = { person: (id) => id, ticket: (t) => `#${t.number}`, bold: (t) => t, untrusted: (t) => t, channel: (id) => (channelKindOf(id) === 'slack' ? id : channelKindOf(id) === 'api' ? `${channelNameOf(id)} (API)` : channelNameOf(id)) };
export const slackStyle = (link: (ref: OpenTicketRef) => string): ReportStyle => ({
  person: (id) => `<@${id}>`,
  ticket: link,
  bold: (t) => `*${t}*`,
  // A mailbox ("email:support@shop.example") is no Slack channel: it is shown by its address.
  channel: (id) => {
    const kind = channelKindOf(id);
    const name = channelNameOf(id).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return kind === 'email' ? `:e-mail: ${name}` : kind === 'api' ? `:electric_plug: ${name}` : kind === 'chat' ? ':iphone: chat' : `<#${id}>`;
  },
  untrusted: (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
});

/** 45s, 12m, 3h 05m, 2d 4h: enough precision for people, exact values stay in JSON and CSV. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  const minutes = Math.round(ms / 60_000);
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
  const hours = Math.round(minutes / 60);
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

export const formatPercent = (rate: number | null): string => (rate === null ? '–' : `${Math.round(rate * 100)}%`);

/** ▲/▼ against the period before, or nothing when equal or unknown. */
function change(now: number | null, before: number | null | undefined, show: (v: number) => string): string {
  if (now === null || before === null || before === undefined || now === before) return '';
  return ` (${now > before ? '▲' : '▼'} from ${show(before)})`;
}

/** One channel's line: its tickets, how fast they were answered, one-touch and CSAT (SPEC definitions). */
const channelFigures = (c: ChannelFigures) =>
  `${c.count} created · ${c.solved} solved · ${c.unanswered} unanswered · first reply median ${formatDuration(c.firstReplyMedian)} · one-touch ${formatPercent(c.solved > 0 ? c.oneTouch / c.solved : null)} · CSAT ${
    c.csat.rated > 0 ? `${formatPercent(c.csat.good / c.csat.rated)} (${c.csat.rated} rating${c.csat.rated === 1 ? '' : 's'})` : '–'
  }`;

const durations = (d: Distribution) => `median ${formatDuration(d.median)} · mean ${formatDuration(d.mean)} · p90 ${formatDuration(d.p90)}`;
const businessToo = (d: Distribution | null) => (d && d.count > 0 ? `\n    in business hours: ${durations(d)}` : '');
const csatLine = (c: Csat) =>
  c.sent === 0 ? 'no surveys sent' : `${formatPercent(c.score)} rated 4-5 (${c.rated} rating${c.rated === 1 ? '' : 's'}) · mean ${c.mean === null ? '–' : c.mean.toFixed(2)} · response rate ${formatPercent(c.responseRate)}`;


/** "€150.00 (▲ from €100.00) · $50.00": revenue by currency, each against the period before. */
function revenueText(now: Conversion['revenue'], before: Conversion['revenue'] | undefined): string {
  if (now.length === 0) return 'no revenue';
  const money = (currency: string) => (amount: number) => formatMoney(Math.round(amount * 10 ** minorDigits(currency)), currency);
  return now.map((r) => `${money(r.currency)(r.amount)}${before ? change(r.amount, before.find((p) => p.currency === r.currency)?.amount ?? 0, money(r.currency)) : ''}`).join(' · ');
}

/** Converted tickets (SPEC): how many, their share, the revenue of their orders, against the period before. */
function conversionLine(report: Report, previous: Report | null, style: ReportStyle): string {
  const c = report.conversion;
  const before = previous?.conversion;
  return `${style.bold('Converted tickets')} ${c.tickets}${change(c.tickets, before?.tickets, String)} · ${formatPercent(c.rate)} of tickets (the customer ordered within ${c.days} days) · ${style.bold('revenue')} ${revenueText(c.revenue, before?.revenue)}`;
}

/** The figures as lines of text (Slack mrkdwn with `slackStyle`, plain text with `plainStyle`). */
export function reportLines(report: Report, previous: Report | null, style: ReportStyle, now: number): string[] {
  const b = style.bold;
  const lines = [
    `${b('Tickets created')} ${report.created}${change(report.created, previous?.created, String)} · ${b('solved in the period')} ${report.activity.solved}${change(report.activity.solved, previous?.activity.solved, String)} · ${b('public replies')} ${report.activity.publicReplies}`,
    ...(report.createdByChannel.length > 1 ? [`${b('By intake channel')} ${report.createdByChannel.map((c) => `${style.channel(c.channelId)} ${c.count}`).join(' · ')}`] : []),
    // Each channel's own figures once tickets come from more than one kind (Slack and a mailbox): where it is slow.
    ...(new Set(report.createdByChannel.map((c) => channelKindOf(c.channelId))).size > 1 ? report.createdByChannel.slice(0, 8).map((c) => `    ${style.channel(c.channelId)}: ${channelFigures(c)}`) : []),
    `${b('Backlog')} ${report.backlog.total}${change(report.backlog.total, previous?.backlog.total, String)} (${report.backlog.buckets.map((x) => `${x.label}: ${x.count}`).join(' · ')})`,
    `${b('First reply time')} ${durations(report.firstReply)}${change(report.firstReply.median, previous?.firstReply.median, formatDuration)} · ${report.firstReply.unanswered} unanswered${businessToo(report.firstReply.business)}`,
    `${b('Response time')} median ${formatDuration(report.response.median)} · mean ${formatDuration(report.response.mean)} over ${report.response.count} wait${report.response.count === 1 ? '' : 's'}${change(report.response.median, previous?.response.median, formatDuration)}${report.response.business && report.response.business.count > 0 ? `\n    in business hours: median ${formatDuration(report.response.business.median)} · mean ${formatDuration(report.response.business.mean)}` : ''}`,
    `${b('Full resolution time')} ${durations(report.resolution)}${change(report.resolution.median, previous?.resolution.median, formatDuration)}${businessToo(report.resolution.business)}`,
    `${b('Solved')} ${report.solved} of ${report.created} · ${b('replies per solved ticket')} ${report.replies.perSolvedTicket.mean === null ? '–' : report.replies.perSolvedTicket.mean.toFixed(1)} · ${b('one-touch')} ${formatPercent(report.oneTouch.rate)}${change(report.oneTouch.rate, previous?.oneTouch.rate, formatPercent)} · ${b('automated')} ${formatPercent(report.automated.rate)} · ${b('reopened')} ${formatPercent(report.reopened.rate)}`,
    `${b('CSAT')} ${csatLine(report.csat)}${change(report.csat.score, previous?.csat.score, formatPercent)}`,
    ...(report.conversion?.ordersKnown ? [conversionLine(report, previous, style)] : []),
  ];
  const sla = report.sla;
  if (sla.met + sla.breached + sla.running > 0) {
    const breaches = sla.breaches.slice(0, 5).map((x) => `#${x.number} ${SLA_TARGET_NAMES[x.target]} (${formatDuration(x.elapsedMs - x.targetMs)} over)`);
    lines.push(`${b('SLA')} ${formatPercent(sla.metShare)} met (${sla.met} met, ${sla.breached} breached, ${sla.running} running)${breaches.length ? ` · breaches: ${breaches.join(', ')}${sla.breached > 5 ? ` and ${sla.breached - 5} more` : ''}` : ''}`);
    // Each channel keeps its own promises (a marketplace's 24 hours, a mailbox's, a Slack channel's): shown apart.
    if ((sla.byChannel?.length ?? 0) > 1) {
      const share = (c: { met: number; breached: number }) => formatPercent(c.met + c.breached > 0 ? c.met / (c.met + c.breached) : null);
      lines.push(`${b('SLA by channel')} ${sla.byChannel.map((c) => `${style.channel(c.channelId)} ${share(c)} met (${c.breached} breached)`).join(' · ')}`);
    }
  }
  if (report.agents.length > 0) {
    const orders = report.conversion?.ordersKnown === true;
    lines.push(b('Per agent') + ` (solved · replies · first reply median · CSAT${orders ? ' · converted' : ''})`);
    for (const a of report.agents.slice(0, 15)) {
      lines.push(`  • ${style.person(a.agentId)}: ${a.solved} solved · ${a.replies} replies · ${formatDuration(a.firstReply.median)} · ${a.csat.rated > 0 ? formatPercent(a.csat.score) : '–'}${orders ? ` · ${a.converted} converted` : ''}`);
    }
  }
  if (report.oldestOpen.length > 0) {
    lines.push(b('Oldest open tickets'));
    for (const t of report.oldestOpen) {
      lines.push(`  • ${style.ticket(t)} ${style.untrusted(Array.from(t.subject).slice(0, 80).join(''))} · ${formatDuration(now - t.createdAt)} old · ${t.status} · ${t.assigneeId ? style.person(t.assigneeId) : 'unassigned'}`);
    }
  }
  if (report.topTags.length > 0) lines.push(`${b('Top tags')} ${report.topTags.map((t) => `${t.tag} ${t.count}`).join(' · ')}`);
  return lines;
}

/** One row of figures per report, for `--format csv`. */
export function reportCsvRow(report: Report): Record<string, string | number | null> {
  const ms = (v: number | null) => (v === null ? null : Math.round(v));
  return {
    from: new Date(report.cohort.from).toISOString(),
    to: new Date(report.cohort.to).toISOString(),
    channel: report.cohort.channelId ?? '',
    tickets_created: report.created,
    solved_in_period: report.activity.solved,
    public_replies_in_period: report.activity.publicReplies,
    backlog: report.backlog.total,
    first_reply_median_ms: ms(report.firstReply.median),
    first_reply_mean_ms: ms(report.firstReply.mean),
    first_reply_p90_ms: ms(report.firstReply.p90),
    unanswered: report.firstReply.unanswered,
    response_median_ms: ms(report.response.median),
    response_mean_ms: ms(report.response.mean),
    resolution_median_ms: ms(report.resolution.median),
    resolution_mean_ms: ms(report.resolution.mean),
    resolution_p90_ms: ms(report.resolution.p90),
    solved: report.solved,
    replies_per_solved_ticket: report.replies.perSolvedTicket.mean,
    one_touch_rate: report.oneTouch.rate,
    automated_rate: report.automated.rate,
    reopen_rate: report.reopened.rate,
    csat_score: report.csat.score,
    csat_mean: report.csat.mean,
    csat_response_rate: report.csat.responseRate,
    sla_met_share: report.sla.metShare,
    sla_breaches: report.sla.breached,
    converted_tickets: report.conversion.tickets,
    conversion_rate: report.conversion.rate,
    converted_revenue: report.conversion.revenue.map((r) => `${r.currency} ${fromMinor(Math.round(r.amount * 10 ** minorDigits(r.currency)), r.currency)}`).join('; '),
  };
}
