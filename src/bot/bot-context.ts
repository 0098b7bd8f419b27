import type { Logger } from 'pino';
import type { CustomerStore } from '../store/customer-store.js';
import type { Clock } from '../domain/clock.js';
import type { RoutingDeps } from '../tickets/route-new-ticket.js';
import type { RoutingStore } from '../store/routing-store.js';
import type { KeyedLock } from '../ingest/keyed-lock.js';
import type { ChannelStore } from '../store/channel-store.js';
import type { TemplateStore } from '../store/template-store.js';
import type { TicketStore } from '../store/ticket-store.js';
import type { Db } from '../store/db.js';
import type { CsatStore } from '../store/csat-store.js';
import type { DigestStore } from '../store/digest-store.js';
import type { OutboxStore } from '../store/outbox-store.js';
import type { OrderStore } from '../store/order-store.js';
import type { ServiceLevelStore } from '../store/service-level-store.js';
import type { Directory } from './directory.js';
import type { ReplyPresence } from './reply-presence.js';
import type { SlackSender } from './slack-sender.js';
import type { TicketPublisher } from './ticket-publisher.js';

/** What listeners need: the stores (through use cases), Slack output, and who is who. */
export interface BotContext {
  tickets: TicketStore;
  /** Customers and their identities across channels (Slack user, email addresses…). */
  customers: CustomerStore;
  channels: ChannelStore;
  templates: TemplateStore;
  clock: Clock;
  logger: Logger;
  sender: SlackSender;
  directory: Directory;
  publisher: TicketPublisher;
  routing: RoutingStore;
  /** Who has which ticket's Reply modal open (collision warning). */
  replying: ReplyPresence;
  /** The dependencies of ingest, ticket and routing use cases. */
  useCaseDeps: RoutingDeps;
  /** Reports read the database directly (SQL aggregates), on their own connection with SQLite. */
  reportDb: Db;
  serviceLevels: ServiceLevelStore;
  /** Suggested replies: the teams' past replies and templates, ranked for a conversation. */
  suggestions: import('../suggest/suggestion-service.js').SuggestionService;
  /** THREADDESK_LLM_URL: rewrites the suggestion put in the Reply box for its conversation; null when not configured. */
  rewriteSuggestion: import('../suggest/llm-rewrite.js').RewriteSuggestion | null;
  /** The shops' orders (cards, snippets, the customer view). */
  orders: OrderStore;
  /** THREADDESK_CONVERSION_DAYS: the window of converted tickets in reports. */
  conversionDays: number;
  csat: CsatStore;
  digests: DigestStore;
  /** Slack deliveries owed and given up on (delivery-worker.ts). */
  outbox: OutboxStore;
  /** Plans and unplans digest schedules (set once the bot starts). */
  /** Whether THREADDESK_API_SECRET is set (the intake API and its reply webhooks work only then). */
  apiSecretSet?: boolean;
  /** Whether THREADDESK_CHAT_ORIGINS names a website (the chat widget is served only then). */
  chatEnabled?: boolean;
  digestPlanner?: { plan(digest: import('../store/digest-store.js').DigestSchedule): Promise<void>; unplan(id: number): void };
  /** Keeps message processing (ingest and its Slack output) in arrival order per requester and per thread. */
  ingestLock: KeyedLock;
}
