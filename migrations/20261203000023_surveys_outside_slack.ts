import type { Knex } from 'knex';

// Satisfaction surveys by email and in the chat widget: the survey's link carries a token (128 random bits) that
// names it. An intake channel may ask some time after the solve (csat_delay_minutes; 0: at once). Surveys recorded for tickets outside Slack before this were never shown to anyone (the survey was
// Slack buttons only), yet counted as sent and lowered the response rate: unrated ones are removed.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('csat_surveys', (t) => {
    t.string('token', 32).unique();
  });
  await knex.schema.alterTable('channel_settings', (t) => {
    t.integer('csat_delay_minutes').notNullable().defaultTo(0);
  });
  await knex('csat_surveys').whereNull('rating').andWhere((q) => q.where('channel_id', 'like', 'email:%').orWhere('channel_id', 'like', 'api:%').orWhere('channel_id', 'like', 'chat:%')).delete();
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channel_settings', (t) => {
    t.dropColumn('csat_delay_minutes');
  });
  await knex.schema.alterTable('csat_surveys', (t) => {
    t.dropUnique(['token']);
    t.dropColumn('token');
  });
}
