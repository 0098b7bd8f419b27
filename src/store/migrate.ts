import type { Knex } from 'knex';
import * as createCoreTables from '../../migrations/20261123000001_create_core_tables.js';
import * as createTemplates from '../../migrations/20261123000002_create_templates_and_ticket_fields.js';
import * as createRouting from '../../migrations/20261123000003_create_routing.js';
import * as createChannelAutomation from '../../migrations/20261123000004_create_channel_automation.js';
import * as createFollowers from '../../migrations/20261123000005_create_ticket_followers.js';
import * as addTicketIndexes from '../../migrations/20261123000006_add_ticket_indexes.js';
import * as createReports from '../../migrations/20261130000007_create_reports.js';
import * as addReportIndexes from '../../migrations/20261130000008_add_report_indexes.js';
import * as createTicketMetrics from '../../migrations/20261130000009_create_ticket_metrics.js';
import * as createDeliveries from '../../migrations/20261130000010_create_deliveries.js';
import * as createSlackInbox from '../../migrations/20261202000011_create_slack_inbox.js';
import * as createChannelLayer from '../../migrations/20261202000012_create_channel_layer.js';
import * as createMailInbox from '../../migrations/20261203000013_create_mail_inbox.js';
import * as createDeliveryFiles from '../../migrations/20261203000014_create_delivery_files.js';
import * as addApiReplyUrl from '../../migrations/20261203000015_add_api_reply_url.js';
import * as createChatVisitors from '../../migrations/20261203000016_create_chat_visitors.js';
import * as createChatInbox from '../../migrations/20261203000017_create_chat_inbox.js';
import * as createOrders from '../../migrations/20261203000018_create_orders.js';
import * as createOrderInbox from '../../migrations/20261203000019_create_order_inbox.js';
import * as createSuggestionFeedback from '../../migrations/20261203000020_create_suggestion_feedback.js';
import * as chatFollowsMerges from '../../migrations/20261203000021_chat_follows_merges.js';
import * as createChatRateLimits from '../../migrations/20261203000022_create_chat_rate_limits.js';
import * as surveysOutsideSlack from '../../migrations/20261203000023_surveys_outside_slack.js';
import * as discardedTickets from '../../migrations/20261203000024_discarded_tickets.js';

type Migration = { up: (knex: Knex) => Promise<void>; down: (knex: Knex) => Promise<void> };

// Migrations are imported statically so the same list works from TypeScript sources (tsx, tests)
// and from the compiled build, without knex scanning a folder for a particular file extension.
const migrations: Record<string, Migration> = {
  '20261123000001_create_core_tables': createCoreTables,
  '20261123000002_create_templates_and_ticket_fields': createTemplates,
  '20261123000003_create_routing': createRouting,
  '20261123000004_create_channel_automation': createChannelAutomation,
  '20261123000005_create_ticket_followers': createFollowers,
  '20261123000006_add_ticket_indexes': addTicketIndexes,
  '20261130000007_create_reports': createReports,
  '20261130000008_add_report_indexes': addReportIndexes,
  '20261130000009_create_ticket_metrics': createTicketMetrics,
  '20261130000010_create_deliveries': createDeliveries,
  '20261202000011_create_slack_inbox': createSlackInbox,
  '20261202000012_create_channel_layer': createChannelLayer,
  '20261203000013_create_mail_inbox': createMailInbox,
  '20261203000014_create_delivery_files': createDeliveryFiles,
  '20261203000015_add_api_reply_url': addApiReplyUrl,
  '20261203000016_create_chat_visitors': createChatVisitors,
  '20261203000017_create_chat_inbox': createChatInbox,
  '20261203000018_create_orders': createOrders,
  '20261203000019_create_order_inbox': createOrderInbox,
  '20261203000020_create_suggestion_feedback': createSuggestionFeedback,
  '20261203000021_chat_follows_merges': chatFollowsMerges,
  '20261203000022_create_chat_rate_limits': createChatRateLimits,
  '20261203000023_surveys_outside_slack': surveysOutsideSlack,
  '20261203000024_discarded_tickets': discardedTickets,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};

/** The migrations of the inbox's own SQLite file (see `inboxDatabaseUrl`): Slack's events, SMTP's mails, the chat's messages, the shops' order webhooks. */
const inboxMigrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => ['20261202000011_create_slack_inbox', '20261203000013_create_mail_inbox', '20261203000017_create_chat_inbox', '20261203000019_create_order_inbox'],
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};

/** Brings the inbox's own SQLite file up to date (the database's `slack_inbox`, `mail_inbox`, `chat_inbox` and `order_inbox`, unused then, stay empty). */
export async function migrateInbox(db: Knex): Promise<void> {
  await db.migrate.latest({ migrationSource: inboxMigrationSource });
}

export async function migrateLatest(db: Knex): Promise<void> {
  await db.migrate.latest({ migrationSource });
}

/**
 * Brings the schema up to date only when a migration is pending. Reading the list writes nothing, whereas
 * `migrateLatest` always takes knex's migration lock (a write): on SQLite, a write by a report process would
 * make the bot's next write transaction fail with "database is locked" (its read snapshot is no longer current).
 */
export async function migrateIfPending(db: Knex): Promise<void> {
  const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown[], unknown[]];
  if (pending.length > 0) await migrateLatest(db);
}
