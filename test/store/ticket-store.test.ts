import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannelStore } from '../../src/store/channel-store.js';
import { createTicketStore, type NewTicket, type TicketStore } from '../../src/store/ticket-store.js';
import { createTestDb, isPostgresReachable, type DbKind, type TestDb } from '../support/databases.js';

// One store suite, every database: the same expectations on SQLite and PostgreSQL.
const kinds: DbKind[] = ['sqlite', 'postgres'];
const postgresUp = await isPostgresReachable();

const newTicket = (over: Partial<NewTicket> = {}): NewTicket => ({
  teamId: 'T1',
  subject: 'Printer jammed',
  requesterId: 'UREQ',
  requesterTeamId: 'T1',
  originChannelId: 'CHELP',
  originTs: '1700000000.000100',
  triageChannelId: 'CTRIAGE',
  source: 'message',
  createdAt: 1_700_000_000_100,
  ...over,
});

describe('SQLite connection', () => {
  it('runs with WAL and foreign keys on', async () => {
    const testDb = await createTestDb('sqlite');
    try {
      expect(await testDb.db.raw('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
      expect(await testDb.db.raw('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
      await expect(testDb.db('messages').insert({ ticket_id: 999_999, channel_id: 'C', ts: '1', author_role: 'requester', visibility: 'public', text: 'x', sent_at: 1 })).rejects.toThrow(/FOREIGN KEY/);
    } finally {
      await testDb.drop();
    }
  });
});

for (const kind of kinds) {
  describe.skipIf(kind === 'postgres' && !postgresUp)(`ticket store on ${kind}`, () => {
    let testDb: TestDb;
    let store: TicketStore;
    beforeAll(async () => {
      testDb = await createTestDb(kind);
      store = createTicketStore(testDb.db);
    });
    afterAll(async () => {
      await testDb.drop();
    });

    it('numbers tickets per workspace from 1, with no duplicates under concurrent writers', async () => {
      const numbers = await Promise.all(Array.from({ length: 20 }, () => store.transaction((tx) => tx.allocateNumber('TNUM'))));
      expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await store.allocateNumber('TOTHER')).toBe(1);
    });

    it('stores a ticket with its message and history, and finds it by number, origin and card', async () => {
      const ticket = await store.insertTicket(newTicket(), 7);
      const message = await store.insertMessage({ ticketId: ticket.id, channelId: 'CHELP', ts: '1700000000.000100', threadTs: null, userId: 'UREQ', authorRole: 'requester', visibility: 'public', text: 'Printer jammed <b>', files: [{ name: 'a.png', mimetype: 'image/png', permalink: 'https://x/a.png' }], sentAt: 1_700_000_000_100 });
      await store.addEvent(ticket.id, { kind: 'created', actorId: 'UREQ', fromValue: null, toValue: 'new', messageId: message!.id, at: 1_700_000_000_100 });
      await store.setCardTs(ticket.id, '1700000001.000200');

      expect(await store.byNumber('T1', 7)).toMatchObject({ id: ticket.id, status: 'new', priority: 'normal', cardTs: '1700000001.000200', createdAt: 1_700_000_000_100, tags: [] });
      expect((await store.byOrigin('CHELP', '1700000000.000100'))!.id).toBe(ticket.id);
      expect((await store.byCard('CTRIAGE', '1700000001.000200'))!.id).toBe(ticket.id);
      expect(await store.messages(ticket.id)).toMatchObject([{ text: 'Printer jammed <b>', files: [{ name: 'a.png' }], sentAt: 1_700_000_000_100 }]);
      expect(await store.events(ticket.id)).toEqual([{ kind: 'created', actorId: 'UREQ', fromValue: null, toValue: 'new', messageId: message!.id, at: 1_700_000_000_100 }]);
    });

    it('opens tickets in groups under a burst: numbers consecutive, repeats refused, nothing lost', async () => {
      const team = 'TOPEN';
      const opening = (i: number, ts = `1800000000.${String(i).padStart(6, '0')}`) => ({
        ticket: newTicket({ teamId: team, originTs: ts, requesterId: `U${i}`, createdAt: 1000 + i }),
        message: { channelId: 'CHELP', ts, threadTs: null, userId: `U${i}`, authorRole: 'requester' as const, visibility: 'public' as const, text: `request ${i}`, files: [], sentAt: 1000 + i },
        openedBy: `U${i}`,
      });
      const first = await Promise.all(Array.from({ length: 60 }, (_, i) => store.open(opening(i))));
      expect(first.every((o) => o.kind === 'created')).toBe(true);
      const numbers = first.map((o) => (o.kind === 'created' ? o.ticket.number : 0)).sort((a, b) => a - b);
      expect(numbers).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      // the same messages again, twice each, mixed with new ones
      const again = await Promise.all([...Array.from({ length: 10 }, (_, i) => store.open(opening(i))), ...Array.from({ length: 10 }, (_, i) => store.open(opening(i))), store.open(opening(60)), store.open(opening(60))]);
      expect(again.filter((o) => o.kind === 'duplicate')).toHaveLength(21);
      const created = again.find((o) => o.kind === 'created');
      expect(created?.kind === 'created' && created.ticket.number).toBe(61);
      const rows = await testDb.db('tickets').where({ team_id: team }).orderBy('number');
      expect(rows.map((r) => r.number)).toEqual(Array.from({ length: 61 }, (_, i) => i + 1));
      const one = rows.find((r) => r.origin_ts === '1800000000.000007')!;
      expect(await store.messages(one.id)).toMatchObject([{ text: 'request 7', ticketId: one.id }]);
      expect(await store.events(one.id)).toMatchObject([{ kind: 'created', actorId: 'U7', at: 1007 }]);
    });

    it('keeps one ticket per message when two writers (two bot instances) race on the same burst', async () => {
      const team = 'TRACE';
      const other = createTicketStore(testDb.db);
      const opening = (i: number) => {
        const ts = `1900000000.${String(i).padStart(6, '0')}`;
        return {
          ticket: newTicket({ teamId: team, originTs: ts, requesterId: `U${i}`, createdAt: i }),
          message: { channelId: 'CHELP', ts, threadTs: null, userId: `U${i}`, authorRole: 'requester' as const, visibility: 'public' as const, text: `r${i}`, files: [], sentAt: i },
          openedBy: `U${i}`,
        };
      };
      const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => [store.open(opening(i)), other.open(opening(i))]).flat());
      expect(outcomes.filter((o) => o.kind === 'created')).toHaveLength(30);
      const rows = await testDb.db('tickets').where({ team_id: team }).orderBy('number');
      expect(rows.map((r) => r.number)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    });

    it('stores a message once per (channel, ts): a redelivery is reported as already stored', async () => {
      const ticket = await store.insertTicket(newTicket({ originTs: '1700000100.000100' }), 8);
      const input = { ticketId: ticket.id, channelId: 'CHELP', ts: '1700000100.000100', threadTs: null, userId: 'UREQ', authorRole: 'requester' as const, visibility: 'public' as const, text: 'hi', files: [], sentAt: 1 };
      expect(await store.insertMessage(input)).not.toBeNull();
      expect(await store.insertMessage(input)).toBeNull();
      expect(await store.messages(ticket.id)).toHaveLength(1);
    });

    it('refuses a second ticket for the same origin thread', async () => {
      await store.insertTicket(newTicket({ originTs: '1700000200.000100' }), 9);
      await expect(store.insertTicket(newTicket({ originTs: '1700000200.000100' }), 10)).rejects.toThrow();
    });

    it('rolls a transaction back whole', async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.insertTicket(newTicket({ originTs: '1700000300.000100' }), 11);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.byOrigin('CHELP', '1700000300.000100')).toBeNull();
    });

    it('updates status, assignee, tags, edits and deletions', async () => {
      const ticket = await store.insertTicket(newTicket({ originTs: '1700000400.000100' }), 12);
      await store.updateTicket(ticket.id, { status: 'solved', assigneeId: 'UAG', priority: 'high', solvedAt: 5, updatedAt: 5 });
      expect(await store.addTag(ticket.id, 'billing')).toBe(true);
      expect(await store.addTag(ticket.id, 'billing')).toBe(false);
      await store.addTag(ticket.id, 'vip');
      expect(await store.byId(ticket.id)).toMatchObject({ status: 'solved', assigneeId: 'UAG', priority: 'high', solvedAt: 5, tags: ['billing', 'vip'] });

      const message = (await store.insertMessage({ ticketId: ticket.id, channelId: 'CHELP', ts: '1700000400.000100', threadTs: null, userId: 'UREQ', authorRole: 'requester', visibility: 'public', text: 'old', files: [], sentAt: 1 }))!;
      await store.editMessage(message.id, 'new', 10);
      await store.markMessageDeleted(message.id, 11);
      expect(await store.messageByTs('CHELP', '1700000400.000100')).toMatchObject({ text: 'new', editedAt: 10, deletedAt: 11 });
    });

    it('finds a requester\'s recent active ticket for burst joining, not a solved one', async () => {
      const active = await store.insertTicket(newTicket({ originTs: '1700000500.000100', requesterId: 'UBURST', createdAt: 1000 }), 13);
      expect((await store.recentActiveTicket('CHELP', 'UBURST', 900))!.id).toBe(active.id);
      expect(await store.recentActiveTicket('CHELP', 'UBURST', 1001)).toBeNull();
      await store.updateTicket(active.id, { status: 'solved', updatedAt: 2000 });
      expect(await store.recentActiveTicket('CHELP', 'UBURST', 900)).toBeNull();
    });

    it('lists open, mine and unassigned tickets newest first', async () => {
      const team = 'TLIST';
      const a = await store.insertTicket(newTicket({ teamId: team, originTs: '1.1' }), 1);
      const b = await store.insertTicket(newTicket({ teamId: team, originTs: '1.2' }), 2);
      const c = await store.insertTicket(newTicket({ teamId: team, originTs: '1.3' }), 3);
      await store.updateTicket(a.id, { assigneeId: 'UME', updatedAt: 1 });
      await store.updateTicket(c.id, { status: 'solved', updatedAt: 1 });
      expect((await store.list(team, 'open', 'UME')).map((t) => t.number)).toEqual([2, 1]);
      expect((await store.list(team, 'mine', 'UME')).map((t) => t.number)).toEqual([1]);
      expect((await store.list(team, 'unassigned', 'UME')).map((t) => t.number)).toEqual([2]);
      expect((await store.list(team, 'all', 'UME')).map((t) => t.number)).toEqual([3, 2, 1]);
      expect(b.status).toBe('new');
    });

    it('keeps each ticket\'s figures (first reply, replies, waits, reopens) as messages and status changes are written', async () => {
      const ticket = await store.insertTicket(newTicket({ teamId: 'TMET', originChannelId: 'CMET', originTs: '1800000000.000001' }), 1);
      const say = (ts: string, authorRole: 'requester' | 'agent' | 'bot', sentAt: number, visibility: 'public' | 'internal' = 'public', userId = authorRole === 'agent' ? 'UAG1' : 'UREQ') =>
        store.insertMessage({ ticketId: ticket.id, channelId: 'CMET', ts, threadTs: null, userId, authorRole, visibility, text: 'x', files: [], sentAt });
      const status = (fromValue: string, toValue: string, at: number) => store.addEvent(ticket.id, { kind: 'status_changed', actorId: 'UAG1', fromValue, toValue, messageId: null, at });
      const figures = async () => ({
        metrics: await testDb.db('tickets').where({ id: ticket.id }).first('first_reply_at', 'first_reply_agent', 'agent_replies', 'reopens', 'first_solved_at'),
        waits: (await testDb.db('ticket_waits').where({ ticket_id: ticket.id }).orderBy('started_at')).map((w) => [Number(w.started_at), w.ended_at === null ? null : Number(w.ended_at), w.after_reply]),
        replies: (await testDb.db('ticket_agent_replies').where({ ticket_id: ticket.id }).orderBy('agent_id')).map((r) => [r.agent_id, r.replies]),
      });

      await say('1800000000.000001', 'requester', 1000);
      await say('1800000000.000002', 'bot', 1500); // an acknowledgement: not a reply
      await say('1800000000.000003', 'agent', 1800, 'internal'); // a note: not a reply
      await say('1800000000.000004', 'requester', 2000);
      expect(await figures()).toEqual({ metrics: { first_reply_at: null, first_reply_agent: null, agent_replies: 0, reopens: 0, first_solved_at: null }, waits: [[1000, null, 0]], replies: [] });

      const reply = await say('1800000000.000005', 'agent', 4000);
      await say('1800000000.000006', 'requester', 5000);
      await say('1800000000.000007', 'agent', 9000, 'public', 'UAG2');
      await status('open', 'solved', 9500);
      await status('solved', 'open', 9800);
      await status('open', 'solved', 9900);
      expect(await figures()).toEqual({
        metrics: { first_reply_at: 4000, first_reply_agent: 'UAG1', agent_replies: 2, reopens: 1, first_solved_at: 9500 },
        waits: [[1000, 4000, 0], [5000, 9000, 1]],
        replies: [['UAG1', 1], ['UAG2', 1]],
      });

      // A deleted reply no longer counts: the first wait now ends at the next reply, and the two waits become one.
      await store.markMessageDeleted(reply!.id, 10_000);
      expect(await figures()).toMatchObject({ metrics: { first_reply_at: 9000, first_reply_agent: 'UAG2', agent_replies: 1 }, waits: [[1000, 9000, 0]], replies: [['UAG2', 1]] });

      // Merged into another ticket, its messages (and figures) move there.
      const survivor = await store.insertTicket(newTicket({ teamId: 'TMET', originChannelId: 'CMET', originTs: '1800000000.000100' }), 2);
      await store.mergeInto(ticket.id, survivor.id);
      expect(await figures()).toMatchObject({ metrics: { first_reply_at: null, agent_replies: 0 }, waits: [], replies: [] });
      expect(await testDb.db('tickets').where({ id: survivor.id }).first('first_reply_at', 'agent_replies')).toEqual({ first_reply_at: 9000, agent_replies: 1 });
    });

    it('keeps channel settings: connect, rules, default triage', async () => {
      const channels = createChannelStore(testDb.db);
      expect(await channels.intake('CNEW')).toBeNull();
      await channels.connect('T1', 'CNEW', 'CTRI', 1);
      expect(await channels.intake('CNEW')).toEqual({ channelId: 'CNEW', teamId: 'T1', triageChannelId: 'CTRI', pleasantryFilter: true, burstWindowSeconds: 300, ackTemplate: null, csatEnabled: true, csatDelayMinutes: 0, replyUrl: null });
      await channels.updateRules('CNEW', { pleasantryFilter: false, burstWindowSeconds: 0, csatDelayMinutes: 1440 });
      await channels.connect('T1', 'CNEW', 'CTRI2', 2);
      expect(await channels.intake('CNEW')).toMatchObject({ triageChannelId: 'CTRI2', pleasantryFilter: false, burstWindowSeconds: 0, csatDelayMinutes: 1440 });
      expect(await channels.isTriageChannel('CTRI2')).toBe(true);
      expect(await channels.isTriageChannel('CNEW')).toBe(false);
      await channels.setDefaultTriage('T9', 'CDEF');
      expect(await channels.defaultTriage('T9')).toBe('CDEF');
      expect(await channels.isTriageChannel('CDEF')).toBe(true);
      // An intake API source keeps its reply URL; connecting it again without one keeps it too.
      await channels.connect('T1', 'api:shop-form', 'CTRI', 3, 'api', 'https://shop.example/replies');
      await channels.connect('T1', 'api:shop-form', 'CTRI2', 4, 'api');
      expect(await channels.intake('api:shop-form')).toMatchObject({ triageChannelId: 'CTRI2', replyUrl: 'https://shop.example/replies' });
    });
  });
}
