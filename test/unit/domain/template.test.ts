import { describe, expect, it } from 'vitest';
import { escapeMrkdwn } from '../../../src/bot/slack-text.js';
import { checkTemplate, nestFields, renderTemplate } from '../../../src/domain/template.js';

const view = {
  customer: { first_name: 'Carol', email: null },
  ticket: { number: '7', subject: 'Order late' },
  agent: { name: 'Alice Agent' },
  ...nestFields({ 'order.number': '1234' }),
};

describe('templates', () => {
  it('lists the snippets a template uses, and refuses one that does not compile', () => {
    expect(checkTemplate('Hi {{customer.first_name}}, order {{order.number}}{{#order.ship_date}} ships {{order.ship_date}}{{/order.ship_date}}. {{customer.first_name}}')).toEqual({
      ok: true,
      snippets: ['customer.first_name', 'order.number', 'order.ship_date'],
    });
    expect(checkTemplate('Hi {{#open}} never closed')).toMatchObject({ ok: false, error: expect.stringContaining('Unclosed section') });
  });

  it('renders snippets, escaped for mrkdwn whichever way they are written', () => {
    const hostile = { ...view, customer: { first_name: '<!here> &Co' } };
    expect(renderTemplate('Hi {{customer.first_name}} / {{{customer.first_name}}} / {{&customer.first_name}}, order {{order.number}}. — {{agent.name}}', hostile, escapeMrkdwn)).toEqual({
      ok: true,
      text: 'Hi &lt;!here&gt; &amp;Co / &lt;!here&gt; &amp;Co / &lt;!here&gt; &amp;Co, order 1234. — Alice Agent',
    });
  });

  it('never sends an empty hole: missing values are named, in order', () => {
    expect(renderTemplate('Hi {{customer.first_name}}, {{order.ship_date}} via {{order.carrier}}, mail {{customer.email}}', view, escapeMrkdwn)).toEqual({
      ok: false,
      missing: ['order.ship_date', 'order.carrier', 'customer.email'],
    });
    // a snippet inside a section is optional: the section is left out
    expect(renderTemplate('Order {{order.number}}{{#order.ship_date}} ships {{order.ship_date}}{{/order.ship_date}}.', view, escapeMrkdwn)).toEqual({ ok: true, text: 'Order 1234.' });
  });

  it('treats values as data: mustache in a value is not rendered', () => {
    const sneaky = { ...view, ticket: { number: '7', subject: '{{agent.name}} {{#x}}' } };
    expect(renderTemplate('Re: {{ticket.subject}}', sneaky, escapeMrkdwn)).toEqual({ ok: true, text: 'Re: {{agent.name}} {{#x}}' });
  });
});
