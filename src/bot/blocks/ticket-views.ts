import type { Ticket } from '../../domain/ticket.js';
import { ACTIONS, MERGE_INPUT, REPLY_AFTER, REPLY_INPUT, TEMPLATE_INPUT, VIEWS, type ReplyAfter } from '../ids.js';
import { originLabel } from './ticket-card.js';
import { inertMrkdwn, person, truncate } from '../slack-text.js';
import { LIMITS } from './limits.js';

/** One line per ticket, for /ticket list and !list. */
export function presentTicketLine(ticket: Ticket): string {
  const who = ticket.assigneeId ? `<@${ticket.assigneeId}>` : 'unassigned';
  return `*#${ticket.number}* ${inertMrkdwn(truncate(ticket.subject, 80))} · ${ticket.status} · ${ticket.priority} · ${who}`;
}

export function presentTicketList(tickets: Ticket[], filter: string): string {
  if (tickets.length === 0) return `No ${filter} tickets.`;
  return truncate(`*${tickets.length} ${filter} ticket${tickets.length === 1 ? '' : 's'}* (newest first)\n` + tickets.map(presentTicketLine).join('\n'), LIMITS.messageText);
}

/** The ephemeral answer to /ticket N and !show. */
export function presentTicket(ticket: Ticket): string {
  return [
    `*#${ticket.number} ${inertMrkdwn(ticket.subject)}*`,
    `Status: ${ticket.status} · Priority: ${ticket.priority} · Assignee: ${ticket.assigneeId ? `<@${ticket.assigneeId}>` : 'unassigned'}`,
    `Requester: ${person(ticket.requesterId)} · Origin: ${originLabel(ticket)}`,
    `Tags: ${ticket.tags.length > 0 ? ticket.tags.map(inertMrkdwn).join(', ') : '—'}`,
  ].join('\n');
}

export interface ReplyModalState {
  /** Whether the workspace has templates (the picker searches them all). */
  templates: boolean;
  /** Text to put in the box (a rendered template). */
  text?: string;
  selected?: string;
  /** Bumped whenever `text` must replace what is in the box. */
  version?: number;
  /** A note above the box, e.g. which snippets a chosen template is missing. */
  notice?: string;
  /** Suggested replies (Suggest), best first; the chosen one is in the box, the others one click away. */
  suggestions?: { preview: string; label: string; chosen: boolean }[];
  /** The id of the suggestion in the box (so that sending it teaches the ranking). */
  picked?: string;
}

const AFTER_OPTIONS: { value: ReplyAfter; text: string }[] = [
  { value: 'nothing', text: 'Send' },
  { value: 'pending', text: 'Send and set pending (waiting for the customer)' },
  { value: 'close', text: 'Send and close' },
];

/** The Reply modal: the text goes to the requester in the origin thread; a template can fill the box. */
export const templateOption = (name: string) => ({ text: { type: 'plain_text', text: truncate(name, 75) }, value: name });

export function buildReplyModal(ticket: Ticket, state: ReplyModalState = { templates: false }): object {
  const option = (value: string, text: string) => ({ text: { type: 'plain_text', text: truncate(text, 75) }, value });
  // An external select: Slack asks for options as the agent types, so every template can be found.
  const picker = !state.templates ? [] : [
    {
      type: 'actions',
      block_id: 'reply_template',
      elements: [
        {
          type: 'external_select',
          action_id: ACTIONS.templatePick,
          min_query_length: 0,
          placeholder: { type: 'plain_text', text: 'Fill in from a template…' },
          ...(state.selected ? { initial_option: templateOption(state.selected) } : {}),
        },
      ],
    },
  ];
  const notice = state.notice ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(state.notice, 2000) }] }] : [];
  const suggestions = (state.suggestions ?? []).map((s, i) => ({
    type: 'section',
    block_id: `reply_suggestion_${i}`,
    text: { type: 'mrkdwn', text: truncate(`*${i + 1}. ${s.label}*${s.chosen ? ' · in the box' : ''}\n${inertMrkdwn(truncate(s.preview, 280))}`, LIMITS.sectionText) },
    ...(s.chosen ? {} : { accessory: { type: 'button', action_id: ACTIONS.suggestionPick, text: { type: 'plain_text', text: 'Use this one' }, value: String(i) } }),
  }));
  const suggested = suggestions.length > 0 ? [{ type: 'header', text: { type: 'plain_text', text: 'Suggested replies' } }, ...suggestions, { type: 'divider' }] : [];
  return {
    type: 'modal',
    callback_id: VIEWS.replyModal,
    notify_on_close: true, // so that closing it ends the "is replying" note on the card
    private_metadata: JSON.stringify({ ticketId: ticket.id, version: state.version ?? 0, ...(state.picked ? { picked: state.picked } : {}), ...(state.selected && state.text ? { template: state.selected } : {}) }),
    title: { type: 'plain_text', text: truncate(`Reply to #${ticket.number}`, LIMITS.modalTitle) },
    submit: { type: 'plain_text', text: 'Send' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: truncate(`*${inertMrkdwn(ticket.subject)}*\nThe requester ${person(ticket.requesterId)} will see this reply ${ticket.originKind === 'email' ? 'by email' : 'in the origin thread'}.`, LIMITS.sectionText) } },
      ...suggested,
      ...picker,
      ...notice,
      {
        type: 'input',
        block_id: `${REPLY_INPUT.block}_${state.version ?? 0}`,
        label: { type: 'plain_text', text: 'Reply' },
        element: { type: 'plain_text_input', action_id: REPLY_INPUT.action, multiline: true, max_length: 3000, ...(state.text ? { initial_value: truncate(state.text, 3000) } : {}) },
      },
      {
        type: 'input',
        block_id: REPLY_AFTER.block,
        label: { type: 'plain_text', text: 'Then' },
        element: {
          type: 'radio_buttons',
          action_id: REPLY_AFTER.action,
          options: AFTER_OPTIONS.map((o) => option(o.value, o.text)),
          initial_option: option(AFTER_OPTIONS[0]!.value, AFTER_OPTIONS[0]!.text),
        },
      },
    ],
  };
}

/** The template editor: the text is checked when saved, and the snippets it uses are listed. */
export function buildTemplateEditor(name: string, body: string, op: 'add' | 'edit'): object {
  return {
    type: 'modal',
    callback_id: VIEWS.templateEditor,
    private_metadata: JSON.stringify({ name, op }),
    title: { type: 'plain_text', text: truncate(`Template ${name}`, LIMITS.modalTitle) },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: TEMPLATE_INPUT.block,
        label: { type: 'plain_text', text: 'Text (mustache)' },
        hint: { type: 'plain_text', text: 'Snippets: {{customer.first_name}}, {{customer.name}}, {{customer.email}}, {{ticket.number}}, {{ticket.subject}}, {{agent.name}}, {{agent.first_name}}, {{channel.name}}, and ticket fields such as {{order.number}}. {{#x}}…{{/x}} is shown only when x has a value.' },
        element: { type: 'plain_text_input', action_id: TEMPLATE_INPUT.action, multiline: true, max_length: 3000, ...(body ? { initial_value: body } : {}) },
      },
    ],
  };
}

/** What the editor shows once a template is saved. */
export function buildTemplateSaved(name: string, snippets: string[]): object {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: 'Template saved' },
    close: { type: 'plain_text', text: 'Done' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: truncate(`:white_check_mark: \`${name}\` is saved.${snippets.length > 0 ? ` It uses ${snippets.map((s) => `\`${s}\``).join(', ')}.` : ''}\nSend it with \`!template ${name}\` in a ticket's thread, or pick it in the Reply modal.`, LIMITS.sectionText) } },
    ],
  };
}

/** Asks which ticket a duplicate should be merged into. */
export function buildMergeModal(ticket: Ticket): object {
  return {
    type: 'modal',
    callback_id: VIEWS.mergeModal,
    private_metadata: JSON.stringify({ ticketId: ticket.id }),
    title: { type: 'plain_text', text: truncate(`Merge #${ticket.number}`, LIMITS.modalTitle) },
    submit: { type: 'plain_text', text: 'Merge' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: truncate(`#${ticket.number} *${inertMrkdwn(ticket.subject)}* is a duplicate: its messages move to the ticket you name, and it closes.`, LIMITS.sectionText) } },
      {
        type: 'input',
        block_id: MERGE_INPUT.block,
        label: { type: 'plain_text', text: 'Merge into ticket number' },
        element: { type: 'plain_text_input', action_id: MERGE_INPUT.action, max_length: 10, placeholder: { type: 'plain_text', text: 'e.g. 41' } },
      },
    ],
  };
}

/** Asks for the ticket fields a template needs, then sends it. Block ids carry the field names. */
export function buildFieldsModal(ticket: Ticket, template: string, extra: string, fields: string[]): object {
  return {
    type: 'modal',
    callback_id: VIEWS.templateFields,
    // private_metadata holds at most 3,000 characters: the agent's extra words are cut to fit.
    private_metadata: JSON.stringify({ ticketId: ticket.id, template, extra: Array.from(extra).slice(0, 2500).join('') }),
    title: { type: 'plain_text', text: truncate(`Reply to #${ticket.number}`, LIMITS.modalTitle) },
    submit: { type: 'plain_text', text: 'Set and send' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: truncate(`Template \`${template}\` needs ${fields.length === 1 ? 'this field' : 'these fields'} of #${ticket.number}. They are saved on the ticket, then the reply is sent.`, LIMITS.sectionText) } },
      ...fields.slice(0, 20).map((field) => ({
        type: 'input',
        block_id: `${FIELD_BLOCK_PREFIX}${field}`,
        label: { type: 'plain_text', text: truncate(field, 2000) },
        element: { type: 'plain_text_input', action_id: 'value', max_length: 500 },
      })),
    ],
  };
}

export const FIELD_BLOCK_PREFIX = 'field:';
