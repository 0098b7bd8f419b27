import type { Ticket, TicketMessage } from '../../domain/ticket.js';
import { fileLines, inertMrkdwn, person, truncate } from '../slack-text.js';
import { LIMITS } from './limits.js';
import { ACTIONS } from '../ids.js';

export interface SlackPost {
  text: string;
  blocks?: object[];
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) } });

/** A copy of an origin-side message in the triage thread. Everything the customer wrote stays inert. */
export function buildMirror(message: TicketMessage): SlackPost {
  const who = message.authorRole === 'agent' ? `:outbox_tray: ${person(message.userId)} replied in the origin thread` : `:speech_balloon: ${person(message.userId)} wrote`;
  const state = message.deletedAt !== null ? ' _(deleted)_' : message.editedAt !== null ? ' _(edited)_' : '';
  const body = [inertMrkdwn(message.text), ...fileLines(message.files)].join('\n');
  const text = truncate(`${who}${state}:\n${body}`, LIMITS.sectionText);
  return { text: truncate(`${who}: ${inertMrkdwn(message.text)}`, LIMITS.messageText), blocks: [section(text)] };
}

/** A one-line record of an action in the triage thread ("Assigned to @ana by @bo"). */
export function buildStatusLine(text: string): SlackPost {
  return { text, blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, LIMITS.sectionField) }] }] };
}

/** A public reply as the requester sees it in the origin thread. Agents' own text keeps its Slack formatting. */
export function buildPublicReply(text: string, agentName: string): SlackPost {
  return {
    text: truncate(text, LIMITS.messageText),
    blocks: [section(text), { type: 'context', elements: [{ type: 'plain_text', text: `— ${agentName}`, emoji: true }] }],
  };
}

/** What the triage thread shows after an agent's public reply was sent. */
export function buildReplySent(ticket: Ticket, agentId: string, text: string): SlackPost {
  return buildStatusLine(`:outbox_tray: <@${agentId}> replied to the requester on #${ticket.number}:\n>${inertMrkdwn(truncate(text.replace(/\n/g, ' '), 500))}`);
}

/** Learned routing's suggestion for a new ticket (its channel does not apply it by itself), with Apply. */
export function buildLearnedHint(ticket: Ticket, hint: { agentId: string | null; groupName: string | null; tags: string[] }): SlackPost {
  const parts = [
    hint.agentId ? `went to <@${hint.agentId}>${hint.groupName ? ` (group \`${inertMrkdwn(hint.groupName)}\`)` : ''}` : null,
    hint.tags.length > 0 ? `were tagged ${hint.tags.map((t) => `\`${inertMrkdwn(t)}\``).join(' ')}` : null,
  ].filter(Boolean);
  const text = `:bulb: Similar solved tickets ${parts.join(' and ')}.`;
  return {
    text,
    blocks: [
      section(text),
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: ACTIONS.learnedApply, text: { type: 'plain_text', text: 'Apply' }, value: JSON.stringify({ agent: hint.agentId, tags: hint.tags }) }],
      },
    ],
  };
}
