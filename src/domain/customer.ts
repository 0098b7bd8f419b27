// Who a requester is, whatever the channel. A Slack requester is known by their user id (U…); a customer who
// wrote by email by "email:<address>"; one known only by another tool's id (the intake API) by
// "ext:<source>:<id>". They are stored as the ticket's requester and as message authors.

/** phone: a number a shop's order gave (normalised, domain/order.ts); no requester writes from it. */
export type IdentityKind = 'slack' | 'email' | 'chat' | 'external' | 'phone';

const EMAIL = 'email:';

/** The requester id of an email address (lower-cased: addresses are compared without case). */
export const emailRequester = (address: string): string => `${EMAIL}${address.trim().toLowerCase()}`;

const EXTERNAL = 'ext:';
const CHAT = 'chat:';

/** The requester id of a chat widget visitor (by their visitor key, which is no secret). */
export const chatRequester = (visitorKey: string): string => `${CHAT}${visitorKey}`;

/** The visitor key of a chat requester id, or null for any other. */
export const chatOfRequester = (id: string | null): string | null => (id?.startsWith(CHAT) ? id.slice(CHAT.length) : null);

/** The requester id of a customer known by an intake API source's own id. */
export const externalRequester = (source: string, id: string): string => `${EXTERNAL}${source}:${id}`;

/** "<source>:<id>" of an external requester id, or null for any other. */
export const externalOfRequester = (id: string | null): string | null => (id?.startsWith(EXTERNAL) ? id.slice(EXTERNAL.length) : null);

/** The address of an email requester id, or null for a Slack user id. */
export const emailOfRequester = (id: string | null): string | null => (id?.startsWith(EMAIL) ? id.slice(EMAIL.length) : null);

/** Whether an id names a Slack user (as opposed to a customer known by another channel). */
export const isSlackUser = (id: string | null): boolean => id !== null && /^[UWB][A-Z0-9]+$/.test(id);

/** The kind and value of a requester id, as customer identities store them. */
export function identityOf(id: string): { kind: IdentityKind; value: string } {
  const email = emailOfRequester(id);
  if (email !== null) return { kind: 'email', value: email };
  const external = externalOfRequester(id);
  if (external !== null) return { kind: 'external', value: external };
  const visitor = chatOfRequester(id);
  return visitor !== null ? { kind: 'chat', value: visitor } : { kind: 'slack', value: id };
}

/** The requester id of a customer identity (the inverse of identityOf). */
export function requesterOfIdentity(kind: IdentityKind, value: string): string {
  if (kind === 'email') return emailRequester(value);
  if (kind === 'external') return `${EXTERNAL}${value}`;
  if (kind === 'chat') return `${CHAT}${value}`;
  if (kind === 'phone') return `phone:${value}`; // names no requester: a customer known by phone wrote from elsewhere
  return value;
}
