// An intake channel's id says what kind it is: a Slack channel id (C…), "email:<mailbox address>" for a
// mailbox, "api:<source>" for a source of the intake API (a web form, a marketplace, another tool), "chat:web"
// for the chat widget on the shop's website.
import type { ChannelKind } from './ticket.js';

/** A source's name as `/helpdesk connect api` and the API take it: lower case letters, digits, - and _. */
export const API_SOURCE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const apiChannel = (source: string): string => `api:${source}`;

/** The chat widget's intake channel: its visitors' tickets (conversation key: the visitor key). */
export const CHAT_CHANNEL = 'chat:web';

export function channelKindOf(channelId: string): ChannelKind {
  if (channelId.startsWith('email:')) return 'email';
  if (channelId.startsWith('api:')) return 'api';
  if (channelId.startsWith('chat:')) return 'chat';
  return 'slack';
}

/** What follows the kind's prefix: the mailbox address, the API source (a Slack channel id as it is). */
export const channelNameOf = (channelId: string): string => channelId.slice(channelId.indexOf(':') + 1);
