import type { BotContext } from './bot-context.js';
import { deliver } from './delivery-intents.js';
import { periodicCheck } from './periodic-check.js';

const CHECK_EVERY_MS = 60_000;
/** Tickets closed per pass: a long history solved before this existed is closed a little at a time. */
const BATCH = 500;
const DAY = 86_400_000;

/**
 * The quiet period (SPEC: solved → closed after a quiet period): a ticket solved `afterDays` ago and not reopened
 * since is closed. Its card says so when it was solved recently; tickets of an older history are closed without
 * redrawing their cards (one chat.update each would crowd out the team's live work). Off with `afterDays` 0.
 */
export function createAutoClose(ctx: BotContext, afterDays: number) {
  async function pass(): Promise<number> {
    if (afterDays <= 0) return 0;
    const now = ctx.clock.now();
    const cutoff = now - afterDays * DAY;
    let closed = 0;
    for (const ticket of await ctx.tickets.solvedBefore(cutoff, BATCH)) {
      const done = await ctx.tickets.transaction(async (tx) => {
        if (!(await tx.closeIfSolvedAt(ticket.id, ticket.solvedAt!, now))) return false;
        await tx.addEvent(ticket.id, { kind: 'status_changed', actorId: null, fromValue: 'solved', toValue: 'closed', messageId: null, at: now });
        if (ticket.cardTs && ticket.solvedAt! > cutoff - afterDays * DAY) await tx.enqueue([deliver.card(ticket)]); // drawn from the stored ticket when sent
        return true;
      });
      if (done) closed++;
    }
    if (closed > 0) ctx.logger.info({ closed, afterDays }, 'solved tickets closed after their quiet period');
    return closed;
  }

  // check() resolves with how many were closed.
  return periodicCheck(pass, CHECK_EVERY_MS, ctx.logger, 'closing solved tickets failed');
}
