import type { App } from '@slack/bolt';
import { openTicket } from '../../ingest/open-ticket.js';
import type { BotContext } from '../bot-context.js';
import { routeAndPublish } from '../new-ticket.js';
import type { SlackMessage } from '../directory.js';
import { SHORTCUTS, TICKET_REACTION } from '../ids.js';
import { inboundFromEvent } from './inbound-from-event.js';

/**
 * The other doors into a ticket: a 🎫 reaction or the "Create ticket" message shortcut on any message in a
 * channel the bot is in. The requester is the message's author; the ticket's time is the message's own time.
 */
export function registerTicketFromMessage(app: App, ctx: BotContext): void {
  app.event('reaction_added', async ({ event, context }) => {
    if (event.reaction !== TICKET_REACTION || event.item.type !== 'message') return;
    const { channel, ts } = event.item;
    const message = await ctx.directory.message(channel, ts);
    const say = (text: string) => ctx.sender.ephemeral(channel, event.user, text).catch(() => undefined);
    await createFromMessage({ teamId: context.teamId!, channel, message, openedBy: event.user, source: 'reaction', say }, ctx);
  });

  app.shortcut(SHORTCUTS.createTicket, async ({ shortcut, ack, respond, context }) => {
    await ack();
    if (shortcut.type !== 'message_action') return;
    const say = (text: string) => respond({ response_type: 'ephemeral', text }).then(() => undefined);
    const message = { ...shortcut.message, ts: shortcut.message.ts ?? shortcut.message_ts } as SlackMessage;
    await createFromMessage({ teamId: context.teamId ?? shortcut.team?.id ?? '', channel: shortcut.channel.id, message, openedBy: shortcut.user.id, source: 'shortcut', say }, ctx);
  });
}

interface FromMessage {
  teamId: string;
  channel: string;
  message: SlackMessage | null;
  openedBy: string;
  source: 'reaction' | 'shortcut';
  say: (text: string) => Promise<void>;
}

async function createFromMessage(input: FromMessage, ctx: BotContext): Promise<void> {
  const { message } = input;
  if (!message) return input.say('I could not read that message. Is the app in this channel?');
  if (message.bot_id || !message.user) return input.say('Messages from bots never become tickets.');
  const triage = (await ctx.channels.intake(input.channel))?.triageChannelId ?? (await ctx.channels.defaultTriage(input.teamId));
  if (!triage) return input.say('No triage channel is set up yet: an admin can run `/helpdesk connect #intake #triage`.');
  if (triage === input.channel) return input.say('Messages in the triage channel are agents\' notes; they do not become tickets.');
  const inbound = inboundFromEvent({ ...message, type: 'message', channel: input.channel, ts: message.ts }, input.teamId);
  const result = await openTicket({ message: inbound, triageChannelId: triage, source: input.source, openedBy: input.openedBy }, ctx.useCaseDeps);
  if (result.kind === 'exists') return input.say(`That message is already ticket #${result.ticket.number}.`);
  await routeAndPublish(result.ticket, result.message, ctx);
  if (input.openedBy !== result.ticket.requesterId) {
    await ctx.publisher.announce(result.ticket, `:ticket: <@${input.openedBy}> opened this ticket from <@${result.ticket.requesterId}>'s message (${input.source}).`);
  }
  if (input.source === 'shortcut') await input.say(`:ticket: Ticket #${result.ticket.number} opened.`);
}
