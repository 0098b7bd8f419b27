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

/** Postgres and SQLite both report a broken unique key; a redelivered Slack event hits one. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || (e?.code === 'SQLITE_CONSTRAINT' && /UNIQUE/.test(e.message ?? ''));
}
