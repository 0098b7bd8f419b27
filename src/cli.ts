#!/usr/bin/env node
// The command line: `threaddesk templates import|export …`, `threaddesk report …`, `threaddesk export tickets …`. A composition root like main.ts: reads the
// environment (DATABASE_URL, a .env file) and says every problem in one line each.
import 'dotenv/config';
import { parseArgs } from 'node:util';
import { readTemplateFiles, writeTemplateFiles } from './cli/template-files.js';
import { exportCommand, reportCommand } from './cli/report-command.js';
import { DEFAULT_CONVERSION_DAYS } from './reports/compute-report.js';
import { connectDb, type Db } from './store/db.js';
import { migrateIfPending, migrateLatest } from './store/migrate.js';
import { createTemplateStore } from './store/template-store.js';
import { suggestCommand } from './cli/suggest-command.js';

const USAGE = `usage:
  threaddesk templates export FOLDER [--team T…]   write every template as FOLDER/NAME.md
  threaddesk templates import PATH [--team T…]     read templates from a .md/.yaml file or a folder of them
  threaddesk report --from YYYY-MM-DD --to YYYY-MM-DD [--channel C…] [--agent U…] [--tag TAG] [--format text|json|csv] [--team T…]
                                                   the figures for tickets created in those days (both included)
  threaddesk export tickets --from YYYY-MM-DD --to YYYY-MM-DD [--channel C…] [--out FILE] [--team T…]
                                                   those tickets as CSV (stdout without --out)
  threaddesk suggest --ticket N [--format text|json] [--team T…]
                                                   the replies the Suggest button offers for ticket N, best first
DATABASE_URL selects the database (default sqlite:./data/threaddesk.sqlite); THREADDESK_CONVERSION_DAYS the window
of converted tickets (default 5).`;

/** THREADDESK_CONVERSION_DAYS, checked as the bot checks it. */
function conversionDays(): number {
  const raw = process.env.THREADDESK_CONVERSION_DAYS;
  if (raw === undefined || raw === '') return DEFAULT_CONVERSION_DAYS;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1 || days > 90) throw new Error(`THREADDESK_CONVERSION_DAYS: expected a whole number of days from 1 to 90, got "${raw}"`);
  return days;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { team: { type: 'string' }, help: { type: 'boolean', short: 'h' }, from: { type: 'string' }, to: { type: 'string' }, channel: { type: 'string' }, agent: { type: 'string' }, tag: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, ticket: { type: 'string' } },
  });
  const [area, verb, target] = positionals;
  const isReport = area === 'report' && positionals.length === 1;
  const isExport = area === 'export' && verb === 'tickets' && positionals.length === 2;
  if (!values.help && (isReport || isExport)) {
    if (!values.from || !values.to) {
      console.error(`threaddesk: ${area} needs --from and --to (YYYY-MM-DD)\n${USAGE}`);
      return 2;
    }
    const db = connectDb(process.env.DATABASE_URL ?? 'sqlite:./data/threaddesk.sqlite', { forReports: true });
    try {
      await migrateIfPending(db); // reports only read: nothing written beside a running bot

      const options = { teamId: values.team ?? (await onlyTeam(db)), from: values.from, to: values.to, channel: values.channel, agent: values.agent, tag: values.tag, format: values.format ?? 'text', out: values.out, now: Date.now(), conversionDays: conversionDays() };
      await writeOut(isReport ? await reportCommand(db, options) : await exportCommand(db, options));
      return 0;
    } finally {
      await db.destroy();
    }
  }
  if (!values.help && area === 'suggest' && positionals.length === 1) {
    const ticket = Number(values.ticket);
    if (!Number.isInteger(ticket) || ticket < 1) {
      console.error(`threaddesk: suggest needs --ticket N (a ticket number)\n${USAGE}`);
      return 2;
    }
    const format = values.format ?? 'text';
    if (!['text', 'json'].includes(format)) {
      console.error(`threaddesk: --format: expected text or json, got "${format}"`);
      return 2;
    }
    const db = connectDb(process.env.DATABASE_URL ?? 'sqlite:./data/threaddesk.sqlite', { forReports: true });
    try {
      await migrateIfPending(db);
      await writeOut(await suggestCommand(db, { teamId: values.team ?? (await onlyTeam(db)), ticket, format }));
      return 0;
    } finally {
      await db.destroy();
    }
  }
  if (values.help || area !== 'templates' || !['import', 'export'].includes(verb ?? '') || !target || positionals.length !== 3) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const db = connectDb(process.env.DATABASE_URL ?? 'sqlite:./data/threaddesk.sqlite');
  try {
    await migrateLatest(db);
    const teamId = values.team ?? (await onlyTeam(db));
    const templates = createTemplateStore(db);
    if (verb === 'export') {
      const written = writeTemplateFiles(target, await templates.list(teamId));
      console.log(`exported ${written.length} template${written.length === 1 ? '' : 's'} to ${target}`);
      return 0;
    }
    const { templates: found, problems } = readTemplateFiles(target);
    if (problems.length > 0) {
      for (const problem of problems) console.error(`threaddesk: ${problem}`);
      console.error('threaddesk: nothing imported');
      return 1;
    }
    const now = Date.now();
    await db.transaction(async (trx) => {
      const inTrx = createTemplateStore(trx as unknown as Db);
      for (const t of found) await inTrx.save(teamId, t.name, t.body, 'cli', now);
    });
    for (const t of found) console.log(`imported ${t.name} (${t.source})`);
    return 0;
  } finally {
    await db.destroy();
  }
}

/** Writes to stdout and waits until it is handed over: process.exit() would drop output still queued for a pipe. */
function writeOut(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
}

/** The workspace, when the database holds exactly one (single-workspace mode). */
async function onlyTeam(db: Db): Promise<string> {
  const teams = (await db('workspace_settings').select('team_id')).map((r) => r.team_id as string);
  if (teams.length === 1) return teams[0]!;
  throw new Error(teams.length === 0 ? 'no workspace in this database yet: start the bot once, or pass --team T…' : `several workspaces (${teams.join(', ')}): pass --team`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`threaddesk: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
