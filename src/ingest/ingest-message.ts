import { isPleasantry } from '../domain/pleasantry.js';
import type { Ticket, TicketMessage } from '../domain/ticket.js';
import type { IntakeChannel } from '../store/channel-store.js';
import { survivor } from './survivor.js';
import { appendMessage, type AppendedMessage } from './append-message.js';
import type { IngestDeps } from './ingest-deps.js';
import { isThreadReply, type InboundMessage } from './inbound-message.js';
import { openTicket } from './open-ticket.js';
import { tsToMillis } from './slack-ts.js';

export type IngestResult =
  | { kind: 'created'; ticket: Ticket; message: TicketMessage }
  | ({ kind: 'appended' } & AppendedMessage)
  | { kind: 'ignored'; reason: string };

/** Rules for direct messages to the app: a DM conversation is one ticket while that ticket is active. */
const DIRECT_MESSAGE_RULES = { pleasantryFilter: true, burstWindowSeconds: Number.POSITIVE_INFINITY, ackTemplate: null, csatEnabled: true, csatDelayMinutes: 0 };

/**
 * A human's message in an intake channel, a DM to the app, or an origin thread becomes ticket changes:
 * a new ticket, a follow-up joined to the requester's active ticket, a reply appended, or nothing.
 * The outcome depends on earlier messages, so callers run it in order per requester and per thread
 * (`ingestOrderKeys`).
 */
export async function ingestMessage(message: InboundMessage, deps: IngestDeps): Promise<IngestResult> {
  return isThreadReply(message) ? ingestThreadReply(message, deps) : ingestTopLevel(message, deps);
}

/**
 * The keys under which a message must be processed in arrival order: a thread reply after its thread's first
 * message; a top-level message after the same requester's previous one in that channel.
 */
export function ingestOrderKeys(message: InboundMessage): string[] {
  if (isThreadReply(message)) return [`${message.channelId}:${message.threadTs}`];
  return [`${message.channelId}:${message.userId}`, `${message.channelId}:${message.ts}`];
}

async function ingestTopLevel(message: InboundMessage, deps: IngestDeps): Promise<IngestResult> {
  const intake = message.isDirectMessage ? await directMessageIntake(message, deps) : await deps.channels.intake(message.channelId);
  if (!intake) return { kind: 'ignored', reason: message.isDirectMessage ? 'no triage channel configured' : 'not an intake channel' };
  if (!message.isDirectMessage && (await deps.isAgent(message.userId, intake.triageChannelId))) {
    return { kind: 'ignored', reason: 'top-level message from an agent' };
  }

  const pleasantry = intake.pleasantryFilter && message.files.length === 0 && isPleasantry(message.text);
  if (intake.burstWindowSeconds > 0) {
    const since = tsToMillis(message.ts) - intake.burstWindowSeconds * 1000;
    const active = await deps.tickets.recentActiveTicket(message.channelId, message.userId, Number.isFinite(since) ? since : 0);
    if (active) return appended(await appendMessage(active.id, message, 'requester', pleasantry, deps));
  }
  if (pleasantry) return { kind: 'ignored', reason: 'pleasantry' };

  const opened = await openTicket(
    { message, triageChannelId: intake.triageChannelId, source: message.isDirectMessage ? 'dm' : 'message', openedBy: null },
    deps,
  );
  return opened.kind === 'created' ? opened : { kind: 'ignored', reason: 'duplicate delivery' };
}

async function ingestThreadReply(message: InboundMessage, deps: IngestDeps): Promise<IngestResult> {
  const origin = await deps.tickets.byOrigin(message.channelId, message.threadTs!);
  if (!origin) return { kind: 'ignored', reason: 'not a ticket thread' };
  // A duplicate's thread lives on in the ticket it was merged into.
  const ticket = await survivor(origin, deps);
  // The requester is always the requester, even when they also happen to be an agent.
  const role = message.userId !== ticket.requesterId && (await deps.isAgent(message.userId, ticket.triageChannelId)) ? 'agent' : 'requester';
  const intake = await deps.channels.intake(message.channelId);
  const pleasantry = (intake?.pleasantryFilter ?? true) && message.files.length === 0 && isPleasantry(message.text);
  return appended(await appendMessage(ticket.id, message, role, pleasantry, deps));
}

async function directMessageIntake(message: InboundMessage, deps: IngestDeps): Promise<IntakeChannel | null> {
  const triage = await deps.channels.defaultTriage(message.teamId);
  return triage ? { channelId: message.channelId, teamId: message.teamId, triageChannelId: triage, replyUrl: null, ...DIRECT_MESSAGE_RULES } : null;
}

function appended(result: AppendedMessage | null): IngestResult {
  return result ? { kind: 'appended', ...result } : { kind: 'ignored', reason: 'duplicate delivery' };
}
