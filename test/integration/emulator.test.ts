/**
 * Web API side of the Slack emulator, exercised with a real @slack/web-api WebClient (wire format: form
 * fields with JSON-encoded blocks/view, Bearer token).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebClient, type WebAPIHTTPError, type WebAPIPlatformError } from '@slack/web-api';
import { SlackEmulator, slackTs } from '../../src/emulator/index.js';

const SECRET = 'test-secret';
let emu: SlackEmulator;
let client: WebClient;

/** Runs a call expected to fail with ok:false and returns Slack's error body. */
async function platformError(p: Promise<unknown>): Promise<any> {
  const err = (await p.then(() => undefined, (e: unknown) => e)) as WebAPIPlatformError | undefined;
  expect(err?.code).toBe('slack_webapi_platform_error');
  return err!.data;
}

beforeEach(async () => {
  emu = new SlackEmulator({ signingSecret: SECRET, echoBotMessages: false });
  await emu.start(0);
  client = new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } });
  emu.addUser({ id: 'U1', name: 'alice', realName: 'Alice A', email: 'alice@example.com', isAdmin: true });
  emu.addUser({ id: 'U2', name: 'bob' });
  emu.addUser({ id: 'UEXT', name: 'carol', teamId: 'T0THER' });
  emu.addChannel({ id: 'C1', name: 'support', members: ['UBOT', 'U1', 'UEXT'], isExtShared: true });
  emu.addChannel({ id: 'C2', name: 'random', members: ['U1'] });
  emu.addChannel({ id: 'G1', name: 'secret', isPrivate: true, members: ['U1'] });
});

afterEach(async () => {
  await emu.stop();
});

describe('auth and routing', () => {
  it('auth.test returns the bot identity Bolt needs', async () => {
    const r = await client.auth.test();
    expect(r).toMatchObject({ ok: true, team_id: 'T0001', user_id: 'UBOT', bot_id: 'BBOT', is_enterprise_install: false });
    expect(r.url).toMatch(/^https:\/\/.+\.slack\.com\/$/);
    expect(emu.calls('auth.test')).toHaveLength(1);
  });

  it('rejects unknown and missing tokens with HTTP 200 ok:false', async () => {
    const bad = new WebClient('xoxb-nope', { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } });
    expect((await platformError(bad.auth.test())).error).toBe('invalid_auth');
    const res = await fetch(`${emu.apiUrl}auth.test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: false, error: 'not_authed' });
    // the token may also come as a form field
    const form = await fetch(`${emu.apiUrl}auth.test`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${emu.botToken}` });
    expect(((await form.json()) as any).ok).toBe(true);
  });

  it('answers unknown methods with 404 unknown_method and records them', async () => {
    const err = (await client.apiCall('chat.frobnicate', {}).catch((e: unknown) => e)) as WebAPIHTTPError;
    expect(err.code).toBe('slack_webapi_http_error');
    expect(err.statusCode).toBe(404);
    expect(emu.calls().filter((c) => c.error === 'unknown_method').map((c) => c.method)).toEqual(['chat.frobnicate']);
  });

  it('accepts JSON and multipart bodies as well as forms', async () => {
    const json = await fetch(`${emu.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emu.botToken}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C1', text: 'json', blocks: [{ type: 'divider' }] }),
    });
    expect(await json.json()).toMatchObject({ ok: true, channel: 'C1' });
    const fd = new FormData();
    fd.set('channel', 'C1');
    fd.set('text', 'multi');
    fd.set('blocks', JSON.stringify([{ type: 'section', text: { type: 'mrkdwn', text: '*multi*' } }]));
    const multi = await fetch(`${emu.apiUrl}chat.postMessage`, { method: 'POST', headers: { authorization: `Bearer ${emu.botToken}` }, body: fd });
    expect(((await multi.json()) as any).ok).toBe(true);
    const stored = emu.messages('C1');
    expect(stored.map((m) => m.text)).toEqual(['json', 'multi']);
    expect(stored[1].blocks?.[0].text.text).toBe('*multi*');
  });
});

describe('chat.*', () => {
  it('chat.postMessage stores top-level messages and thread replies with parsed blocks', async () => {
    const blocks = [{ type: 'section', block_id: 's1', text: { type: 'mrkdwn', text: 'hello *world*' } }];
    const top = await client.chat.postMessage({ channel: 'C1', text: 'hello', blocks });
    expect(top.ok).toBe(true);
    expect(top.message).toMatchObject({ bot_id: 'BBOT', user: 'UBOT', text: 'hello' });
    const reply = await client.chat.postMessage({ channel: 'C1', text: 'in thread', thread_ts: top.ts });
    expect(emu.messages('C1').map((m) => m.ts)).toEqual([top.ts]);
    expect(emu.thread('C1', top.ts!)).toMatchObject([{ ts: reply.ts, text: 'in thread', thread_ts: top.ts }]);
    expect(emu.message('C1', top.ts!)?.blocks).toEqual(blocks);
  });

  it('chat.postMessage errors: channel_not_found, not_in_channel, no_text, msg_too_long, invalid_blocks', async () => {
    expect((await platformError(client.chat.postMessage({ channel: 'CNOPE', text: 'x' }))).error).toBe('channel_not_found');
    expect((await platformError(client.chat.postMessage({ channel: 'C2', text: 'x' }))).error).toBe('not_in_channel');
    expect((await platformError(client.chat.postMessage({ channel: 'C1', text: '' }))).error).toBe('no_text');
    expect((await platformError(client.chat.postMessage({ channel: 'C1', text: 'x'.repeat(40_001) }))).error).toBe('msg_too_long');
    const bad = await platformError(client.chat.postMessage({ channel: 'C1', text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3001) } }] }));
    expect(bad.error).toBe('invalid_blocks');
    expect(bad.response_metadata.messages).toEqual(['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]']);
    expect(emu.messages('C1')).toHaveLength(0);
    expect(emu.calls('chat.postMessage').map((c) => c.error)).toEqual(['channel_not_found', 'not_in_channel', 'no_text', 'msg_too_long', 'invalid_blocks']);
  });

  it('the bot may post in its IM with a user without being "invited"', async () => {
    const im = emu.openIm('U2');
    expect(im.id).toMatch(/^D/);
    const opened = await client.conversations.open({ users: 'U2' });
    expect(opened.channel?.id).toBe(im.id);
    await client.chat.postMessage({ channel: im.id, text: 'hi bob' });
    await client.chat.postMessage({ channel: 'U2', text: 'by user id' });
    expect(emu.messages(im.id).map((m) => m.text)).toEqual(['hi bob', 'by user id']);
  });

  it('chat.update edits only the bot\'s own messages', async () => {
    const { ts } = await emu.driver.userSays('U1', 'C1', 'user message');
    const own = await client.chat.postMessage({ channel: 'C1', text: 'v1' });
    await client.chat.update({ channel: 'C1', ts: own.ts!, text: 'v2' });
    expect(emu.message('C1', own.ts!)).toMatchObject({ text: 'v2', edited: { user: 'UBOT' } });
    expect((await platformError(client.chat.update({ channel: 'C1', ts, text: 'hijack' }))).error).toBe('cant_update_message');
    expect((await platformError(client.chat.update({ channel: 'C1', ts: '1.000001', text: 'x' }))).error).toBe('message_not_found');
    const invalid = await platformError(client.chat.update({ channel: 'C1', ts: own.ts!, text: 'x', blocks: [{ type: 'bogus' }] as any }));
    expect(invalid.error).toBe('invalid_blocks');
  });

  it('chat.delete marks the bot\'s message deleted and hides it from history', async () => {
    const own = await client.chat.postMessage({ channel: 'C1', text: 'oops' });
    await client.chat.delete({ channel: 'C1', ts: own.ts! });
    expect(emu.message('C1', own.ts!)?.deleted).toBe(true);
    expect((await client.conversations.history({ channel: 'C1' })).messages).toHaveLength(0);
    expect((await platformError(client.chat.delete({ channel: 'C1', ts: own.ts! }))).error).toBe('message_not_found');
  });

  it('chat.postEphemeral requires the user to be in the channel and returns message_ts', async () => {
    const r = await client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'only you' });
    expect(r.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(emu.ephemerals({ user: 'U1' })).toMatchObject([{ channel: 'C1', text: 'only you', via: 'chat.postEphemeral' }]);
    expect((await platformError(client.chat.postEphemeral({ channel: 'C1', user: 'U2', text: 'x' }))).error).toBe('user_not_in_channel');
  });

  it('chat.getPermalink builds archive links, with thread_ts and cid for replies', async () => {
    const top = await client.chat.postMessage({ channel: 'C1', text: 'parent' });
    const reply = await client.chat.postMessage({ channel: 'C1', text: 'child', thread_ts: top.ts });
    const p1 = await client.chat.getPermalink({ channel: 'C1', message_ts: top.ts! });
    expect(p1.permalink).toBe(`https://emulator.slack.com/archives/C1/p${top.ts!.replace('.', '')}`);
    const p2 = await client.chat.getPermalink({ channel: 'C1', message_ts: reply.ts! });
    expect(p2.permalink).toBe(`https://emulator.slack.com/archives/C1/p${reply.ts!.replace('.', '')}?thread_ts=${top.ts}&cid=C1`);
  });
});

describe('reactions.*', () => {
  it('adds and removes reactions with Slack\'s errors', async () => {
    const { ts } = await emu.driver.userSays('U1', 'C1', 'help please');
    await client.reactions.add({ channel: 'C1', timestamp: ts, name: 'eyes' });
    expect(emu.message('C1', ts)?.reactions).toEqual([{ name: 'eyes', users: ['UBOT'] }]);
    expect((await platformError(client.reactions.add({ channel: 'C1', timestamp: ts, name: 'eyes' }))).error).toBe('already_reacted');
    expect((await platformError(client.reactions.add({ channel: 'C1', timestamp: ts, name: ':eyes:' }))).error).toBe('invalid_name');
    expect((await platformError(client.reactions.add({ channel: 'C1', timestamp: '1.000002', name: 'eyes' }))).error).toBe('message_not_found');
    await client.reactions.remove({ channel: 'C1', timestamp: ts, name: 'eyes' });
    expect(emu.message('C1', ts)?.reactions).toEqual([]);
  });
});

describe('users.info and conversations.*', () => {
  it('users.info returns profile fields and flags Slack Connect strangers', async () => {
    const alice = await client.users.info({ user: 'U1' });
    expect(alice.user).toMatchObject({ id: 'U1', team_id: 'T0001', is_admin: true, is_bot: false, profile: { display_name: 'alice', real_name: 'Alice A', email: 'alice@example.com' } });
    expect(alice.user).not.toHaveProperty('is_stranger');
    const carol = await client.users.info({ user: 'UEXT' });
    expect(carol.user).toMatchObject({ team_id: 'T0THER', is_stranger: true });
    expect((await platformError(client.users.info({ user: 'UNOPE' }))).error).toBe('user_not_found');
  });

  it('conversations.info describes channels; private channels the bot is not in are invisible', async () => {
    const c1 = await client.conversations.info({ channel: 'C1' });
    expect(c1.channel).toMatchObject({ id: 'C1', name: 'support', is_channel: true, is_im: false, is_private: false, is_member: true, is_ext_shared: true });
    const c2 = await client.conversations.info({ channel: 'C2' });
    expect(c2.channel?.is_member).toBe(false);
    expect((await platformError(client.conversations.info({ channel: 'G1' }))).error).toBe('channel_not_found');
    const im = emu.openIm('U1');
    expect((await client.conversations.info({ channel: im.id })).channel).toMatchObject({ is_im: true, user: 'U1' });
  });

  it('conversations.members paginates with cursor and limit', async () => {
    for (let i = 0; i < 5; i++) emu.addUser({ id: `UM${i}`, name: `m${i}` });
    emu.addChannel({ id: 'CBIG', name: 'big', members: ['UBOT', 'UM0', 'UM1', 'UM2', 'UM3', 'UM4'] });
    const page1 = await client.conversations.members({ channel: 'CBIG', limit: 4 });
    expect(page1.members).toEqual(['UBOT', 'UM0', 'UM1', 'UM2']);
    const page2 = await client.conversations.members({ channel: 'CBIG', limit: 4, cursor: page1.response_metadata!.next_cursor });
    expect(page2.members).toEqual(['UM3', 'UM4']);
    expect(page2.response_metadata?.next_cursor).toBe('');
  });

  it('conversations.history returns top-level messages newest first with latest/oldest/inclusive/limit', async () => {
    const base = Date.UTC(2024, 0, 1);
    const tss = [0, 1, 2, 3].map((i) => slackTs(base + i * 1000));
    for (const [i, ts] of tss.entries()) await emu.driver.userSays('U1', 'C1', `m${i}`, { ts });
    await emu.driver.userSays('U1', 'C1', 'a reply', { thread_ts: tss[1] });
    const all = await client.conversations.history({ channel: 'C1' });
    expect(all.messages?.map((m) => m.text)).toEqual(['m3', 'm2', 'm1', 'm0']);
    expect(all.messages?.[2]).toMatchObject({ reply_count: 1, thread_ts: tss[1] });
    const window = await client.conversations.history({ channel: 'C1', oldest: tss[0], latest: tss[2] });
    expect(window.messages?.map((m) => m.text)).toEqual(['m1']);
    const inclusive = await client.conversations.history({ channel: 'C1', oldest: tss[0], latest: tss[2], inclusive: true });
    expect(inclusive.messages?.map((m) => m.text)).toEqual(['m2', 'm1', 'm0']);
    const limited = await client.conversations.history({ channel: 'C1', limit: 3 });
    expect(limited).toMatchObject({ has_more: true });
    const rest = await client.conversations.history({ channel: 'C1', limit: 3, cursor: limited.response_metadata!.next_cursor });
    expect(rest.messages?.map((m) => m.text)).toEqual(['m0']);
    expect((await platformError(client.conversations.history({ channel: 'C2' }))).error).toBe('not_in_channel');
  });

  it('conversations.replies returns the parent first, then replies oldest first', async () => {
    const { ts: parent } = await emu.driver.userSays('U1', 'C1', 'question');
    await emu.driver.userSays('U1', 'C1', 'detail', { thread_ts: parent });
    await client.chat.postMessage({ channel: 'C1', text: 'answer', thread_ts: parent });
    const r = await client.conversations.replies({ channel: 'C1', ts: parent });
    expect(r.messages?.map((m) => m.text)).toEqual(['question', 'detail', 'answer']);
    expect(r.messages?.[0]).toMatchObject({ reply_count: 2, reply_users: ['U1', 'UBOT'] });
    expect(r.messages?.[2]).toMatchObject({ parent_user_id: 'U1', thread_ts: parent });
    expect((await platformError(client.conversations.replies({ channel: 'C1', ts: '1.000003' }))).error).toBe('thread_not_found');
  });
});

describe('fault injection', () => {
  it('failNext gives 5xx, 429 + Retry-After and ok:false errors, once each', async () => {
    emu.failNext('chat.postMessage', { status: 503 });
    const e503 = (await client.chat.postMessage({ channel: 'C1', text: 'a' }).catch((e: unknown) => e)) as WebAPIHTTPError;
    expect(e503.code).toBe('slack_webapi_http_error');
    expect(e503.statusCode).toBe(503);

    emu.failNext('chat.postMessage', { retryAfter: 2 });
    const limited = new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    const e429 = (await limited.chat.postMessage({ channel: 'C1', text: 'b' }).catch((e: unknown) => e)) as { code: string; retryAfter: number };
    expect(e429.code).toBe('slack_webapi_rate_limited_error');
    expect(e429.retryAfter).toBe(2);

    emu.failNext('chat.postMessage', { error: 'channel_not_found', times: 2 });
    expect((await platformError(client.chat.postMessage({ channel: 'C1', text: 'c' }))).error).toBe('channel_not_found');
    expect((await platformError(client.chat.postMessage({ channel: 'C1', text: 'd' }))).error).toBe('channel_not_found');

    await client.chat.postMessage({ channel: 'C1', text: 'e' });
    expect(emu.messages('C1').map((m) => m.text)).toEqual(['e']);
    expect(emu.calls('chat.postMessage').map((c) => [c.status, c.error ?? 'ok'])).toEqual([
      [503, 'service_unavailable'], [429, 'ratelimited'], [200, 'channel_not_found'], [200, 'channel_not_found'], [200, 'ok'],
    ]);
  });

  it('a raw 429 carries the Retry-After header and Slack\'s body', async () => {
    emu.failNext('auth.test', { retryAfter: 7 });
    const res = await fetch(`${emu.apiUrl}auth.test`, { method: 'POST', headers: { authorization: `Bearer ${emu.botToken}` } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toEqual({ ok: false, error: 'ratelimited' });
  });
});
