import type { App } from '@slack/bolt';
import { applyMessageDeletion, applyMessageEdit } from '../../ingest/apply-message-change.js';
import { ingestMessage, ingestOrderKeys } from '../../ingest/ingest-message.js';
import type { InboundMessage } from '../../ingest/inbound-message.js';
import { tsToMillis } from '../../ingest/slack-ts.js';
import type { BotContext } from '../bot-context.js';
import { routeAndPublish } from '../new-ticket.js';
import { pickFields } from '../../tickets/pick-fields.js';
import { handleTriageThreadMessage } from './triage-thread.js';
import { filesOf, HUMAN_SUBTYPES, inboundFromEvent, isTombstone, type SlackMessageEvent } from './inbound-from-event.js';

/**
 * Every `message` event: intake messages, origin-thread replies, DMs, triage-thread notes and `!` commands,
 * edits and deletions. Bolt's ignoreSelf already drops our own posts; other bots are dropped here.
 */
export function registerMessageEvents(app: App, ctx: BotContext): void {
  app.event('message', async ({ event, context }) => {
    const message = event as unknown as SlackMessageEvent;
    const teamId = context.teamId!;
    if (message.subtype === 'message_changed') return handleEdit(message, ctx);
    if (message.subtype === 'message_deleted') return handleDeletion(message, ctx);
    if (message.bot_id || !message.user || !HUMAN_SUBTYPES.has(message.subtype)) return;

    const inbound = inboundFromEvent(message, teamId);
    // The key is taken before anything is awaited, so messages of one thread (a customer's, or an agent's
    // commands: `!reply …` then `!close`) run in the order they arrived.
    let ingest = false;
    try {
      await ctx.ingestLock(ingestOrderKeys(inbound), async () => {
        if (await ctx.channels.isTriageChannel(message.channel)) return handleTriageThreadMessage(inbound, ctx);
        ingest = true;
        return ingestAndShow(inbound, ctx);
      });
    } catch (err) {
      // Not stored (the database is unreachable…): the event stays in the inbox and is tried again (event-inbox.ts).
      if (ingest) (context.retryLater as ((reason: unknown) => void) | undefined)?.(err);
      throw err;
    }
  });

  // Agents are triage channel members: forget cached membership when it changes.
  app.event('member_joined_channel', async ({ event }) => ctx.directory.forgetChannel(event.channel));
  app.event('member_left_channel', async ({ event }) => ctx.directory.forgetChannel(event.channel));
}

/**
 * Ingests an origin-side message. What Slack shows for it (a new card, or a mirror and the updated card) is
 * recorded with the change itself; a new ticket is then routed (a crash in between leaves it unrouted, with its
 * card). Nothing here waits for Slack.
 */
async function ingestAndShow(inbound: InboundMessage, ctx: BotContext): Promise<void> {
  const result = await ingestMessage(inbound, ctx.useCaseDeps);
  const log = ctx.logger.child({ channel: inbound.channelId, ts: inbound.ts });
  if (result.kind === 'ignored') return log.debug({ reason: result.reason }, 'message made no ticket change');
  log.info({ ticket: result.ticket.number, result: result.kind }, 'ticket updated from message');
  if (result.kind === 'created') return routeAndPublish(result.ticket, result.message, ctx);
  const picked = result.role === 'requester' ? await pickFields(result.ticket, result.message, ctx.useCaseDeps) : {};
  if (Object.keys(picked).length > 0 && !result.statusChanged) await ctx.publisher.refreshCard(result.ticket);
}

async function handleEdit(event: SlackMessageEvent, ctx: BotContext): Promise<void> {
  const edited = event.message;
  if (!edited || edited.bot_id) return;
  // A thread parent with replies deleted: Slack sends its tombstone as an edit. It is a deletion.
  if (isTombstone(edited)) return markDeleted(event, edited.ts, ctx);
  const at = edited.edited ? tsToMillis(edited.edited.ts) : tsToMillis(event.event_ts ?? event.ts);
  const change = await applyMessageEdit({ channelId: event.channel, ts: edited.ts, text: edited.text ?? '', files: edited.files ? filesOf(edited) : undefined, at }, ctx.useCaseDeps);
  if (change) await ctx.publisher.updateMirror(change.ticket, change.message);
}

async function handleDeletion(event: SlackMessageEvent, ctx: BotContext): Promise<void> {
  const ts = event.deleted_ts ?? event.previous_message?.ts;
  if (ts) await markDeleted(event, ts, ctx);
}

/** The stored message is marked deleted (its text kept for the history); its mirror, or the card, follows. */
async function markDeleted(event: SlackMessageEvent, ts: string, ctx: BotContext): Promise<void> {
  if (event.previous_message?.bot_id) return;
  const change = await applyMessageDeletion({ channelId: event.channel, ts, at: tsToMillis(event.event_ts ?? event.ts) }, ctx.useCaseDeps);
  if (!change) return;
  await ctx.publisher.updateMirror(change.ticket, change.message);
  if (change.discarded) {
    await ctx.publisher.refreshCard(change.ticket);
    await ctx.publisher.announce(change.ticket, `:wastebasket: The requester deleted their message before anyone answered: #${change.ticket.number} is closed and left out of reports (\`!reopen\` keeps it).`);
  }
}
