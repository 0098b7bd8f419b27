import type { Ticket } from '../../domain/ticket.js';
import { REPLY_INPUT, VIEWS } from '../ids.js';
import { inertMrkdwn, truncate } from '../slack-text.js';
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
    `Requester: <@${ticket.requesterId}> · Origin: <#${ticket.originChannelId}>${ticket.originPermalink ? ` (<${ticket.originPermalink}|message>)` : ''}`,
    `Tags: ${ticket.tags.length > 0 ? ticket.tags.map(inertMrkdwn).join(', ') : '—'}`,
  ].join('\n');
}

/** The Reply modal: the text goes to the requester in the origin thread. */
export function buildReplyModal(ticket: Ticket, initialText = ''): object {
  return {
    type: 'modal',
    callback_id: VIEWS.replyModal,
    private_metadata: JSON.stringify({ ticketId: ticket.id }),
    title: { type: 'plain_text', text: truncate(`Reply to #${ticket.number}`, LIMITS.modalTitle) },
    submit: { type: 'plain_text', text: 'Send' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: truncate(`*${inertMrkdwn(ticket.subject)}*\nThe requester <@${ticket.requesterId}> will see this reply in the origin thread.`, LIMITS.sectionText) } },
      {
        type: 'input',
        block_id: REPLY_INPUT.block,
        label: { type: 'plain_text', text: 'Reply' },
        element: { type: 'plain_text_input', action_id: REPLY_INPUT.action, multiline: true, max_length: 3000, ...(initialText ? { initial_value: initialText } : {}) },
      },
    ],
  };
}
