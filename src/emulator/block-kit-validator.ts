/**
 * Pure Block Kit validation with the limits Slack enforces (research doc §4.1, from
 * docs.slack.dev/reference/block-kit and python-slack-sdk's validators). Each problem is reported in
 * Slack's own `response_metadata.messages` format:
 *   "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
 * An empty result means the blocks are valid.
 */

export type Surface = 'message' | 'modal' | 'home';

const BLOCK_TYPES = new Set([
  'actions', 'context', 'divider', 'file', 'header', 'image', 'input', 'markdown', 'rich_text', 'section', 'video',
]);

const INTERACTIVE_ELEMENTS = new Set([
  'button', 'checkboxes', 'datepicker', 'datetimepicker', 'email_text_input', 'multi_static_select',
  'multi_external_select', 'multi_users_select', 'multi_conversations_select', 'multi_channels_select',
  'number_input', 'overflow', 'plain_text_input', 'radio_buttons', 'rich_text_input', 'static_select',
  'external_select', 'users_select', 'conversations_select', 'channels_select', 'timepicker', 'url_text_input',
  'file_input', 'workflow_button',
]);

const INPUT_ELEMENTS = new Set([
  'checkboxes', 'datepicker', 'datetimepicker', 'email_text_input', 'multi_static_select', 'multi_external_select',
  'multi_users_select', 'multi_conversations_select', 'multi_channels_select', 'number_input', 'plain_text_input',
  'radio_buttons', 'rich_text_input', 'static_select', 'external_select', 'users_select', 'conversations_select',
  'channels_select', 'timepicker', 'url_text_input', 'file_input',
]);

const MAX_BLOCKS: Record<Surface, number> = { message: 50, modal: 100, home: 100 };

class Problems {
  readonly list: string[] = [];
  add(pointer: string, message: string): void {
    this.list.push(`[ERROR] ${message} [json-pointer:${pointer}]`);
  }
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkMaxLength(p: Problems, ptr: string, value: unknown, max: number): void {
  if (typeof value === 'string' && value.length > max) p.add(ptr, `must be less than ${max + 1} characters`);
}

/** A text composition object: {type: plain_text|mrkdwn, text: non-empty string}. */
function checkText(
  p: Problems, ptr: string, t: unknown, max: number, opts: { plainOnly?: boolean } = {},
): void {
  if (!isObject(t)) {
    p.add(ptr, 'must be a text object');
    return;
  }
  const allowed = opts.plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
  if (!allowed.includes(t.type)) p.add(`${ptr}/type`, `must be one of ${allowed.join(', ')}`);
  if (typeof t.text !== 'string') {
    p.add(`${ptr}/text`, 'must be a string');
    return;
  }
  if (t.text.length === 0) p.add(`${ptr}/text`, 'must be more than 0 characters');
  checkMaxLength(p, `${ptr}/text`, t.text, max);
}

function checkOption(p: Problems, ptr: string, o: unknown): void {
  if (!isObject(o)) {
    p.add(ptr, 'must be an option object');
    return;
  }
  checkText(p, `${ptr}/text`, o.text, 75);
  if (typeof o.value !== 'string') p.add(`${ptr}/value`, 'must be a string');
  checkMaxLength(p, `${ptr}/value`, o.value, 150);
}

function checkOptions(p: Problems, ptr: string, el: Record<string, any>, min: number, max: number): void {
  if (el.options !== undefined) {
    if (!Array.isArray(el.options)) return p.add(`${ptr}/options`, 'must be an array');
    if (el.options.length < min) p.add(`${ptr}/options`, `must provide at least ${min} items`);
    if (el.options.length > max) p.add(`${ptr}/options`, `must provide no more than ${max} items`);
    el.options.forEach((o: unknown, i: number) => checkOption(p, `${ptr}/options/${i}`, o));
  }
  if (Array.isArray(el.option_groups)) {
    if (el.option_groups.length > max) p.add(`${ptr}/option_groups`, `must provide no more than ${max} items`);
    el.option_groups.forEach((g: any, gi: number) => {
      checkText(p, `${ptr}/option_groups/${gi}/label`, g?.label, 75, { plainOnly: true });
      (Array.isArray(g?.options) ? g.options : []).forEach((o: unknown, i: number) =>
        checkOption(p, `${ptr}/option_groups/${gi}/options/${i}`, o));
    });
  }
}

function checkElement(p: Problems, ptr: string, el: unknown, actionIds: Set<string>): void {
  if (!isObject(el)) return p.add(ptr, 'must be an element object');
  if (!INTERACTIVE_ELEMENTS.has(el.type)) return p.add(`${ptr}/type`, `unsupported element type "${String(el.type)}"`);
  if (el.action_id !== undefined) {
    if (typeof el.action_id !== 'string') p.add(`${ptr}/action_id`, 'must be a string');
    checkMaxLength(p, `${ptr}/action_id`, el.action_id, 255);
    // action_id "should be unique among all other action_ids in the containing block"
    if (actionIds.has(el.action_id)) p.add(`${ptr}/action_id`, `duplicate action_id "${el.action_id}"`);
    actionIds.add(el.action_id);
  }
  if (el.placeholder !== undefined) checkText(p, `${ptr}/placeholder`, el.placeholder, 150, { plainOnly: true });
  switch (el.type) {
    case 'button':
      checkText(p, `${ptr}/text`, el.text, 75, { plainOnly: true });
      checkMaxLength(p, `${ptr}/value`, el.value, 2000);
      checkMaxLength(p, `${ptr}/url`, el.url, 3000);
      if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') {
        p.add(`${ptr}/style`, 'must be one of primary, danger');
      }
      break;
    case 'static_select':
    case 'multi_static_select':
      if (el.options === undefined && el.option_groups === undefined) p.add(ptr, 'must provide options or option_groups');
      checkOptions(p, ptr, el, 1, 100);
      break;
    case 'overflow':
      checkOptions(p, ptr, el, 2, 5);
      break;
    case 'checkboxes':
    case 'radio_buttons':
      checkOptions(p, ptr, el, 1, 10);
      break;
    case 'plain_text_input':
      if (el.max_length !== undefined && (typeof el.max_length !== 'number' || el.max_length > 3000)) {
        p.add(`${ptr}/max_length`, 'must be a number no greater than 3000');
      }
      break;
    default:
      break;
  }
  if (isObject(el.confirm)) {
    checkText(p, `${ptr}/confirm/title`, el.confirm.title, 100, { plainOnly: true });
    checkText(p, `${ptr}/confirm/text`, el.confirm.text, 300);
    checkText(p, `${ptr}/confirm/confirm`, el.confirm.confirm, 30, { plainOnly: true });
    checkText(p, `${ptr}/confirm/deny`, el.confirm.deny, 30, { plainOnly: true });
  }
}

function checkBlock(p: Problems, ptr: string, block: unknown): void {
  if (!isObject(block)) return p.add(ptr, 'must be a block object');
  if (!BLOCK_TYPES.has(block.type)) return p.add(`${ptr}/type`, `unsupported block type "${String(block.type)}"`);
  const actionIds = new Set<string>();
  switch (block.type) {
    case 'section':
      if (block.text === undefined && block.fields === undefined) p.add(ptr, 'must provide text or fields');
      if (block.text !== undefined) checkText(p, `${ptr}/text`, block.text, 3000);
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields)) p.add(`${ptr}/fields`, 'must be an array');
        else {
          if (block.fields.length > 10) p.add(`${ptr}/fields`, 'must provide no more than 10 items');
          block.fields.forEach((f: unknown, i: number) => checkText(p, `${ptr}/fields/${i}`, f, 2000));
        }
      }
      if (block.accessory !== undefined && !(isObject(block.accessory) && block.accessory.type === 'image')) {
        checkElement(p, `${ptr}/accessory`, block.accessory, actionIds);
      }
      break;
    case 'header':
      checkText(p, `${ptr}/text`, block.text, 150, { plainOnly: true });
      break;
    case 'context':
      if (!Array.isArray(block.elements) || block.elements.length === 0) {
        p.add(`${ptr}/elements`, 'must provide at least 1 item');
        break;
      }
      if (block.elements.length > 10) p.add(`${ptr}/elements`, 'must provide no more than 10 items');
      block.elements.forEach((e: any, i: number) => {
        if (isObject(e) && e.type === 'image') return;
        checkText(p, `${ptr}/elements/${i}`, e, 3000);
      });
      break;
    case 'actions':
      if (!Array.isArray(block.elements) || block.elements.length === 0) {
        p.add(`${ptr}/elements`, 'must provide at least 1 item');
        break;
      }
      if (block.elements.length > 25) p.add(`${ptr}/elements`, 'must provide no more than 25 items');
      block.elements.forEach((e: unknown, i: number) => checkElement(p, `${ptr}/elements/${i}`, e, actionIds));
      break;
    case 'input':
      checkText(p, `${ptr}/label`, block.label, 2000, { plainOnly: true });
      if (block.hint !== undefined) checkText(p, `${ptr}/hint`, block.hint, 2000, { plainOnly: true });
      if (!isObject(block.element)) p.add(`${ptr}/element`, 'must provide an element');
      else if (!INPUT_ELEMENTS.has(block.element.type)) {
        p.add(`${ptr}/element/type`, `unsupported input element type "${String(block.element.type)}"`);
      } else checkElement(p, `${ptr}/element`, block.element, actionIds);
      break;
    case 'image':
      if (typeof block.image_url !== 'string' && !isObject(block.slack_file)) p.add(`${ptr}/image_url`, 'must provide image_url');
      checkMaxLength(p, `${ptr}/image_url`, block.image_url, 3000);
      if (typeof block.alt_text !== 'string') p.add(`${ptr}/alt_text`, 'must be a string');
      checkMaxLength(p, `${ptr}/alt_text`, block.alt_text, 2000);
      if (block.title !== undefined) checkText(p, `${ptr}/title`, block.title, 2000, { plainOnly: true });
      break;
    case 'markdown':
      if (typeof block.text !== 'string') p.add(`${ptr}/text`, 'must be a string');
      checkMaxLength(p, `${ptr}/text`, block.text, 12000);
      break;
    case 'rich_text':
      if (!Array.isArray(block.elements)) p.add(`${ptr}/elements`, 'must be an array');
      break;
    default:
      break;
  }
}

/** Validates a `blocks` array for the given surface. Returns Slack-style error messages (empty = valid). */
export function validateBlocks(blocks: unknown, surface: Surface = 'message'): string[] {
  const p = new Problems();
  if (!Array.isArray(blocks)) {
    p.add('/blocks', 'must be an array');
    return p.list;
  }
  const max = MAX_BLOCKS[surface];
  if (blocks.length > max) p.add('/blocks', `must provide no more than ${max} items`);
  const blockIds = new Set<string>();
  blocks.forEach((b: any, i: number) => {
    const ptr = `/blocks/${i}`;
    if (isObject(b) && b.block_id !== undefined) {
      if (typeof b.block_id !== 'string') p.add(`${ptr}/block_id`, 'must be a string');
      checkMaxLength(p, `${ptr}/block_id`, b.block_id, 255);
      if (blockIds.has(b.block_id)) p.add(`${ptr}/block_id`, `duplicate block_id "${b.block_id}"`);
      blockIds.add(b.block_id);
    }
    checkBlock(p, ptr, b);
  });
  return p.list;
}

export type ViewValidation = { ok: true } | { ok: false; error: 'view_too_large' | 'invalid_arguments'; messages: string[] };

/**
 * Validates a modal or Home tab view (views.open/update/push/publish). Oversized JSON gives `view_too_large`
 * (250 kB, research doc §2.4); every other violation gives `invalid_arguments` with json-pointer messages.
 */
export function validateView(view: unknown, expectedType?: 'modal' | 'home'): ViewValidation {
  const p = new Problems();
  if (!isObject(view)) return { ok: false, error: 'invalid_arguments', messages: ['[ERROR] must be an object [json-pointer:/view]'] };
  if (Buffer.byteLength(JSON.stringify(view)) > 250 * 1024) {
    return { ok: false, error: 'view_too_large', messages: ['[ERROR] view is larger than 250 kB [json-pointer:/view]'] };
  }
  if (view.type !== 'modal' && view.type !== 'home') p.add('/view/type', 'must be one of modal, home');
  else if (expectedType && view.type !== expectedType) p.add('/view/type', `must be ${expectedType}`);
  if (view.type === 'modal') {
    checkText(p, '/view/title', view.title, 24, { plainOnly: true });
    if (view.submit !== undefined) checkText(p, '/view/submit', view.submit, 24, { plainOnly: true });
    if (view.close !== undefined) checkText(p, '/view/close', view.close, 24, { plainOnly: true });
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b: any) => isObject(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) p.add('/view/submit', 'must provide submit when the view has input blocks');
  }
  checkMaxLength(p, '/view/private_metadata', view.private_metadata, 3000);
  checkMaxLength(p, '/view/callback_id', view.callback_id, 255);
  checkMaxLength(p, '/view/external_id', view.external_id, 255);
  for (const m of validateBlocks(view.blocks, view.type === 'home' ? 'home' : 'modal')) {
    p.list.push(m.replace('[json-pointer:/blocks', '[json-pointer:/view/blocks'));
  }
  return p.list.length === 0 ? { ok: true } : { ok: false, error: 'invalid_arguments', messages: p.list };
}
