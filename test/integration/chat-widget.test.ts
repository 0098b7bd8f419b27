import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { useHarness, W, type Harness } from '../support/harness.js';

/**
 * The chat widget in a real browser (Debian's chromium driven by playwright-core; .ci/run installs it), against
 * the bot's real HTTP endpoint and socket, with agents answering through the Slack emulator.
 */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
const SHOTS = process.env.THREADDESK_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), 'threaddesk-chat-'));
const env = { THREADDESK_CHAT_ORIGINS: 'https://shop.example' };

let browser: Browser | undefined;
beforeAll(async () => {
  if (!CHROMIUM && !process.env.CI) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM ?? '/usr/bin/chromium',
    // Stops chromium's own calls to outside hosts at start-up; no sandbox as root in CI containers.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);
afterAll(async () => browser?.close());

const chatTickets = (h: Harness) => h.testDb.db('tickets').where({ origin_kind: 'chat' }).orderBy('number').select('id', 'number', 'subject', 'card_ts', 'origin_source', 'origin_ts');
const lines = (page: Page) => page.locator('.td-log li').allInnerTexts();

async function openChat(h: Harness, page: Page): Promise<void> {
  await page.goto(`${h.botUrl}/chat/demo`);
  await page.getByRole('button', { name: 'Chat with us' }).click();
}

async function say(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

async function agentReplies(h: Harness, cardTs: string, text: string): Promise<void> {
  await h.driver.userSays(W.alice, W.triage, `!reply ${text}`, { thread_ts: cardTs });
  await h.settle();
}

// Skipped on a developer's machine without chromium; in CI (.ci/run installs it) a missing browser fails instead.
describe.skipIf(!CHROMIUM && !process.env.CI)('the chat widget in a browser', () => {
  let h: Harness;
  useHarness((started) => (h = started), { env });

  it('a visitor chats, an agent answers with !reply; a reply sent while the visitor was offline shows after the reconnect; a reload keeps the conversation', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect chat <#${W.triage}|triage>`);
    await h.settle(); // connected before a widget says hello (else: "The chat is not set up yet")
    const context = await browser!.newContext({ viewport: { width: 390, height: 760 } }); // a phone-sized screen
    const page = await context.newPage();
    await openChat(h, page);
    // Her message is stored (the widget hears so) before it is a ticket's: with tickets unwritable for a moment it
    // shows as sent ("You"), not yet as a line of the conversation (with its id); the inbox's retry makes it one.
    const tickets = h.bot.context.useCaseDeps.tickets;
    const open = tickets.open;
    tickets.open = () => Promise.reject(new Error('database unreachable'));
    await say(page, 'Hi! Does the blue jacket come in size L?');
    await page.locator('.td-log li:not([data-id]):not([aria-busy]) .td-who', { hasText: /^You$/ }).waitFor();
    tickets.open = open;
    h.clock.advance(1_000);
    await page.locator('.td-log li[data-id]').first().waitFor({ timeout: 5_000 });
    await h.settle();

    const [ticket] = await chatTickets(h);
    expect(ticket).toMatchObject({ number: 1, subject: 'Hi! Does the blue jacket come in size L?', origin_source: `${h.botUrl}/chat/demo` });
    expect(JSON.stringify(h.emu.message(W.triage, ticket.card_ts)?.blocks)).toContain(`:iphone: Chat · ${h.botUrl}/chat/demo`);

    const replied = Date.now();
    await agentReplies(h, ticket.card_ts, 'Yes, it does: we have three in stock.');
    await page.getByText('Yes, it does: we have three in stock.').waitFor({ timeout: 5_000 });
    expect(Date.now() - replied).toBeLessThan(5_000);
    await page.screenshot({ path: path.join(SHOTS, 'chat-widget.png') });

    // The connection drops and cannot come back for a while; the agent answers meanwhile.
    await context.setOffline(true);
    h.bot.chat.dropAll();
    await agentReplies(h, ticket.card_ts, 'Shall I reserve one for you?');
    await page.waitForTimeout(1_500);
    expect((await lines(page)).join('\n')).not.toContain('Shall I reserve one');
    await context.setOffline(false);
    await page.getByText('Shall I reserve one for you?').waitFor({ timeout: 15_000 });

    // A reload: the same visitor (their token in localStorage), the whole conversation, in order.
    await page.reload();
    await page.getByRole('button', { name: 'Chat with us' }).click();
    await page.getByText('Shall I reserve one for you?').waitFor({ timeout: 5_000 });
    expect((await lines(page)).map((l) => l.split('\n').pop())).toEqual(['Hi! Does the blue jacket come in size L?', 'Yes, it does: we have three in stock.', 'Shall I reserve one for you?']);
    await context.close();
  }, 60_000);

  it('another browser cannot read the conversation; a message with <script> is shown as text; a site not allowed cannot connect', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect chat <#${W.triage}|triage>`);
    await h.settle(); // connected before a widget says hello (else: "The chat is not set up yet")
    const first = await browser!.newContext();
    const page = await first.newPage();
    await openChat(h, page);
    await say(page, '<script>window.pwned = 1</script><b>not bold</b> my order number is 5521');
    await page.locator('.td-log li[data-id]').first().waitFor();
    expect(await page.locator('.td-log li b').count()).toBe(0);
    expect((await lines(page))[0]).toContain('<script>window.pwned = 1</script><b>not bold</b>');
    expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();

    const second = await browser!.newContext();
    const other = await second.newPage();
    await openChat(h, other);
    await other.waitForTimeout(1_000);
    expect(await lines(other)).toEqual([]);
    await h.settle();
    const [ticket] = await chatTickets(h);
    expect(JSON.stringify(h.emu.message(W.triage, ticket.card_ts)?.blocks)).toContain('&lt;script&gt;');

    // A page of another site: the socket is refused, and the HTTP fallback with it.
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${h.botUrl.replace('http', 'ws')}/chat/socket`, { origin: 'https://evil.example' });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    expect(refused).toBe(403);
    const post = await fetch(`${h.botUrl}/chat/messages`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'text/plain' }, body: JSON.stringify({ token: 'x'.repeat(43), id: 'a1', text: 'hi' }) });
    expect(post.status).toBe(403);
    await first.close();
    await second.close();
  }, 60_000);
});

describe.skipIf(!CHROMIUM && !process.env.CI)('the chat widget when its network started too many conversations', () => {
  let h: Harness;
  useHarness((started) => (h = started), { env: { ...env, THREADDESK_CHAT_VISITORS_PER_HOUR: '1' } });

  it('a second new visitor from the same address is told so, and the widget keeps saying it instead of reconnecting at once', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect chat <#${W.triage}|triage>`);
    await h.settle();
    const first = await browser!.newContext();
    const page = await first.newPage();
    await openChat(h, page);
    await say(page, 'Do you have this in green?');
    await page.locator('.td-log li[data-id]').first().waitFor();

    const second = await browser!.newContext(); // another browser on the same network: no token
    const other = await second.newPage();
    await openChat(h, other);
    await say(other, 'Hello?');
    const status = other.getByRole('status');
    await expect.poll(() => status.innerText()).toBe('Too many new conversations from your network: please try again later.');
    await other.waitForTimeout(1_500); // a dropped connection would say "Reconnecting…" within a second
    expect(await status.innerText()).toBe('Too many new conversations from your network: please try again later.');
    expect(Number(((await h.testDb.db('chat_visitors').count({ n: '*' })) as { n: number | string }[])[0]!.n)).toBe(1);
    await first.close();
    await second.close();
  }, 60_000);
});

/** A port nobody listens on now, so the bot's public URL can be known before it starts. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(!CHROMIUM && !process.env.CI)('the chat widget after a solve', () => {
  let h: Harness;
  const surveyEnv: Record<string, string> = { ...env };
  beforeAll(async () => {
    const port = await freePort();
    Object.assign(surveyEnv, { PORT: String(port), THREADDESK_PUBLIC_URL: `http://127.0.0.1:${port}` });
  });
  useHarness((started) => (h = started), { env: surveyEnv });

  it('shows the satisfaction survey as five buttons; the visitor\'s click opens its page, and sending it records the rating', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect chat <#${W.triage}|triage>`);
    await h.settle();
    const context = await browser!.newContext();
    const page = await context.newPage();
    await openChat(h, page);
    await say(page, 'Is the green scarf wool?');
    await page.locator('.td-log li[data-id]').first().waitFor();
    await h.settle();
    const [ticket] = await chatTickets(h);
    await agentReplies(h, ticket.card_ts, 'Yes, merino wool.');
    await h.driver.userSays(W.alice, W.triage, '!close', { thread_ts: ticket.card_ts });
    await h.settle();

    const buttons = page.getByRole('group', { name: 'Rate us from 1 (poor) to 5 (great)' }).getByRole('link');
    await buttons.first().waitFor({ timeout: 5_000 });
    expect(await buttons.allInnerTexts()).toEqual(['1', '2', '3', '4', '5']);
    expect((await lines(page)).at(-1)).toContain('How did we do? Rate us from 1 (poor) to 5 (great):');
    expect((await lines(page)).at(-1)).not.toContain('/csat?t='); // the link is the buttons, not text
    await page.screenshot({ path: path.join(SHOTS, 'chat-survey.png') });

    const [survey] = await Promise.all([context.waitForEvent('page'), buttons.nth(3).click()]);
    await survey.waitForLoadState();
    expect(await survey.getByRole('radio', { name: '4' }).isChecked()).toBe(true);
    expect(Number((await h.testDb.db('csat_surveys').where({ ticket_id: ticket.id }).first()).rating ?? 0)).toBe(0); // opening records nothing
    await survey.getByLabel('Anything you want to tell us? (optional)').fill('Quick answer, thanks!');
    await survey.getByRole('button', { name: 'Send' }).click();
    await survey.getByText('Thanks for rating request #1: ⭐⭐⭐⭐ 4/5.').waitFor();
    await h.settle();
    expect(await h.testDb.db('csat_surveys').where({ ticket_id: ticket.id }).first()).toMatchObject({ rating: 4, comment: 'Quick answer, thanks!' });
    await context.close();
  }, 60_000);
});
