import type { Knex } from 'knex';

// Reply templates (per workspace, by name) and ticket fields (order.number …) that templates can use.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('templates', (t) => {
    t.increments('id').primary();
    t.string('team_id').notNullable();
    t.string('name', 64).notNullable();
    t.text('body').notNullable();
    t.integer('usage_count').notNullable().defaultTo(0);
    t.string('updated_by');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['team_id', 'name']);
  });
  await knex.schema.createTable('ticket_fields', (t) => {
    t.integer('ticket_id').notNullable().references('id').inTable('tickets').onDelete('CASCADE');
    t.string('name', 64).notNullable();
    t.string('value', 500).notNullable();
    t.bigInteger('updated_at').notNullable();
    t.primary(['ticket_id', 'name']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('ticket_fields');
  await knex.schema.dropTableIfExists('templates');
}
