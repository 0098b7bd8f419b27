/**
 * The app as Slack installs it: the emulator's bot token carries exactly slack-app-manifest.yaml's bot scopes and
 * each Web API method answers missing_scope (with needed/provided, HTTP 200, x-oauth-scopes headers) when Slack's
 * method reference requires a scope the token lacks. Exercised with a real WebClient, raw HTTP and the real bot.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { WebClient, type WebAPIPlatformError } from '@slack/web-api';
import { METHOD_SCOPES, SlackEmulator } from '../../src/emulator/index.js';
import { W, useHarness, type Harness } from '../support/harness.js';

const SECRET = 'scopes-secret';
const manifestPath = fileURLToPath(new URL('../../slack-app-manifest.yaml', import.meta.url));
const MANIFEST_SCOPES: string[] = YAML.parse(readFileSync(manifestPath, 'utf8')).oauth_config.scopes.bot;
const without = (...drop: string[]): string[] => MANIFEST_SCOPES.filter((s) => !drop.includes(s));

async function platformError(p: Promise<unknown>): Promise<any> {
  const err = (await p.then(() => undefined, (e: unknown) => e)) as WebAPIPlatformError | undefined;
  expect(err?.code).toBe('slack_webapi_platform_error');
  return err!.data;
}

describe('the emulator token and the scope table', () => {
  let emu: SlackEmulator;
  let client: WebClient;

  beforeEach(async () => {
    emu = new SlackEmulator({ signingSecret: SECRET, echoBotMessages: false });
    await emu.start(0);
    client = new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } });
  });

  afterEach(async () => {
    await emu.stop();
  });

  it('carries exactly the manifest bot scopes, files:write among them, and says so in x-oauth-scopes', async () => {
    expect(MANIFEST_SCOPES).toContain('files:write');
    expect(new Set(emu.botScopes)).toEqual(new Set(MANIFEST_SCOPES));
    expect(emu.botScopes).toHaveLength(MANIFEST_SCOPES.length);

    const res = await client.auth.test();
    expect(new Set(res.response_metadata?.scopes)).toEqual(new Set(MANIFEST_SCOPES));
    expect(res.response_metadata?.acceptedScopes ?? []).toEqual([]);
    const post = await platformError(client.chat.postMessage({ channel: 'CNOPE', text: 'x' }));
    expect(post.error).toBe('channel_not_found'); // chat:write granted: the method itself answers
    expect(post.response_metadata.acceptedScopes).toEqual(['chat:write']);
  });

  it('has a rule for every method the emulator implements, as in Slack’s method reference', () => {
    expect(new Set(Object.keys(METHOD_SCOPES))).toEqual(new Set(emu.apiMethods()));
    const accepted = Object.fromEntries(Object.entries(METHOD_SCOPES).map(([m, r]) => [m, [...r.accepted].sort()]));
    expect(accepted).toEqual({
      'auth.test': [],
      'apps.connections.open': ['connections:write'],
      'chat.postMessage': ['chat:write'],
      'chat.update': ['chat:write'],
      'chat.postEphemeral': ['chat:write'],
      'chat.delete': ['chat:write'],
      'chat.getPermalink': [],
      'reactions.add': ['reactions:write'],
      'reactions.remove': ['reactions:write'],
      'views.open': [],
      'views.push': [],
      'views.update': [],
      'views.publish': [],
      'users.info': ['users:read'],
      'users.list': ['users:read'],
      'users.lookupByEmail': ['users:read.email'],
      'conversations.info': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
      'conversations.members': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
      'conversations.list': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
      'conversations.history': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
      'conversations.replies': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
      'conversations.open': ['channels:manage', 'groups:write', 'im:write', 'mpim:write'],
      'conversations.join': ['channels:join'],
      'files.getUploadURLExternal': ['files:write'],
      'files.completeUploadExternal': ['files:write'],
    });
  });
});

describe('a token without a method’s scope', () => {
  let emu: SlackEmulator;
  const scoped = (scopes: string[]): WebClient => {
    emu.setBotScopes(scopes);
    return new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } });
  };

  beforeEach(async () => {
    emu = new SlackEmulator({ signingSecret: SECRET, echoBotMessages: false, botScopes: without('chat:write') });
    await emu.start(0);
    emu.addUser({ id: 'U1', name: 'alice', email: 'alice@example.com' });
    emu.addUser({ id: 'U2', name: 'bob' });
    emu.addChannel({ id: 'C1', name: 'support', members: ['UBOT', 'U1'] });
    emu.addChannel({ id: 'G1', name: 'secret', isPrivate: true, members: ['UBOT', 'U1'] });
    emu.openIm('U1');
  });

  afterEach(async () => {
    await emu.stop();
  });

  it('is answered HTTP 200 missing_scope with needed, provided and Slack’s scope headers, and nothing is done', async () => {
    expect(emu.botScopes).not.toContain('chat:write'); // the constructor option
    const res = await fetch(`${emu.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emu.botToken}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C1', text: 'hello' }),
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({ ok: false, error: 'missing_scope', needed: 'chat:write', provided: without('chat:write').join(',') });
    expect(res.headers.get('x-oauth-scopes')).toBe(without('chat:write').join(','));
    expect(res.headers.get('x-accepted-oauth-scopes')).toBe('chat:write');
    expect(emu.messages('C1')).toHaveLength(0);
    expect(emu.calls('chat.postMessage')).toMatchObject([{ ok: false, error: 'missing_scope', status: 200 }]);

    // Through WebClient: a platform error carrying Slack's fields.
    const client = scoped(without('chat:write'));
    const data = await platformError(client.chat.postMessage({ channel: 'C1', text: 'hello' }));
    expect(data).toMatchObject({ error: 'missing_scope', needed: 'chat:write', provided: without('chat:write').join(',') });
    expect(data.response_metadata.acceptedScopes).toEqual(['chat:write']);
  });

  it('reactions, files and users need reactions:write, files:write and users:read', async () => {
    const client = scoped(['chat:write']);
    const { ts } = await client.chat.postMessage({ channel: 'C1', text: 'hello' });
    const cases: [string, Promise<unknown>][] = [
      ['reactions:write', client.reactions.add({ channel: 'C1', timestamp: ts!, name: 'ticket' })],
      ['reactions:write', client.reactions.remove({ channel: 'C1', timestamp: ts!, name: 'ticket' })],
      ['files:write', client.files.getUploadURLExternal({ filename: 'chart.png', length: 10 })],
      ['files:write', client.files.completeUploadExternal({ files: [{ id: 'F0NOPE' }], channel_id: 'C1' })],
      ['users:read', client.users.info({ user: 'U1' })],
      ['users:read', client.users.list({})],
    ];
    for (const [needed, call] of cases) expect(await platformError(call)).toMatchObject({ error: 'missing_scope', needed, provided: 'chat:write' });
    expect(emu.message('C1', ts!)!.reactions).toEqual([]);
    expect(emu.files()).toHaveLength(0);
  });

  it('conversation methods need the scope of the conversation’s type', async () => {
    const { ts } = await scoped(['chat:write']).chat.postMessage({ channel: 'C1', text: 'hello' });
    // Everything but channels:* — private channels and DMs work, the public channel does not.
    const client = scoped(['chat:write', 'groups:history', 'groups:read', 'im:history', 'im:read', 'im:write']);
    expect(await platformError(client.conversations.history({ channel: 'C1' }))).toMatchObject({ error: 'missing_scope', needed: 'channels:history' });
    expect(await platformError(client.conversations.replies({ channel: 'C1', ts: ts! }))).toMatchObject({ error: 'missing_scope', needed: 'channels:history' });
    expect(await platformError(client.conversations.info({ channel: 'C1' }))).toMatchObject({ error: 'missing_scope', needed: 'channels:read' });
    expect(await platformError(client.conversations.members({ channel: 'C1' }))).toMatchObject({ error: 'missing_scope', needed: 'channels:read' });
    expect(await platformError(client.conversations.list({ types: 'public_channel,private_channel' }))).toMatchObject({ error: 'missing_scope', needed: 'channels:read' });
    expect(await platformError(client.conversations.join({ channel: 'C1' }))).toMatchObject({ error: 'missing_scope', needed: 'channels:join' });
    expect((await client.conversations.history({ channel: 'G1' })).ok).toBe(true);
    expect((await client.conversations.info({ channel: 'G1' })).channel?.id).toBe('G1');
    expect((await client.conversations.list({ types: 'private_channel' })).channels?.map((c) => c.id)).toEqual(['G1']);
    const im = await client.conversations.open({ users: 'U1' });
    expect((await client.conversations.history({ channel: im.channel!.id! })).ok).toBe(true);
    // An unknown conversation is the method's own answer once any of its scopes is granted.
    expect(await platformError(client.conversations.history({ channel: 'CNOPE' }))).toMatchObject({ error: 'channel_not_found' });

    // The other way round: public channels only.
    const publicOnly = scoped(['channels:history', 'channels:read']);
    expect(await platformError(publicOnly.conversations.history({ channel: 'G1' }))).toMatchObject({ error: 'missing_scope', needed: 'groups:history', provided: 'channels:history,channels:read' });
    expect(await platformError(publicOnly.conversations.info({ channel: im.channel!.id! }))).toMatchObject({ error: 'missing_scope', needed: 'im:read' });
    expect(await platformError(publicOnly.conversations.open({ users: 'U1' }))).toMatchObject({ error: 'missing_scope', needed: 'im:write' });
    expect(await platformError(publicOnly.conversations.list({ types: 'im' }))).toMatchObject({ error: 'missing_scope', needed: 'im:read' });

    // No history scope at all: every one of them is named.
    const none = scoped([]);
    expect(await platformError(none.conversations.history({ channel: 'CNOPE' }))).toMatchObject({
      error: 'missing_scope', needed: 'channels:history,groups:history,im:history,mpim:history', provided: '',
    });
  });

  it('auth.test, views.* and chat.getPermalink need no scope; email needs users:read.email', async () => {
    const { ts } = await scoped(['chat:write']).chat.postMessage({ channel: 'C1', text: 'hello' });
    const bare = scoped([]);
    expect((await bare.auth.test()).user_id).toBe('UBOT');
    expect((await bare.chat.getPermalink({ channel: 'C1', message_ts: ts! })).permalink).toContain('/archives/C1/p');
    expect((await bare.views.publish({ user_id: 'U1', view: { type: 'home', blocks: [] } })).ok).toBe(true);

    const withoutEmail = scoped(['users:read']);
    expect((await withoutEmail.users.info({ user: 'U1' })).user?.profile).not.toHaveProperty('email');
    expect((await withoutEmail.users.list({})).members?.find((m) => m.id === 'U1')?.profile).not.toHaveProperty('email');
    const withEmail = scoped(['users:read', 'users:read.email']);
    expect((await withEmail.users.info({ user: 'U1' })).user?.profile?.email).toBe('alice@example.com');
  });
});

describe('the bot with the manifest scopes', () => {
  let h: Harness;
  useHarness((x) => (h = x));

  it('posts the digest with its chart (files:write) and makes no call outside the manifest', async () => {
    await h.driver.userSays(W.carol, W.help, 'Cannot log in');
    await h.driver.slashCommand(W.alice, W.general, '/helpdesk', `digest now <#${W.general}|general> today`);
    await h.settle();
    expect(h.emu.messages(W.general).filter((m) => m.text.startsWith(':bar_chart: Support digest'))).toHaveLength(1);
    const [chart] = h.emu.files({ channel: W.general });
    expect(chart!.bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(h.emu.calls('files.completeUploadExternal')).toMatchObject([{ ok: true }]);
    expect(h.emu.calls().filter((c) => c.error === 'missing_scope')).toEqual([]);
  });
});

describe('the bot installed without files:write', () => {
  let h: Harness;
  useHarness((x) => (h = x));

  it('cannot send /helpdesk export: Slack answers missing_scope and the agent is not told the CSV was sent', async () => {
    h.emu.setBotScopes(without('files:write'));
    await h.driver.userSays(W.carol, W.help, 'Printer on fire');
    await h.settle();
    await h.driver.slashCommand(W.alice, W.general, '/helpdesk', 'export today');
    await h.settle();

    expect(h.emu.calls('files.getUploadURLExternal')).toMatchObject([{ ok: false, error: 'missing_scope' }]);
    expect(h.emu.files()).toHaveLength(0);
    // The agent sees the failure with Slack's reason, not "I sent you the CSV", and the bot logs it as an error.
    const answers = h.emu.ephemerals({ user: W.alice }).map((e) => e.text);
    expect(answers.join('\n')).not.toContain('I sent you the CSV');
    expect(answers.at(-1)).toContain('Slack said `missing_scope`');
    expect(answers.at(-1)).toContain('reinstall it from slack-app-manifest.yaml'); // trying again cannot help
    const logged = h.logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request failed' && l.command === '/helpdesk');
    expect(logged).toMatchObject([{ level: 50, text: 'export today', err: { message: 'An API error occurred: missing_scope' } }]);
  });
});
