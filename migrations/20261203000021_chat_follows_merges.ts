import type { Knex } from 'knex';

// A chat visitor's conversation outlives a merge of their ticket.
// - Every chat message names its visitor in thread_ts (the visitor key, 24 hex characters; the first message of
//   a conversation used to have none), so the widget reads the visitor's messages wherever a merge moved them.
// - A chat reply nobody saw is mailed to the visitor, and their answer by mail joins the chat ticket. The mail
//   names the visitor by `mail_token` (in its Reply-To address and Message-ID, like an email ticket's token):
//   128 random bits minted with the first such mail, so only someone who received it can write into the
//   conversation.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('chat_visitors', (t) => {
    t.string('mail_token', 26).unique();
  });
  await knex('messages').where({ channel_id: 'chat:web' }).whereNull('thread_ts').where('ts', 'like', 'v:%').update({ thread_ts: knex.raw('substr(ts, 3, 24)') });
  await knex.schema.alterTable('messages', (t) => {
    t.index(['thread_ts', 'id'], 'messages_thread_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.dropIndex(['thread_ts', 'id'], 'messages_thread_index');
  });
  await knex.schema.alterTable('chat_visitors', (t) => {
    t.dropUnique(['mail_token']);
    t.dropColumn('mail_token');
  });
}
