import fs from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { computeReport } from '../reports/compute-report.js';
import { exportTicketsCsv } from '../reports/export-tickets.js';
import { plainStyle, reportCsvRow, reportLines } from '../reports/format-report.js';
import { parsePeriod, type Period } from '../reports/period.js';
import { createChannelStore } from '../store/channel-store.js';
import type { Db } from '../store/db.js';
import { createServiceLevelStore } from '../store/service-level-store.js';

export interface ReportOptions {
  teamId: string;
  from: string;
  to: string;
  channel?: string;
  agent?: string;
  tag?: string;
  format: string;
  out?: string;
  now: number;
  /** THREADDESK_CONVERSION_DAYS (default 5). */
  conversionDays?: number;
}

/** `--from 2026-03-01 --to 2026-03-31`: whole days in the team's time zone, both ends included. */
async function periodOf(db: Db, options: ReportOptions): Promise<Period> {
  const timeZone = await createChannelStore(db, 0).timeZone(options.teamId);
  const period = parsePeriod(`${options.from}..${options.to}`, timeZone, options.now);
  if (!period) throw new Error(`--from and --to must be dates (YYYY-MM-DD), --from not after --to; got "${options.from}" and "${options.to}"`);
  return period;
}

/** `threaddesk report`: every figure for the tickets created in the period, as text, JSON or one CSV row. */
export async function reportCommand(db: Db, options: ReportOptions): Promise<string> {
  if (!['text', 'json', 'csv'].includes(options.format)) throw new Error(`--format must be text, json or csv, not "${options.format}"`);
  const period = await periodOf(db, options);
  const report = await computeReport({ teamId: options.teamId, from: period.from, to: period.to, channelId: options.channel, assigneeId: options.agent, tag: options.tag }, { db, serviceLevels: createServiceLevelStore(db, 0), now: options.now, conversionDays: options.conversionDays });
  if (options.format === 'json') return `${JSON.stringify({ period, ...report }, null, 2)}\n`;
  if (options.format === 'csv') return stringify([reportCsvRow(report)], { header: true });
  const where = [options.channel && ` in ${options.channel}`, options.agent && ` assigned to ${options.agent}`, options.tag && ` tagged ${options.tag}`].filter(Boolean).join('');
  return [`threaddesk report: tickets created ${period.label}${where} (${period.timeZone})`, ...reportLines(report, null, plainStyle, options.now)].join('\n') + '\n';
}

/** `threaddesk export tickets`: the period's tickets as CSV, to a file or stdout. */
export async function exportCommand(db: Db, options: ReportOptions): Promise<string> {
  const period = await periodOf(db, options);
  const { csv, count } = await exportTicketsCsv(db, { teamId: options.teamId, from: period.from, to: period.to, channelId: options.channel }, options.conversionDays);
  if (!options.out) return csv;
  fs.writeFileSync(options.out, csv);
  return `exported ${count} ticket${count === 1 ? '' : 's'} to ${options.out}\n`;
}
