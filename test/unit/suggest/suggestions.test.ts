import { describe, expect, it } from 'vitest';
import { answerKey, generaliseReply } from '../../../src/suggest/generalise.js';
import { renderSuggestion } from '../../../src/suggest/render-suggestion.js';
import { SuggestionIndex } from '../../../src/suggest/suggestion-index.js';
import { LabelIndex } from '../../../src/suggest/label-index.js';
import { wordsOf } from '../../../src/suggest/words.js';

describe('generalising a past reply into a template', () => {
  it('turns the customer, the order and the agent into snippets, and drops handles and signatures', () => {
    expect(generaliseReply('Hi Maya Lind, order #48213 ships today. — Sam Okafor', { customerName: 'Maya Lind', agentName: 'Sam Okafor' })).toBe('Hi {{customer.name}}, order #{{order.number}} ships today.');
    expect(generaliseReply('Hello Maya! Your order 48213 left the warehouse.', { customerName: 'Maya Lind' })).toBe('Hello {{customer.first_name}}! Your order {{order.number}} left the warehouse.');
    // a greeting's name the context did not know, Twitter handles and initials
    expect(generaliseReply('@115712 Hi Jordan, please DM us your order number. ^JK')).toBe('Hi {{customer.first_name}}, please DM us your order number.');
    expect(generaliseReply('<@U123ABC> Hi there, we can help with that. *SR')).toBe('Hi there, we can help with that.');
    expect(generaliseReply('Sorry about that -Becky')).toBe('Sorry about that');
  });

  it('keeps the reply text inert: its own braces never become template source', () => {
    const generalised = generaliseReply('Type {{agent.name}} in the box {{#x}}');
    expect(generalised).not.toContain('{{');
    expect(renderSuggestion(generalised, { agent: { name: 'Sam' } }).text).toBe('Type {agent.name} in the box {#x}');
  });

  it('calls two replies the same answer when they link the same article, or say the same words', () => {
    expect(answerKey('See https://web.archive.org/web/20200401/https://support.example.com/a/1?x=2 thanks')).toBe(answerKey('Try https://support.example.com/a/1, hope it helps!'));
    expect(answerKey('Hi {{customer.first_name}}, done!')).toBe(answerKey('hi {{customer.first_name}} — DONE'));
    expect(answerKey('Refund sent.')).not.toBe(answerKey('Replacement sent.'));
  });

  it('leaves a snippet the ticket has no value for as a visible hole, and lists it', () => {
    expect(renderSuggestion('Hi {{customer.first_name}}, order {{order.number}} is on its way.', { customer: { first_name: 'Dave' } })).toEqual({ text: 'Hi Dave, order {{order.number}} is on its way.', missing: ['order.number'] });
  });
});

describe('ranking suggestions', () => {
  const REFUND = 'I have refunded your order in full.';
  const RESET = 'You can reset your password from the sign-in page.';
  const SHIP = 'We ship to every country in the EU within 3 days.';
  const team = () => {
    const index = new SuggestionIndex();
    index.addConversation('my teapot arrived broken, refund please', REFUND);
    index.addConversation('the vase is broken, I want my money back', REFUND);
    index.addConversation('forgot my password, cannot log in', RESET);
    index.addConversation('do you ship to Portugal?', SHIP);
    index.addConversation('shipping to Spain possible?', SHIP);
    index.addConversation('do you ship to Italy', SHIP);
    return index;
  };

  it('puts the answer of the most similar conversations first, then the most used; nothing when nothing fits', () => {
    const index = team();
    expect(index.suggest('password reset? I cannot log in').map((s) => s.text)).toEqual([RESET, SHIP, REFUND]);
    expect(index.suggest('my bowl is broken').map((s) => s.text)[0]).toBe(REFUND);
    expect(index.suggest('zzz qqq')).toEqual([]);
    expect(wordsOf('Orders ordered, ORDERING!')).toEqual(['order', 'order', 'order']);
  });

  it('ranks a matching template, stops suggesting a deleted one, and follows what agents sent', () => {
    const index = team();
    index.setTemplates([{ name: 'gift-wrap', body: 'We gift wrap any order for free, {{customer.first_name}}.', uses: 0 }]);
    expect(index.suggest('can you gift wrap it?')[0]).toMatchObject({ source: 'template', template: 'gift-wrap' });
    index.setTemplates([]);
    expect(index.suggest('can you gift wrap it?').map((s) => s.source)).not.toContain('template');

    const before = index.suggest('broken and the password does not work').map((s) => s.text);
    expect(before[0]).not.toBe(RESET);
    index.setSent(answerKey(RESET), 20);
    expect(index.suggest('broken and the password does not work')[0]!.text).toBe(RESET);
  });

  it('learns routing labels from similar past tickets', () => {
    const index = new LabelIndex();
    index.add('my invoice is wrong', ['billing']);
    index.add('charged twice on my invoice', ['billing']);
    index.add('app crashes at start', ['tech']);
    expect(index.labelsFor('the invoice total is wrong')[0]).toMatchObject({ label: 'billing', share: 1 });
    expect(index.labelsFor('hello there')).toEqual([]);
  });
});
