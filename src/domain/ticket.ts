// The ticket model and its lifecycle rules. Pure: no Slack, no database, no clock.

export const TICKET_STATUSES = ['new', 'open', 'pending', 'solved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export type TicketSource = 'message' | 'reaction' | 'shortcut' | 'dm' | 'email' | 'api' | 'chat';

/** The kind of channel a ticket came in by; its public replies go back out the same way. */
export const CHANNEL_KINDS = ['slack', 'email', 'chat', 'api'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export interface Ticket {
  id: number;
  teamId: string;
  number: number;
  subject: string;
  status: TicketStatus;
  priority: Priority;
  requesterId: string;
  requesterTeamId: string | null;
  /** The conversation the ticket came from: a Slack channel and thread, or "email:<mailbox>" and its reply token. */
  originChannelId: string;
  originTs: string;
  originPermalink: string | null;
  originKind: ChannelKind;
  /** Within the kind: the mailbox address, "amazon" for Amazon buyer messages…; null for Slack. */
  originSource: string | null;
  /** The customer record (every identity of the requester), when known. */
  customerId: number | null;
  triageChannelId: string;
  cardTs: string | null;
  assigneeId: string | null;
  source: TicketSource;
  tags: string[];
  createdAt: number;
  updatedAt: number;
  solvedAt: number | null;
  lastRequesterMessageAt: number;
  /** Set when this ticket was a duplicate folded into another one. */
  mergedIntoId: number | null;
  /** Left out of every figure (closed as well): marked as spam, or deleted by its requester before any answer. */
  discarded: Discarded | null;
}

export type Discarded = 'spam' | 'deleted';

export type AuthorRole = 'requester' | 'agent' | 'bot';
export type Visibility = 'public' | 'internal';

export interface TicketFile {
  name: string;
  mimetype: string | null;
  permalink: string | null;
}

export interface TicketMessage {
  id: number;
  ticketId: number;
  channelId: string;
  ts: string;
  threadTs: string | null;
  userId: string | null;
  authorRole: AuthorRole;
  visibility: Visibility;
  text: string;
  files: TicketFile[];
  /** Email: the quoted history below the new part (kept, not mirrored). */
  quoted?: string | null;
  mirrorTs: string | null;
  sentAt: number;
  editedAt: number | null;
  deletedAt: number | null;
}

/** Kinds of history entries; reports are computed from these. */
export type TicketEventKind =
  | 'created'
  | 'requester_message'
  | 'public_reply'
  | 'note'
  | 'assigned'
  | 'status_changed'
  | 'priority_changed'
  | 'tagged'
  | 'field_set'
  | 'auto_reply'
  /** An agent answered with a template (its name): what the digest's recurring questions were answered with. */
  | 'template_used'
  | 'merged'
  | 'message_edited'
  | 'message_deleted';

export interface TicketEvent {
  kind: TicketEventKind;
  actorId: string | null;
  fromValue: string | null;
  toValue: string | null;
  messageId: number | null;
  at: number;
}

export const isActive = (status: TicketStatus): boolean => status !== 'solved' && status !== 'closed';

/** An agent's attention (assignment or public reply) moves a new ticket to open. */
export function statusAfterAgentTouch(status: TicketStatus): TicketStatus {
  return status === 'new' ? 'open' : status;
}

/**
 * A requester writing again means the ball is back with the team: pending and solved tickets open again.
 * A pleasantry ("thanks!") on a solved ticket is a goodbye, not a new question, so it reopens nothing.
 */
export function statusAfterRequesterMessage(status: TicketStatus, isPleasantry: boolean): TicketStatus {
  if (status === 'pending') return 'open';
  if ((status === 'solved' || status === 'closed') && !isPleasantry) return 'open';
  return status;
}
