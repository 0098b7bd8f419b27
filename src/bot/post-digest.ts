import { renderDigestChart } from '../reports/chart.js';
import { reportLines, slackStyle, type ReportStyle } from '../reports/format-report.js';
import { recurringLines } from '../reports/recurring-lines.js';
import { buildDigest, RECURRING_WEEKS_BEFORE, type Digest } from '../reports/digest.js';
import type { Period } from '../reports/period.js';
import type { BotContext } from './bot-context.js';
import { truncate } from './slack-text.js';
import { deliver } from './delivery-intents.js';
import { withSubjectsNamed } from './mention-names.js';

/** Block Kit allows 3000 characters a section: the lines go into as many sections as they need. */
function sections(lines: string[]): object[] {
  const blocks: object[] = [];
  let current = '';
  for (const line of lines) {
    if (current && current.length + line.length + 1 > 2900) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: current } });
      current = '';
    }
    current = current ? `${current}\n${line}` : truncate(line, 2900);
  }
  if (current) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: current } });
  return blocks.slice(0, 45);
}

/** Computes a period's digest and records its delivery to a channel: the figures, then the 14-day chart as an image. */
export async function postDigest(teamId: string, channelId: string, period: Period, late: boolean, ctx: BotContext): Promise<void> {
  const now = ctx.clock.now();
  const built = await buildDigest(teamId, period, { db: ctx.reportDb, serviceLevels: ctx.serviceLevels, now, conversionDays: ctx.conversionDays });
  const digest = { ...built, report: { ...built.report, oldestOpen: await withSubjectsNamed(built.report.oldestOpen, ctx.directory) } };
  const links = new Map<number, string>();
  for (const t of digest.report.oldestOpen) if (t.cardTs) links.set(t.id, await ctx.sender.permalink(t.triageChannelId, t.cardTs));
  const style = slackStyle((t) => (links.has(t.id) ? `<${links.get(t.id)}|#${t.number}>` : `#${t.number}`));
  const title = `:bar_chart: Support digest: ${period.label}`;
  const lateNote = late ? `:hourglass: Posted late: I was not running when this digest was due.` : null;
  const lines = [...reportLines(digest.report, digest.previous, style, now), ...(await recurringSection(digest, style, ctx))];
  const context = `Tickets created in the period (times in ${period.timeZone}); ▲▼ compare with the period before.`;
  // Recorded for the delivery worker: the digest survives a Slack outage or a restart, and posts once.
  const lane = `digest:${channelId}`;
  const post = {
    text: `${title}: ${digest.report.created} tickets created, ${digest.report.activity.solved} solved`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: truncate(title.replace(':bar_chart: ', '📊 '), 150) } },
      ...(lateNote ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: lateNote }] }] : []),
      ...sections(lines),
      { type: 'context', elements: [{ type: 'mrkdwn', text: context }] },
    ],
  };
  const chart = await renderDigestChart(digest.chart, { timeZoneLabel: period.timeZone });
  await ctx.tickets.enqueue([
    deliver.channelPost(teamId, lane, channelId, post),
    deliver.fileUpload(teamId, lane, channelId, { filename: `threaddesk-${digest.chart.at(-1)?.day ?? 'digest'}.png`, title: 'Last 14 days: created, solved, first reply time', bytes: chart }),
  ]);
}

/** "Questions that keep coming back", each example linked to its card. */
async function recurringSection(digest: Digest, style: ReportStyle, ctx: BotContext): Promise<string[]> {
  if (!digest.recurring) return [];
  const { found, tickets } = digest.recurring;
  const links = new Map<number, string>();
  for (const q of [...found.largest, ...found.growing]) {
    const t = tickets.get(q.example.ticketId)!;
    links.set(t.ticketId, t.cardTs ? `<${await ctx.sender.permalink(t.triageChannelId, t.cardTs)}|#${t.number}>` : `#${t.number}`);
  }
  return recurringLines(found, RECURRING_WEEKS_BEFORE, style, (id) => links.get(id) ?? '');
}
