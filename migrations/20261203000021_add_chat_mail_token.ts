import type { Knex } from 'knex';

// A chat reply nobody saw is mailed to the visitor; their answer by mail joins the chat ticket. The mail names the
// visitor by this reply token (in its Reply-To address and Message-ID, as an email ticket's token): 128 random
// bits minted with the first such mail, so only someone who received it can write into the conversation.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('chat_visitors', (t) => {
    t.string('mail_token', 26).unique();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('chat_visitors', (t) => {
    t.dropUnique(['mail_token']);
    t.dropColumn('mail_token');
  });
}
