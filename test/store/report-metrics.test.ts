import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBusinessHours } from '../../src/domain/business-hours.js';
import type { Priority } from '../../src/domain/ticket.js';
import { computeReport, type Report } from '../../src/reports/compute-report.js';
import { plainStyle, reportLines } from '../../src/reports/format-report.js';
import { createServiceLevelStore, type ServiceLevelStore } from '../../src/store/service-level-store.js';
import { createTicketStore, type TicketStore } from '../../src/store/ticket-store.js';
import { createTestDb, isPostgresReachable, type DbKind, type TestDb } from '../support/databases.js';

// Every metric on a small history worked out by hand (the figures in the comments), on SQLite and PostgreSQL.
const kinds: DbKind[] = ['sqlite', 'postgres'];
const postgresUp = await isPostgresReachable();

const MIN = 60_000;
const at = (iso: string) => Date.parse(`${iso}Z`);
const ts = (ms: number, seq: number) => `${Math.floor(ms / 1000)}.${String(seq).padStart(6, '0')}`;

type Step =
  | { req: string }
  | { agent: string; by: string }
  | { bot: string }
  | { note: string; by: string }
  | { solve: string; by: string }
  | { reopen: string };

interface TicketSpec {
  team?: string;
  channel?: string;
  created: string;
  requester?: string;
  assignee?: string;
  priority?: Priority;
  tags?: string[];
  steps?: Step[];
}

let seq = 0;
/** Writes a ticket's history through the store, as the bot would have. */
async function history(store: TicketStore, spec: TicketSpec) {
  const team = spec.team ?? 'T1';
  const channel = spec.channel ?? 'CHELP';
  const requester = spec.requester ?? 'UCUSTOMER';
  const created = at(spec.created);
  const originTs = ts(created, ++seq);
  const number = await store.allocateNumber(team);
  const ticket = await store.insertTicket({ teamId: team, subject: `ticket ${number}`, requesterId: requester, requesterTeamId: team, originChannelId: channel, originTs, triageChannelId: 'CTRIAGE', source: 'message', createdAt: created }, number);
  const message = async (role: 'requester' | 'agent' | 'bot', userId: string | null, when: number, visibility: 'public' | 'internal' = 'public') => {
    const stored = await store.insertMessage({ ticketId: ticket.id, channelId: channel, ts: ts(when, ++seq), threadTs: originTs, userId, authorRole: role, visibility, text: 'x', files: [], sentAt: when });
    const kind = role === 'requester' ? 'requester_message' : role === 'bot' ? 'auto_reply' : visibility === 'public' ? 'public_reply' : 'note';
    await store.addEvent(ticket.id, { kind, actorId: userId, fromValue: null, toValue: null, messageId: stored!.id, at: when });
  };
  await message('requester', requester, created);
  let status = 'new';
  const setStatus = async (to: string, when: number, by: string | null) => {
    await store.addEvent(ticket.id, { kind: 'status_changed', actorId: by, fromValue: status, toValue: to, messageId: null, at: when });
    await store.updateTicket(ticket.id, { status: to as 'open', updatedAt: when, ...(to === 'solved' ? { solvedAt: when } : {}) });
    status = to;
  };
  for (const step of spec.steps ?? []) {
    if ('req' in step) {
      await message('requester', requester, at(step.req));
      if (status === 'solved') await setStatus('open', at(step.req), requester);
    } else if ('agent' in step) {
      await message('agent', step.by, at(step.agent));
      if (status === 'new') await setStatus('open', at(step.agent), step.by);
    } else if ('bot' in step) await message('bot', null, at(step.bot));
    else if ('note' in step) await message('agent', step.by, at(step.note), 'internal');
    else if ('solve' in step) await setStatus('solved', at(step.solve), step.by);
    else await setStatus('open', at(step.reopen), 'UAGENT');
  }
  await store.updateTicket(ticket.id, { assigneeId: spec.assignee ?? null, priority: spec.priority ?? 'normal', updatedAt: (await store.byId(ticket.id))!.updatedAt });
  for (const tag of spec.tags ?? []) await store.addTag(ticket.id, tag);
  return ticket;
}

const hours = (ms: number | null) => (ms === null ? null : ms / 3_600_000);
const minutes = (ms: number | null) => (ms === null ? null : ms / MIN);

for (const kind of kinds) {
  describe.skipIf(kind === 'postgres' && !postgresUp)(`report figures on ${kind}`, () => {
    let testDb: TestDb;
    let store: TicketStore;
    let serviceLevels: ServiceLevelStore;
    let report: Report;

    beforeAll(async () => {
      testDb = await createTestDb(kind);
      store = createTicketStore(testDb.db);
      serviceLevels = createServiceLevelStore(testDb.db, 0);
      const SAM = 'USAM';
      const PRI = 'UPRIYA';
      // Monday 2026-03-02 (UTC) is the period. Bot acknowledgements and internal notes never count as replies.
      const t1 = await history(store, { created: '2026-03-02T09:00', assignee: SAM, tags: ['billing'], steps: [{ bot: '2026-03-02T09:00:05' }, { note: '2026-03-02T09:10', by: PRI }, { agent: '2026-03-02T09:30', by: SAM }, { solve: '2026-03-02T10:00', by: SAM }] });
      const t2 = await history(store, { created: '2026-03-02T10:00', assignee: PRI, tags: ['billing'], steps: [{ req: '2026-03-02T10:05' }, { req: '2026-03-02T10:10' }, { agent: '2026-03-02T12:00', by: PRI }, { req: '2026-03-02T13:00' }, { agent: '2026-03-02T13:30', by: PRI }, { solve: '2026-03-02T14:00', by: PRI }] });
      const t3 = await history(store, { created: '2026-03-02T11:00', assignee: SAM, steps: [{ bot: '2026-03-02T11:01' }, { solve: '2026-03-02T11:30', by: SAM }] });
      const t4 = await history(store, { created: '2026-03-02T12:00', assignee: SAM, tags: ['shipping'], steps: [{ agent: '2026-03-02T13:00', by: SAM }, { solve: '2026-03-02T13:30', by: SAM }, { req: '2026-03-02T14:00' }, { solve: '2026-03-02T15:00', by: SAM }] });
      const t5 = await history(store, { created: '2026-03-02T16:00' });
      const t6 = await history(store, { created: '2026-03-02T17:00', tags: ['billing'] }); // its message moves to t5
      await store.mergeInto(t6.id, t5.id); // a duplicate counts once: t6 disappears
      await store.updateTicket(t6.id, { status: 'closed', updatedAt: at('2026-03-02T17:06') });
      const t7 = await history(store, { created: '2026-03-01T22:00', assignee: PRI, steps: [{ agent: '2026-03-02T08:00', by: PRI }, { solve: '2026-03-02T08:30', by: PRI }] });
      const t8 = await history(store, { created: '2026-03-02T18:00', assignee: SAM, steps: [{ agent: '2026-03-02T18:20', by: SAM }, { solve: '2026-03-02T18:30', by: SAM }] });
      await history(store, { created: '2026-02-20T12:00' }); // t9: still open, 10.5 days old at the period's end
      await history(store, { created: '2026-03-02T09:00', team: 'TOTHER', steps: [{ agent: '2026-03-02T09:01', by: SAM }] }); // another workspace
      void t7;
      // Satisfaction: 5, 4, 1, 3 rated (score 50 %, mean 3.25), t8 asked but silent (response rate 80 %).
      const survey = (ticketId: number, rating: number | null, agent: string) =>
        testDb.db('csat_surveys').insert({ ticket_id: ticketId, channel_id: 'CHELP', sent_at: at('2026-03-02T20:00'), rating, rated_at: rating ? at('2026-03-02T21:00') : null, agent_id: agent });
      await survey(t1.id, 5, SAM);
      await survey(t2.id, 4, PRI);
      await survey(t3.id, 1, SAM);
      await survey(t4.id, 3, SAM);
      await survey(t8.id, null, SAM);
      // SLA for normal tickets in #help: first reply 60 min, next reply 30 min, resolution 180 min (calendar).
      await serviceLevels.savePolicy({ channelId: 'CHELP', priority: 'normal', minutes: { first_reply: 60, next_reply: 30, resolution: 180 }, businessHours: false });
      report = await computeReport({ teamId: 'T1', from: at('2026-03-02T00:00'), to: at('2026-03-03T00:00') }, { db: testDb.db, serviceLevels, now: at('2026-03-05T00:00') });
    });
    afterAll(async () => {
      await testDb.drop();
    });

    it('counts tickets created in the period (merged duplicates, other days and workspaces left out) and the period activity', () => {
      expect(report.created).toBe(6); // t1 t2 t3 t4 t5 t8
      // The channel's own figures: 5 of its 6 solved (see "solved" below), t3 and t5 unanswered, first replies of
      // 20m, 30m, 60m and 120m (see "first reply time") with a mean of 57.5m.
      // One-touch t1 t4 t8, surveys as below; channels of one kind get no median of their own (the report's is it).
      expect(report.createdByChannel).toEqual([{ channelId: 'CHELP', count: 6, solved: 5, unanswered: 2, firstReplyMean: 57.5 * 60_000, firstReplyMedian: null, oneTouch: 3, csat: { sent: 5, rated: 4, good: 2, ratingSum: 13 } }]);
      expect(report.activity).toEqual({ solved: 6, publicReplies: 6 }); // solved: t1 t2 t3 t4 t7 t8 (t4 twice, one ticket); replies: t1 t2 t2 t4 t7 t8
    });

    it('first reply time: creation to the first public agent reply; median, mean, p90; unanswered apart', () => {
      // t8 20m, t1 30m, t4 60m, t2 120m (from its first message, not its follow-ups)
      expect(minutes(report.firstReply.median)).toBe(45);
      expect(minutes(report.firstReply.mean)).toBe(57.5);
      expect(minutes(report.firstReply.p90)).toBe(120);
      expect(report.firstReply.count).toBe(4);
      expect(report.firstReply.unanswered).toBe(2); // t3 (solved without a human reply) and t5
    });

    it('response time: every wait from the oldest unanswered requester message to the next agent reply', () => {
      // t1 30m; t2 120m (three messages, one wait) and 30m; t4 60m (the later "thanks" is never answered); t8 20m
      expect(report.response.count).toBe(5);
      expect(minutes(report.response.median)).toBe(30);
      expect(minutes(report.response.mean)).toBe(52);
    });

    it('full resolution time runs to the last solve; one-touch, automated and reopen rates over solved tickets', () => {
      // t3 30m, t8 30m, t1 60m, t4 180m (solved twice: to the last), t2 240m
      expect(minutes(report.resolution.median)).toBe(60);
      expect(minutes(report.resolution.mean)).toBe(108);
      expect(minutes(report.resolution.p90)).toBe(240);
      expect(report.solved).toBe(5);
      expect(report.oneTouch).toEqual({ count: 3, rate: 0.6 }); // t1, t4 (reopened by a "thanks", no second reply), t8
      expect(report.automated).toEqual({ count: 1, rate: 0.2 }); // t3: its only public answer was the bot's
      expect(report.reopened).toEqual({ count: 1, rate: 0.2 }); // t4
      expect(report.replies.total).toBe(5);
      expect(report.replies.perSolvedTicket).toMatchObject({ count: 5, mean: 1, median: 1 }); // 0 1 1 1 2
    });

    it('backlog at the end of the period, by age', () => {
      expect(report.backlog.total).toBe(2); // t5 (8 h old), t9 (10.5 days); the merged t6 is not counted
      expect(report.backlog.buckets).toEqual([
        { label: 'under 1d', count: 1 },
        { label: '1-3d', count: 0 },
        { label: '3-7d', count: 0 },
        { label: '7-30d', count: 1 },
        { label: 'over 30d', count: 0 },
      ]);
    });

    it('CSAT: share of 4-5 ratings, mean rating and response rate', () => {
      expect(report.csat).toEqual({ sent: 5, rated: 4, score: 0.5, mean: 3.25, responseRate: 0.8 });
    });

    it('SLA: met share and breaches per target', () => {
      // first reply 60m: t1 t4 t8 met, t2 (120m) and t5 (never answered) breached, t3 solved without a reply: none.
      // resolution 180m: t1 t3 t4 (exactly 180m) t8 met, t2 (240m) and t5 (still open) breached.
      // next reply 30m: t2's second wait (30m) met; t4's "thanks" went unanswered on a solved ticket: none.
      expect(report.sla).toMatchObject({ met: 8, breached: 4, running: 0 });
      expect(report.sla.metShare).toBeCloseTo(8 / 12, 10);
      expect(report.sla.breaches.map((b) => `${b.number}:${b.target}`).sort()).toEqual(['2:first_reply', '2:resolution', '5:first_reply', '5:resolution']);
    });

    it('per agent: tickets solved, replies, first reply time and CSAT', () => {
      const sam = report.agents.find((a) => a.agentId === 'USAM')!;
      const priya = report.agents.find((a) => a.agentId === 'UPRIYA')!;
      expect(report.agents.map((a) => a.agentId)).toEqual(['USAM', 'UPRIYA']);
      expect(sam).toMatchObject({ solved: 4, replies: 3, firstReply: { count: 3, median: 30 * MIN } });
      expect(sam.csat).toMatchObject({ sent: 4, rated: 3, score: 1 / 3 });
      expect(priya).toMatchObject({ solved: 1, replies: 2, firstReply: { count: 1, median: 120 * MIN, p90: 120 * MIN } });
      expect(priya.csat).toMatchObject({ rated: 1, score: 1, mean: 4 });
    });

    it('top tags of the period and the oldest open tickets', () => {
      expect(report.topTags).toEqual([{ tag: 'billing', count: 2 }, { tag: 'shipping', count: 1 }]);
      expect(report.oldestOpen.map((t) => t.number)).toEqual([9, 5]);
    });

    it('filters by channel, assignee and tag', async () => {
      const deps = { db: testDb.db, serviceLevels, now: at('2026-03-05T00:00') };
      const period = { teamId: 'T1', from: at('2026-03-02T00:00'), to: at('2026-03-03T00:00') };
      expect((await computeReport({ ...period, assigneeId: 'UPRIYA' }, deps)).created).toBe(1);
      expect((await computeReport({ ...period, tag: 'billing' }, deps)).created).toBe(2);
      expect((await computeReport({ ...period, channelId: 'COTHER' }, deps)).created).toBe(0);
    });

    it('business hours: Friday 18:00 to Monday 09:30 in New York is 30 business minutes (and 62.5 calendar hours across the DST change)', async () => {
      const hoursSpec = parseBusinessHours(['America/New_York', 'mon-fri', '09:00-17:00']);
      await serviceLevels.saveCalendar('TBIZ', 'TBIZ', { ...hoursSpec, holidays: [] }, 0);
      // 2026-03-06 18:00 EST = 23:00Z; 2026-03-09 09:30 EDT = 13:30Z
      await history(store, { team: 'TBIZ', created: '2026-03-06T23:00', steps: [{ agent: '2026-03-09T13:30', by: 'USAM' }, { solve: '2026-03-09T14:00', by: 'USAM' }] });
      const business = await computeReport({ teamId: 'TBIZ', from: at('2026-03-06T00:00'), to: at('2026-03-07T12:00') }, { db: testDb.db, serviceLevels, now: at('2026-03-10T00:00') });
      expect(business.business).toBe(true);
      expect(hours(business.firstReply.median)).toBe(62.5);
      expect(minutes(business.firstReply.business!.median)).toBe(30);
      expect(minutes(business.resolution.business!.median)).toBe(60);
      expect(minutes(business.response.business!.median)).toBe(30);
    });
  });
}

for (const kind of kinds) {
  describe.skipIf(kind === 'postgres' && !postgresUp)(`per-channel figures on ${kind}`, () => {
    it('gives each channel its median first reply, one-touch rate and CSAT; spam and deleted tickets count nowhere', async () => {
      const testDb = await createTestDb(kind);
      try {
        const store = createTicketStore(testDb.db);
        const serviceLevels = createServiceLevelStore(testDb.db, 0);
        const MAIL = 'email:support@shop.example';
        // The mailbox: first replies 10m, 20m and 90m (median 20m, mean 40m); two solved with one reply each
        // (one-touch 100 %); rated 5 and 2 (CSAT 50 %).
        const m1 = await history(store, { channel: MAIL, created: '2026-03-02T09:00', steps: [{ agent: '2026-03-02T09:10', by: 'USAM' }, { solve: '2026-03-02T09:20', by: 'USAM' }] });
        const m2 = await history(store, { channel: MAIL, created: '2026-03-02T10:00', steps: [{ agent: '2026-03-02T10:20', by: 'USAM' }, { solve: '2026-03-02T10:30', by: 'USAM' }] });
        await history(store, { channel: MAIL, created: '2026-03-02T11:00', steps: [{ agent: '2026-03-02T12:30', by: 'USAM' }] });
        // #help: a first reply after 60m, a second reply, solved (not one-touch), rated 5.
        const h1 = await history(store, { created: '2026-03-02T09:00', steps: [{ agent: '2026-03-02T10:00', by: 'UPRIYA' }, { req: '2026-03-02T10:05' }, { agent: '2026-03-02T10:10', by: 'UPRIYA' }, { solve: '2026-03-02T10:20', by: 'UPRIYA' }] });
        // Spam in the mailbox (even answered), a deleted question in #help: counted nowhere.
        const spam = await history(store, { channel: MAIL, created: '2026-03-02T13:00', steps: [{ agent: '2026-03-02T13:01', by: 'USAM' }] });
        await store.updateTicket(spam.id, { status: 'closed', discarded: 'spam', updatedAt: at('2026-03-02T13:02') });
        const gone = await history(store, { created: '2026-03-02T14:00' });
        await store.updateTicket(gone.id, { status: 'closed', discarded: 'deleted', updatedAt: at('2026-03-02T14:01') });
        const survey = (ticketId: number, channel: string, rating: number) =>
          testDb.db('csat_surveys').insert({ ticket_id: ticketId, channel_id: channel, sent_at: at('2026-03-02T20:00'), rating, rated_at: at('2026-03-02T21:00'), agent_id: 'USAM' });
        await survey(m1.id, MAIL, 5);
        await survey(m2.id, MAIL, 2);
        await survey(h1.id, 'CHELP', 5);

        const now = at('2026-03-05T00:00');
        const report = await computeReport({ teamId: 'T1', from: at('2026-03-02T00:00'), to: at('2026-03-03T00:00') }, { db: testDb.db, serviceLevels, now });
        expect(report.created).toBe(4);
        expect(report.activity).toEqual({ solved: 3, publicReplies: 5 }); // m1 m2 h1; m1 m2 m3 h1 h1 (not the spam's)
        expect(report.backlog.total).toBe(1); // the mailbox's third, answered and still open
        expect(report.createdByChannel).toEqual([
          { channelId: MAIL, count: 3, solved: 2, unanswered: 0, firstReplyMean: 40 * MIN, firstReplyMedian: 20 * MIN, oneTouch: 2, csat: { sent: 2, rated: 2, good: 1, ratingSum: 7 } },
          { channelId: 'CHELP', count: 1, solved: 1, unanswered: 0, firstReplyMean: 60 * MIN, firstReplyMedian: 60 * MIN, oneTouch: 0, csat: { sent: 1, rated: 1, good: 1, ratingSum: 5 } },
        ]);
        const lines = reportLines(report, null, plainStyle, now);
        expect(lines).toContain('    support@shop.example: 3 created · 2 solved · 0 unanswered · first reply median 20m · one-touch 100% · CSAT 50% (2 ratings)');
        expect(lines).toContain('    CHELP: 1 created · 1 solved · 0 unanswered · first reply median 1h 00m · one-touch 0% · CSAT 100% (1 rating)');
      } finally {
        await testDb.drop();
      }
    });
  });
}
