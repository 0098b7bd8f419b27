import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackFetch } from '../../src/bot/slack-fetch.js';
import { SlackEmulator } from '../../src/emulator/index.js';

// The bot's Web API transport must behave like fetch for everything the Web API client reads.
describe('slackFetch, the Web API transport', () => {
  const emu = new SlackEmulator({ signingSecret: 'secret', echoBotMessages: false });
  let client: WebClient;
  beforeAll(async () => {
    await emu.start(0);
    emu.addChannel({ id: 'C1', name: 'one', members: [emu.botUserId] });
    client = new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl, fetch: slackFetch, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  });
  afterAll(() => emu.stop());

  it('carries a call and its answer', async () => {
    const result = await client.chat.postMessage({ channel: 'C1', text: 'a & b <c>' });
    expect(result.ok).toBe(true);
    expect(emu.message('C1', result.ts!)!.text).toBe('a & b <c>');
  });

  it('surfaces Slack errors, HTTP errors and Retry-After like fetch does', async () => {
    await expect(client.chat.postMessage({ channel: 'CNONE', text: 'x' })).rejects.toMatchObject({ code: 'slack_webapi_platform_error', data: { error: 'channel_not_found' } });
    emu.failNext('chat.postMessage', { status: 503 });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({ code: 'slack_webapi_http_error', statusCode: 503 });
    emu.failNext('chat.postMessage', { retryAfter: 7 });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 });
  });

  it('hands bodies it does not handle (multipart uploads) to the built-in fetch', async () => {
    const form = new FormData();
    form.set('channel', 'C1');
    form.set('text', 'from a form');
    const response = await slackFetch(`${emu.apiUrl}chat.postMessage`, { method: 'POST', body: form, headers: { authorization: `Bearer ${emu.botToken}` } });
    expect(await response.json()).toMatchObject({ ok: true });
  });
});
