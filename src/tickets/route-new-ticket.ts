import { matchRules, pickAssignee } from '../domain/routing.js';
import { statusAfterAgentTouch, type Ticket } from '../domain/ticket.js';
import type { TicketDeps } from './ticket-action.js';
import { slackToPlain } from '../ingest/slack-text.js';
import type { RoutingStore } from '../store/routing-store.js';
import type { LabelShare } from '../suggest/label-index.js';
import { learnedChoice } from '../suggest/learned-routing.js';

export interface RoutingDeps extends TicketDeps {
  routing: RoutingStore;
  /** Everyone who may get tickets worked in a triage channel (its human members, or the agent list). */
  agentPool(triageChannelId: string): Promise<string[]>;
  /** Labels similar solved tickets carry (learned routing); waits up to `waitMs` for the history the first time. */
  learnedLabels?(teamId: string, text: string, waitMs: number): Promise<LabelShare[]>;
}

/** How long a ticket of a `routing learned` channel waits for the history to be learned (once, after a start). */
const LEARNED_WAIT_MS = 5_000;

export interface Routed {
  ticket: Ticket;
  tags: string[];
  assigneeId: string | null;
  policy: string;
}

/**
 * Applies the intake channel's routing to a new ticket: keyword rules add tags and may choose a group;
 * the policy (round-robin or fewest open tickets, over available agents) may choose an assignee; `learned`
 * takes the agent, group and tags that similar solved tickets agree on (src/suggest/learned-routing.ts).
 * Runs one at a time per channel (the caller locks), so round-robin turns are not taken twice.
 */
export async function routeNewTicket(ticket: Ticket, slackText: string, deps: RoutingDeps): Promise<Routed | null> {
  const settings = await deps.routing.channelRouting(ticket.originChannelId);
  if (!settings) return null;
  const text = slackToPlain(slackText);
  const match = matchRules(text, await deps.routing.rules(ticket.originChannelId));
  const learned = settings.policy === 'learned' && deps.learnedLabels ? learnedChoice(await deps.learnedLabels(ticket.teamId, text, LEARNED_WAIT_MS), await deps.routing.groups(ticket.teamId)) : null;
  const groupName = match.groupName ?? learned?.groupName ?? settings.groupName;
  const pool = groupName ? await deps.routing.groupMembers(ticket.teamId, groupName) : await deps.agentPool(ticket.triageChannelId);
  const away = await deps.routing.awayAgents(ticket.teamId);
  // Learned: the agent similar tickets went to when they are in the pool and here; else, when those tickets
  // agree on a group, its least loaded agent; else nobody (an agent picks it up).
  const policy = learned ? (learned.agentId && pool.includes(learned.agentId) && !away.has(learned.agentId) ? 'learned' : learned.groupName ? 'fewest-open' : 'manual') : settings.policy;
  const assigneeId =
    policy === 'learned'
      ? learned!.agentId
      : pickAssignee({ policy, pool, away, lastAssignee: settings.lastAssignee, openCounts: policy === 'fewest-open' ? await deps.routing.openCounts(ticket.teamId, pool) : {} });
  const tags = [...new Set([...match.tags, ...(learned?.tags ?? [])])];
  if (tags.length === 0 && !assigneeId) return null;
  const at = deps.clock.now();
  await deps.tickets.transaction(async (tx) => {
    for (const tag of tags) {
      if (await tx.addTag(ticket.id, tag)) await tx.addEvent(ticket.id, { kind: 'tagged', actorId: null, fromValue: null, toValue: tag, messageId: null, at });
    }
    if (!assigneeId) return;
    const status = statusAfterAgentTouch(ticket.status);
    await tx.updateTicket(ticket.id, { assigneeId, status, updatedAt: at });
    await tx.addEvent(ticket.id, { kind: 'assigned', actorId: null, fromValue: null, toValue: assigneeId, messageId: null, at });
    if (status !== ticket.status) await tx.addEvent(ticket.id, { kind: 'status_changed', actorId: null, fromValue: ticket.status, toValue: status, messageId: null, at });
  });
  if (assigneeId) await deps.routing.setLastAssignee(ticket.originChannelId, assigneeId);
  return { ticket: (await deps.tickets.byId(ticket.id))!, tags, assigneeId, policy: learned ? `learned from similar tickets${policy === 'fewest-open' ? `: group \`${groupName}\`, fewest open` : ''}` : settings.policy };
}
