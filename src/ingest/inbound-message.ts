import type { TicketFile } from '../domain/ticket.js';

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
}

export const isThreadReply = (m: InboundMessage): boolean => m.threadTs !== null && m.threadTs !== m.ts;
