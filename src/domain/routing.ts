// Routing decisions: which rules a new ticket matches, and which agent gets it. Pure.

export const ROUTING_POLICIES = ['manual', 'round-robin', 'fewest-open', 'learned'] as const;
export type RoutingPolicy = (typeof ROUTING_POLICIES)[number];

export interface RoutingRule {
  id: number;
  /** A case-insensitive regular expression, e.g. `refund|chargeback`. */
  pattern: string;
  tag: string | null;
  groupName: string | null;
}

/** Checks a rule pattern before it is saved. */
export function patternProblem(pattern: string): string | null {
  try {
    new RegExp(pattern, 'i');
    return pattern.length > 500 ? 'is longer than 500 characters' : null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** The tags of every matching rule, and the group of the first matching rule that names one. */
export function matchRules(text: string, rules: RoutingRule[]): { tags: string[]; groupName: string | null } {
  const matching = rules.filter((rule) => new RegExp(rule.pattern, 'i').test(text));
  return {
    tags: [...new Set(matching.flatMap((rule) => (rule.tag ? [rule.tag] : [])))],
    groupName: matching.find((rule) => rule.groupName)?.groupName ?? null,
  };
}

export interface PickInput {
  policy: RoutingPolicy;
  /** Agents who may get the ticket. */
  pool: string[];
  away: Set<string>;
  /** Round-robin: who got the previous ticket. */
  lastAssignee: string | null;
  /** Fewest-open: each agent's active tickets. */
  openCounts: Record<string, number>;
}

/**
 * The agent who gets a new ticket, or null (manual routing, or nobody available). Round-robin goes through the
 * available agents in a stable order after the previous one; fewest-open takes the least loaded, ties in
 * that same order.
 */
export function pickAssignee({ policy, pool, away, lastAssignee, openCounts }: PickInput): string | null {
  const available = [...new Set(pool)].filter((id) => !away.has(id)).sort();
  // Learned routing chooses from similar past tickets (route-new-ticket.ts), not by turns.
  if (policy === 'manual' || policy === 'learned' || available.length === 0) return null;
  if (policy === 'fewest-open') {
    return available.reduce((best, id) => ((openCounts[id] ?? 0) < (openCounts[best] ?? 0) ? id : best), available[0]!);
  }
  const next = lastAssignee === null ? undefined : available.find((id) => id > lastAssignee);
  return next ?? available[0]!;
}
