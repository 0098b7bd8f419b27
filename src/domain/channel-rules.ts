import type { Ticket } from './ticket.js';

/**
 * What a public reply may not contain on the ticket's channel, or null when it may go. Amazon refuses buyer
 * messages with links to other sites, email addresses or phone numbers (its Buyer-Seller Messaging rules); a reply
 * that broke them would be dropped by Amazon, so the agent hears it before it is sent.
 */
export function replyProblem(ticket: Pick<Ticket, 'originSource'>, text: string): string | null {
  if (ticket.originSource !== 'amazon') return null;
  const found = [
    /\bhttps?:\/\/|\bwww\.|<https?:/i.test(text) && 'a link',
    /[^\s@<>|]+@[^\s@<>|]+\.[a-z]{2,}/i.test(text) && 'an email address',
    /(?:\+|\b)\d[\d\s().-]{7,}\d\b/.test(text) && 'a phone number',
  ].filter(Boolean);
  return found.length > 0 ? `Not sent: Amazon does not allow ${found.join(', ')} in a message to a buyer. Take it out and send again.` : null;
}
