import type { Ticket, TicketMessage } from '../../domain/ticket.js';
import { ACTIONS } from '../ids.js';
import { escapeMrkdwn, fileLines, inertMrkdwn, person, truncate } from '../slack-text.js';
import { LIMITS } from './limits.js';

const STATUS_LABEL: Record<Ticket['status'], string> = {
  new: ':new: New',
  open: ':large_blue_circle: Open',
  pending: ':hourglass_flowing_sand: Pending',
  solved: ':white_check_mark: Solved',
  closed: ':lock: Closed',
};

const PRIORITY_LABEL: Record<Ticket['priority'], string> = {
  low: 'Low',
  normal: 'Normal',
  high: ':arrow_up: High',
  urgent: ':rotating_light: Urgent',
};

export interface CardInput {
  ticket: Ticket;
  /** The message the ticket was opened from (shown on the card). */
  firstMessage: TicketMessage | null;
  /** Ticket fields (order.number …), set by agents; shown when there are any. */
  fields?: Record<string, string>;
  /** Agents with the Reply modal open right now. */
  replying?: string[];
  /** The SLA target due soonest, as text ("first reply by …"), or "—". */
  slaDue?: string;
  /** The order the ticket is about (ticket-order.ts), as the card shows it; null or unset: none. */
  order?: string | null;
}

/** Where the ticket came from: a Slack channel (and its message), the mailbox a mail was sent to, an API source. */
export function originLabel(ticket: Pick<Ticket, 'originKind' | 'originSource' | 'originChannelId' | 'originPermalink'>): string {
  if (ticket.originKind === 'email') {
    const mailbox = ticket.originChannelId.replace(/^email:/, '');
    return `:e-mail: Email to ${escapeMrkdwn(mailbox)}${ticket.originSource === 'amazon' ? ' · Amazon buyer message' : ''}`;
  }
  if (ticket.originKind === 'chat') return `:iphone: Chat${ticket.originSource ? ` · ${escapeMrkdwn(ticket.originSource)}` : ''}`;
  if (ticket.originKind === 'api') return `:electric_plug: API · ${escapeMrkdwn(ticket.originSource ?? ticket.originChannelId.replace(/^api:/, ''))}`;
  return ticket.originPermalink ? `<#${ticket.originChannelId}> · <${ticket.originPermalink}|message>` : `<#${ticket.originChannelId}>`;
}

function statusLabel(ticket: Ticket): string {
  if (ticket.mergedIntoId !== null) return ':link: Merged into another ticket';
  if (ticket.discarded === 'spam') return ':no_entry_sign: Spam (closed, left out of reports)';
  if (ticket.discarded === 'deleted') return ':wastebasket: Deleted by the requester (closed, left out of reports)';
  return STATUS_LABEL[ticket.status];
}

/** The channel kind and source as the contract names them (`email` · `amazon`), for the card's origin. */
function originCodes(ticket: Pick<Ticket, 'originKind' | 'originSource'>): string {
  // A chat's source is the page the visitor wrote from, already shown in the label.
  const source = ticket.originKind === 'chat' ? null : ticket.originSource;
  return [ticket.originKind, source].filter(Boolean).map((code) => `\`${inertMrkdwn(code!)}\``).join(' · ');
}

/** The ticket's card in the triage channel: everything an agent needs at a glance, and the buttons to act. */
export function buildTicketCard({ ticket, firstMessage, fields = {}, replying = [], slaDue = '—', order = null }: CardInput): { text: string; blocks: object[] } {
  const title = truncate(`#${ticket.number} ${ticket.subject}`, LIMITS.headerText);
  const origin = originLabel(ticket);
  const field = (label: string, value: string) => ({ type: 'mrkdwn', text: truncate(`*${label}*\n${value}`, LIMITS.sectionField) });
  const blocks: object[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: true } },
    {
      type: 'section',
      fields: [
        field('Requester', `${person(ticket.requesterId)}${ticket.requesterTeamId && ticket.requesterTeamId !== ticket.teamId ? ' (external)' : ''}`),
        field('Origin', `${origin}\n${originCodes(ticket)}`),
        field('Status', statusLabel(ticket)),
        field('Priority', PRIORITY_LABEL[ticket.priority]),
        field('Assignee', ticket.assigneeId ? `<@${ticket.assigneeId}>` : '_Unassigned_'),
        field('SLA due', slaDue),
        field('Tags', ticket.tags.length > 0 ? ticket.tags.map((t) => `\`${inertMrkdwn(t)}\``).join(' ') : '—'),
        ...(order ? [field('Order', order)] : []),
        ...(Object.keys(fields).length > 0 ? [field('Fields', Object.entries(fields).map(([name, value]) => `${name}: ${escapeMrkdwn(value)}`).join('\n'))] : []),
      ],
    },
  ];
  if (firstMessage) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: quoteCustomerText(firstMessage) } });
  if (replying.length > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `:writing_hand: ${replying.map((id) => `<@${id}>`).join(', ')} ${replying.length === 1 ? 'is' : 'are'} replying…` }] });
  blocks.push(cardActions(ticket));
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `Ticket #${ticket.number} · opened <!date^${Math.floor(ticket.createdAt / 1000)}^{date_short_pretty} {time}|${new Date(ticket.createdAt).toISOString()}> · via ${ticket.source}` }],
  });
  return { text: `Ticket #${ticket.number}: ${inertMrkdwn(ticket.subject)}`, blocks };
}

function quoteCustomerText(message: TicketMessage): string {
  const files = fileLines(message.files).join('\n');
  const deleted = message.deletedAt !== null ? '_(deleted by the author)_\n' : '';
  const body = [deleted + inertMrkdwn(message.text), files].filter((part) => part.length > 0).join('\n');
  return truncate(body.length > 0 ? body : '_(no text)_', LIMITS.sectionText);
}

function cardActions(ticket: Ticket): object {
  const value = String(ticket.id);
  const closeOrReopen =
    ticket.status === 'solved' || ticket.status === 'closed'
      ? { type: 'button', action_id: ACTIONS.reopen, text: { type: 'plain_text', text: 'Reopen' }, value }
      : { type: 'button', action_id: ACTIONS.close, text: { type: 'plain_text', text: 'Close' }, value, style: 'danger' };
  return {
    type: 'actions',
    block_id: `ticket_actions_${ticket.id}`,
    elements: [
      { type: 'button', action_id: ACTIONS.assignMe, text: { type: 'plain_text', text: 'Assign to me' }, value, style: 'primary' },
      {
        type: 'users_select',
        action_id: ACTIONS.assignPick,
        placeholder: { type: 'plain_text', text: 'Assign to…' },
        ...(ticket.assigneeId ? { initial_user: ticket.assigneeId } : {}),
      },
      { type: 'button', action_id: ACTIONS.reply, text: { type: 'plain_text', text: 'Reply' }, value },
      { type: 'button', action_id: ACTIONS.suggest, text: { type: 'plain_text', text: 'Suggest' }, value },
      closeOrReopen,
      { type: 'button', action_id: ACTIONS.customer, text: { type: 'plain_text', text: 'Customer' }, value },
      { type: 'button', action_id: ACTIONS.follow, text: { type: 'plain_text', text: 'Follow' }, value },
      ...(ticket.mergedIntoId === null ? [{ type: 'button', action_id: ACTIONS.merge, text: { type: 'plain_text', text: 'Merge…' }, value }] : []),
    ],
  };
}
