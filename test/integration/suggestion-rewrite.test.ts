import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { postInIntake, useHarness, W, type Harness } from '../support/harness.js';

// THREADDESK_LLM_URL: an OpenAI-compatible endpoint rewrites the suggestion put in the Reply box. Here a small
// HTTP server speaks that API (POST /v1/chat/completions); it answers at once, or too late, as a test asks.

const API_KEY = 'sk-local-test-key-123456';
const received: { authorization?: string; body: { model: string; messages: { role: string; content: string }[] } }[] = [];
let delayMs = 0;
const model = http.createServer((req, res) => {
  let raw = '';
  req.on('data', (chunk) => (raw += chunk));
  req.on('end', () => {
    if (req.url !== '/v1/chat/completions' || req.method !== 'POST') return void res.writeHead(404).end();
    const body = JSON.parse(raw) as (typeof received)[number]['body'];
    received.push({ authorization: req.headers.authorization, body });
    setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: 'Hi Dave, so sorry your mug broke in transit! A full refund is on its way.' }, finish_reason: 'stop' }] }));
    }, delayMs);
  });
});
await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(model.address() as AddressInfo).port}/v1`;
afterAll(() => new Promise<void>((resolve) => model.close(() => resolve())));

const PAST_ANSWER = 'Sorry it arrived broken! I have refunded it in full; it shows on your card within 5 days.';
const replyBox = (view: { blocks: { block_id?: string; element?: { initial_value?: string } }[] }) => view.blocks.find((b) => b.block_id?.startsWith('reply_text'))!;

async function suggestFor(h: Harness) {
  await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `channel <#${W.help}|help> burst 0`);
  const past = (await postInIntake(h, W.carol, 'My teapot arrived broken, refund please')).ticket;
  await h.driver.userSays(W.alice, W.triage, `!reply ${PAST_ANSWER}`, { thread_ts: past.cardTs! });
  await h.settle();
  const { ticket } = await postInIntake(h, W.dave, 'My mug came broken in the parcel. Refund please?');
  await h.driver.clickButton(W.bob, W.triage, ticket.cardTs!, 'ticket_suggest');
  await h.settle();
  return replyBox(h.emu.openViews(W.bob)[0]!.view as never).element!.initial_value;
}

describe('suggested replies rewritten by a model (THREADDESK_LLM_URL)', () => {
  let h: Harness;
  useHarness((x) => (h = x), { env: { THREADDESK_LLM_URL: url, THREADDESK_LLM_MODEL: 'qwen-small', THREADDESK_LLM_API_KEY: API_KEY, THREADDESK_LLM_TIMEOUT_MS: '500' } });

  it('puts the rewritten suggestion in the box, having sent the model the conversation and the draft', async () => {
    received.length = 0;
    delayMs = 0;
    expect(await suggestFor(h)).toBe('Hi Dave, so sorry your mug broke in transit! A full refund is on its way.');
    expect(received).toHaveLength(1);
    expect(received[0]!.authorization).toBe(`Bearer ${API_KEY}`);
    expect(received[0]!.body.model).toBe('qwen-small');
    const prompt = received[0]!.body.messages.at(-1)!.content;
    expect(prompt).toContain('Customer: My mug came broken in the parcel. Refund please?');
    expect(prompt).toContain(`Draft reply:\n${PAST_ANSWER}`);
    expect(h.logLines.join('')).not.toContain(API_KEY);
  });

  it('keeps the suggestion as it is when the model answers too late, and says so in one log line', async () => {
    received.length = 0;
    delayMs = 1500;
    expect(await suggestFor(h)).toBe(PAST_ANSWER);
    expect(received).toHaveLength(1);
    expect(h.logLines.filter((l) => l.includes('the model did not rewrite it'))).toHaveLength(1);
  });
});

describe('suggested replies without THREADDESK_LLM_URL', () => {
  let h: Harness;
  useHarness((x) => (h = x));

  it('sends no customer text anywhere', async () => {
    received.length = 0;
    expect(await suggestFor(h)).toBe(PAST_ANSWER);
    expect(received).toEqual([]);
  });
});
