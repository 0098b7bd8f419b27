import { z } from 'zod';

/**
 * The shapes of the Slack requests the bot reads, checked at the door: a correctly signed request whose fields
 * are not what Slack documents (a `ts` that is not a timestamp, a `user` that is an object…) is refused once,
 * with its reason, instead of failing inside a listener (and, for an event, being retried by Slack four times).
 * Only the fields the bot reads are checked; everything else passes as Slack sends it.
 * Shapes: https://docs.slack.dev/reference/events/message, https://docs.slack.dev/interactivity/implementing-slash-commands,
 * https://docs.slack.dev/reference/interaction-payloads
 */

/** Slack's message timestamps: seconds, a dot, microseconds ("1355517523.000005"). */
const slackTs = z.string().regex(/^\d{1,12}\.\d{1,6}$/, 'not a Slack timestamp');
const id = z.string().min(1).max(64);
const text = z.string();

const file = z.object({ name: z.string().optional(), title: z.string().optional(), mimetype: z.string().optional(), permalink: z.string().optional() });

/** A message as Slack nests it in message_changed (`message`) and message_deleted (`previous_message`). */
const nestedMessage = z.object({
  ts: slackTs,
  thread_ts: slackTs.optional(),
  user: id.optional(),
  bot_id: id.optional(),
  subtype: z.string().optional(),
  text: text.optional(),
  files: z.array(file).optional(),
  edited: z.object({ ts: slackTs }).optional(),
});

const messageEvent = z.object({
  type: z.literal('message'),
  subtype: z.string().optional(),
  channel: id,
  channel_type: z.string().optional(),
  user: id.optional(),
  bot_id: id.optional(),
  team: id.optional(),
  user_team: id.optional(),
  text: text.optional(),
  ts: slackTs,
  thread_ts: slackTs.optional(),
  event_ts: slackTs.optional(),
  files: z.array(file).optional(),
  message: nestedMessage.optional(),
  previous_message: nestedMessage.optional(),
  deleted_ts: slackTs.optional(),
});

const reactionEvent = z.object({
  type: z.enum(['reaction_added', 'reaction_removed']),
  user: id,
  reaction: z.string().min(1),
  item: z.object({ type: z.string(), channel: id.optional(), ts: slackTs.optional() }),
  item_user: id.optional(),
  event_ts: slackTs.optional(),
});

const homeOpenedEvent = z.object({ type: z.literal('app_home_opened'), user: id, channel: id.optional(), tab: z.string().optional() });
const membershipEvent = z.object({ type: z.enum(['member_joined_channel', 'member_left_channel']), user: id, channel: id });

/** Event types the bot listens to, by type; any other type is checked as an envelope only (no listener reads it). */
const EVENT_SHAPES: Record<string, z.ZodType> = {
  message: messageEvent,
  reaction_added: reactionEvent,
  reaction_removed: reactionEvent,
  app_home_opened: homeOpenedEvent,
  member_joined_channel: membershipEvent,
  member_left_channel: membershipEvent,
};

const eventEnvelope = z.object({
  type: z.literal('event_callback'),
  team_id: id,
  event_id: id,
  event: z.object({ type: z.string().min(1) }).loose(),
});

const slashCommand = z.object({
  command: z.string().regex(/^\/\S+$/, 'not a slash command'),
  text: z.string(),
  user_id: id,
  channel_id: id,
  team_id: id,
  trigger_id: z.string().optional(),
  response_url: z.string().optional(),
});

const actor = z.object({ id, team_id: id.optional() });
const viewShape = z.object({ id: id.optional(), callback_id: z.string(), private_metadata: z.string().optional(), state: z.object({ values: z.record(z.string(), z.unknown()) }).optional() });

const INTERACTION_SHAPES: Record<string, z.ZodType> = {
  block_actions: z.object({
    user: actor,
    actions: z.array(z.object({ action_id: z.string().min(1), block_id: z.string().optional() }).loose()).min(1),
    trigger_id: z.string().optional(),
    view: viewShape.loose().optional(),
  }),
  block_suggestion: z.object({ user: actor, action_id: z.string().min(1), value: z.string() }),
  view_submission: z.object({ user: actor, view: viewShape.loose() }),
  view_closed: z.object({ user: actor, view: viewShape.loose() }),
  message_action: z.object({
    user: actor,
    callback_id: z.string().min(1),
    trigger_id: z.string(),
    channel: z.object({ id }),
    message: z.object({ ts: slackTs, user: id.optional(), text: text.optional() }).loose(),
  }),
  shortcut: z.object({ user: actor, callback_id: z.string().min(1), trigger_id: z.string() }),
};

export type PayloadCheck = { ok: true; kind: 'event' | 'command' | 'interaction' | 'other' } | { ok: false; kind: 'event' | 'command' | 'interaction' | 'other'; reason: string };

/** Checks a verified request's body against the shapes above; the reason names the first bad field. */
export function checkSlackPayload(body: unknown): PayloadCheck {
  if (!body || typeof body !== 'object') return { ok: false, kind: 'other', reason: 'the body is not an object' };
  const b = body as Record<string, unknown>;
  if (b.type === 'event_callback') {
    const envelope = eventEnvelope.safeParse(b);
    if (!envelope.success) return refused('event', envelope.error);
    const shape = EVENT_SHAPES[envelope.data.event.type];
    const event = shape ? shape.safeParse(envelope.data.event) : null;
    return event && !event.success ? refused('event', event.error, 'event.') : { ok: true, kind: 'event' };
  }
  if ('command' in b) {
    const command = slashCommand.safeParse(b);
    return command.success ? { ok: true, kind: 'command' } : refused('command', command.error);
  }
  if (typeof b.type === 'string' && INTERACTION_SHAPES[b.type]) {
    const interaction = INTERACTION_SHAPES[b.type]!.safeParse(b);
    return interaction.success ? { ok: true, kind: 'interaction' } : refused('interaction', interaction.error);
  }
  return { ok: true, kind: 'other' };
}

function refused(kind: PayloadCheck['kind'], error: z.ZodError, prefix = ''): PayloadCheck {
  const issue = error.issues[0]!;
  const field = issue.path.length > 0 ? prefix + issue.path.join('.') : prefix.replace(/\.$/, '') || 'body';
  return { ok: false, kind, reason: `${field}: ${issue.message}` };
}
