import type { Knex } from 'knex';

// Issue 5: what the bot owes Slack (written in the same transaction as the change that causes it), each
// rate-limit bucket's next free slot, and the signed requests seen lately: all shared by every instance.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('deliveries', (t) => {
    t.increments('id').primary();
    t.string('team_id');
    // Deliveries of one lane (a ticket's threads, a digest channel) go out one after another in id order.
    t.string('lane').notNullable();
    t.string('kind', 32).notNullable();
    t.text('payload').notNullable(); // JSON, see src/delivery/intents.ts
    // The rate-limit bucket its Slack call counts against ("post:C123", "reactions:T1" …).
    t.string('bucket').notNullable();
    t.string('status', 16).notNullable().defaultTo('pending'); // pending | failed (delivered rows are deleted)
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('not_before').notNullable();
    // Set while an instance works on it; a lease that ran out means that instance died mid-call.
    t.bigInteger('lease_until');
    t.string('claimed_by');
    // The last attempt may have reached Slack without us hearing back: look before posting again.
    t.boolean('uncertain').notNullable().defaultTo(false);
    t.text('last_error');
    t.bigInteger('created_at').notNullable();
    t.bigInteger('failed_at');
    t.index(['status', 'lane', 'id'], 'deliveries_lane_index');
    t.index(['status', 'not_before', 'id'], 'deliveries_due_index');
  });
  await knex.schema.createTable('delivery_pace', (t) => {
    t.string('bucket').primary();
    t.bigInteger('next_at').notNullable();
  });
  // Signed Slack requests seen in the last minutes, so a replay sent to any instance is ignored.
  await knex.schema.createTable('seen_signatures', (t) => {
    t.string('signature_key').primary();
    t.bigInteger('expires_at').notNullable();
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('seen_signatures');
  await knex.schema.dropTable('delivery_pace');
  await knex.schema.dropTable('deliveries');
}
