import type { Knex } from 'knex';

// The chat widget's limits (new visitors per address, messages per visitor) counted in the database when several
// instances share it (PostgreSQL), so an address gets its limit once, not once per instance. The columns are the
// ones rate-limiter-flexible's RateLimiterPostgres reads and writes.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('chat_rate_limits', (t) => {
    t.string('key', 255).primary();
    t.integer('points').notNullable().defaultTo(0);
    t.bigInteger('expire');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('chat_rate_limits');
}
