/**
 * Event delivery from the emulator's driver to a real Bolt app: signing, payload shapes, own-message echo,
 * Slack's retry policy and the 401s Bolt gives forged/stale requests.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { SlackEmulator } from '../../src/emulator/index.js';
import { startBareBolt, type BareBolt } from '../support/bare-bolt.js';

const SECRET = 'events-secret';

describe('driver → bare Bolt app', () => {
  let emu: SlackEmulator;
  let bolt: BareBolt;

  beforeEach(async () => {
    emu = new SlackEmulator({ signingSecret: SECRET, retryDelaysMs: [0, 10, 10] });
    await emu.start(0);
    emu.addUser({ id: 'U1', name: 'alice' });
    emu.addUser({ id: 'UEXT', name: 'carol', teamId: 'T0THER' });
    emu.addChannel({ id: 'C1', name: 'support', members: ['UBOT', 'U1'] });
    emu.addChannel({ id: 'CSHARED', name: 'acme-shared', isExtShared: true, members: ['UBOT', 'U1', 'UEXT'] });
    emu.addChannel({ id: 'CNOBOT', name: 'elsewhere', members: ['U1'] });
    bolt = await startBareBolt({ signingSecret: SECRET, apiUrl: emu.apiUrl, token: emu.botToken, record: true });
    emu.setBotEndpoint(bolt.url);
  });

  afterEach(async () => {
    await bolt.stop();
    await emu.stop();
  });

  it('delivers a realistic, signed user message that Bolt accepts', async () => {
    const r = await emu.driver.userSays('U1', 'C1', 'hi <@UBOT> my laptop is broken');
    await emu.idle();
    expect(r).toMatchObject({ status: 200, delivered: true });
    expect(bolt.received).toBe(1);
    const ev = bolt.events[0];
    expect(ev).toMatchObject({ type: 'message', text: 'hi <@UBOT> my laptop is broken', user: 'U1', ts: r.ts, team: 'T0001', channel: 'C1', event_ts: r.ts, channel_type: 'channel' });
    expect(ev.client_msg_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ev.blocks[0].type).toBe('rich_text');
    expect(ev).not.toHaveProperty('subtype');
    expect(emu.calls('auth.test')).toHaveLength(1); // Bolt learned its bot ids from the emulator
  });

  it('thread replies carry thread_ts + parent_user_id; state keeps the thread', async () => {
    const parent = await emu.driver.userSays('U1', 'C1', 'question');
    const reply = await emu.driver.userSays('U1', 'C1', 'more detail', { thread_ts: parent.ts });
    await emu.idle();
    expect(bolt.events[1]).toMatchObject({ ts: reply.ts, thread_ts: parent.ts, parent_user_id: 'U1' });
    expect(emu.thread('C1', parent.ts).map((m) => m.text)).toEqual(['more detail']);
    expect(emu.messages('C1').map((m) => m.text)).toEqual(['question']);
  });

  it('the bot\'s own post is echoed (bot_id, user, bot_profile, no subtype) and dropped by ignoreSelf; another app\'s bot is seen', async () => {
    const client = new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } });
    const parent = await emu.driver.userSays('U1', 'C1', 'help');
    await client.chat.postMessage({ channel: 'C1', text: 'on it', thread_ts: parent.ts });
    await emu.idle();
    expect(bolt.received).toBe(1); // the echo reached Bolt (200) but not the listener
    await emu.driver.botSays('B999', 'C1', 'I am another app');
    await emu.driver.botSays('B888', 'C1', 'classic webhook', { subtype: 'bot_message' });
    await emu.idle();
    expect(bolt.received).toBe(3);
    expect(bolt.events[1]).toMatchObject({ bot_id: 'B999', user: 'UB999', bot_profile: { id: 'B999', app_id: 'AB999' } });
    expect(bolt.events[1]).not.toHaveProperty('subtype');
    expect(bolt.events[2]).toMatchObject({ subtype: 'bot_message', bot_id: 'B888', username: 'classic-bot' });
  });

  it('the echo envelope looks exactly like Slack\'s own-message event', async () => {
    const seen: any[] = [];
    const raw = await rawBot(async (_h, body) => {
      seen.push(JSON.parse(body));
      return 200;
    });
    emu.setBotEndpoint(raw.url);
    const client = new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } });
    const parent = await client.chat.postMessage({ channel: 'C1', text: 'parent' });
    const reply = await client.chat.postMessage({ channel: 'C1', text: 'reply', thread_ts: parent.ts });
    await emu.idle();
    await raw.close();
    const echo = seen.map((e) => e.event).find((e) => e.ts === reply.ts);
    expect(echo).toMatchObject({ type: 'message', bot_id: 'BBOT', user: 'UBOT', app_id: 'AEMU', team: 'T0001', thread_ts: parent.ts, bot_profile: { id: 'BBOT', app_id: 'AEMU' }, channel: 'C1' });
    expect(echo).not.toHaveProperty('subtype');
  });

  it('Slack Connect: envelope team_id is the author\'s org, authorizations[0] the installed team', async () => {
    const raw = await rawBot(async () => 200);
    const bodies: any[] = [];
    raw.onBody = (b) => bodies.push(JSON.parse(b));
    emu.setBotEndpoint(raw.url);
    await emu.driver.userSays('UEXT', 'CSHARED', 'hello from acme');
    await emu.idle();
    await raw.close();
    expect(bodies[0]).toMatchObject({
      type: 'event_callback', team_id: 'T0THER', api_app_id: 'AEMU', is_ext_shared_channel: true,
      authorizations: [{ team_id: 'T0001', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
      event: { team: 'T0THER', user: 'UEXT', channel: 'CSHARED', user_team: 'T0THER' },
    });
    expect(bodies[0].event_id).toMatch(/^Ev/);
  });

  it('file_share, thread_broadcast, edits, deletes, joins and reactions', async () => {
    const p = await emu.driver.userSays('U1', 'C1', 'see attached', { files: [{ name: 'log.txt', content: 'ERROR x' }] });
    const b = await emu.driver.userSays('U1', 'C1', 'also for everyone', { thread_ts: p.ts, broadcast: true });
    await emu.driver.editMessage('U1', 'C1', p.ts, 'see attached (edited)');
    await emu.driver.react('U1', 'C1', p.ts, 'eyes');
    await emu.driver.deleteMessage('C1', b.ts);
    emu.addUser({ id: 'U3', name: 'dave' });
    await emu.driver.joins('U3', 'C1');
    await emu.idle();
    const [file, broadcast, changed, deleted, joined] = bolt.events;
    expect(file).toMatchObject({ subtype: 'file_share', files: [{ name: 'log.txt', mimetype: 'text/plain', filetype: 'txt', size: 7 }] });
    expect(file.files[0].url_private).toContain(emu.apiUrl.replace('/api/', '/files-pri/'));
    const download = await fetch(file.files[0].url_private, { headers: { authorization: `Bearer ${emu.botToken}` } });
    expect(await download.text()).toBe('ERROR x');
    expect(broadcast).toMatchObject({ subtype: 'thread_broadcast', thread_ts: p.ts, root: { ts: p.ts, reply_count: 1 } });
    expect(changed).toMatchObject({ subtype: 'message_changed', hidden: true, message: { text: 'see attached (edited)', edited: { user: 'U1' } }, previous_message: { text: 'see attached' } });
    expect(deleted).toMatchObject({ subtype: 'message_deleted', hidden: true, deleted_ts: b.ts, previous_message: { text: 'also for everyone' } });
    expect(joined).toMatchObject({ subtype: 'channel_join', user: 'U3', text: '<@U3> has joined the channel' });
    expect(emu.message('C1', p.ts)).toMatchObject({ text: 'see attached (edited)', reactions: [{ name: 'eyes', users: ['U1'] }] });
    expect(emu.message('C1', b.ts)?.deleted).toBe(true);
    expect(emu.channel('C1')?.members).toContain('U3');
  });

  it('deleting a thread parent that has replies leaves a tombstone, sent as message_changed (as Slack does)', async () => {
    const p = await emu.driver.userSays('U1', 'C1', 'my laptop is broken');
    const r = await emu.driver.userSays('U1', 'C1', 'it will not boot', { thread_ts: p.ts });
    await emu.driver.deleteMessage('C1', p.ts);
    await emu.idle();
    const changed = bolt.events[2];
    // The shape Slack sends (captured in hackclub/toriel#238 and vercel/chat's Slack adapter tests).
    expect(changed).toMatchObject({
      type: 'message', subtype: 'message_changed', channel: 'C1', hidden: true, channel_type: 'channel',
      message: {
        type: 'message', subtype: 'tombstone', text: 'This message was deleted.', user: 'USLACKBOT', hidden: true, ts: p.ts, thread_ts: p.ts,
        parent_user_id: 'USLACKBOT', reply_count: 1, reply_users_count: 1, latest_reply: r.ts, reply_users: ['U1'], is_locked: false, subscribed: false,
      },
      previous_message: { user: 'U1', text: 'my laptop is broken', ts: p.ts },
    });
    expect(changed.ts).toBe(changed.event_ts);
    expect(emu.message('C1', p.ts)?.deleted).toBe(true);
  });

  it('events of channels the bot is not in are not delivered', async () => {
    const r = await emu.driver.userSays('U1', 'CNOBOT', 'private chatter');
    await emu.idle();
    expect(r).toMatchObject({ status: 0, delivered: false });
    expect(bolt.received).toBe(0);
    expect(emu.messages('CNOBOT')).toHaveLength(1);
  });

  it('eventIds: N delivers the same message as N envelopes (distinct event_id)', async () => {
    const ids: string[] = [];
    const raw = await rawBot(async (_h, body) => {
      ids.push(JSON.parse(body).event_id);
      return 200;
    });
    emu.setBotEndpoint(raw.url);
    await emu.driver.userSays('U1', 'C1', 'dup', { eventIds: 3 });
    await emu.idle();
    await raw.close();
    expect(new Set(ids).size).toBe(3);
  });

  it('forged and stale signatures get 401; a valid one 200', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'abc', token: 't' });
    expect((await emu.driver.sendSigned(body, 'application/json')).body).toContain('abc');
    expect((await emu.driver.sendSigned(body, 'application/json', { secret: 'wrong' })).status).toBe(401);
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 360;
    expect((await emu.driver.sendSigned(body, 'application/json', { timestamp: sixMinutesAgo })).status).toBe(401);
  });
});

/** A raw HTTP "bot" that records headers/bodies and answers with a scripted status (or never, for timeouts). */
async function rawBot(answer: (headers: IncomingHttpHeaders, body: string) => Promise<number | 'hang'>) {
  const hanging = new Set<() => void>();
  const state = {
    onBody: undefined as ((b: string) => void) | undefined,
    seen: [] as { headers: IncomingHttpHeaders; body: string }[],
  };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    state.seen.push({ headers: req.headers, body });
    state.onBody?.(body);
    const status = await answer(req.headers, body);
    if (status === 'hang') {
      hanging.add(() => res.destroy());
      return;
    }
    res.writeHead(status);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/slack/events`,
    close: async () => {
      for (const h of hanging) h();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  });
}

describe('Events API retries', () => {
  let emu: SlackEmulator;

  beforeEach(async () => {
    emu = new SlackEmulator({ signingSecret: SECRET, retryDelaysMs: [5, 5, 5], ackTimeoutMs: 150 });
    await emu.start(0);
    emu.addUser({ id: 'U1', name: 'alice' });
    emu.addChannel({ id: 'C1', name: 'support', members: ['UBOT', 'U1'] });
  });

  afterEach(async () => {
    await emu.stop();
  });

  it('redelivers the same envelope after non-2xx with X-Slack-Retry-Num/Reason until it succeeds', async () => {
    let n = 0;
    const bot = await rawBot(async () => (++n < 3 ? 500 : 200));
    emu.setBotEndpoint(bot.url);
    const r = await emu.driver.userSays('U1', 'C1', 'hello');
    expect(r.status).toBe(500);
    await emu.idle();
    await bot.close();
    expect(bot.seen.map((s) => [s.headers['x-slack-retry-num'], s.headers['x-slack-retry-reason']])).toEqual([
      [undefined, undefined], ['1', 'http_error'], ['2', 'http_error'],
    ]);
    const eventIds = bot.seen.map((s) => JSON.parse(s.body).event_id);
    expect(new Set(eventIds).size).toBe(1);
    for (const s of bot.seen) expect(s.headers['content-type']).toBe('application/json');
  });

  it('gives up after 3 retries, and retries a timeout with reason http_timeout', async () => {
    const failing = await rawBot(async () => 503);
    emu.setBotEndpoint(failing.url);
    await emu.driver.userSays('U1', 'C1', 'hello');
    await emu.idle();
    await failing.close();
    expect(failing.seen).toHaveLength(4);

    let first = true;
    const slow = await rawBot(async () => {
      if (first) {
        first = false;
        return 'hang';
      }
      return 200;
    });
    emu.setBotEndpoint(slow.url);
    const r = await emu.driver.userSays('U1', 'C1', 'again');
    expect(r.status).toBe(0);
    await emu.idle();
    await slow.close();
    expect(slow.seen.map((s) => s.headers['x-slack-retry-reason'])).toEqual([undefined, 'http_timeout']);
  });

  it('Bolt sees the retry number in context.retryNum', async () => {
    const bolt = await startBareBolt({ signingSecret: SECRET, apiUrl: emu.apiUrl, token: emu.botToken, record: true });
    emu.setBotEndpoint(bolt.url);
    await emu.driver.deliverEvent({ type: 'message', text: 'x', user: 'U1', ts: '1700000000.000100', channel: 'C1', event_ts: '1700000000.000100', channel_type: 'channel' }, { retryNum: 2 });
    await emu.idle();
    await bolt.stop();
    expect(bolt.retryNums).toEqual([2]);
  });
});
