import type { Ticket } from '../../domain/ticket.js';
import { channelNameOf } from '../../domain/intake-channel.js';
import { signedHeaders } from '../../ingest/api/signature.js';
import { slackToPlain } from '../../ingest/slack-text.js';
import type { ChannelStore } from '../../store/channel-store.js';
import { PermanentDeliveryError } from '../delivery-errors.js';

export interface WebhookReplyInput {
  ticket: Ticket;
  /** The delivery's id: the reply's message_id is made of it, so a retry of the same delivery is recognisable. */
  deliveryId: number;
  /** What the agent typed (Slack mrkdwn), or the automatic reply's text. */
  text: string;
  /** The agent's name, or null for an automatic reply. */
  agentName: string | null;
  automatic: boolean;
}

export interface WebhookDeps {
  channels: Pick<ChannelStore, 'intake'>;
  /** THREADDESK_API_SECRET: our webhooks are signed like the requests we take. */
  secret: string | null;
  now: () => number;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** The message id our reply is known by: the same on every attempt of one delivery. */
export const webhookMessageId = (deliveryId: number): string => `td-reply-${deliveryId}`;

/**
 * POSTs an agent's reply on an intake API ticket to its source's reply URL, signed (X-Threaddesk-Signature over
 * the raw body, as the source signs its requests), as JSON:
 * `{ ticket, source, conversation_id, message_id, text, agent, automatic, sent_at }`. A retry of the same
 * delivery sends the same `message_id` (and X-Threaddesk-Delivery), so the receiver can tell a repeat.
 * 2xx: delivered. 408, 429, 5xx, a timeout or no answer: thrown to be tried again with backoff. Any other 4xx:
 * refused for good (PermanentDeliveryError), shown on the ticket and to the agent. Returns the message id.
 */
export async function webhookReply(input: WebhookReplyInput, deps: WebhookDeps): Promise<string> {
  const { ticket } = input;
  if (!deps.secret) throw new PermanentDeliveryError('THREADDESK_API_SECRET is not set: replies to API tickets cannot be signed');
  const intake = await deps.channels.intake(ticket.originChannelId);
  if (!intake?.replyUrl) throw new PermanentDeliveryError(`${ticket.originChannelId} has no reply URL: /helpdesk connect api ${channelNameOf(ticket.originChannelId)} #triage REPLY_URL`);
  const messageId = webhookMessageId(input.deliveryId);
  const body = JSON.stringify({
    ticket: ticket.number,
    source: channelNameOf(ticket.originChannelId),
    conversation_id: ticket.originTs,
    message_id: messageId,
    text: slackToPlain(input.text),
    agent: input.agentName === null ? null : { name: input.agentName },
    automatic: input.automatic,
    sent_at: new Date(deps.now()).toISOString(),
  });
  let response: Response;
  try {
    response = await (deps.fetch ?? fetch)(intake.replyUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'threaddesk', 'x-threaddesk-delivery': String(input.deliveryId), ...signedHeaders(deps.secret, body, deps.now()) },
      body,
      signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
      redirect: 'manual',
    });
  } catch (err) {
    throw new Error(`the reply URL did not answer: ${(err as Error).message}`, { cause: err });
  }
  await response.arrayBuffer().catch(() => undefined); // read to the end: the connection can be reused
  if (response.ok) return messageId;
  const { status } = response;
  if (status === 408 || status === 429 || status >= 500) throw new Error(`the reply URL answered ${status}; tried again later`);
  throw new PermanentDeliveryError(`the reply URL refused it (HTTP ${status})`);
}
