import type { Knex } from 'knex';

// The bytes of a file a delivery uploads (a customer's mail attachment), beside the delivery instead of inside its
// JSON payload as base64 (a 20 MB photo was a 27 MB string, parsed and copied on every claim); in parts of 1 MiB
// (src/store/byte-parts.ts). The rows go when their delivery is done or given up on.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('delivery_files', (t) => {
    t.integer('delivery_id').notNullable(); // deliveries.id
    t.integer('seq').notNullable();
    t.binary('bytes').notNullable();
    t.primary(['delivery_id', 'seq']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('delivery_files');
}
