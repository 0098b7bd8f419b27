import { channelKindOf, channelNameOf } from '../domain/intake-channel.js';
import type { Ticket, TicketMessage } from '../domain/ticket.js';
import type { NewDelivery } from '../store/outbox-store.js';
import type { SlackPost } from './blocks/thread-messages.js';

/**
 * What the bot owes Slack, as data: each delivery is one Slack write (or, for a card, post-or-update), done later
 * by the delivery worker (delivery-executors.ts). Texts that record a moment (a status line) are rendered when
 * recorded; cards are rendered from the stored ticket when delivered, so they always show the latest state.
 */
export type DeliveryIntent =
  | { kind: 'card'; ticketId: number }
  | { kind: 'status_reactions'; ticketId: number }
  | { kind: 'react'; channel: string; ts: string; name: string }
  | { kind: 'mirror'; ticketId: number; messageId: number }
  | { kind: 'mirror_update'; ticketId: number; messageId: number }
  | { kind: 'triage_post'; ticketId: number; post: SlackPost }
  | { kind: 'public_reply'; ticketId: number; agentId: string; text: string; after?: 'pending' | 'close' }
  | { kind: 'automated_reply'; ticketId: number; text: string }
  // `ask`: the survey is recorded as sent when delivered, if the ticket is still solved by that solve (rows recorded
  // before it was there were recorded at the solve).
  | { kind: 'survey'; ticketId: number; post: SlackPost; ask?: SurveyAsk }
  | { kind: 'assignment_notice'; ticketId: number; assigneeId: string; actorId: string | null }
  | { kind: 'follower_notice'; ticketId: number; messageId: number }
  | { kind: 'channel_post'; channel: string; post: SlackPost }
  | { kind: 'message_update'; channel: string; ts: string; post: SlackPost }
  // The file's bytes are kept beside the delivery (NewDelivery.file); `base64` only in rows recorded before that.
  | { kind: 'file_upload'; channel: string; filename: string; title: string; base64?: string }
  | { kind: 'attachment'; ticketId: number; filename: string; title: string; base64?: string }
  | { kind: 'chat_offline_mail'; ticketId: number; messageId: number };

/** Who a survey asks and how: where (channel), its link's token (null: Slack buttons), the solve it follows. */
export interface SurveyAsk {
  channelId: string;
  token: string | null;
  agentId: string | null;
  solvedAt: number | null;
}

type TicketRef = Pick<Ticket, 'id' | 'teamId' | 'triageChannelId' | 'originChannelId' | 'cardTs'>;

/**
 * Slack's documented limits (docs.slack.dev/apis/web-api/rate-limits), as ms between two calls of a bucket:
 * chat.postMessage about one message per second per channel; chat.update and reactions Tier 3 (50 a minute
 * per workspace); file uploads Tier 2-4, kept to one a second. `scale` multiplies the rates (a test emulator).
 */
export function paceInterval(bucket: string, scale = 1): number {
  const kind = bucket.slice(0, bucket.indexOf(':'));
  const perMinute = kind === 'post' ? 60 : kind === 'files' ? 60 : kind === 'mail' || kind === 'webhook' || kind === 'chat' ? 600 : 50;
  return Math.ceil(60_000 / (perMinute * scale)); // whole ms, rounded to the safe side
}

const ticketLane = (ticketId: number) => `ticket:${ticketId}`;
const inTriage = (t: TicketRef) => `post:${t.triageChannelId}`;
// Mail goes out through the relay at its own pace (mail:<mailbox>), an API source's replies to its reply URL at
// theirs (webhook:<source>), not at Slack's per-channel post rate.
function inOrigin(t: TicketRef): string {
  const kind = channelKindOf(t.originChannelId);
  if (kind === 'email') return `mail:${channelNameOf(t.originChannelId)}`;
  if (kind === 'api') return `webhook:${channelNameOf(t.originChannelId)}`;
  if (kind === 'chat') return `chat:${t.teamId}`;
  return `post:${t.originChannelId}`;
}

const forTicket = (t: TicketRef, bucket: string, intent: DeliveryIntent): NewDelivery => ({ teamId: t.teamId, lane: ticketLane(t.id), bucket, kind: intent.kind, payload: intent });

/** Deliveries by what they show. */
export const deliver = {
  /** The ticket's card: posted if it has none yet, updated in place otherwise. */
  card: (t: TicketRef) => forTicket(t, t.cardTs ? `update:${t.teamId}` : inTriage(t), { kind: 'card', ticketId: t.id }),
  /** 👀 while someone works on it, ✅ once solved, on the customer's first message. */
  statusReactions: (t: TicketRef) => forTicket(t, `reactions:${t.teamId}`, { kind: 'status_reactions', ticketId: t.id }),
  react: (t: TicketRef, channel: string, ts: string, name: string) => forTicket(t, `reactions:${t.teamId}`, { kind: 'react', channel, ts, name }),
  mirror: (t: TicketRef, message: Pick<TicketMessage, 'id'>) => forTicket(t, inTriage(t), { kind: 'mirror', ticketId: t.id, messageId: message.id }),
  mirrorUpdate: (t: TicketRef, message: Pick<TicketMessage, 'id'>) => forTicket(t, `update:${t.teamId}`, { kind: 'mirror_update', ticketId: t.id, messageId: message.id }),
  triagePost: (t: TicketRef, post: SlackPost) => forTicket(t, inTriage(t), { kind: 'triage_post', ticketId: t.id, post }),
  publicReply: (t: TicketRef, agentId: string, text: string, after?: 'pending' | 'close') => forTicket(t, inOrigin(t), { kind: 'public_reply', ticketId: t.id, agentId, text, ...(after ? { after } : {}) }),
  automatedReply: (t: TicketRef, text: string) => forTicket(t, inOrigin(t), { kind: 'automated_reply', ticketId: t.id, text }),
  /**
   * The satisfaction survey (its Slack ts is kept so the rating can be shown on it). One sent later waits in a lane
   * of its own: the ticket's other deliveries do not wait behind it.
   */
  survey: (t: TicketRef, post: SlackPost, ask: SurveyAsk, delayMs = 0): NewDelivery => ({
    ...forTicket(t, inOrigin(t), { kind: 'survey', ticketId: t.id, post, ask }),
    ...(delayMs > 0 ? { lane: `survey:${t.id}`, delayMs } : {}),
  }),
  assignmentNotice: (t: TicketRef, assigneeId: string, actorId: string | null) => forTicket(t, `post:${assigneeId}`, { kind: 'assignment_notice', ticketId: t.id, assigneeId, actorId }),
  followerNotice: (t: TicketRef, message: Pick<TicketMessage, 'id'>) => forTicket(t, `post:followers:${t.teamId}`, { kind: 'follower_notice', ticketId: t.id, messageId: message.id }),
  /** A message in a ticket's lane that is not about one thread (a rating's thanks on the survey). */
  messageUpdate: (t: TicketRef, channel: string, ts: string, post: SlackPost) => forTicket(t, `update:${t.teamId}`, { kind: 'message_update', channel, ts, post }),
  /** A post in a channel (a digest), in order with the channel's other posts of the same lane. */
  channelPost: (teamId: string, lane: string, channel: string, post: SlackPost): NewDelivery => ({ teamId, lane, bucket: `post:${channel}`, kind: 'channel_post', payload: { kind: 'channel_post', channel, post } }),
  /** A customer's attachment (an email's), uploaded into the ticket's triage thread. */
  attachment: (t: TicketRef, file: { filename: string; bytes: Buffer }): NewDelivery => ({ ...forTicket(t, `files:${t.teamId}`, { kind: 'attachment', ticketId: t.id, filename: file.filename, title: file.filename }), file: file.bytes }),
  /**
   * A chat reply that no open widget has shown after `unseenMs` goes to the visitor's email address (if they left
   * one). In a lane of its own: the wait holds up nothing else of the ticket.
   */
  chatOfflineMail: (t: TicketRef, message: Pick<TicketMessage, 'id'>, unseenMs: number): NewDelivery => ({ ...forTicket(t, `mail:chat:${t.teamId}`, { kind: 'chat_offline_mail', ticketId: t.id, messageId: message.id }), lane: `chat-offline:${t.id}`, delayMs: unseenMs }),
  fileUpload: (teamId: string, lane: string, channel: string, file: { filename: string; title: string; bytes: Buffer }): NewDelivery => ({
    teamId,
    lane,
    bucket: `files:${teamId}`,
    kind: 'file_upload',
    payload: { kind: 'file_upload', channel, filename: file.filename, title: file.title },
    file: file.bytes,
  }),
};
