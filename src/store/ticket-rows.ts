// Row <-> domain mapping for tickets and messages. Lives only in the store.
import type { ChannelKind, Discarded, Priority, Ticket, TicketFile, TicketMessage, TicketSource, TicketStatus } from '../domain/ticket.js';
import type { NewMessage, NewTicket } from './ticket-store.js';

export interface TicketRow {
  id: number;
  team_id: string;
  number: number;
  subject: string;
  status: string;
  priority: string;
  requester_id: string;
  requester_team_id: string | null;
  origin_channel_id: string;
  origin_ts: string;
  origin_permalink: string | null;
  origin_kind?: string;
  origin_source?: string | null;
  customer_id?: number | null;
  triage_channel_id: string;
  card_ts: string | null;
  assignee_id: string | null;
  source: string;
  created_at: number;
  updated_at: number;
  solved_at: number | null;
  last_requester_message_at: number;
  merged_into_id?: number | null;
  discarded?: string | null;
}

export interface MessageRow {
  id: number;
  ticket_id: number;
  channel_id: string;
  ts: string;
  thread_ts: string | null;
  user_id: string | null;
  author_role: string;
  visibility: string;
  text: string;
  files_json: string | null;
  mirror_ts: string | null;
  quoted_text?: string | null;
  sent_at: number;
  edited_at: number | null;
  deleted_at: number | null;
}

export function ticketFromRow(row: TicketRow, tags: string[]): Ticket {
  return {
    id: row.id,
    teamId: row.team_id,
    number: row.number,
    subject: row.subject,
    status: row.status as TicketStatus,
    priority: row.priority as Priority,
    requesterId: row.requester_id,
    requesterTeamId: row.requester_team_id,
    originChannelId: row.origin_channel_id,
    originTs: row.origin_ts,
    originPermalink: row.origin_permalink,
    originKind: (row.origin_kind ?? 'slack') as ChannelKind,
    originSource: row.origin_source ?? null,
    customerId: row.customer_id === null || row.customer_id === undefined ? null : Number(row.customer_id),
    triageChannelId: row.triage_channel_id,
    cardTs: row.card_ts,
    assigneeId: row.assignee_id,
    source: row.source as TicketSource,
    tags,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    solvedAt: row.solved_at === null ? null : Number(row.solved_at),
    lastRequesterMessageAt: Number(row.last_requester_message_at),
    mergedIntoId: row.merged_into_id ?? null,
    discarded: (row.discarded ?? null) as Discarded | null,
  };
}

export function messageFromRow(row: MessageRow): TicketMessage {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    channelId: row.channel_id,
    ts: row.ts,
    threadTs: row.thread_ts,
    userId: row.user_id,
    authorRole: row.author_role as TicketMessage['authorRole'],
    visibility: row.visibility as TicketMessage['visibility'],
    text: row.text,
    files: row.files_json ? (JSON.parse(row.files_json) as TicketFile[]) : [],
    mirrorTs: row.mirror_ts,
    quoted: row.quoted_text ?? null,
    sentAt: Number(row.sent_at),
    editedAt: row.edited_at === null ? null : Number(row.edited_at),
    deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
  };
}

/** The row of a new ticket. */
export function ticketRow(t: NewTicket, number: number) {
  return {
    team_id: t.teamId,
    number,
    subject: t.subject,
    status: 'new',
    priority: 'normal',
    requester_id: t.requesterId,
    requester_team_id: t.requesterTeamId,
    origin_channel_id: t.originChannelId,
    origin_ts: t.originTs,
    origin_kind: t.originKind ?? 'slack',
    origin_source: t.originSource ?? null,
    customer_id: t.customerId ?? null,
    triage_channel_id: t.triageChannelId,
    source: t.source,
    created_at: t.createdAt,
    updated_at: t.createdAt,
    last_requester_message_at: t.createdAt,
  };
}

/** The row of a new message. */
export function messageRow(m: NewMessage) {
  return {
    ticket_id: m.ticketId,
    channel_id: m.channelId,
    ts: m.ts,
    thread_ts: m.threadTs,
    user_id: m.userId,
    author_role: m.authorRole,
    visibility: m.visibility,
    text: m.text,
    files_json: m.files.length > 0 ? JSON.stringify(m.files) : null,
    ...(m.quoted ? { quoted_text: m.quoted } : {}),
    sent_at: m.sentAt,
  };
}
