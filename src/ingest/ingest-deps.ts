import type { Clock } from '../domain/clock.js';
import type { NewDelivery } from '../store/outbox-store.js';
import type { Ticket, TicketMessage } from '../domain/ticket.js';
import type { AppendedMessage } from './append-message.js';
import type { ChannelPort, TicketPort, TicketTxPort } from './ports.js';

/** What the ingest use cases need: the ports they call (ports.ts), the clock, who is an agent, what Slack shows. */
export interface IngestPorts {
  tickets: TicketPort;
  channels: ChannelPort;
  clock: Clock;
  /** Whether a user is an agent for tickets worked in that triage channel. */
  isAgent(userId: string, triageChannelId: string): Promise<boolean>;
  /**
   * What Slack should show for a new ticket or an appended message, recorded in the same transaction as the
   * change, so a crash right after it cannot leave a ticket without its card or a message without its mirror.
   */
  show?: {
    created(ticket: Ticket, message: TicketMessage): NewDelivery[];
    appended(appended: AppendedMessage, tx: TicketTxPort): Promise<NewDelivery[]>;
  };
}

/** The ingest use cases' deps are their ports. */
export type IngestDeps = IngestPorts;
