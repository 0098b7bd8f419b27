import type { Logger } from 'pino';
import type { RoutingHistoryStore } from '../store/routing-history-store.js';
import { LabelIndex, type LabelShare } from './label-index.js';
import { agentLabel, tagLabel } from './learned-routing.js';
import { createSerialReader } from './serial-reader.js';

/** History entries read per query. */
const BATCH = 2000;
/** The most recently solved tickets learned at the first load: habits older than that have moved on. */
const HISTORY = 50_000;
/** As for suggested replies (suggestion-service.ts): entries committed late on PostgreSQL are still read. */
const LOOKBACK = 500;

/**
 * Learned routing's memory: each team's solved tickets (first message → who had it, its tags), learned from the
 * ticket history as tickets are solved, by any instance. Loaded when first asked, not at start (a large read
 * beside a burst of writes slows SQLite's writers, see docs/benchmarks.md).
 */
export function createLearnedRouting(deps: { store: RoutingHistoryStore; logger?: Logger }) {
  const indexes = new Map<string, LabelIndex>();
  let cursor: number | null = null;
  /** The entries learned among the last LOOKBACK ids. */
  const seen = new Set<number>();
  let learned = 0;

  async function readNew(): Promise<void> {
    cursor ??= await deps.store.startFor(HISTORY);
    let from = Math.max(0, cursor - LOOKBACK);
    for (;;) {
      const batch = await deps.store.solvedAfter(from, BATCH);
      for (const ticket of batch.tickets) {
        if (seen.has(ticket.eventId)) continue;
        seen.add(ticket.eventId);
        const labels = [...(ticket.assigneeId ? [agentLabel(ticket.assigneeId)] : []), ...ticket.tags.map(tagLabel)];
        if (labels.length === 0) continue;
        let index = indexes.get(ticket.teamId);
        if (!index) indexes.set(ticket.teamId, (index = new LabelIndex()));
        index.add(ticket.text, labels);
        learned += 1;
      }
      from = batch.lastId;
      cursor = Math.max(cursor, batch.lastId);
      if (batch.read < BATCH) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const id of seen) if (id <= cursor - LOOKBACK) seen.delete(id);
  }

  const reader = createSerialReader(readNew, (seconds) => deps.logger?.info({ tickets: learned, seconds }, 'learned routing: the history is learned'));

  return {
    /**
     * The labels similar solved tickets of the team carry. `waitMs`: how long the first call waits for the
     * history (0: answer from what is learned, the rest loads in the background).
     */
    async labelsFor(teamId: string, text: string, waitMs: number): Promise<LabelShare[]> {
      await reader.ready(waitMs, (err) => deps.logger?.warn({ err }, 'learned routing: the history could not be read'));
      return indexes.get(teamId)?.labelsFor(text) ?? [];
    },
    learned: () => learned,
  };
}

export type LearnedRouting = ReturnType<typeof createLearnedRouting>;
