/**
 * Who has a ticket's Reply modal open, so a second agent is warned before answering twice and the card can
 * show it. Kept in memory (one process); an entry expires after `ttlMs` in case a modal close is never reported.
 */
export interface Replying {
  agentId: string;
  since: number;
}

export type ReplyPresence = ReturnType<typeof createReplyPresence>;

/** `changed` hears when a ticket goes from nobody replying to someone replying, and back (the chat's "typing…"). */
export function createReplyPresence(now: () => number, ttlMs = 15 * 60_000, changed: (ticketId: number, replying: boolean) => void = () => undefined) {
  const open = new Map<number, Replying[]>();
  const current = (ticketId: number) => (open.get(ticketId) ?? []).filter((r) => now() - r.since < ttlMs);
  return {
    /** The agents replying to a ticket, earliest first. */
    of: (ticketId: number): Replying[] => current(ticketId),
    start(ticketId: number, agentId: string): void {
      const before = current(ticketId);
      open.set(ticketId, [...before.filter((r) => r.agentId !== agentId), { agentId, since: now() }]);
      if (before.length === 0) changed(ticketId, true);
    },
    stop(ticketId: number, agentId: string): void {
      const before = current(ticketId);
      const rest = before.filter((r) => r.agentId !== agentId);
      if (rest.length > 0) open.set(ticketId, rest);
      else open.delete(ticketId);
      if (before.length > 0 && rest.length === 0) changed(ticketId, false);
    },
  };
}
