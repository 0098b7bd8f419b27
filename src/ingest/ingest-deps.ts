import type { Clock } from '../domain/clock.js';
import type { ChannelStore } from '../store/channel-store.js';
import type { TicketStore } from '../store/ticket-store.js';

export interface IngestDeps {
  tickets: TicketStore;
  channels: ChannelStore;
  clock: Clock;
  /** Whether a user is an agent for tickets worked in that triage channel. */
  isAgent(userId: string, triageChannelId: string): Promise<boolean>;
}
