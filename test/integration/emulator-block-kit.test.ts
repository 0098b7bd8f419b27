/** Block Kit validation (pure): the limits of research doc §4.1, reported in Slack's message format. */
import { describe, expect, it } from 'vitest';
import { validateBlocks, validateView } from '../../src/emulator/index.js';

const text = (t: string, type = 'plain_text') => ({ type, text: t });
const button = (actionId: string, label = 'Go', extra: Record<string, any> = {}) => ({ type: 'button', action_id: actionId, text: text(label), ...extra });
const option = (t: string, v: string) => ({ text: text(t), value: v });

describe('validateBlocks', () => {
  it('accepts a realistic helpdesk message', () => {
    expect(validateBlocks([
      { type: 'header', text: text('Ticket #42') },
      { type: 'section', text: text('*Subject*', 'mrkdwn'), fields: [text('a', 'mrkdwn'), text('b')], accessory: button('open') },
      { type: 'context', elements: [text('opened by <@U1>', 'mrkdwn'), { type: 'image', image_url: 'https://x/y.png', alt_text: 'y' }] },
      { type: 'divider' },
      { type: 'actions', block_id: 'acts', elements: [button('claim', 'Claim', { value: 'T42', style: 'primary' }), { type: 'users_select', action_id: 'assign', placeholder: text('Assign') }, { type: 'static_select', action_id: 'prio', options: [option('High', 'high'), option('Low', 'low')] }] },
    ])).toEqual([]);
  });

  it('enforces block counts per surface: 50 in messages, 100 in modals', () => {
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(validateBlocks(blocks)).toEqual(['[ERROR] must provide no more than 50 items [json-pointer:/blocks]']);
    expect(validateBlocks(blocks, 'modal')).toEqual([]);
  });

  it('enforces text limits: section 3000, fields 10 x 2000, header 150 plain_text', () => {
    expect(validateBlocks([{ type: 'section', text: text('x'.repeat(3000), 'mrkdwn') }])).toEqual([]);
    expect(validateBlocks([{ type: 'section', text: text('x'.repeat(3001), 'mrkdwn') }])).toEqual(['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]']);
    expect(validateBlocks([{ type: 'section', fields: Array.from({ length: 11 }, () => text('f')) }])).toEqual(['[ERROR] must provide no more than 10 items [json-pointer:/blocks/0/fields]']);
    expect(validateBlocks([{ type: 'section', fields: [text('x'.repeat(2001))] }])).toEqual(['[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]']);
    expect(validateBlocks([{ type: 'header', text: text('x'.repeat(151)) }])).toEqual(['[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]']);
    expect(validateBlocks([{ type: 'header', text: text('hi', 'mrkdwn') }])).toEqual(['[ERROR] must be one of plain_text [json-pointer:/blocks/0/text/type]']);
  });

  it('enforces element counts: context 10, actions 25', () => {
    expect(validateBlocks([{ type: 'context', elements: Array.from({ length: 11 }, () => text('c')) }])).toHaveLength(1);
    expect(validateBlocks([{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button(`b${i}`)) }])).toEqual(['[ERROR] must provide no more than 25 items [json-pointer:/blocks/0/elements]']);
  });

  it('enforces button, id and option limits', () => {
    const problems = validateBlocks([{
      type: 'actions',
      block_id: 'b'.repeat(256),
      elements: [
        button('a'.repeat(256), 'x'.repeat(76), { value: 'v'.repeat(2001) }),
        { type: 'static_select', action_id: 's', options: [option('o'.repeat(76), 'v'.repeat(151))] },
        { type: 'static_select', action_id: 's2', options: Array.from({ length: 101 }, (_, i) => option(`o${i}`, `${i}`)) },
      ],
    }]);
    expect(problems).toEqual([
      '[ERROR] must be less than 256 characters [json-pointer:/blocks/0/block_id]',
      '[ERROR] must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]',
      '[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]',
      '[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]',
      '[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/1/options/0/text/text]',
      '[ERROR] must be less than 151 characters [json-pointer:/blocks/0/elements/1/options/0/value]',
      '[ERROR] must provide no more than 100 items [json-pointer:/blocks/0/elements/2/options]',
    ]);
  });

  it('enforces input limits: label 2000, placeholder 150, plain_text_input max_length 3000', () => {
    const problems = validateBlocks([{
      type: 'input', label: text('l'.repeat(2001)),
      element: { type: 'plain_text_input', action_id: 'i', max_length: 3001, placeholder: text('p'.repeat(151)) },
    }], 'modal');
    expect(problems).toEqual([
      '[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/label/text]',
      '[ERROR] must be less than 151 characters [json-pointer:/blocks/0/element/placeholder/text]',
      '[ERROR] must be a number no greater than 3000 [json-pointer:/blocks/0/element/max_length]',
    ]);
  });

  it('rejects unknown block types, malformed text objects and duplicate ids', () => {
    expect(validateBlocks([{ type: 'table' }])).toEqual(['[ERROR] unsupported block type "table" [json-pointer:/blocks/0/type]']);
    expect(validateBlocks([{ type: 'section', text: { type: 'markdown', text: 'x' } }])).toEqual(['[ERROR] must be one of plain_text, mrkdwn [json-pointer:/blocks/0/text/type]']);
    expect(validateBlocks([{ type: 'section', text: { type: 'mrkdwn', text: 42 } }])).toEqual(['[ERROR] must be a string [json-pointer:/blocks/0/text/text]']);
    expect(validateBlocks([{ type: 'section', text: text('') }])).toEqual(['[ERROR] must be more than 0 characters [json-pointer:/blocks/0/text/text]']);
    expect(validateBlocks([{ type: 'divider', block_id: 'x' }, { type: 'divider', block_id: 'x' }])).toEqual(['[ERROR] duplicate block_id "x" [json-pointer:/blocks/1/block_id]']);
    expect(validateBlocks([{ type: 'actions', elements: [button('a'), button('a')] }])).toEqual(['[ERROR] duplicate action_id "a" [json-pointer:/blocks/0/elements/1/action_id]']);
  });
});

describe('validateView', () => {
  const modal = (extra: Record<string, any> = {}) => ({ type: 'modal', title: text('New ticket'), submit: text('Create'), blocks: [{ type: 'input', block_id: 'subj', label: text('Subject'), element: { type: 'plain_text_input', action_id: 'v' } }], ...extra });

  it('accepts a modal and a home view', () => {
    expect(validateView(modal(), 'modal')).toEqual({ ok: true });
    expect(validateView({ type: 'home', blocks: [{ type: 'section', text: text('hi') }] }, 'home')).toEqual({ ok: true });
  });

  it('limits title/submit/close to 24 chars, private_metadata to 3000, blocks to 100', () => {
    const r = validateView(modal({ title: text('t'.repeat(25)), close: text('c'.repeat(25)), private_metadata: 'm'.repeat(3001), blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) }));
    expect(r).toEqual({
      ok: false, error: 'invalid_arguments', messages: [
        '[ERROR] must be less than 25 characters [json-pointer:/view/title/text]',
        '[ERROR] must be less than 25 characters [json-pointer:/view/close/text]',
        '[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]',
        '[ERROR] must provide no more than 100 items [json-pointer:/view/blocks]',
      ],
    });
  });

  it('reports view_too_large beyond 250 kB and wrong surface types', () => {
    const big = modal({ blocks: Array.from({ length: 100 }, () => ({ type: 'section', text: text('x'.repeat(2900)) })) });
    expect(validateView(big)).toMatchObject({ ok: false, error: 'view_too_large' });
    expect(validateView(modal(), 'home')).toMatchObject({ ok: false, error: 'invalid_arguments' });
  });
});
