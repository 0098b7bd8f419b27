/**
 * Socket Mode (doc §1.9): a real Bolt App with socketMode:true gets its WebSocket URL from the emulator's
 * apps.connections.open, receives `hello`, then envelopes, and acks them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App, LogLevel } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { SlackEmulator } from '../../src/emulator/index.js';

const SECRET = 'socket-secret';

describe('Socket Mode', () => {
  let emu: SlackEmulator;
  let app: InstanceType<typeof App>;
  const messages: any[] = [];

  beforeEach(async () => {
    messages.length = 0;
    emu = new SlackEmulator({ signingSecret: SECRET });
    await emu.start(0);
    emu.addUser({ id: 'U1', name: 'alice' });
    emu.addChannel({ id: 'C1', name: 'support', members: ['UBOT', 'U1'] });
    app = new App({
      socketMode: true,
      appToken: emu.appToken,
      token: emu.botToken,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } },
    });
    app.message(async ({ message }) => {
      messages.push(message);
    });
    app.command('/ticket', async ({ ack }) => {
      await ack({ response_type: 'ephemeral', text: 'queued' });
    });
    await app.start();
  });

  afterEach(async () => {
    await app.stop();
    await emu.stop();
  });

  it('apps.connections.open takes the app token and returns a ws:// link; events arrive over the socket', async () => {
    expect(emu.calls('apps.connections.open')).toMatchObject([{ ok: true, status: 200 }]);
    const r = await emu.driver.userSays('U1', 'C1', 'hello over the socket');
    expect(r).toMatchObject({ status: 200, delivered: true });
    await emu.waitFor(() => messages.length === 1);
    expect(messages[0]).toMatchObject({ text: 'hello over the socket', user: 'U1', channel: 'C1' });
  });

  it('the bot token cannot open a socket; the echo of the bot\'s post is acked but ignored by Bolt', async () => {
    const botClient = new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } });
    const err = (await botClient.apiCall('apps.connections.open').catch((e: any) => e)) as any;
    expect(err.data.error).toBe('not_allowed_token_type');
    await botClient.chat.postMessage({ channel: 'C1', text: 'from the bot' });
    await emu.idle();
    await emu.driver.userSays('U1', 'C1', 'after');
    await emu.waitFor(() => messages.length === 1);
    expect(messages.map((m) => m.text)).toEqual(['after']);
  });

  it('slash command acks with a payload come back as the response body', async () => {
    const r = await emu.driver.slashCommand('U1', 'C1', '/ticket', 'x');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ response_type: 'ephemeral', text: 'queued' });
    expect(emu.ephemerals({ user: 'U1' })).toMatchObject([{ text: 'queued' }]);
  });
});
