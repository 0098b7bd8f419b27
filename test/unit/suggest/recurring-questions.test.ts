import { describe, expect, it } from 'vitest';
import { recurringQuestions, type AskedQuestion } from '../../../src/suggest/recurring-questions.js';
import { recurringLines } from '../../../src/reports/recurring-lines.js';
import { plainStyle } from '../../../src/reports/format-report.js';

// A hand-made history: a week of a shop's tickets and the four weeks before it. The refund question was asked
// once a week before and four times this week; the address question is new; the rest are one-offs.
const DAY = 86_400_000;
let nextId = 1;
const ask = (day: number, text: string, extra: Partial<AskedQuestion> = {}): AskedQuestion => ({ ticketId: nextId++, at: day * DAY, text, ...extra });

const week = [
  ask(29, 'Where is my refund for order 4821? It has been two weeks', { template: 'refund-status' }),
  ask(29, 'How do I change the delivery address on my order?', { answer: { key: 'text:account', text: 'You can change it in your account under Orders.' } }),
  ask(30, 'My refund has not arrived yet, where is it?', { template: 'refund-status' }),
  ask(30, 'Do you ship to Iceland?'),
  ask(31, 'Can I change the delivery address after ordering?', { answer: { key: 'text:account', text: 'You can change it in your account under Orders.' } }),
  ask(32, 'Still waiting for my refund, where is it', { template: 'refund-late' }),
  ask(32, 'The zipper of my jacket broke'),
  ask(33, 'I need to change my delivery address'),
  ask(34, 'Refund not arrived after I returned the parcel, where is my refund?'),
];
const earlier = [
  [ask(25, 'where is my refund please'), ask(24, 'Do you have the jacket in blue?')],
  [ask(18, 'Where is my refund? I sent the shoes back')],
  [ask(11, 'refund not received, where is it')],
  [ask(4, 'where is the refund for my return')],
];

describe('questions that keep coming back', () => {
  it('groups the week on first messages, counts the weeks before, and names the template most used', async () => {
    const { largest, growing } = await recurringQuestions(week, earlier);
    expect(largest.map((q) => q.count)).toEqual([4, 3]);
    const [refund, address] = largest;
    expect(refund!.ticketIds).toEqual([1, 3, 6, 9]);
    expect(refund!.earlier).toEqual([1, 1, 1, 1]);
    expect(refund!.growth).toBe(3);
    expect(refund!.words[0]).toBe('refund');
    expect(refund!.template).toEqual({ name: 'refund-status', uses: 2 });
    expect(address!.ticketIds).toEqual([2, 5, 8]);
    expect(address!.earlier).toEqual([0, 0, 0, 0]);
    expect(address!.words).toEqual(expect.arrayContaining(['address', 'delivery', 'change']));
    expect(address!.template).toBeNull();
    expect(address!.answer).toEqual({ text: 'You can change it in your account under Orders.', uses: 2 });
    expect(growing).toEqual([]);

    const lines = recurringLines({ largest, growing }, 4, plainStyle, (id) => `#${id}`);
    expect(lines[0]).toContain('Questions that keep coming back');
    expect(lines[1]).toMatch(/^ {2}• 4 tickets · refund, .* · ▲ from 1 a week · e\.g\. #\d “.*refund.*” · answered most with template `refund-status` \(2×\)$/);
    expect(lines[2]).toMatch(/^ {2}• 3 tickets · .*address.* · new this week · e\.g\. #\d “.*” · most given answer \(2×\): “You can change it in your account under Orders\.”$/);
  });

  it('lists beside the largest the questions growing fastest, and is the same whatever order the tickets come in', async () => {
    const options = { threshold: 0.35, minCount: 3, largest: 1, growing: 3 };
    const first = await recurringQuestions(week, earlier, options);
    expect(first.largest.map((q) => q.count)).toEqual([4]);
    expect(first.growing.map((q) => q.ticketIds)).toEqual([[2, 5, 8]]);
    const shuffled = await recurringQuestions([...week].reverse(), earlier, options);
    expect(shuffled).toEqual(first);
  });

  it('shows nothing for a week where no question came back three times', async () => {
    const { largest, growing } = await recurringQuestions(week.slice(0, 4), earlier);
    expect(largest).toEqual([]);
    expect(recurringLines({ largest, growing }, 4, plainStyle, String)).toEqual([]);
  });
});
