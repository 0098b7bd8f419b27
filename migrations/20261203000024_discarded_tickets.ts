import type { Knex } from 'knex';

// Tickets left out of every figure (SPEC: spam and deleted tickets are left out): `spam` when an agent marks it so,
// `deleted` when its requester deleted everything they wrote before anyone answered. Either is also closed.
// And solved tickets by solve time, which the quiet period closes (auto-close.ts).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tickets', (t) => {
    t.string('discarded', 16);
  });
  await knex.schema.alterTable('tickets', (t) => {
    // discarded tickets, few, left out of activity (like merged ones)
    t.index(['team_id', 'id'], 'tickets_discarded_index', { predicate: knex.whereNotNull('discarded') });
    // solved tickets by when, for closing them after the quiet period (only the solved ones are in it)
    t.index(['solved_at'], 'tickets_solved_index', { predicate: knex.whereRaw("status = 'solved'") });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tickets', (t) => {
    t.dropIndex([], 'tickets_discarded_index');
    t.dropIndex([], 'tickets_solved_index');
  });
  await knex.schema.alterTable('tickets', (t) => {
    t.dropColumn('discarded');
  });
}
