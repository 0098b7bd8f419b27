import { chatRequester } from '../../domain/customer.js';
import { CHAT_CHANNEL } from '../../domain/intake-channel.js';
import { isPleasantry } from '../../domain/pleasantry.js';
import type { Ticket } from '../../domain/ticket.js';
import type { IntakeChannel } from '../../store/channel-store.js';
import { appendMessage } from '../append-message.js';
import { survivor } from '../survivor.js';
import type { IngestDeps } from '../ingest-deps.js';
import type { InboundMessage } from '../inbound-message.js';
import type { CustomerPort } from '../ports.js';
import { plainToSlackText, subjectFrom } from '../slack-text.js';

export interface ChatIngestDeps extends IngestDeps {
  customers: CustomerPort;
}

/** A message a visitor sent from the widget. */
export interface ChatMessage {
  visitorKey: string;
  /** The widget's own id of the message: sent again (a reconnect, the HTTP fallback), it is the same message. */
  clientId: string;
  text: string;
  /** The page they were on. */
  page: string | null;
  email: string | null;
}

/** The stored ts of a visitor's message: unique per visitor and widget id. */
export const chatMessageTs = (visitorKey: string, clientId: string): string => `v:${visitorKey}:${clientId}`;

/**
 * A visitor's message opens a ticket (origin chat, the page they were on) or joins their conversation's ticket,
 * which the visitor key names (or the ticket it was merged into); a message id stored before is the same message.
 */
export async function ingestChatMessage(message: ChatMessage, intake: IntakeChannel, deps: ChatIngestDeps): Promise<{ kind: 'created' | 'appended' | 'repeat'; ticket: Ticket }> {
  const ts = chatMessageTs(message.visitorKey, message.clientId);
  const stored = await deps.tickets.messageByTs(CHAT_CHANNEL, ts);
  if (stored) return { kind: 'repeat', ticket: (await deps.tickets.byId(stored.ticketId))! };
  const requesterId = chatRequester(message.visitorKey);
  // A conversation merged into another ticket goes on there.
  const opened = await deps.tickets.byOrigin(CHAT_CHANNEL, message.visitorKey);
  const existing = opened && (await survivor(opened, deps));
  const sentAt = deps.clock.now();
  const text = plainToSlackText(message.text);
  // Every chat message names its visitor in threadTs: the widget reads their conversation by it.
  const inbound: InboundMessage = { teamId: intake.teamId, channelId: CHAT_CHANNEL, isDirectMessage: false, ts, threadTs: message.visitorKey, userId: requesterId, userTeamId: null, text, files: [], sentAt };
  if (existing) {
    const appended = await appendMessage(existing.id, inbound, 'requester', intake.pleasantryFilter && isPleasantry(message.text), deps);
    return appended ? { kind: 'appended', ticket: appended.ticket } : { kind: 'repeat', ticket: existing };
  }
  const customerId = await deps.customers.identify(intake.teamId, 'chat', message.visitorKey, null, sentAt);
  if (message.email) await deps.customers.link(customerId, intake.teamId, 'email', message.email);
  const outcome = await deps.tickets.open({
    ticket: {
      teamId: intake.teamId,
      subject: subjectFrom(text, '(chat)'),
      requesterId,
      requesterTeamId: null,
      originChannelId: CHAT_CHANNEL,
      originTs: message.visitorKey,
      originKind: 'chat',
      originSource: message.page ? message.page.slice(0, 320) : null,
      customerId,
      triageChannelId: intake.triageChannelId,
      source: 'chat',
      createdAt: sentAt,
    },
    message: { channelId: CHAT_CHANNEL, ts, threadTs: message.visitorKey, userId: requesterId, authorRole: 'requester', visibility: 'public', text, files: [], sentAt },
    openedBy: requesterId,
    deliveries: (t, m) => deps.show?.created(t, m) ?? [],
  });
  if (outcome.kind === 'created') return { kind: 'created', ticket: outcome.ticket };
  return ingestChatMessage(message, intake, deps); // opened a moment before by a racing request: join it
}
