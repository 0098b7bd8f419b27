import type { Knex } from 'knex';

// Issue 13: the shops' orders (Shopify, WooCommerce, the signed orders API), linked to customers, so the card can
// show an order and reports can count converted tickets (the webhooks' inbox is order_inbox, the next migration).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('orders', (t) => {
    t.increments('id').primary();
    t.string('team_id').notNullable();
    t.string('source', 16).notNullable(); // shopify | woocommerce | api
    t.string('external_id', 64).notNullable(); // the shop's id of the order
    t.string('number', 64).notNullable(); // "1021" (shown #1021)
    // Who bought: the customer once known; until then the order waits with what it says of them.
    t.integer('customer_id');
    t.string('email', 320);
    t.string('phone', 20);
    t.string('customer_ref', 100); // "<source>:<the shop's customer id>"
    t.string('currency', 3).notNullable();
    t.bigInteger('total_minor').notNullable();
    t.bigInteger('refunded_minor').notNullable().defaultTo(0);
    t.string('status', 32).notNullable();
    t.bigInteger('cancelled_at');
    t.bigInteger('created_at').notNullable(); // when the customer ordered (the shop's time, as an instant)
    t.bigInteger('updated_at').notNullable(); // the shop's, so an older description never replaces a newer one
    t.text('items'); // JSON [{ title, quantity }], a few
    t.bigInteger('received_at').notNullable();
    t.unique(['team_id', 'source', 'external_id']);
    t.index(['customer_id', 'created_at'], 'orders_customer_index');
    t.index(['team_id', 'number'], 'orders_number_index');
    t.index(['team_id', 'email'], 'orders_email_index');
    t.index(['team_id', 'phone'], 'orders_phone_index');
    t.index(['team_id', 'customer_ref'], 'orders_customer_ref_index');
    t.index(['team_id', 'created_at'], 'orders_created_index');
  });
  // A customer's tickets by time: which ticket an order converts is the customer's latest before it.
  await knex.schema.alterTable('tickets', (t) => t.index(['customer_id', 'created_at'], 'tickets_customer_created_index'));
  // Refunds by their own id: a replayed refunds/create counts once; an order's refunded_minor is their sum.
  await knex.schema.createTable('order_refunds', (t) => {
    t.string('team_id').notNullable();
    t.string('source', 16).notNullable();
    t.string('external_id', 64).notNullable();
    t.string('order_external_id', 64).notNullable();
    t.bigInteger('amount_minor').notNullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['team_id', 'source', 'external_id']);
    t.index(['team_id', 'source', 'order_external_id'], 'order_refunds_order_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tickets', (t) => t.dropIndex(['customer_id', 'created_at'], 'tickets_customer_created_index'));
  await knex.schema.dropTable('order_refunds');
  await knex.schema.dropTable('orders');
}
