import type { Knex } from 'knex';

// Reports, SLAs, satisfaction surveys and digests (issue 4).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('workspace_settings', (t) => {
    t.string('time_zone', 64); // IANA zone digests and `/helpdesk stats` periods are cut in; null = UTC
  });
  await knex.schema.alterTable('channel_settings', (t) => {
    t.boolean('csat_enabled').notNullable().defaultTo(true);
  });

  // A business-hours calendar for a workspace (scope = team id) or one intake channel (scope = channel id).
  await knex.schema.createTable('business_calendars', (t) => {
    t.string('scope').primary();
    t.string('team_id').notNullable();
    t.string('time_zone', 64).notNullable();
    t.text('weekly_json').notNullable(); // { "1": [["09:00","17:00"]], … } ISO weekday → opening spans
    t.text('holidays_json').notNullable(); // ["2026-12-25", …]
    t.bigInteger('updated_at').notNullable();
  });
  // The calendar's opening spans laid out as absolute instants, with the business time before each span,
  // so SQL can turn any instant into "business ms since the calendar's start" with one indexed lookup.
  await knex.schema.createTable('business_spans', (t) => {
    t.string('scope').notNullable();
    t.bigInteger('opens_at').notNullable();
    t.bigInteger('closes_at').notNullable();
    t.bigInteger('business_before').notNullable();
    t.primary(['scope', 'opens_at']);
  });

  // Targets in minutes per intake channel and priority; null = no target of that kind.
  await knex.schema.createTable('sla_policies', (t) => {
    t.string('channel_id').notNullable();
    t.string('priority', 16).notNullable();
    t.integer('first_reply_minutes');
    t.integer('next_reply_minutes');
    t.integer('resolution_minutes');
    t.boolean('business_hours').notNullable().defaultTo(false);
    t.primary(['channel_id', 'priority']);
  });
  // Warnings and breaches posted, one per target occurrence (`started_at` tells next-reply waits apart):
  // the unique key is what keeps a warning from ever repeating, across restarts and instances.
  await knex.schema.createTable('sla_alerts', (t) => {
    t.integer('ticket_id').notNullable().references('id').inTable('tickets').onDelete('CASCADE');
    t.string('target', 16).notNullable(); // first_reply | next_reply | resolution
    t.bigInteger('started_at').notNullable();
    t.string('kind', 8).notNullable(); // warning | breach
    t.bigInteger('due_at').notNullable();
    t.bigInteger('at').notNullable();
    t.primary(['ticket_id', 'target', 'started_at', 'kind']);
    t.index(['kind', 'at']);
  });

  // One survey per ticket: a new survey after a later solve replaces the old one (the latest rating counts).
  await knex.schema.createTable('csat_surveys', (t) => {
    t.integer('ticket_id').primary().references('id').inTable('tickets').onDelete('CASCADE');
    t.string('channel_id').notNullable();
    t.string('message_ts');
    t.bigInteger('sent_at').notNullable();
    t.integer('rating');
    t.bigInteger('rated_at');
    t.text('comment');
    t.string('agent_id'); // assignee when the ticket was solved: the rating is theirs
  });

  await knex.schema.createTable('digests', (t) => {
    t.increments('id').primary();
    t.string('team_id').notNullable();
    t.string('channel_id').notNullable();
    t.string('frequency', 8).notNullable(); // daily | weekly
    t.integer('weekday'); // 1 = Monday … 7 = Sunday, weekly only
    t.string('at_time', 5).notNullable(); // HH:MM in the workspace's time zone
    t.string('created_by');
    t.bigInteger('created_at').notNullable();
  });
  // A row per digest period posted: the unique key is the "exactly once" (claimed before posting).
  await knex.schema.createTable('digest_runs', (t) => {
    t.integer('digest_id').notNullable().references('id').inTable('digests').onDelete('CASCADE');
    t.bigInteger('period_start').notNullable();
    t.bigInteger('claimed_at').notNullable();
    t.bigInteger('posted_at');
    t.boolean('late').notNullable().defaultTo(false);
    t.primary(['digest_id', 'period_start']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['digest_runs', 'digests', 'csat_surveys', 'sla_alerts', 'sla_policies', 'business_spans', 'business_calendars']) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.schema.alterTable('channel_settings', (t) => t.dropColumn('csat_enabled'));
  await knex.schema.alterTable('workspace_settings', (t) => t.dropColumn('time_zone'));
}
