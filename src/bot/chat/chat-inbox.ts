import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Clock } from '../../domain/clock.js';
import type { ChatMessage } from '../../ingest/chat/ingest-chat-message.js';
import { createInboxStore } from '../../store/inbox-store.js';
import { createEventInbox, type InboxOutcome } from '../event-inbox.js';

/** A message the widget sent, as stored in the chat inbox. */
export interface StoredChatMessage extends ChatMessage {
  teamId: string;
  /** The visitor gave (or changed) their address with this message: it is saved for them. */
  saveEmail?: boolean;
}

/**
 * The chat widget's messages, stored before the widget hears "stored" (`chat_inbox`, in the inbox's own file on
 * SQLite) and turned into a ticket's message right after, by the instance that stored them (or, after a crash or
 * a failure that may pass, by the poll). The visitor's answer then waits for one insert in a file no ticket
 * transaction holds, not for the ticket's transaction and its card. One visitor's messages keep their order: the
 * `process` callback takes the visitor's lock first thing, in the order the messages were stored.
 */
export function createChatInbox(options: { db: Knex; clock: Clock; logger: Logger; owner: string; recoverAbandonedAtStart: boolean; process(message: StoredChatMessage): Promise<void> }) {
  const store = createInboxStore(options.db, 'chat_inbox');
  const inbox = createEventInbox({
    store,
    clock: options.clock,
    logger: options.logger,
    owner: options.owner,
    recoverAbandonedAtStart: options.recoverAbandonedAtStart,
    what: 'chat message',
    component: 'chat-inbox',
    async process(body): Promise<InboxOutcome> {
      await options.process(JSON.parse(String(body)) as StoredChatMessage);
      return { retry: false };
    },
  });
  return {
    /** Stores a message; resolves once it is committed ('repeat': the widget sent it before and it is stored). */
    accept: (message: StoredChatMessage) => inbox.accept({ eventId: `${message.visitorKey}:${message.clientId}`, teamId: message.teamId, body: JSON.stringify(message) }),
    start: () => inbox.start(),
    stop: () => inbox.stop(),
    idle: () => inbox.idle(),
    /** Messages stored and not yet a ticket's (and those given up on), for /healthz. */
    backlog: () => store.backlog(),
  };
}

export type ChatInbox = ReturnType<typeof createChatInbox>;
