import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SlackEmulator } from '../../src/emulator/index.js';
import { SIGNING_SECRET, W } from '../support/harness.js';

// The real entry point (src/main.ts) as an operator runs it: configuration, logs, health, Socket Mode, SIGTERM.

interface Running {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

function runMain(env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout!.on('data', (chunk) => stdout.push(String(chunk)));
  child.stderr!.on('data', (chunk) => stderr.push(String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout, stderr, exited };
}

async function waitForLog(running: Running, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = running.stdout.join('').split('\n').find((l) => pattern.test(l));
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no log line matching ${pattern}; stdout: ${running.stdout.join('')} stderr: ${running.stderr.join('')}`);
}

describe('the threaddesk process', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function emulatorWithWorkspace(): Promise<SlackEmulator> {
    const emu = new SlackEmulator({ signingSecret: SIGNING_SECRET, retryDelaysMs: [20, 50, 100] });
    await emu.start(0);
    emu.addUser({ id: W.carol, name: 'carol' });
    emu.addUser({ id: W.alice, name: 'alice' });
    emu.addChannel({ id: W.help, name: 'help', members: [W.carol, emu.botUserId] });
    emu.addChannel({ id: W.triage, name: 'triage', members: [W.alice, emu.botUserId] });
    cleanups.push(() => emu.stop());
    return emu;
  }

  function tempDbUrl(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threaddesk-proc-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    return `sqlite:${path.join(dir, 'db.sqlite')}`;
  }

  it('refuses bad configuration with one clear line per problem and a non-zero exit, no stack trace', async () => {
    const running = runMain({ SLACK_BOT_TOKEN: 'not-a-token', PORT: 'http' });
    expect(await running.exited).toBe(2);
    const lines = running.stderr.join('').trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^threaddesk: configuration error: SLACK_BOT_TOKEN: expected a bot token starting with xoxb-$/),
      expect.stringMatching(/^threaddesk: configuration error: PORT: /),
    ]);
  });

  it('serves /healthz and /metrics, makes tickets, never logs a secret, and shuts down cleanly on SIGTERM', async () => {
    const emu = await emulatorWithWorkspace();
    const running = runMain({
      SLACK_BOT_TOKEN: emu.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: emu.apiUrl,
      PORT: '0',
      DATABASE_URL: tempDbUrl(),
      LOG_LEVEL: 'debug',
      THREADDESK_TRIAGE_CHANNEL: W.triage,
      THREADDESK_INTAKE_CHANNELS: W.help,
    });
    cleanups.push(async () => void running.child.kill('SIGKILL'));
    const port = JSON.parse(await waitForLog(running, /threaddesk is running/)).port as number;

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz?details`)).json()).toEqual({ ok: true, delivery: { pending: 0, oldestSeconds: 0, failed: 0 }, inbox: { pending: 0, oldestSeconds: 0, failed: 0 }, mail: { pending: 0, oldestSeconds: 0, failed: 0 }, chat: { pending: 0, oldestSeconds: 0, failed: 0 }, orders: { pending: 0, oldestSeconds: 0, failed: 0 } });
    emu.setBotEndpoint(`http://127.0.0.1:${port}/slack/events`);
    await emu.driver.userSays(W.carol, W.help, 'The coffee machine is on fire');
    await emu.waitFor(() => emu.messages(W.triage).length === 1, { timeoutMs: 10_000 });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/threaddesk_tickets_created_total 1/);

    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    const output = running.stdout.join('') + running.stderr.join('');
    expect(output).toContain('shutting down');
    expect(output).not.toContain(emu.botToken);
    expect(output).not.toContain(SIGNING_SECRET);
  });

  it('runs in Socket Mode when SLACK_APP_TOKEN is set', async () => {
    const emu = await emulatorWithWorkspace();
    const running = runMain({
      SLACK_BOT_TOKEN: emu.botToken,
      SLACK_APP_TOKEN: 'xapp-emulator',
      SLACK_API_URL: emu.apiUrl,
      PORT: '0',
      DATABASE_URL: tempDbUrl(),
      THREADDESK_TRIAGE_CHANNEL: W.triage,
      THREADDESK_INTAKE_CHANNELS: W.help,
    });
    cleanups.push(async () => void running.child.kill('SIGKILL'));
    await waitForLog(running, /"mode":"socket".*threaddesk is running/);
    await emu.waitFor(() => emu.calls('apps.connections.open').some((c) => c.ok), { timeoutMs: 10_000 });
    await emu.driver.userSays(W.carol, W.help, 'Socket mode question');
    await emu.waitFor(() => emu.messages(W.triage).length === 1, { timeoutMs: 10_000 });
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  });

  it('in Socket Mode still serves the HTTP doors on PORT: health, mail, the chat widget and its socket, the survey page', async () => {
    const emu = await emulatorWithWorkspace();
    const secret = 'socket-mode-api-secret-0123';
    const running = runMain({
      SLACK_BOT_TOKEN: emu.botToken,
      SLACK_APP_TOKEN: 'xapp-emulator',
      SLACK_API_URL: emu.apiUrl,
      PORT: '0',
      DATABASE_URL: tempDbUrl(),
      THREADDESK_TRIAGE_CHANNEL: W.triage,
      THREADDESK_API_SECRET: secret,
      THREADDESK_EMAIL_INBOXES: `support@shop.example=${W.triage}`,
      THREADDESK_CHAT_ORIGINS: 'https://shop.example',
      THREADDESK_ADMINS: W.alice,
    });
    cleanups.push(async () => void running.child.kill('SIGKILL'));
    const started = JSON.parse(await waitForLog(running, /"mode":"socket".*threaddesk is running/)) as { port: number };
    expect(started.port).toBeGreaterThan(0);
    const url = `http://127.0.0.1:${started.port}`;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    // A mail through the provider's webhook becomes a ticket (this route is added after the receiver is built).
    const mail = ['From: Pat <pat@example.com>', 'To: support@shop.example', 'Subject: Parcel missing', 'Message-ID: <sm1@example.com>', '', 'My parcel never came.', ''].join('\r\n');
    const mailed = await fetch(`${url}/inbound/email`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'message/rfc822' }, body: mail });
    expect(mailed.status).toBe(202);
    await emu.waitFor(() => emu.messages(W.triage).some((m) => JSON.stringify(m).includes('Parcel missing')), { timeoutMs: 10_000 });

    // The widget's script, and a visitor's message over the socket on the same port (chat connected by a command
    // that comes over Slack's socket).
    await emu.driver.slashCommand(W.alice, W.triage, '/helpdesk', `connect chat <#${W.triage}|triage>`);
    const script = await fetch(`${url}/chat/widget.js`);
    expect(script.status).toBe(200);
    expect(await script.text()).toContain('/chat/socket');
    const ws = new WebSocket(`ws://127.0.0.1:${started.port}/chat/socket`, { origin: 'https://shop.example' });
    const received: string[] = [];
    ws.on('message', (data) => received.push((JSON.parse(String(data)) as { type: string }).type));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ type: 'hello', token: null, since: 0 }));
    await emu.waitFor(() => received.includes('welcome'), { timeoutMs: 5_000 });
    ws.send(JSON.stringify({ type: 'send', id: 'c1', text: 'Is the blue jacket in stock?', page: 'https://shop.example/jackets' }));
    await emu.waitFor(() => emu.messages(W.triage).some((m) => JSON.stringify(m).includes('blue jacket')), { timeoutMs: 10_000 });
    ws.close();

    // The survey page answers (an unknown link: its own 404 page, not an empty one).
    const survey = await fetch(`${url}/csat?t=${'a'.repeat(26)}&rating=5`);
    expect(survey.status).toBe(404);
    expect(await survey.text()).toContain('no longer open');

    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  });
});
