/**
 * How a delivery that may have reached Slack is found again before posting twice: the bot's posts carry their
 * delivery id as message metadata, and SlackSender.findDelivered reads the channel or thread back, page by page.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { SlackEmulator } from '../../src/emulator/index.js';
import { createSlackSender, type SlackSender } from '../../src/bot/slack-sender.js';

let emu: SlackEmulator;
let sender: SlackSender;

beforeEach(async () => {
  emu = new SlackEmulator({ signingSecret: 'find-secret', echoBotMessages: false });
  await emu.start(0);
  sender = createSlackSender(new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } }));
  emu.addUser({ id: 'U1', name: 'alice' });
  emu.addChannel({ id: 'C1', name: 'triage', members: ['UBOT', 'U1'] });
});

afterEach(async () => {
  await emu.stop();
});

describe('finding a delivery already posted', () => {
  it('finds a card buried under 450 later posts in the channel (three pages back), and not one never posted', async () => {
    const since = Date.now();
    const card = await sender.post('C1', { text: 'card #7' }, undefined, 7);
    for (let i = 0; i < 450; i++) await sender.post('C1', { text: `card #${100 + i}` }, undefined, 100 + i);
    expect(await sender.findDelivered('C1', undefined, 7, since)).toBe(card);
    expect(await sender.findDelivered('C1', undefined, 99_999, since)).toBeNull();
  });

  it('finds a reply in a thread by its delivery id', async () => {
    const since = Date.now();
    const parent = await sender.post('C1', { text: 'card #1' }, undefined, 1);
    await sender.post('C1', { text: 'a status line' }, parent, 2);
    const reply = await sender.post('C1', { text: 'the mirror' }, parent, 3);
    expect(await sender.findDelivered('C1', parent, 3, since)).toBe(reply);
    expect(await sender.findDelivered('C1', parent, 4, since)).toBeNull();
  });
});
