import type { Knex } from 'knex';

// Issue 12: a source of the intake API ("api:shopify-form") is an intake channel whose agents' replies are POSTed,
// signed, to the URL given by `/helpdesk connect api SOURCE #triage REPLY_URL`.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channel_settings', (t) => {
    t.text('reply_url');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('channel_settings', (t) => {
    t.dropColumn('reply_url');
  });
}
