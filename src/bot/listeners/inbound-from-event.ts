import type { TicketFile } from '../../domain/ticket.js';
import type { InboundMessage } from '../../ingest/inbound-message.js';

/** The fields of a Slack `message` event we read (https://docs.slack.dev/reference/events/message). */
export interface SlackMessageEvent {
  type: 'message';
  subtype?: string;
  channel: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  team?: string;
  user_team?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  event_ts?: string;
  files?: { name?: string; title?: string; mimetype?: string; permalink?: string }[];
  message?: SlackMessageEvent & { edited?: { ts: string } };
  previous_message?: SlackMessageEvent;
  deleted_ts?: string;
}

/**
 * Slack's placeholder for a deleted thread parent that has replies ("This message was deleted.", by USLACKBOT),
 * sent as the `message` of a message_changed event: the message is gone, nobody wrote these words.
 */
export const isTombstone = (message: Pick<SlackMessageEvent, 'subtype'>): boolean => message.subtype === 'tombstone';

/** Subtypes that are a person saying something; every other subtype (joins, topic changes…) is housekeeping. */
export const HUMAN_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast', 'me_message']);

export function filesOf(event: Pick<SlackMessageEvent, 'files'>): TicketFile[] {
  return (event.files ?? []).map((f) => ({ name: f.name ?? f.title ?? 'file', mimetype: f.mimetype ?? null, permalink: f.permalink ?? null }));
}

export function inboundFromEvent(event: SlackMessageEvent, teamId: string): InboundMessage {
  return {
    teamId,
    channelId: event.channel,
    isDirectMessage: event.channel_type === 'im' || event.channel.startsWith('D'),
    ts: event.ts,
    threadTs: event.thread_ts ?? null,
    userId: event.user!,
    userTeamId: event.user_team ?? event.team ?? null,
    text: event.text ?? '',
    files: filesOf(event),
  };
}
