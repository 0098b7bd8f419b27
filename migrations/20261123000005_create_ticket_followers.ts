import type { Knex } from 'knex';

// Agents who follow a ticket are told when the customer answers; a merged ticket points at its survivor.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ticket_followers', (t) => {
    t.integer('ticket_id').notNullable().references('id').inTable('tickets').onDelete('CASCADE');
    t.string('user_id').notNullable();
    t.bigInteger('since').notNullable();
    t.primary(['ticket_id', 'user_id']);
  });
  await knex.schema.alterTable('tickets', (t) => {
    t.integer('merged_into_id').references('id').inTable('tickets');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tickets', (t) => {
    t.dropColumn('merged_into_id');
  });
  await knex.schema.dropTableIfExists('ticket_followers');
}
