import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDb } from '../../src/store/db.js';
import { migrateLatest } from '../../src/store/migrate.js';
import { createTicketStore } from '../../src/store/ticket-store.js';

const root = path.resolve(import.meta.dirname, '../..');
const at = (iso: string) => Date.parse(`${iso}Z`);

// The command line reads the same database as the bot (here a SQLite file it shares with this test).
describe('threaddesk report and export on the command line', () => {
  let dir: string;
  let databaseUrl: string;
  const cli = (...args: string[]) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), DATABASE_URL: databaseUrl }, encoding: 'utf8' });
    return { code: run.status, out: run.stdout, err: run.stderr };
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threaddesk-report-'));
    databaseUrl = `sqlite:${path.join(dir, 'db.sqlite')}`;
    const db = connectDb(databaseUrl);
    await migrateLatest(db);
    await db('workspace_settings').insert({ team_id: 'T0001', next_ticket_number: 3 });
    const store = createTicketStore(db);
    // #1 answered after 90 minutes and solved; #2 unanswered. Both created 2026-03-02 (UTC).
    for (const [number, created, reply] of [[1, '2026-03-02T09:00', '2026-03-02T10:30'], [2, '2026-03-02T11:00', null]] as const) {
      const ticket = await store.insertTicket({ teamId: 'T0001', subject: `Question ${number}`, requesterId: 'UCUST', requesterTeamId: 'T0001', originChannelId: 'CHELP', originTs: `${at(created) / 1000}.000100`, triageChannelId: 'CTRI', source: 'message', createdAt: at(created) }, number);
      await store.insertMessage({ ticketId: ticket.id, channelId: 'CHELP', ts: `${at(created) / 1000}.000100`, threadTs: null, userId: 'UCUST', authorRole: 'requester', visibility: 'public', text: 'q', files: [], sentAt: at(created) });
      if (reply) {
        await store.insertMessage({ ticketId: ticket.id, channelId: 'CHELP', ts: `${at(reply) / 1000}.000200`, threadTs: null, userId: 'UAGENT', authorRole: 'agent', visibility: 'public', text: 'a', files: [], sentAt: at(reply) });
        await store.updateTicket(ticket.id, { status: 'solved', solvedAt: at('2026-03-02T12:00'), assigneeId: 'UAGENT', updatedAt: at('2026-03-02T12:00') });
      }
    }
    await db.destroy();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints the figures as text, JSON and CSV', () => {
    const text = cli('report', '--from', '2026-03-02', '--to', '2026-03-02');
    expect(text.code).toBe(0);
    expect(text.out).toContain('tickets created 2026-03-02 (UTC)');
    expect(text.out).toContain('Tickets created 2');
    expect(text.out).toContain('First reply time median 1h 30m · mean 1h 30m · p90 1h 30m · 1 unanswered');
    expect(text.out).toContain('Full resolution time median 3h 00m');

    const json = JSON.parse(cli('report', '--from', '2026-03-02', '--to', '2026-03-02', '--format', 'json').out);
    expect(json).toMatchObject({ created: 2, solved: 1, firstReply: { count: 1, median: 90 * 60_000, unanswered: 1 }, oneTouch: { count: 1, rate: 1 } });

    expect(JSON.parse(cli('report', '--from', '2026-03-02', '--to', '2026-03-02', '--format', 'json', '--agent', 'UAGENT').out).created).toBe(1);

    const csv = cli('report', '--from', '2026-03-01', '--to', '2026-03-02', '--format', 'csv', '--channel', 'CHELP').out.trim().split('\n');
    expect(csv[0]).toContain('tickets_created,solved_in_period');
    expect(csv[1]).toContain('2026-03-01T00:00:00.000Z,2026-03-03T00:00:00.000Z,CHELP,2,');
  });

  it('exports the tickets as CSV and explains a wrong call in one line', () => {
    const out = path.join(dir, 'tickets.csv');
    expect(cli('export', 'tickets', '--from', '2026-03-02', '--to', '2026-03-02', '--out', out).out).toBe(`exported 2 tickets to ${out}\n`);
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toContain('1,2026-03-02T09:00:00.000Z,CHELP,UCUST,UAGENT,solved,normal,Question 1,,2026-03-02T10:30:00.000Z,90,1,0,2026-03-02T12:00:00.000Z,180,');

    const wrong = cli('report', '--from', '2026-03-05', '--to', '2026-03-01');
    expect(wrong.code).toBe(1);
    expect(wrong.err.trim().split('\n')).toEqual(['threaddesk: --from and --to must be dates (YYYY-MM-DD), --from not after --to; got "2026-03-05" and "2026-03-01"']);
    expect(cli('report', '--format', 'csv').code).toBe(2);
  });
});
