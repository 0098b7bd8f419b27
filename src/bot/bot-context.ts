import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { IngestDeps } from '../ingest/ingest-deps.js';
import type { KeyedLock } from '../ingest/keyed-lock.js';
import type { ChannelStore } from '../store/channel-store.js';
import type { TemplateStore } from '../store/template-store.js';
import type { TicketStore } from '../store/ticket-store.js';
import type { Directory } from './directory.js';
import type { SlackSender } from './slack-sender.js';
import type { TicketPublisher } from './ticket-publisher.js';

/** What listeners need: the stores (through use cases), Slack output, and who is who. */
export interface BotContext {
  tickets: TicketStore;
  channels: ChannelStore;
  templates: TemplateStore;
  clock: Clock;
  logger: Logger;
  sender: SlackSender;
  directory: Directory;
  publisher: TicketPublisher;
  /** The dependencies of ingest and ticket use cases. */
  useCaseDeps: IngestDeps;
  /** Keeps message processing (ingest and its Slack output) in arrival order per requester and per thread. */
  ingestLock: KeyedLock;
}
