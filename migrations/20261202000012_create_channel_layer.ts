import type { Knex } from 'knex';

// Issue 11: a ticket's origin is a channel of any kind (slack, email, later chat and api), customers are known by
// several identities, and mailboxes remember how far they have been read.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tickets', (t) => {
    // slack | email | chat | api. For every kind, (origin_channel_id, origin_ts) stays the ticket's conversation
    // key: a Slack channel and thread, or "email:<mailbox>" and the random reply token minted for the ticket.
    t.string('origin_kind', 16).notNullable().defaultTo('slack');
    // Where within the kind: the mailbox address, "amazon" for Amazon buyer messages, an API source…
    t.string('origin_source', 320);
    t.integer('customer_id');
    t.index(['customer_id']);
    t.index(['origin_kind', 'origin_source']);
  });
  await knex.schema.alterTable('messages', (t) => {
    // Email: the quoted history below a reply (kept, not mirrored).
    t.text('quoted_text');
  });
  await knex.schema.alterTable('channel_settings', (t) => {
    // An intake "channel" is a Slack channel (its id) or a mailbox ("email:support@shop.example").
    t.string('kind', 16).notNullable().defaultTo('slack');
  });
  await knex.schema.createTable('customers', (t) => {
    t.increments('id').primary();
    t.string('team_id').notNullable();
    t.string('name', 320);
    t.bigInteger('created_at').notNullable();
  });
  await knex.schema.createTable('customer_identities', (t) => {
    t.integer('customer_id').notNullable().references('id').inTable('customers').onDelete('CASCADE');
    t.string('team_id').notNullable();
    // slack (a user id) | email (lower-cased address) | chat (a visitor id) | external (source:id)
    t.string('kind', 16).notNullable();
    t.string('value', 320).notNullable();
    t.primary(['team_id', 'kind', 'value']);
    t.index(['customer_id']);
  });
  // IMAP: the last UID read in a mailbox, valid while the mailbox's UIDVALIDITY stays the same.
  await knex.schema.createTable('mailbox_cursors', (t) => {
    t.string('mailbox', 500).primary(); // the IMAP URL without its password
    t.bigInteger('uid_validity').notNullable();
    t.bigInteger('last_uid').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('mailbox_cursors');
  await knex.schema.dropTable('customer_identities');
  await knex.schema.dropTable('customers');
  await knex.schema.alterTable('channel_settings', (t) => t.dropColumn('kind'));
  await knex.schema.alterTable('messages', (t) => t.dropColumn('quoted_text'));
  await knex.schema.alterTable('tickets', (t) => {
    t.dropIndex(['origin_kind', 'origin_source']);
    t.dropIndex(['customer_id']);
    t.dropColumn('customer_id');
    t.dropColumn('origin_source');
    t.dropColumn('origin_kind');
  });
}
