import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSuggestionStore } from '../../src/store/suggestion-store.js';
import { createTicketStore } from '../../src/store/ticket-store.js';
import { createSuggestionService } from '../../src/suggest/suggestion-service.js';
import { createTestDb, isPostgresReachable, type DbKind, type TestDb } from '../support/databases.js';

// The suggestions learn from the messages table by message id. On PostgreSQL two instances writing at once can
// commit a message after one with a higher id: a catch-up that already passed that id must still learn it.
const kinds: DbKind[] = ['sqlite', 'postgres'];
const postgresUp = await isPostgresReachable();

for (const kind of kinds) {
  describe.skipIf(kind === 'postgres' && !postgresUp)(`learning past replies on ${kind}`, () => {
    let testDb: TestDb;
    beforeAll(async () => {
      testDb = await createTestDb(kind);
    });
    afterAll(() => testDb.drop());

    it('learns a reply that was committed after a later one, and learns nothing twice', async () => {
      const tickets = createTicketStore(testDb.db);
      const open = (n: number, subject: string) =>
        tickets.insertTicket({ teamId: 'T1', subject, requesterId: `U${n}`, requesterTeamId: 'T1', originChannelId: 'CHELP', originTs: `170000000${n}.000100`, triageChannelId: 'CTRI', source: 'message', createdAt: n }, n);
      const message = (id: number, ticketId: number, role: 'requester' | 'agent', text: string) =>
        testDb.db('messages').insert({ id, ticket_id: ticketId, channel_id: 'CHELP', ts: `1700000000.${String(id).padStart(6, '0')}`, user_id: role === 'agent' ? 'UAGENT' : 'UCUST', author_role: role, visibility: 'public', text, sent_at: id });
      const a = await open(1, 'broken');
      const b = await open(2, 'password');
      await message(1, a.id, 'requester', 'my teapot arrived broken');
      await message(2, b.id, 'requester', 'I forgot my password');
      await message(4, b.id, 'agent', 'You can reset your password on the sign-in page.');
      const service = createSuggestionService({ store: createSuggestionStore(testDb.db), templates: async () => [] });
      await service.catchUp();
      expect(service.learned()).toBe(1);
      // id 3 commits only now (an instance's slower transaction)
      await message(3, a.id, 'agent', 'Sorry! A replacement ships today.');
      await service.catchUp();
      await service.catchUp();
      expect(service.learned()).toBe(2);
      const { suggestions } = await service.suggest({ teamId: 'T1', messages: [{ role: 'requester', text: 'the vase arrived broken', visibility: 'public' }] });
      expect(suggestions[0]!.text).toBe('Sorry! A replacement ships today.');
    });
  });
}
