import { randomBytes } from 'node:crypto';

// The identifiers threaddesk mints for an email ticket, and how a reply is recognised by them. A ticket's reply
// token is 128 random bits: it is in the Reply-To address (support+<token>@shop.example) and in the Message-ID of
// every mail we send (td.<token>.<n>@shop.example), so a customer's reply names it either way. Nobody can guess
// one, so only someone who received our mail can write into its ticket.

const TOKEN = /^[a-z2-7]{26}$/;

/** A new reply token: 16 random bytes in base32 (26 characters, lower case: safe in an address's local part). */
export function mintReplyToken(): string {
  const bytes = randomBytes(16);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

export const isReplyToken = (value: string): boolean => TOKEN.test(value);

const split = (address: string) => {
  const at = address.lastIndexOf('@');
  return at < 0 ? { local: address, domain: '' } : { local: address.slice(0, at), domain: address.slice(at + 1) };
};

/** The domain of a mailbox address (our Message-IDs use it). */
export const domainOf = (address: string): string => split(address).domain;

/** support@shop.example + token → support+<token>@shop.example */
export function replyAddress(mailbox: string, token: string): string {
  const { local, domain } = split(mailbox);
  return `${local}+${token}@${domain}`;
}

/** The mailbox an address belongs to with any +tag removed (support+x@shop.example → support@shop.example). */
export function baseAddress(address: string): string {
  const { local, domain } = split(address.trim().toLowerCase());
  const plus = local.indexOf('+');
  return `${plus < 0 ? local : local.slice(0, plus)}@${domain}`;
}

/** The reply token in a +tag of one of our mailbox's addresses, or null. */
export function tokenOfAddress(address: string, mailbox: string): string | null {
  const lower = address.trim().toLowerCase();
  if (baseAddress(lower) !== mailbox) return null;
  const { local } = split(lower);
  const tag = local.slice(local.indexOf('+') + 1);
  return local.includes('+') && isReplyToken(tag) ? tag : null;
}

/** The Message-ID (without <>) of a mail we send for a ticket: deterministic per delivery, so a retry reuses it. */
export const ourMessageId = (token: string, deliveryId: number | string, mailbox: string): string => `td.${token}.${deliveryId}@${domainOf(mailbox)}`;

/** The reply token named by one of our Message-IDs, or null for anyone else's. */
export function tokenOfMessageId(messageId: string): string | null {
  const match = /^td\.([a-z2-7]{26})\.[^@]+@/.exec(messageId.toLowerCase());
  return match ? match[1]! : null;
}

/** `[#42]` in a subject: a ticket number, trusted only together with a sender who takes part in that ticket. */
export function subjectTicketNumber(subject: string): number | null {
  const match = /\[#(\d{1,9})\]/.exec(subject);
  return match ? Number(match[1]) : null;
}

/** The subject of our reply: "Re: <subject> [#N]", without piling up Re:s or tags. */
export function replySubject(subject: string, number: number): string {
  const bare = subject.replace(/\s*\[#\d+\]\s*/g, ' ').replace(/^\s*((re|aw|sv|fwd?|wg)\s*:\s*)+/i, '').trim();
  return `Re: ${bare || `Your request`} [#${number}]`;
}
