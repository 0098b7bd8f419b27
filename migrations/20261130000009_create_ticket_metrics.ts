import type { Knex } from 'knex';

// Per-ticket figures kept as history is written (src/store/ticket-metrics.ts), so reports read one row per
// ticket instead of every message (existing tickets are filled in from their history); and the indexes that
// let a report read its cohort and its period's activity without visiting every row.
// A migration is history: the backfill below is its own copy of the SQL as it stood when this migration landed,
// so a later change to the application's figures cannot change what this migration does to an old database.
const REPORT_COLUMNS = ['merged_into_id', 'origin_channel_id', 'assignee_id', 'status', 'priority', 'solved_at', 'number', 'first_reply_at', 'first_reply_agent', 'agent_replies', 'reopens', 'first_solved_at'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tickets', (t) => {
    t.bigInteger('first_reply_at'); // first public agent reply; null while unanswered
    t.string('first_reply_agent');
    t.integer('agent_replies').notNullable().defaultTo(0); // public replies by agents
    t.integer('reopens').notNullable().defaultTo(0); // solved or closed, then active again
    t.bigInteger('first_solved_at');
  });
  await knex.schema.createTable('ticket_waits', (t) => {
    t.integer('ticket_id').notNullable().references('id').inTable('tickets').onDelete('CASCADE');
    t.bigInteger('started_at').notNullable();
    t.bigInteger('ended_at'); // the agent reply that ended it; null while the requester waits
    t.integer('after_reply').notNullable(); // 0: waiting for the first reply, 1: for a next reply
    t.index(['ticket_id', 'started_at', 'ended_at', 'after_reply'], 'ticket_waits_ticket_index'); // covering: a cohort's waits from the index alone
  });
  // Read by ticket id for a cohort: the key holds the count (PostgreSQL: INCLUDE; SQLite: a table without row
  // ids is stored in key order), so no table row is visited.
  if (knex.client.config.client === 'pg') {
    await knex.raw(`CREATE TABLE ticket_agent_replies (ticket_id integer NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
      agent_id varchar(255) NOT NULL, replies integer NOT NULL, PRIMARY KEY (ticket_id, agent_id) INCLUDE (replies))`);
  } else {
    await knex.raw(`CREATE TABLE ticket_agent_replies (ticket_id integer NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
      agent_id varchar(255) NOT NULL, replies integer NOT NULL, PRIMARY KEY (ticket_id, agent_id)) WITHOUT ROWID`);
  }
  await fillInFromHistory(knex);

  // A cohort (tickets created in a period) read from one index range holding every column a report uses:
  // a narrow, ordered copy the database keeps for us, instead of a visit to each wide ticket row.
  if (knex.client.config.client === 'pg') {
    await knex.raw(`CREATE INDEX tickets_report_index ON tickets (team_id, created_at) INCLUDE (id, ${REPORT_COLUMNS.join(', ')})`);
  } else {
    await knex.schema.alterTable('tickets', (t) => t.index(['team_id', 'created_at', ...REPORT_COLUMNS], 'tickets_report_index')); // the row id comes with it
  }
  await knex.schema.alterTable('tickets', (t) => {
    // merged tickets, few, left out of activity
    t.index(['team_id', 'id'], 'tickets_merged_index', { predicate: knex.whereNotNull('merged_into_id') });
  });

  // A period's activity (tickets solved, public replies) is read from the events of one workspace in one index
  // range, without looking up each event's ticket: events carry their ticket's workspace (it never changes).
  await knex.schema.alterTable('ticket_events', (t) => t.string('team_id'));
  await knex.raw('UPDATE ticket_events SET team_id = (SELECT t.team_id FROM tickets t WHERE t.id = ticket_events.ticket_id)');
  await knex.schema.alterTable('ticket_events', (t) => {
    t.dropIndex([], 'ticket_events_activity_index');
    t.index(['team_id', 'kind', 'to_value', 'at', 'ticket_id'], 'ticket_events_team_activity_index');
  });
}

/**
 * Every existing ticket's figures from its messages and status events: first public agent reply (when, by whom),
 * public agent replies, reopens, first solve; the requester's waits; public replies per agent. Bots, automations,
 * internal notes and deleted messages do not count.
 */
async function fillInFromHistory(knex: Knex): Promise<void> {
  const conversation = `m.visibility = 'public' AND m.deleted_at IS NULL AND m.author_role IN ('requester', 'agent')`;
  const agentReplies = `FROM messages m WHERE m.ticket_id = tickets.id AND ${conversation} AND m.author_role = 'agent'`;
  const statusChanges = `FROM ticket_events e WHERE e.ticket_id = tickets.id AND e.kind = 'status_changed'`;
  await knex.raw(
    `UPDATE tickets SET
       first_reply_at = (SELECT MIN(m.sent_at) ${agentReplies}),
       first_reply_agent = (SELECT m.user_id ${agentReplies} ORDER BY m.sent_at, m.id LIMIT 1),
       agent_replies = (SELECT COUNT(*) ${agentReplies}),
       reopens = (SELECT COUNT(*) ${statusChanges} AND e.from_value IN ('solved', 'closed') AND e.to_value NOT IN ('solved', 'closed')),
       first_solved_at = (SELECT MIN(e.at) ${statusChanges} AND e.to_value IN ('solved', 'closed'))`,
  );
  await knex.raw(
    `INSERT INTO ticket_agent_replies (ticket_id, agent_id, replies)
     SELECT m.ticket_id, m.user_id, COUNT(*) FROM messages m
     WHERE ${conversation} AND m.author_role = 'agent' AND m.user_id IS NOT NULL GROUP BY m.ticket_id, m.user_id`,
  );
  // In message order: LAG says where a run of requester messages starts (after an agent reply, or at the start);
  // the frame MIN finds the agent reply that ends it.
  const byTicket = 'PARTITION BY m.ticket_id ORDER BY m.sent_at, m.id';
  await knex.raw(
    `INSERT INTO ticket_waits (ticket_id, started_at, ended_at, after_reply)
     SELECT ticket_id, sent_at, next_agent_at, CASE WHEN prev_role = 'agent' THEN 1 ELSE 0 END FROM (
       SELECT m.ticket_id, m.sent_at, m.author_role,
              LAG(m.author_role) OVER (${byTicket}) AS prev_role,
              MIN(CASE WHEN m.author_role = 'agent' THEN m.sent_at END) OVER (${byTicket} ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_agent_at
       FROM messages m WHERE ${conversation}) x
     WHERE author_role = 'requester' AND (prev_role IS NULL OR prev_role = 'agent')`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('ticket_events', (t) => {
    t.dropIndex([], 'ticket_events_team_activity_index');
    t.index(['kind', 'at', 'to_value', 'ticket_id'], 'ticket_events_activity_index');
  });
  await knex.schema.alterTable('ticket_events', (t) => t.dropColumn('team_id'));
  await knex.schema.alterTable('tickets', (t) => {
    t.dropIndex([], 'tickets_merged_index');
    t.dropIndex([], 'tickets_report_index');
  });
  for (const table of ['ticket_agent_replies', 'ticket_waits']) await knex.schema.dropTableIfExists(table);
  await knex.schema.alterTable('tickets', (t) => {
    for (const column of ['first_reply_at', 'first_reply_agent', 'agent_replies', 'reopens', 'first_solved_at']) t.dropColumn(column);
  });
}
