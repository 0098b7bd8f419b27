/**
 * Helpers for interactive payloads (doc §3.5, §3.6): finding the element a user clicks, the `actions[]` entry
 * Slack builds for it, and `state.values` of inputs.
 */

export interface FoundElement {
  blockId: string;
  element: any;
}

/** Slack assigns a block_id to blocks sent without one; we derive a stable one from the position. */
export function blockIdOf(block: any, index: number): string {
  return typeof block?.block_id === 'string' ? block.block_id : `emu-b${index}`;
}

/** Every interactive element of a block list with its block_id (actions elements, section accessory, input element). */
export function elementsOf(blocks: any[] | undefined): FoundElement[] {
  const out: FoundElement[] = [];
  (blocks ?? []).forEach((block, i) => {
    const blockId = blockIdOf(block, i);
    if (block?.type === 'actions' && Array.isArray(block.elements)) {
      for (const element of block.elements) out.push({ blockId, element });
    } else if (block?.type === 'section' && block.accessory && block.accessory.type !== 'image') {
      out.push({ blockId, element: block.accessory });
    } else if (block?.type === 'input' && block.element) {
      out.push({ blockId, element: block.element });
    }
  });
  return out;
}

export function findElement(blocks: any[] | undefined, actionId: string, where: string): FoundElement {
  const found = elementsOf(blocks).find((f) => f.element.action_id === actionId);
  if (!found) {
    const shown = elementsOf(blocks).map((f) => f.element.action_id).filter(Boolean);
    throw new Error(`driver: no element with action_id "${actionId}" in ${where} (shown: ${shown.join(', ') || 'none'}) — a user cannot click what is not shown`);
  }
  return found;
}

function allOptions(element: any): any[] {
  const groups = Array.isArray(element.option_groups) ? element.option_groups.flatMap((g: any) => g.options ?? []) : [];
  return [...(element.options ?? []), ...groups];
}

function optionByValue(element: any, value: string): any {
  const option = allOptions(element).find((o) => o.value === value);
  if (!option) throw new Error(`driver: option "${value}" is not offered by ${element.type} "${element.action_id}"`);
  return option;
}

export interface ActionInput {
  value?: string;
  selectedUser?: string;
  selectedOption?: string;
}

/** The `actions[]` entry for a click/selection (doc §3.5: action_id, block_id, type, value / selected_*, action_ts). */
export function buildAction(found: FoundElement, input: ActionInput, actionTs: string): Record<string, any> {
  const el = found.element;
  const base = { type: el.type, action_id: el.action_id, block_id: found.blockId, action_ts: actionTs };
  switch (el.type) {
    case 'button':
      return { ...base, text: el.text, ...(el.value !== undefined ? { value: el.value } : {}), ...(el.style ? { style: el.style } : {}) };
    case 'users_select':
      if (!input.selectedUser) throw new Error(`driver: users_select "${el.action_id}" needs opts.selectedUser`);
      return { ...base, selected_user: input.selectedUser, initial_user: el.initial_user };
    case 'static_select':
    case 'external_select':
    case 'overflow':
    case 'radio_buttons':
      if (!input.selectedOption) throw new Error(`driver: ${el.type} "${el.action_id}" needs opts.selectedOption (an option value)`);
      return { ...base, selected_option: optionByValue(el, input.selectedOption) };
    case 'checkboxes':
      if (!input.selectedOption) throw new Error(`driver: checkboxes "${el.action_id}" needs opts.selectedOption`);
      return { ...base, selected_options: [optionByValue(el, input.selectedOption)] };
    default:
      return { ...base, ...(input.value !== undefined ? { value: input.value } : {}) };
  }
}

/** Field name Slack uses in state.values for each element type. */
function stateEntry(el: any, given: any): Record<string, any> {
  const type = el.type;
  if (given !== null && typeof given === 'object' && !Array.isArray(given)) return { type, ...given };
  switch (type) {
    case 'external_select':
      // Its options come from the app (block_suggestion), not from the element: the chosen one stands as given.
      return { type, selected_option: given === undefined ? (el.initial_option ?? null) : { text: { type: 'plain_text', text: String(given) }, value: String(given) } };
    case 'static_select':
    case 'radio_buttons':
      return { type, selected_option: given === undefined ? (el.initial_option ?? null) : optionByValue(el, String(given)) };
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return { type, selected_options: given === undefined ? (el.initial_options ?? []) : [].concat(given).map((v) => optionByValue(el, String(v))) };
    case 'users_select':
      return { type, selected_user: given ?? el.initial_user ?? null };
    case 'multi_users_select':
      return { type, selected_users: given === undefined ? (el.initial_users ?? []) : [].concat(given) };
    case 'conversations_select':
      return { type, selected_conversation: given ?? el.initial_conversation ?? null };
    case 'channels_select':
      return { type, selected_channel: given ?? el.initial_channel ?? null };
    case 'datepicker':
      return { type, selected_date: given ?? el.initial_date ?? null };
    case 'timepicker':
      return { type, selected_time: given ?? el.initial_time ?? null };
    default:
      return { type, value: given ?? el.initial_value ?? null };
  }
}

function hasValue(entry: Record<string, any>): boolean {
  return Object.entries(entry).some(([k, v]) => k !== 'type' && v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0) && v !== '');
}

/**
 * state.values for the stateful elements of a block list. `given` is {block_id: {action_id: value}} where a
 * value is either Slack's own entry object or a shorthand (string for text inputs / option values / user ids).
 * With `enforceRequired`, a required input without a value throws: Slack's client would not submit the form.
 */
export function buildStateValues(
  blocks: any[] | undefined, given: Record<string, Record<string, any>> = {}, enforceRequired = false,
): Record<string, Record<string, any>> {
  const stateful: { block: any; blockId: string; el: any }[] = [];
  (blocks ?? []).forEach((block, i) => {
    const blockId = blockIdOf(block, i);
    const elements = block?.type === 'input' ? [block.element] : block?.type === 'actions' ? block.elements ?? [] : [];
    for (const el of elements) {
      if (el?.action_id && el.type !== 'button' && el.type !== 'overflow') stateful.push({ block, blockId, el });
    }
  });
  for (const [blockId, byAction] of Object.entries(given)) {
    for (const actionId of Object.keys(byAction)) {
      if (!stateful.some((s) => s.blockId === blockId && s.el.action_id === actionId)) {
        throw new Error(`driver: the view has no input "${blockId}/${actionId}"`);
      }
    }
  }
  const values: Record<string, Record<string, any>> = {};
  for (const { block, blockId, el } of stateful) {
    const entry = stateEntry(el, given[blockId]?.[el.action_id]);
    if (enforceRequired && block.type === 'input' && block.optional !== true && !hasValue(entry)) {
      throw new Error(`driver: required input "${blockId}/${el.action_id}" has no value — Slack would not let the user submit`);
    }
    (values[blockId] ??= {})[el.action_id] = entry;
  }
  return values;
}
