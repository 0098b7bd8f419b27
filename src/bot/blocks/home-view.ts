import type { Ticket } from '../../domain/ticket.js';
import { escapeMrkdwn, truncate } from '../slack-text.js';
import { LIMITS } from './limits.js';

export interface HomeInput {
  mine: Ticket[];
  unassigned: Ticket[];
  waiting: Ticket[];
  today: { created: number; solved: number; active: number };
  /** Card permalinks by ticket id. */
  links: Map<number, string>;
  now: number;
  /** The team's zone: where "today" starts. */
  timeZone: string;
  /** Slack deliveries given up on (a permanent error): how many, and the latest few described. */
  failedDeliveries?: { count: number; latest: string[] };
}

const ago = (since: number, now: number) => {
  const minutes = Math.max(0, Math.round((now - since) / 60_000));
  return minutes < 60 ? `${minutes} min` : minutes < 48 * 60 ? `${Math.round(minutes / 60)} h` : `${Math.round(minutes / 1440)} d`;
};

/** The agent's Home tab: their tickets, the queue, who waits longest, and the team's day. */
export function buildHomeView(input: HomeInput): object {
  const line = (t: Ticket, extra: string) => {
    const title = `#${t.number} ${escapeMrkdwn(truncate(t.subject, 70))}`;
    const link = input.links.get(t.id);
    return `• ${link ? `<${link}|${title}>` : title} · ${t.status}${extra}`;
  };
  const section = (heading: string, tickets: Ticket[], extra: (t: Ticket) => string, empty: string) => [
    { type: 'header', text: { type: 'plain_text', text: heading } },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(tickets.length > 0 ? tickets.map((t) => line(t, extra(t))).join('\n') : `_${empty}_`, LIMITS.sectionText) } },
  ];
  const failed = input.failedDeliveries;
  const warning = failed && failed.count > 0
    ? [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: truncate(`:warning: *${failed.count} Slack ${failed.count === 1 ? 'post' : 'posts'} could not be delivered* (Slack refused them for good; is the app still in those channels?). Latest: ${failed.latest.join('; ')}`, LIMITS.sectionText),
          },
        },
        { type: 'divider' },
      ]
    : [];
  return {
    type: 'home',
    blocks: [
      ...warning,
      { type: 'header', text: { type: 'plain_text', text: `Today (${input.timeZone})` } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Opened*\n${input.today.created}` },
          { type: 'mrkdwn', text: `*Solved*\n${input.today.solved}` },
          { type: 'mrkdwn', text: `*Open now*\n${input.today.active}` },
        ],
      },
      { type: 'divider' },
      ...section('Your open tickets', input.mine, (t) => ` · ${t.priority}`, 'Nothing assigned to you.'),
      ...section('Unassigned', input.unassigned, (t) => ` · waiting ${ago(t.lastRequesterMessageAt, input.now)}`, 'The queue is empty.'),
      ...section('Waiting longest', input.waiting, (t) => ` · ${ago(t.lastRequesterMessageAt, input.now)}${t.assigneeId ? ` · <@${t.assigneeId}>` : ''}`, 'Nobody is waiting.'),
    ],
  };
}

/** What someone who is not an agent sees in the app's Home tab. */
export function buildRequesterHomeView(): object {
  return {
    type: 'home',
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: '*Need help?* Write in a help channel, or send me a direct message here: it becomes a ticket and the team answers in its thread.' } },
    ],
  };
}
