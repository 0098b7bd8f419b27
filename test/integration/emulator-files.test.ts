/**
 * The emulator's external file upload flow (files.getUploadURLExternal → POST upload_url →
 * files.completeUploadExternal), driven by a real WebClient's filesUploadV2 and by the bot's SlackSender.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient, type WebAPIPlatformError } from '@slack/web-api';
import { SlackEmulator } from '../../src/emulator/index.js';
import { slackFetch } from '../../src/bot/slack-fetch.js';
import { createSlackSender, type SlackSender } from '../../src/bot/slack-sender.js';
import { startBareBolt } from '../support/bare-bolt.js';

const SECRET = 'files-secret';
/** PNG signature + bytes that break any text decoding (NUL, 0xff, CR/LF). */
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe, 0x00, 0x0a, 0x0d]);

let emu: SlackEmulator;
let client: WebClient;
let sender: SlackSender;

async function platformError(p: Promise<unknown>): Promise<any> {
  const err = (await p.then(() => undefined, (e: unknown) => e)) as WebAPIPlatformError | undefined;
  expect(err?.code).toBe('slack_webapi_platform_error');
  return err!.data;
}

beforeEach(async () => {
  emu = new SlackEmulator({ signingSecret: SECRET, echoBotMessages: false });
  await emu.start(0);
  client = new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } });
  // The bot's own transport (create-bot.ts clientOptions.fetch), so the upload POST takes the bot's path.
  sender = createSlackSender(new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl, fetch: slackFetch, retryConfig: { retries: 0 } }));
  emu.addUser({ id: 'U1', name: 'alice' });
  emu.addChannel({ id: 'C1', name: 'support', members: ['UBOT', 'U1'] });
  emu.addChannel({ id: 'C2', name: 'random', members: ['U1'] });
});

afterEach(async () => {
  await emu.stop();
});

describe('filesUploadV2 into channels, threads and DMs', () => {
  it('shares the bytes into a channel as a bot file_share message with the initial comment', async () => {
    await sender.uploadFile({ channelId: 'C1', filename: 'chart.png', title: 'Weekly chart', bytes: PNG, initialComment: 'Here is the chart' });

    const [file] = emu.files();
    expect(file).toMatchObject({ filename: 'chart.png', title: 'Weekly chart', channel: 'C1', initialComment: 'Here is the chart', uploadedBy: 'UBOT' });
    expect(file.threadTs).toBeUndefined();
    expect(file.bytes.equals(PNG)).toBe(true);
    expect(emu.file(file.id)).toBe(file);

    const [message] = emu.messages('C1');
    expect(message).toMatchObject({ ts: file.messageTs, subtype: 'file_share', text: 'Here is the chart', bot_id: 'BBOT', user: 'UBOT' });
    const history = await client.conversations.history({ channel: 'C1' });
    expect(history.messages![0]).toMatchObject({
      subtype: 'file_share', text: 'Here is the chart', bot_id: 'BBOT',
      files: [{ id: file.id, name: 'chart.png', title: 'Weekly chart', mimetype: 'image/png', filetype: 'png', size: PNG.length, user: 'UBOT' }],
    });
    expect(history.messages![0].files![0]).not.toHaveProperty('content');

    // The three steps on the wire: alt_text (web-api's spelling) is sent, the upload is not a Web API call.
    expect(emu.calls().map((c) => c.method)).toEqual(['files.getUploadURLExternal', 'files.completeUploadExternal', 'conversations.history']);
    expect(emu.calls('files.getUploadURLExternal')[0].args).toMatchObject({ filename: 'chart.png', length: String(PNG.length) });
    expect(emu.calls('files.completeUploadExternal')[0].args).toMatchObject({ files: [{ id: file.id, title: 'Weekly chart' }], channel_id: 'C1', initial_comment: 'Here is the chart' });
  });

  it('the shared file is downloadable at url_private with the bot token', async () => {
    await sender.uploadFile({ channelId: 'C1', filename: 'chart.png', title: 'chart', bytes: PNG });
    const url = emu.messages('C1')[0].files![0].url_private;
    const res = await fetch(url, { headers: { authorization: `Bearer ${emu.botToken}` } });
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('threads the file under the parent (a reply ts maps to its parent)', async () => {
    const parent = await emu.driver.userSays('U1', 'C1', 'printer on fire');
    const reply = await client.chat.postMessage({ channel: 'C1', text: 'looking', thread_ts: parent.ts });
    await sender.uploadFile({ channelId: 'C1', filename: 'log.txt', title: 'Log', bytes: Buffer.from('E42 toner\n'), threadTs: reply.ts });

    const file = emu.files()[0];
    expect(file).toMatchObject({ channel: 'C1', threadTs: parent.ts });
    expect(file.initialComment).toBeUndefined();
    expect(emu.thread('C1', parent.ts).map((m) => [m.text, m.files?.[0].name])).toEqual([['looking', undefined], ['', 'log.txt']]);
    expect(emu.messages('C1')).toHaveLength(1);
  });

  it('lands in a user\'s DM through the id conversations.open gives', async () => {
    const dm = await sender.openDm('U1');
    expect(dm).toBe(emu.openIm('U1').id);
    await sender.uploadFile({ channelId: dm, filename: 'report.csv', title: 'Report', bytes: Buffer.from('a,b\n1,2\n'), initialComment: 'Your export' });
    expect(emu.files({ channel: dm })).toHaveLength(1);
    expect(emu.messages(dm)[0]).toMatchObject({ text: 'Your export', files: [{ name: 'report.csv', mimetype: 'text/csv' }] });
  });

  it('without a channel the file stays private: no message', async () => {
    const r = await client.filesUploadV2({ file: PNG, filename: 'private.png' });
    const file = emu.files()[0];
    expect(file).toMatchObject({ filename: 'private.png', title: 'private.png' });
    expect(file.channel).toBeUndefined();
    expect(emu.messages('C1')).toHaveLength(0);
    // filesUploadV2 wraps each completeUploadExternal response: files[0] is a response, not a file.
    expect((r.files as any[])[0]).toMatchObject({ ok: true, files: [{ id: file.id, title: 'private.png' }] });
  });
});

describe('the upload endpoint', () => {
  it('takes raw bytes too and answers OK - <length>; unknown upload URLs are 404', async () => {
    const got = await client.files.getUploadURLExternal({ filename: 'raw.bin', length: PNG.length });
    expect(got.upload_url).toBe(`${emu.apiUrl.replace('/api/', '/upload/v1/')}${got.file_id}`);
    const res = await fetch(got.upload_url!, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: PNG });
    expect([res.status, await res.text()]).toEqual([200, `OK - ${PNG.length}`]);
    await client.files.completeUploadExternal({ files: [{ id: got.file_id! }] });
    expect(emu.file(got.file_id!)!.bytes.equals(PNG)).toBe(true);

    const unknown = await fetch(got.upload_url!.replace(got.file_id!, 'F0NOPE'), { method: 'POST', body: PNG });
    expect(unknown.status).toBe(404);
  });
});

describe('errors', () => {
  it('getUploadURLExternal needs filename and a non-zero length', async () => {
    const missing = await platformError(client.apiCall('files.getUploadURLExternal', {}));
    expect(missing).toMatchObject({
      error: 'invalid_arguments',
      response_metadata: { messages: ['[ERROR] missing required field: filename', '[ERROR] missing required field: length'] },
    });
    expect((await platformError(client.files.getUploadURLExternal({ filename: 'a.txt', length: 0 }))).error).toBe('missing_argument');
  });

  it('completeUploadExternal rejects unknown and not-yet-uploaded file ids', async () => {
    expect((await platformError(client.files.completeUploadExternal({ files: [{ id: 'F0UNKNOWN' }] }))).error).toBe('file_not_found');
    const got = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 3 });
    expect((await platformError(client.files.completeUploadExternal({ files: [{ id: got.file_id! }], channel_id: 'C1' }))).error).toBe('file_not_found');
    expect((await platformError(client.apiCall('files.completeUploadExternal', {}))).error).toBe('invalid_arguments');
  });

  it('not_in_channel / channel_not_found; the upload stays pending and can be completed elsewhere', async () => {
    const got = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 3 });
    await fetch(got.upload_url!, { method: 'POST', body: 'abc' });
    expect((await platformError(client.files.completeUploadExternal({ files: [{ id: got.file_id! }], channel_id: 'C2' }))).error).toBe('not_in_channel');
    expect((await platformError(client.files.completeUploadExternal({ files: [{ id: got.file_id! }], channel_id: 'C404' }))).error).toBe('channel_not_found');
    expect(emu.files()).toEqual([]);
    await client.files.completeUploadExternal({ files: [{ id: got.file_id! }], channel_id: 'C1' });
    expect(emu.files().map((f) => f.bytes.toString())).toEqual(['abc']);
  });

  it('the sender surfaces not_in_channel from filesUploadV2', async () => {
    const err = (await sender.uploadFile({ channelId: 'C2', filename: 'a.png', title: 'a', bytes: PNG }).catch((e: unknown) => e)) as WebAPIPlatformError;
    expect(err.data.error).toBe('not_in_channel');
    expect(emu.messages('C2')).toHaveLength(0);
  });

  it('failNext works for both methods', async () => {
    emu.failNext('files.completeUploadExternal', { error: 'internal_error' });
    const err = (await sender.uploadFile({ channelId: 'C1', filename: 'a.png', title: 'a', bytes: PNG }).catch((e: unknown) => e)) as WebAPIPlatformError;
    expect(err.data.error).toBe('internal_error');
    expect(emu.files()).toEqual([]);
    expect(emu.calls('files.completeUploadExternal')[0]).toMatchObject({ ok: false, error: 'internal_error' });
    await sender.uploadFile({ channelId: 'C1', filename: 'a.png', title: 'a', bytes: PNG });
    expect(emu.files()).toHaveLength(1);

    emu.failNext('files.getUploadURLExternal', { status: 503 });
    const http = (await sender.uploadFile({ channelId: 'C1', filename: 'b.png', title: 'b', bytes: PNG }).catch((e: unknown) => e)) as { code: string; statusCode: number };
    expect(http).toMatchObject({ code: 'slack_webapi_http_error', statusCode: 503 });
  });
});

describe('echo', () => {
  let endpoint: Server | undefined;

  afterEach(async () => {
    await new Promise<void>((resolve) => (endpoint ? endpoint.close(() => resolve()) : resolve()));
    endpoint = undefined;
  });

  it('Slack echoes the share as a file_share message event from the bot', async () => {
    const echoEmu = new SlackEmulator({ signingSecret: SECRET });
    await echoEmu.start(0);
    echoEmu.addChannel({ id: 'C1', name: 'support', members: ['UBOT'] });
    const events: any[] = [];
    endpoint = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        events.push(JSON.parse(body).event);
        res.end();
      });
    });
    await new Promise<void>((resolve) => endpoint!.listen(0, '127.0.0.1', resolve));
    echoEmu.setBotEndpoint(`http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/`);
    const echoSender = createSlackSender(new WebClient(echoEmu.botToken, { slackApiUrl: echoEmu.apiUrl, fetch: slackFetch, retryConfig: { retries: 0 } }));
    await echoSender.uploadFile({ channelId: 'C1', filename: 'chart.png', title: 'chart', bytes: PNG, initialComment: 'fyi' });
    await echoEmu.idle();
    await echoEmu.stop();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'message', subtype: 'file_share', text: 'fyi', bot_id: 'BBOT', user: 'UBOT', upload: false, display_as_bot: false,
      files: [{ name: 'chart.png', mimetype: 'image/png', user: 'UBOT' }], channel: 'C1', channel_type: 'channel',
    });
    expect(events[0].files[0]).not.toHaveProperty('content');
  });

  it('Bolt drops the echo of its own file share (ignoreSelf)', async () => {
    const echoEmu = new SlackEmulator({ signingSecret: SECRET });
    await echoEmu.start(0);
    echoEmu.addUser({ id: 'U1', name: 'alice' });
    echoEmu.addChannel({ id: 'C1', name: 'support', members: ['UBOT', 'U1'] });
    const bolt = await startBareBolt({ signingSecret: SECRET, apiUrl: echoEmu.apiUrl, token: echoEmu.botToken });
    echoEmu.setBotEndpoint(bolt.url);
    try {
      const echoClient = new WebClient(echoEmu.botToken, { slackApiUrl: echoEmu.apiUrl, retryConfig: { retries: 0 } });
      await echoClient.filesUploadV2({ channel_id: 'C1', file: PNG, filename: 'chart.png' });
      await echoEmu.idle();
      expect(bolt.received).toBe(0);
      await echoEmu.driver.userSays('U1', 'C1', 'thanks');
      await echoEmu.idle();
      expect(bolt.received).toBe(1);
    } finally {
      await bolt.stop();
      await echoEmu.stop();
    }
  });
});
