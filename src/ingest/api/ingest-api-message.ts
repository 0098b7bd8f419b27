import { emailRequester, externalRequester } from '../../domain/customer.js';
import { apiChannel } from '../../domain/intake-channel.js';
import { isPleasantry } from '../../domain/pleasantry.js';
import type { Ticket } from '../../domain/ticket.js';
import type { IntakeChannel } from '../../store/channel-store.js';
import { appendMessage } from '../append-message.js';
import type { IngestDeps } from '../ingest-deps.js';
import type { InboundMessage } from '../inbound-message.js';
import type { CustomerPort } from '../ports.js';
import { plainToSlackText, subjectFrom } from '../slack-text.js';
import type { ApiMessage } from './api-message.js';
import { survivor } from '../survivor.js';

export interface ApiIngestDeps extends IngestDeps {
  customers: CustomerPort;
}

/** What became of a message: a new ticket, a message on its conversation's ticket, or one stored before. */
export type ApiIngestResult = { kind: 'created' | 'appended' | 'repeat'; ticket: Ticket };

/**
 * A message from an intake API source becomes a ticket, or joins the ticket of its conversation
 * (`conversation_id`, the source's own key, is the ticket's conversation key). A `message_id` stored before is
 * the same message: nothing changes, and the caller learns its ticket again. The customer is known by the
 * source's id for them and by their email address, so a customer who also mails in is one customer.
 */
export async function ingestApiMessage(message: ApiMessage, intake: IntakeChannel, deps: ApiIngestDeps): Promise<ApiIngestResult> {
  const channelId = apiChannel(message.source);
  const repeat = await storedTicket(channelId, message.messageId, deps);
  if (repeat) return { kind: 'repeat', ticket: repeat };

  const requesterId = message.customer.email ? emailRequester(message.customer.email) : externalRequester(message.source, message.customer.id!);
  const existing = await deps.tickets.byOrigin(channelId, message.conversationId);
  const ticket = existing && (await survivor(existing, deps));
  const inbound: InboundMessage = {
    teamId: intake.teamId,
    channelId,
    isDirectMessage: false,
    ts: message.messageId,
    threadTs: existing?.originTs ?? null, // its own conversation, even merged into another ticket (reply-target.ts)
    userId: requesterId,
    userTeamId: null,
    text: plainToSlackText(message.text),
    files: [],
    sentAt: sentAt(message, deps),
  };

  if (ticket) {
    const pleasantry = intake.pleasantryFilter && isPleasantry(message.text);
    const appended = await appendMessage(ticket.id, inbound, 'requester', pleasantry, deps);
    if (appended) return { kind: 'appended', ticket: appended.ticket };
    return { kind: 'repeat', ticket: (await storedTicket(channelId, message.messageId, deps)) ?? ticket };
  }

  const customerId = await identify(message, intake.teamId, deps);
  const outcome = await deps.tickets.open({
    ticket: {
      teamId: intake.teamId,
      subject: subjectFrom(plainToSlackText(message.subject ?? message.text), '(no subject)'),
      requesterId,
      requesterTeamId: null,
      originChannelId: channelId,
      originTs: message.conversationId,
      originKind: 'api',
      originSource: message.source,
      customerId,
      triageChannelId: intake.triageChannelId,
      source: 'api',
      createdAt: inbound.sentAt!,
    },
    message: { channelId, ts: inbound.ts, threadTs: null, userId: requesterId, authorRole: 'requester', visibility: 'public', text: inbound.text, files: [], sentAt: inbound.sentAt! },
    openedBy: requesterId,
    deliveries: (t, m) => deps.show?.created(t, m) ?? [],
  });
  if (outcome.kind === 'created') return { kind: 'created', ticket: outcome.ticket };
  // Another request of the same conversation opened it a moment before (another instance): join it.
  const opened = await deps.tickets.byOrigin(channelId, message.conversationId);
  if (!opened) throw new Error('the conversation\'s ticket was neither opened nor found');
  return ingestApiMessage(message, intake, deps);
}

/**
 * The customer: by the source's id for them and by email address, one record with both identities. Looked up
 * first (reads); only an identity nobody has yet is written.
 */
async function identify(message: ApiMessage, teamId: string, deps: ApiIngestDeps): Promise<number> {
  const { id, email, name } = message.customer;
  const identities = [...(id !== null ? [{ kind: 'external' as const, value: `${message.source}:${id}` }] : []), ...(email !== null ? [{ kind: 'email' as const, value: email }] : [])];
  let customerId: number | null = null;
  const unknown: typeof identities = [];
  for (const identity of identities) {
    const found = await deps.customers.find(teamId, identity.kind, identity.value);
    if (found === null) unknown.push(identity);
    else customerId ??= found;
  }
  if (customerId === null) {
    const first = unknown.shift()!;
    customerId = await deps.customers.identify(teamId, first.kind, first.value, name, deps.clock.now());
  }
  for (const identity of unknown) await deps.customers.link(customerId, teamId, identity.kind, identity.value);
  return customerId;
}

async function storedTicket(channelId: string, messageId: string, deps: IngestDeps): Promise<Ticket | null> {
  const stored = await deps.tickets.messageByTs(channelId, messageId);
  return stored ? survivor((await deps.tickets.byId(stored.ticketId))!, deps) : null;
}

/** The caller's time when it is in the past (a form queued for a while), else the arrival: never the future. */
function sentAt(message: ApiMessage, deps: IngestDeps): number {
  const arrived = deps.clock.now();
  return message.sentAt !== null && message.sentAt < arrived ? message.sentAt : arrived;
}
