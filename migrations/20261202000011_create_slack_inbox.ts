import type { Knex } from 'knex';

// Events API requests as they arrived, written before Slack gets its 200 and processed from here: an answer
// no longer waits for the ticket's store, and a crash leaves the event here for the next start.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('slack_inbox', (t) => {
    t.increments('id').primary();
    // Slack's retries of one delivery carry the same event_id: the retry finds its row and is answered at once.
    t.string('event_id').notNullable().unique();
    t.string('team_id');
    t.text('body').notNullable(); // the request's JSON, as signed by Slack
    t.string('status', 16).notNullable().defaultTo('pending'); // pending | done | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('not_before').notNullable();
    // Set while an instance processes it; a lease that ran out means that instance died on the way.
    t.bigInteger('lease_until');
    t.string('claimed_by');
    t.text('last_error');
    t.bigInteger('received_at').notNullable();
    t.bigInteger('done_at');
    t.index(['status', 'not_before', 'id'], 'slack_inbox_due_index');
    t.index(['status', 'done_at'], 'slack_inbox_done_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('slack_inbox');
}
