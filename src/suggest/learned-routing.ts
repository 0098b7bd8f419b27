import type { LabelShare } from './label-index.js';

// What similar past tickets say about a new one: who solved them (and so which group), and how they were tagged.
// Acted on (`routing learned`) or offered on the ticket's thread only when most of the neighbours agree, and more
// than one of them: a single look-alike is an anecdote, not a pattern.

export const LEARNED = { minShare: 0.5, minTickets: 2, maxTags: 3 };

export interface LearnedChoice {
  agentId: string | null;
  groupName: string | null;
  tags: string[];
}

export const agentLabel = (userId: string) => `agent:${userId}`;
export const tagLabel = (tag: string) => `tag:${tag}`;

/** The agent, group (of the agents' groups) and tags most similar past tickets agree on. */
export function learnedChoice(labels: LabelShare[], groups: Record<string, string[]>): LearnedChoice {
  const agreed = (l: { share: number; count: number }) => l.share >= LEARNED.minShare && l.count >= LEARNED.minTickets;
  const agents = labels.filter((l) => l.label.startsWith('agent:'));
  const agent = agents.find(agreed);
  const groupShares = Object.entries(groups)
    .map(([name, members]) => {
      const carried = agents.filter((a) => members.includes(a.label.slice('agent:'.length)));
      return { name, share: carried.reduce((sum, a) => sum + a.share, 0), count: carried.reduce((sum, a) => sum + a.count, 0) };
    })
    .filter(agreed)
    .sort((a, b) => b.share - a.share || a.name.localeCompare(b.name));
  return {
    agentId: agent ? agent.label.slice('agent:'.length) : null,
    groupName: groupShares[0]?.name ?? null,
    tags: labels.filter((l) => l.label.startsWith('tag:') && agreed(l)).slice(0, LEARNED.maxTags).map((l) => l.label.slice('tag:'.length)),
  };
}
