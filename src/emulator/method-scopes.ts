/**
 * The OAuth scopes Slack requires of a bot token for each Web API method the emulator implements, taken from
 * Slack's method reference (the "Scopes → Bot token" fact of https://docs.slack.dev/reference/methods/<method>,
 * e.g. https://docs.slack.dev/reference/methods/conversations.history) and the scope pages
 * (https://docs.slack.dev/reference/scopes). A call whose token lacks a required scope is answered HTTP 200
 * `{ok:false, error:'missing_scope', needed, provided}`, as Slack does.
 *
 * Conversations API methods need the scope of the conversation's type: channels:* for public channels, groups:*
 * for private ones, im:* for DMs, mpim:* for group DMs ("this method's required scopes depend on the type of
 * channel-like object you're working with").
 *
 * The `email` field of a user's profile is not a method requirement: users.info/users.list return it only to a
 * token with users:read.email (https://docs.slack.dev/reference/scopes/users.read.email); web-api-methods.ts
 * leaves it out otherwise.
 */

export type ConversationKind = 'public' | 'private' | 'im' | 'mpim';
type ByKind = Readonly<Record<ConversationKind, string>>;

const READ: ByKind = { public: 'channels:read', private: 'groups:read', im: 'im:read', mpim: 'mpim:read' };
const HISTORY: ByKind = { public: 'channels:history', private: 'groups:history', im: 'im:history', mpim: 'mpim:history' };
/** conversations.open: resuming a conversation by `channel`, or opening a DM (one user) / group DM (several). */
const OPEN: ByKind = { public: 'channels:manage', private: 'groups:write', im: 'im:write', mpim: 'mpim:write' };

/** What one call needs: every scope of `allOf`, or (the conversation is unknown) at least one scope of `anyOf`. */
export type Requirement = { allOf: string[] } | { anyOf: string[] };

export interface MethodScopes {
  /** Which token the method takes: the bot token, or the app-level token (xapp-). */
  token: 'bot' | 'app';
  /** Every scope that can satisfy the method (Slack's `x-accepted-oauth-scopes` header). */
  accepted: readonly string[];
  /** What this particular call needs; `kindOf` tells a conversation's type (undefined when there is no such conversation). */
  requirement(args: Record<string, any>, kindOf: (channel: string) => ConversationKind | undefined): Requirement;
}

function fixed(...scopes: string[]): MethodScopes {
  return { token: 'bot', accepted: scopes, requirement: () => ({ allOf: scopes }) };
}

/** The scope matching the type of the conversation named by `channel`. */
function byConversation(scopes: ByKind): MethodScopes {
  const accepted = Object.values(scopes);
  return {
    token: 'bot',
    accepted,
    requirement: (args, kindOf) => {
      const kind = typeof args.channel === 'string' ? kindOf(args.channel) : undefined;
      // An unknown conversation: any one of the scopes lets the method answer (channel_not_found).
      return kind ? { allOf: [scopes[kind]] } : { anyOf: accepted };
    },
  };
}

const LIST_TYPES: Readonly<Record<string, ConversationKind>> = { public_channel: 'public', private_channel: 'private', im: 'im', mpim: 'mpim' };

export const METHOD_SCOPES: Readonly<Record<string, MethodScopes>> = {
  'auth.test': fixed(),
  // App-level token (Socket Mode).
  'apps.connections.open': { token: 'app', accepted: ['connections:write'], requirement: () => ({ allOf: ['connections:write'] }) },

  'chat.postMessage': fixed('chat:write'),
  'chat.update': fixed('chat:write'),
  'chat.postEphemeral': fixed('chat:write'),
  'chat.delete': fixed('chat:write'),
  'chat.getPermalink': fixed(),

  'reactions.add': fixed('reactions:write'),
  'reactions.remove': fixed('reactions:write'),

  'views.open': fixed(),
  'views.push': fixed(),
  'views.update': fixed(),
  'views.publish': fixed(),

  'users.info': fixed('users:read'),
  'users.list': fixed('users:read'),
  'users.lookupByEmail': fixed('users:read.email'),

  'conversations.info': byConversation(READ),
  'conversations.members': byConversation(READ),
  'conversations.history': byConversation(HISTORY),
  'conversations.replies': byConversation(HISTORY),
  /** One read scope per type asked for in `types` (default public_channel). */
  'conversations.list': {
    token: 'bot',
    accepted: Object.values(READ),
    requirement: (args) => {
      const types = String(args.types ?? 'public_channel').split(',').map((t) => t.trim()).filter((t) => t in LIST_TYPES);
      return { allOf: [...new Set(types.map((t) => READ[LIST_TYPES[t]]))] };
    },
  },
  'conversations.open': {
    token: 'bot',
    accepted: Object.values(OPEN),
    requirement: (args, kindOf) => {
      if (typeof args.channel === 'string' && args.channel !== '') {
        const kind = kindOf(args.channel);
        return kind ? { allOf: [OPEN[kind]] } : { anyOf: Object.values(OPEN) };
      }
      const users = String(args.users ?? '').split(',').filter((u) => u.trim() !== '');
      if (users.length === 0) return { anyOf: ['im:write', 'mpim:write'] };
      return { allOf: [users.length === 1 ? OPEN.im : OPEN.mpim] };
    },
  },
  'conversations.join': fixed('channels:join'),

  'files.getUploadURLExternal': fixed('files:write'),
  'files.completeUploadExternal': fixed('files:write'),
};

/** The scopes a call lacks (Slack's `needed`), or undefined when the token may make it. */
export function missingScopes(
  method: string, args: Record<string, any>, granted: ReadonlySet<string>, kindOf: (channel: string) => ConversationKind | undefined,
): string[] | undefined {
  const rule = METHOD_SCOPES[method];
  if (!rule) throw new Error(`method-scopes: no scope rule for ${method}; add it from Slack's method reference`);
  const req = rule.requirement(args, kindOf);
  if ('anyOf' in req) return req.anyOf.length === 0 || req.anyOf.some((s) => granted.has(s)) ? undefined : req.anyOf;
  const missing = req.allOf.filter((s) => !granted.has(s));
  return missing.length > 0 ? missing : undefined;
}
