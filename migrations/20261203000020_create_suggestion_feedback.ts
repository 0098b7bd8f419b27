import type { Knex } from 'knex';

// Which suggested answers agents actually sent (the Reply modal, filled from a suggestion, then Send): the
// ranking learns from it. One row per team and answer (src/suggest/generalise.ts `answerKey`).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('suggestion_feedback', (t) => {
    t.increments('id').primary();
    t.string('team_id').notNullable();
    t.string('answer_key', 1000).notNullable();
    t.integer('sent').notNullable().defaultTo(0);
    t.bigInteger('updated_at').notNullable();
    t.unique(['team_id', 'answer_key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('suggestion_feedback');
}
