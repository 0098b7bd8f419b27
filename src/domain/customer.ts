// Who a requester is, whatever the channel. A Slack requester is known by their user id (U…); a customer who
// wrote by email by "email:<address>". Both are stored as the ticket's requester and as message authors.

export type IdentityKind = 'slack' | 'email' | 'chat' | 'external';

const EMAIL = 'email:';

/** The requester id of an email address (lower-cased: addresses are compared without case). */
export const emailRequester = (address: string): string => `${EMAIL}${address.trim().toLowerCase()}`;

/** The address of an email requester id, or null for a Slack user id. */
export const emailOfRequester = (id: string | null): string | null => (id?.startsWith(EMAIL) ? id.slice(EMAIL.length) : null);

/** Whether an id names a Slack user (as opposed to a customer known by another channel). */
export const isSlackUser = (id: string | null): boolean => id !== null && /^[UWB][A-Z0-9]+$/.test(id);

/** The kind and value of a requester id, as customer identities store them. */
export function identityOf(id: string): { kind: IdentityKind; value: string } {
  const email = emailOfRequester(id);
  return email !== null ? { kind: 'email', value: email } : { kind: 'slack', value: id };
}
