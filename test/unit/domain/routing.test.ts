import { describe, expect, it } from 'vitest';
import { matchRules, patternProblem, pickAssignee } from '../../../src/domain/routing.js';

describe('routing decisions', () => {
  const pool = ['UC', 'UA', 'UB'];
  it('round-robin goes through available agents in a stable order after the previous one', () => {
    const pick = (last: string | null, away: string[] = []) => pickAssignee({ policy: 'round-robin', pool, away: new Set(away), lastAssignee: last, openCounts: {} });
    expect([pick(null), pick('UA'), pick('UB'), pick('UC')]).toEqual(['UA', 'UB', 'UC', 'UA']);
    expect([pick('UA', ['UB']), pick('UC', ['UB'])]).toEqual(['UC', 'UA']);
    expect(pick('UA', ['UA', 'UB', 'UC'])).toBeNull();
  });

  it('fewest-open takes the least loaded available agent, ties in stable order; manual picks nobody', () => {
    expect(pickAssignee({ policy: 'fewest-open', pool, away: new Set(), lastAssignee: null, openCounts: { UA: 3, UB: 1, UC: 1 } })).toBe('UB');
    expect(pickAssignee({ policy: 'fewest-open', pool, away: new Set(['UB']), lastAssignee: null, openCounts: { UA: 3, UB: 1, UC: 1 } })).toBe('UC');
    expect(pickAssignee({ policy: 'manual', pool, away: new Set(), lastAssignee: null, openCounts: {} })).toBeNull();
  });

  it('matches keyword rules case-insensitively: all their tags, the first group', () => {
    const rules = [
      { id: 1, pattern: 'refund|chargeback', tag: 'billing', groupName: 'billing' },
      { id: 2, pattern: '\\burgent\\b', tag: 'urgent', groupName: null },
      { id: 3, pattern: 'invoice', tag: 'billing', groupName: 'finance' },
    ];
    expect(matchRules('URGENT: I want a Refund for invoice 9', rules)).toEqual({ tags: ['billing', 'urgent'], groupName: 'billing' });
    expect(matchRules('hello', rules)).toEqual({ tags: [], groupName: null });
    expect(patternProblem('refund|(')).toMatch(/Unterminated group|Invalid regular expression/);
    expect(patternProblem('refund|chargeback')).toBeNull();
  });
});
