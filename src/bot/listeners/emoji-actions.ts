import type { App } from '@slack/bolt';
import type { Ticket } from '../../domain/ticket.js';
import { answerErrors } from '../answers.js';
import type { BotContext } from '../bot-context.js';
import type { TicketAction } from '../commands/grammar.js';
import { ASSIGN_REACTION, SOLVE_REACTION } from '../ids.js';
import { runTicketAction } from '../run-ticket-action.js';

const ACTION_OF: Record<string, TicketAction> = {
  [ASSIGN_REACTION]: { kind: 'assign', assignee: 'me' },
  [SOLVE_REACTION]: { kind: 'close' },
};

/**
 * Emoji actions: an agent's 👀 on a ticket's card or on a message of its origin thread takes the ticket,
 * ✅ solves it. Anyone else's reactions do nothing, and an action that changes nothing says nothing.
 */
export function registerEmojiActions(app: App, ctx: BotContext): void {
  app.event('reaction_added', async ({ event }) => {
    const action = ACTION_OF[event.reaction];
    if (!action || event.item.type !== 'message') return;
    const ticket = await ticketOfMessage(event.item.channel, event.item.ts, ctx);
    if (!ticket || !(await ctx.directory.isAgent(event.user, ticket.triageChannelId))) return;
    const quiet = { ephemeral: async () => undefined };
    await answerErrors(quiet, ctx.logger, { reaction: event.reaction, ticket: ticket.number }, () => runTicketAction(ticket, action, event.user, quiet, ctx));
  });
}

async function ticketOfMessage(channel: string, ts: string, ctx: BotContext): Promise<Ticket | null> {
  const card = await ctx.tickets.byCard(channel, ts);
  if (card) return card;
  const message = await ctx.tickets.messageByTs(channel, ts);
  return message ? ctx.tickets.byId(message.ticketId) : null;
}
