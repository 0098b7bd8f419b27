import type { Knex } from 'knex';

// Routing: agent groups, agent availability, per-channel policy and keyword rules.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('agent_groups', (t) => {
    t.string('team_id').notNullable();
    t.string('name', 64).notNullable();
    t.string('user_id').notNullable();
    t.primary(['team_id', 'name', 'user_id']);
  });
  await knex.schema.createTable('agent_availability', (t) => {
    t.string('team_id').notNullable();
    t.string('user_id').notNullable();
    t.boolean('away').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.primary(['team_id', 'user_id']);
  });
  await knex.schema.createTable('routing_rules', (t) => {
    t.increments('id').primary();
    t.string('channel_id').notNullable();
    t.string('pattern', 500).notNullable();
    t.string('tag', 64);
    t.string('group_name', 64);
    t.index(['channel_id']);
  });
  await knex.schema.alterTable('channel_settings', (t) => {
    t.string('routing_policy', 16).notNullable().defaultTo('manual');
    t.string('routing_group', 64);
    t.string('routing_last_assignee');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channel_settings', (t) => {
    t.dropColumn('routing_policy');
    t.dropColumn('routing_group');
    t.dropColumn('routing_last_assignee');
  });
  for (const table of ['routing_rules', 'agent_availability', 'agent_groups']) await knex.schema.dropTableIfExists(table);
}
