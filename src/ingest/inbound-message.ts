import type { AuthorRole, TicketFile, Visibility } from '../domain/ticket.js';
import type { NewMessage } from '../store/ticket-store.js';
import { tsToMillis } from './slack-ts.js';

/** A human's Slack message, reduced to what ticket use cases need (built by the bot's message listener). */
export interface InboundMessage {
  teamId: string;
  channelId: string;
  isDirectMessage: boolean;
  ts: string;
  /** Parent ts when the message is a thread reply. */
  threadTs: string | null;
  userId: string;
  /** The author's own workspace; differs from teamId for Slack Connect users. */
  userTeamId: string | null;
  text: string;
  files: TicketFile[];
  /** When it was written, for channels whose message ids are not Slack timestamps (email: the Date header). */
  sentAt?: number;
  /** Email: the quoted history below the new part. */
  quoted?: string | null;
}

/** When a message was written: its own time, never when the bot processed it. */
export const sentAtOf = (message: InboundMessage): number => message.sentAt ?? tsToMillis(message.ts);

/** The row to store for a Slack message on a ticket; its time is the message's own `ts`. */
export function toNewMessage(message: InboundMessage, ticketId: number, authorRole: AuthorRole, visibility: Visibility): NewMessage {
  return {
    ticketId,
    channelId: message.channelId,
    ts: message.ts,
    threadTs: message.threadTs,
    userId: message.userId,
    authorRole,
    visibility,
    text: message.text,
    files: message.files,
    ...(message.quoted ? { quoted: message.quoted } : {}),
    sentAt: sentAtOf(message),
  };
}

export const isThreadReply = (m: InboundMessage): boolean => m.threadTs !== null && m.threadTs !== m.ts;
