import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateLatest, migrationSource } from '../../src/store/migrate.js';
import { createTestDb, isPostgresReachable, type DbKind, type TestDb } from '../support/databases.js';

const kinds: DbKind[] = ['sqlite', 'postgres'];
const postgresUp = await isPostgresReachable();

for (const kind of kinds) {
  describe.skipIf(kind === 'postgres' && !postgresUp)(`upgrading a ${kind} database with history to kept ticket figures`, () => {
    let testDb: TestDb;
    beforeAll(async () => {
      testDb = await createTestDb(kind);
      // Back to the schema before ticket metrics (this also runs that migration's `down`).
      await testDb.db.migrate.down({ migrationSource, name: '20261130000009_create_ticket_metrics' });
    });
    afterAll(async () => {
      await testDb.drop();
    });

    it('fills in each ticket\'s figures and each event\'s workspace from the history already stored', async () => {
      const { db } = testDb;
      expect(await db.schema.hasColumn('tickets', 'first_reply_at')).toBe(false);
      const [ticket] = await db('tickets')
        .insert({ team_id: 'TUP', number: 1, subject: 'Refund', requester_id: 'UREQ', origin_channel_id: 'CUP', origin_ts: '1.000001', triage_channel_id: 'CTRI', source: 'message', status: 'solved', priority: 'normal', created_at: 1000, updated_at: 9000, last_requester_message_at: 5000, solved_at: 9000 })
        .returning('id');
      const ticketId = Number((ticket as { id: number }).id ?? ticket);
      const message = (ts: string, author_role: string, user_id: string, sent_at: number) => ({ ticket_id: ticketId, channel_id: 'CUP', ts, user_id, author_role, visibility: 'public', text: 'x', sent_at });
      await db('messages').insert([message('1.000001', 'requester', 'UREQ', 1000), message('1.000002', 'agent', 'UAG', 3000), message('1.000003', 'requester', 'UREQ', 5000), message('1.000004', 'agent', 'UAG', 8000)]);
      await db('ticket_events').insert([
        { ticket_id: ticketId, kind: 'status_changed', from_value: 'open', to_value: 'solved', at: 6000 },
        { ticket_id: ticketId, kind: 'status_changed', from_value: 'solved', to_value: 'open', at: 7000 },
        { ticket_id: ticketId, kind: 'status_changed', from_value: 'open', to_value: 'solved', at: 9000 },
      ]);

      await migrateLatest(db);

      expect(await db('tickets').where({ id: ticketId }).first('first_reply_at', 'first_reply_agent', 'agent_replies', 'reopens', 'first_solved_at')).toEqual({
        first_reply_at: 3000,
        first_reply_agent: 'UAG',
        agent_replies: 2,
        reopens: 1,
        first_solved_at: 6000,
      });
      expect((await db('ticket_waits').where({ ticket_id: ticketId }).orderBy('started_at')).map((w) => [Number(w.started_at), Number(w.ended_at), w.after_reply])).toEqual([
        [1000, 3000, 0],
        [5000, 8000, 1],
      ]);
      expect(await db('ticket_agent_replies').where({ ticket_id: ticketId }).select('agent_id', 'replies')).toEqual([{ agent_id: 'UAG', replies: 2 }]);
      expect((await db('ticket_events').where({ ticket_id: ticketId }).distinct('team_id')).map((r) => r.team_id)).toEqual(['TUP']);
    });
  });
}

for (const kind of kinds) {
  describe.skipIf(kind === 'postgres' && !postgresUp)(`upgrading a ${kind} database with chat conversations`, () => {
    let testDb: TestDb;
    beforeAll(async () => {
      testDb = await createTestDb(kind);
      await testDb.db.migrate.down({ migrationSource, name: '20261203000021_chat_follows_merges' });
    });
    afterAll(async () => {
      await testDb.drop();
    });

    it('names the visitor on the first message of each conversation, which had no thread_ts', async () => {
      const { db } = testDb;
      const key = 'a1b2c3d4e5f6a7b8c9d0e1f2';
      const [ticket] = await db('tickets')
        .insert({ team_id: 'TUP', number: 1, subject: 'Jacket', requester_id: `chat:${key}`, origin_channel_id: 'chat:web', origin_ts: key, triage_channel_id: 'CTRI', source: 'chat', status: 'open', priority: 'normal', created_at: 1000, updated_at: 2000, last_requester_message_at: 2000 })
        .returning('id');
      const ticketId = Number((ticket as { id: number }).id ?? ticket);
      const message = (ts: string, thread_ts: string | null, author_role: string) => ({ ticket_id: ticketId, channel_id: 'chat:web', ts, thread_ts, user_id: 'U', author_role, visibility: 'public', text: 'x', sent_at: 1000 });
      await db('messages').insert([message(`v:${key}:m1`, null, 'requester'), message(`v:${key}:m2`, key, 'requester'), message('td-reply-7', key, 'agent')]);

      await migrateLatest(db);

      expect((await db('messages').where({ ticket_id: ticketId }).orderBy('id').select('ts', 'thread_ts')).map((m) => m.thread_ts)).toEqual([key, key, key]);
    });
  });
}

for (const kind of kinds) {
  describe.skipIf(kind === 'postgres' && !postgresUp)(`upgrading a ${kind} database with surveys of tickets outside Slack`, () => {
    let testDb: TestDb;
    beforeAll(async () => {
      testDb = await createTestDb(kind);
      await testDb.db.migrate.down({ migrationSource, name: '20261203000023_surveys_outside_slack' });
    });
    afterAll(async () => {
      await testDb.drop();
    });

    it('drops the surveys that were recorded as sent but never shown (email, chat, API, unrated), and keeps the rest', async () => {
      const { db } = testDb;
      const ticketIds: number[] = [];
      for (const [number, channel] of [[1, 'CHELP'], [2, 'email:support@shop.example'], [3, 'chat:web'], [4, 'api:form'], [5, 'email:support@shop.example']] as const) {
        const [row] = await db('tickets')
          .insert({ team_id: 'TUP', number, subject: 'x', requester_id: 'U1', origin_channel_id: channel, origin_ts: `${number}.000`, triage_channel_id: 'CTRI', source: 'slack', status: 'solved', priority: 'normal', created_at: 1000, updated_at: 2000, last_requester_message_at: 1000 })
          .returning('id');
        const ticketId = Number((row as { id: number }).id ?? row);
        ticketIds.push(ticketId);
        // The last one was rated (by nobody a survey reached, but a rating is kept whatever happened).
        await db('csat_surveys').insert({ ticket_id: ticketId, channel_id: channel, sent_at: 2000, rating: number === 5 ? 4 : null });
      }

      await migrateLatest(db);

      expect((await db('csat_surveys').orderBy('ticket_id').select('ticket_id', 'token')).map((r) => [Number(r.ticket_id), r.token])).toEqual([[ticketIds[0], null], [ticketIds[4], null]]);
    });
  });
}

// A migration is history: it carries its own SQL. One that imported application code would change what it does
// to an old database whenever that code changed.
describe('migrations are frozen', () => {
  const folder = new URL('../../migrations/', import.meta.url);
  it.each(readdirSync(folder).filter((name) => name.endsWith('.ts')))('%s imports nothing but knex', (name) => {
    const imports = [...readFileSync(new URL(name, folder), 'utf8').matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? m[2]);
    expect(imports.filter((source) => source !== 'knex')).toEqual([]);
  });
});
