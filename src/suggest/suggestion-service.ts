import type { Logger } from 'pino';
import type { SuggestionStore } from '../store/suggestion-store.js';
import { generaliseReply } from './generalise.js';
import { SuggestionIndex, type Suggestion } from './suggestion-index.js';
import { createSerialReader } from './serial-reader.js';

/** What the service needs of the ticket it suggests for. */
export interface SuggestFor {
  teamId: string;
  /** The ticket's public messages, oldest first. */
  messages: { role: string; text: string; visibility: string }[];
}

export interface SuggestionServiceDeps {
  store: SuggestionStore;
  templates: (teamId: string) => Promise<{ name: string; body: string; uses: number }[]>;
  logger?: Logger;
}

/** Messages read per query while catching up (a million past messages load in a few hundred queries). */
const BATCH = 2000;
/** Messages learned between two turns of the event loop: learning a large history never holds up requests. */
const SLICE = 200;
/** The customer's words kept per ticket while it waits for an answer (the start says most). */
const WAITING_TEXT = 2000;
/**
 * Ids looked at again on each catch-up: on PostgreSQL a message can commit after one with a higher id (two
 * instances writing at once), and a read that had passed its id would never see it otherwise.
 */
const LOOKBACK = 500;
/** How long the first Suggest waits for the history to be learned (Slack's trigger lasts 3 s). */
const FIRST_LOAD_WAIT_MS = 1500;
/** Tickets whose words are kept while they wait; past it the longest-waiting are forgotten (rarely answered later). */
const WAITING_TICKETS = 50_000;

/**
 * The teams' suggestion indexes, kept current: each public reply is learned, with the customer's words it
 * answered, from the messages table (by message id, so the bot, another instance and `threaddesk suggest` all
 * learn the same replies); nothing is rebuilt per click.
 */
export function createSuggestionService(deps: SuggestionServiceDeps) {
  const indexes = new Map<string, SuggestionIndex>();
  /** The customer's words not answered yet, by ticket. */
  const waiting = new Map<number, string>();
  let cursor = 0;
  /** The messages learned among the last LOOKBACK ids. */
  const seen = new Set<number>();
  let feedbackCursor = 0;
  let learned = 0;

  const indexOf = (teamId: string) => {
    let index = indexes.get(teamId);
    if (!index) indexes.set(teamId, (index = new SuggestionIndex()));
    return index;
  };

  async function readNew(): Promise<void> {
    let from = Math.max(0, cursor - LOOKBACK);
    for (;;) {
      const batch = await deps.store.publicMessagesAfter(from, BATCH);
      for (const [i, m] of batch.entries()) {
        if (i > 0 && i % SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
        from = m.id;
        if (seen.has(m.id)) continue;
        seen.add(m.id);
        cursor = Math.max(cursor, m.id);
        if (m.role === 'requester') {
          const before = waiting.get(m.ticketId);
          if (before === undefined || before.length < WAITING_TEXT) waiting.set(m.ticketId, before ? `${before}\n${m.text}` : m.text);
          if (waiting.size > WAITING_TICKETS) waiting.delete(waiting.keys().next().value!);
          continue;
        }
        const question = waiting.get(m.ticketId);
        if (question === undefined) continue; // a second reply in a row answers nothing new
        waiting.delete(m.ticketId);
        const reply = generaliseReply(m.text, { customerName: m.customerName });
        if (reply.length > 0) {
          indexOf(m.teamId).addConversation(question, reply);
          learned += 1;
        }
      }
      for (const id of seen) if (id <= cursor - LOOKBACK) seen.delete(id);
      if (batch.length < BATCH) break;
    }
    for (const f of await deps.store.feedbackSince(feedbackCursor)) {
      indexOf(f.teamId).setSent(f.answerKey, f.sent);
      feedbackCursor = Math.max(feedbackCursor, f.updatedAt);
    }
  }

  const reader = createSerialReader(readNew, (seconds) => deps.logger?.info({ replies: learned, seconds }, 'suggested replies: the history is learned'));

  return {
    catchUp: reader.catchUp,
    /** Past replies learned so far. */
    learned: () => learned,
    /**
     * Up to `limit` answers for the ticket's conversation: what the customer wrote since the last public reply
     * (all they wrote when the agent spoke last). The history is learned on the first Suggest, not when the bot
     * starts (reading a large history beside a burst of writes slowed SQLite's writers for a minute, see
     * docs/benchmarks.md, Orders); that click waits for it at most FIRST_LOAD_WAIT_MS, then answers from what is
     * learned so far (`complete` says so) while the rest loads in the background.
     */
    async suggest(ticket: SuggestFor, limit = 3): Promise<{ suggestions: Suggestion[]; complete: boolean }> {
      await reader.ready(FIRST_LOAD_WAIT_MS, (err) => deps.logger?.warn({ err }, 'suggestions: the history could not be read'));
      const index = indexOf(ticket.teamId);
      index.setTemplates(await deps.templates(ticket.teamId));
      const publicMessages = ticket.messages.filter((m) => m.visibility === 'public');
      const lastReply = publicMessages.map((m) => m.role).lastIndexOf('agent');
      const unanswered = publicMessages.slice(lastReply + 1).filter((m) => m.role === 'requester');
      const question = (unanswered.length > 0 ? unanswered : publicMessages.filter((m) => m.role === 'requester')).map((m) => m.text).join('\n');
      return { suggestions: question.trim() ? index.suggest(question, limit) : [], complete: reader.loaded() };
    },
    /** An agent sent a suggested answer. */
    recordSent: (teamId: string, key: string, now: number) => deps.store.recordSent(teamId, key, now),
  };
}

export type SuggestionService = ReturnType<typeof createSuggestionService>;
