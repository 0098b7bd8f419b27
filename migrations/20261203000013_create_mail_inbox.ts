import type { Knex } from 'knex';

// Mail taken by the SMTP listener, written before the sender gets its 250 and processed from here (parsed, stored
// as a ticket's message): the 250 waits only for this one insert, and a crash leaves the mail here for the next
// start. The same shape as slack_inbox, with the SMTP envelope beside the raw RFC 5322 bytes.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mail_inbox', (t) => {
    t.increments('id').primary();
    t.string('event_id').notNullable().unique(); // a random id per accepted mail (SMTP has no delivery id)
    t.string('team_id');
    t.binary('body').notNullable();
    t.text('envelope'); // JSON: { mailFrom, rcptTo }
    t.string('status', 16).notNullable().defaultTo('pending'); // pending | done | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('not_before').notNullable();
    t.bigInteger('lease_until');
    t.string('claimed_by');
    t.text('last_error');
    t.bigInteger('received_at').notNullable();
    t.bigInteger('done_at');
    t.index(['status', 'not_before', 'id'], 'mail_inbox_due_index');
    t.index(['status', 'done_at'], 'mail_inbox_done_index');
  });
  // A mail over 1 MiB: body holds its first MiB, the rest is here in parts of 1 MiB (src/store/byte-parts.ts),
  // written before the mail's row, so a row is never seen without its parts.
  await knex.schema.createTable('mail_inbox_parts', (t) => {
    t.string('event_id').notNullable();
    t.integer('seq').notNullable();
    t.binary('bytes').notNullable();
    t.primary(['event_id', 'seq']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('mail_inbox_parts');
  await knex.schema.dropTable('mail_inbox');
}
