import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startMailRelay } from '../support/mail-relay.js';
import { useHarness, W, type Harness } from '../support/harness.js';

/**
 * The chat widget's socket as a program speaks it (the browser tests drive the widget itself): tokens, catch-up,
 * and a reply nobody saw going to the visitor's email address through the email channel's relay.
 */
let relay: Awaited<ReturnType<typeof startMailRelay>>;
const env: Record<string, string> = {};
beforeAll(async () => {
  relay = await startMailRelay();
  // Unseen replies are mailed after 3 s here (2 minutes by default): the outbox runs on wall time.
  Object.assign(env, { THREADDESK_CHAT_EMAIL_AFTER_SECONDS: '3', THREADDESK_CHAT_ORIGINS: 'https://shop.example', THREADDESK_SMTP_URL: relay.url, THREADDESK_EMAIL_INBOXES: `support@shop.example=${W.triage}` });
});
afterAll(async () => relay.stop());

interface Line {
  id: number;
  from: string;
  text: string;
  agent: string | null;
}

/** A widget without the page: the socket, what it received, and a way to send. */
async function widget(h: Harness, token: string | null, since = 0) {
  const ws = new WebSocket(`${h.botUrl.replace('http', 'ws')}/chat/socket`, { origin: 'https://shop.example' });
  const lines: Line[] = [];
  const errors: string[] = [];
  let welcome: { token?: string } | null = null;
  const typing: boolean[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string; lines?: Line[]; token?: string; message?: string; on?: boolean };
    if (message.type === 'welcome') welcome = message;
    if (message.type === 'typing') typing.push(message.on!);
    if (message.type === 'lines') lines.push(...message.lines!);
    if (message.type === 'error') errors.push(message.message!);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify({ type: 'hello', token, since }));
  for (let i = 0; i < 100 && !welcome; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return {
    token: (welcome as { token?: string } | null)?.token ?? token,
    lines,
    errors,
    typing,
    send: (id: string, text: string, email?: string) => ws.send(JSON.stringify({ type: 'send', id, text, page: 'https://shop.example/jackets', email })),
    close: () => new Promise<void>((resolve) => ws.once('close', () => resolve()).close()),
  };
}

const until = async (check: () => boolean, what: string, timeoutMs = 3_000) => {
  for (let i = 0; i < timeoutMs / 20; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('the chat socket', () => {
  let h: Harness;
  useHarness((started) => (h = started), { env });

  it('a token reads only its own conversation; a reconnect with the last id gets only what came after; a forged token is a new visitor', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect chat <#${W.triage}|triage>`);
    const ann = await widget(h, null);
    expect(ann.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
    ann.send('m1', 'Is the shop open on Sunday?');
    await until(() => ann.lines.length === 1, 'the echo of her message');
    expect(ann.lines[0]).toMatchObject({ from: 'visitor', text: 'Is the shop open on Sunday?' });
    await h.settle();
    const [ticket] = await h.testDb.db('tickets').where({ origin_kind: 'chat' }).select('card_ts', 'origin_source');
    expect(ticket.origin_source).toBe('https://shop.example/jackets');

    // An agent opens the Reply modal: the widget says someone is typing; closing it ends that.
    await h.driver.clickButton(W.alice, W.triage, ticket.card_ts, 'ticket_reply');
    await h.settle();
    await until(() => ann.typing.length === 1, 'typing…');
    await h.driver.closeView(W.alice, h.emu.openViews(W.alice)[0]!.id);
    await h.settle();
    await until(() => ann.typing.length === 2, 'no longer typing');
    expect(ann.typing).toEqual([true, false]);
    await ann.close();

    await h.driver.userSays(W.alice, W.triage, '!reply Yes, from 10 to 4.', { thread_ts: ticket.card_ts });
    await h.settle();
    const back = await widget(h, ann.token, ann.lines[0]!.id);
    await until(() => back.lines.length === 1, 'the reply after her last message');
    expect(back.lines).toEqual([expect.objectContaining({ from: 'agent', text: 'Yes, from 10 to 4.', agent: 'Alice Agent' })]);

    const bob = await widget(h, 'A'.repeat(43)); // a guessed token is nobody's: a fresh visitor with an empty conversation
    expect(bob.token).not.toBe('A'.repeat(43));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bob.lines).toEqual([]);
    await back.close();
    await bob.close();
  });

  it('a reply no open widget showed in time (THREADDESK_CHAT_EMAIL_AFTER_SECONDS) is mailed to the address the visitor left; one they saw is not', async () => {
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `connect chat <#${W.triage}|triage>`);
    relay.mails.length = 0;
    const away = await widget(h, null);
    away.send('a1', 'Can you hold a jacket in M for me?', 'Lea@Example.com');
    await until(() => away.lines.length === 1, 'her message');
    await away.close();
    const stays = await widget(h, null);
    stays.send('b1', 'Do you have gift cards?', 'sam@example.com');
    await until(() => stays.lines.length === 1, 'his message');
    await h.settle();
    const [lea, sam] = await h.testDb.db('tickets').where({ origin_kind: 'chat' }).orderBy('number').select('card_ts');

    const repliedAt = Date.now();
    await h.driver.userSays(W.alice, W.triage, '!reply Done: it waits for you at the counter until Friday.', { thread_ts: lea.card_ts });
    await h.driver.userSays(W.alice, W.triage, '!reply Yes, any amount from 10 euros.', { thread_ts: sam.card_ts });
    await h.settle();
    await until(() => stays.lines.length === 2, 'his reply in the open widget');

    await until(() => relay.mails.length === 1, 'the mail of the reply nobody saw', 10_000);
    expect(Date.now() - repliedAt).toBeGreaterThanOrEqual(2_900); // not before its time
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await h.settle();
    expect(relay.mails).toHaveLength(1); // Sam saw his reply: not mailed, though he left an address
    const mail = relay.mails[0]!;
    expect(mail.envelope.to).toEqual(['lea@example.com']);
    expect(mail.parsed.from?.value[0]).toMatchObject({ address: 'support@shop.example', name: 'Alice Agent' });
    expect(mail.parsed.text).toContain('Done: it waits for you at the counter until Friday.');
    expect(mail.parsed.text).toContain('https://shop.example/jackets');
    await stays.close();
  });
});
