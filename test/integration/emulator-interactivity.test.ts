/**
 * Slash commands, block actions, modals, shortcuts, Home tab and response_url — driven by the emulator's
 * driver against a real Bolt App (HTTP receiver), with Bolt's client pointed at the emulator.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App, LogLevel } from '@slack/bolt';
import { WebClient, type WebAPIPlatformError } from '@slack/web-api';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SlackEmulator } from '../../src/emulator/index.js';

const SECRET = 'interactive-secret';

const ticketModal = (callbackId = 'new_ticket') => ({
  type: 'modal' as const,
  callback_id: callbackId,
  private_metadata: 'C1',
  title: { type: 'plain_text' as const, text: 'New ticket' },
  submit: { type: 'plain_text' as const, text: 'Create' },
  blocks: [
    { type: 'input', block_id: 'subject', label: { type: 'plain_text', text: 'Subject' }, element: { type: 'plain_text_input', action_id: 'value' } },
    { type: 'input', block_id: 'prio', optional: true, label: { type: 'plain_text', text: 'Priority' }, element: { type: 'static_select', action_id: 'choice', options: [{ text: { type: 'plain_text', text: 'High' }, value: 'high' }, { text: { type: 'plain_text', text: 'Low' }, value: 'low' }] } },
  ],
});

const ticketMessageBlocks = [
  { type: 'section', block_id: 'summary', text: { type: 'mrkdwn', text: '*Ticket T1*' } },
  {
    type: 'actions', block_id: 'ticket_actions', elements: [
      { type: 'button', action_id: 'claim', text: { type: 'plain_text', text: 'Claim' }, value: 'T1' },
      { type: 'users_select', action_id: 'assign', placeholder: { type: 'plain_text', text: 'Assign' } },
    ],
  },
];

let emu: SlackEmulator;
let app: InstanceType<typeof App>;
let client: WebClient;
const seen: { actions: any[]; views: any[]; commands: any[]; shortcuts: any[] } = { actions: [], views: [], commands: [], shortcuts: [] };

beforeEach(async () => {
  seen.actions = [];
  seen.views = [];
  seen.commands = [];
  seen.shortcuts = [];
  emu = new SlackEmulator({ signingSecret: SECRET, echoBotMessages: false });
  await emu.start(0);
  emu.addUser({ id: 'U1', name: 'alice' });
  emu.addUser({ id: 'U2', name: 'bob' });
  emu.addChannel({ id: 'C1', name: 'support', members: ['UBOT', 'U1', 'U2'] });
  client = new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } });

  app = new App({ signingSecret: SECRET, token: emu.botToken, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } } });
  app.command('/ticket', async ({ command, ack, respond }) => {
    seen.commands.push(command);
    if (command.text === 'silent') return ack();
    await ack('Working on it…');
    await respond({ response_type: 'in_channel', text: `Ticket created: ${command.text}` });
    await respond({ text: 'only you can see this' });
  });
  app.action('claim', async ({ body, ack, respond, client: c }) => {
    await ack();
    seen.actions.push(body);
    await respond({ replace_original: true, text: 'Claimed by <@U1>', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Claimed' } }] });
    await c.views.open({ trigger_id: (body as any).trigger_id, view: ticketModal() });
  });
  app.action('assign', async ({ body, ack }) => {
    await ack();
    seen.actions.push(body);
  });
  app.action('more_fields', async ({ body, ack, client: c }) => {
    await ack();
    seen.actions.push(body);
    const v = (body as any).view;
    await c.views.update({ view_id: v.id, hash: v.hash, view: { ...ticketModal(), title: { type: 'plain_text', text: 'More fields' } } });
  });
  app.action('dismiss', async ({ ack, respond }) => {
    await ack();
    await respond({ delete_original: true });
  });
  app.view('new_ticket', async ({ ack, view, body }) => {
    seen.views.push(body);
    const subject = view.state.values.subject.value.value;
    if (subject === 'bad') return ack({ response_action: 'errors', errors: { subject: 'Too vague' } });
    if (subject === 'more') return ack({ response_action: 'update', view: { ...ticketModal(), title: { type: 'plain_text', text: 'Step 2' } } });
    return ack();
  });
  app.shortcut('create_ticket', async ({ shortcut, ack, client: c }) => {
    await ack();
    seen.shortcuts.push(shortcut);
    await c.views.open({ trigger_id: shortcut.trigger_id, view: ticketModal() });
  });
  app.event('app_home_opened', async ({ event, client: c }) => {
    await c.views.publish({ user_id: event.user, view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Your tickets' } }] } });
  });
  const server = (await app.start(0)) as Server;
  emu.setBotEndpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`);
});

afterEach(async () => {
  vi.useRealTimers();
  await app.stop();
  await emu.stop();
});

describe('slash commands', () => {
  it('records the ack body and response_url replies (ephemeral and in_channel)', async () => {
    const r = await emu.driver.slashCommand('U1', 'C1', '/ticket', 'printer on fire');
    expect(r).toEqual({ status: 200, body: 'Working on it…' });
    await emu.waitFor(() => emu.ephemerals({ user: 'U1' }).length === 2);
    expect(emu.ephemerals({ user: 'U1' }).map((e) => [e.text, e.via])).toEqual([
      ['Working on it…', 'response_url'], ['only you can see this', 'response_url'],
    ]);
    expect(emu.messages('C1')).toMatchObject([{ text: 'Ticket created: printer on fire', bot_id: 'BBOT' }]);
    expect(seen.commands[0]).toMatchObject({ command: '/ticket', text: 'printer on fire', user_id: 'U1', user_name: 'alice', channel_id: 'C1', channel_name: 'support', team_id: 'T0001', api_app_id: 'AEMU', is_enterprise_install: 'false' });
    expect(seen.commands[0].response_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/response\//);
  });

  it('sends an exactly form-encoded, signed body', async () => {
    const captured: { headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      captured.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    emu.setBotEndpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await emu.driver.slashCommand('U1', 'C1', '/ticket', 'a&b');
    server.close();
    expect(captured[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(captured[0].headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    const form = Object.fromEntries(new URLSearchParams(captured[0].body));
    expect(Object.keys(form).sort()).toEqual(['api_app_id', 'channel_id', 'channel_name', 'command', 'is_enterprise_install', 'response_url', 'team_domain', 'team_id', 'text', 'token', 'trigger_id', 'user_id', 'user_name'].sort());
    expect(form.text).toBe('a&b');
  });
});

describe('block actions and modals', () => {
  it('click → respond(replace_original) + views.open → submit with errors → submit ok closes the modal', async () => {
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'Ticket T1', blocks: ticketMessageBlocks });
    const click = await emu.driver.clickButton('U1', 'C1', posted.ts!, 'claim');
    expect(click.status).toBe(200);
    const [view] = await emu.waitFor(() => (emu.openViews('U1').length === 1 ? emu.openViews('U1') : undefined));
    expect(emu.message('C1', posted.ts!)?.text).toBe('Claimed by <@U1>');

    const payload = seen.actions[0];
    expect(payload).toMatchObject({
      type: 'block_actions', user: { id: 'U1', username: 'alice', team_id: 'T0001' }, team: { id: 'T0001' }, channel: { id: 'C1', name: 'support' },
      container: { type: 'message', message_ts: posted.ts, channel_id: 'C1', is_ephemeral: false },
      message: { ts: posted.ts, blocks: ticketMessageBlocks },
      actions: [{ type: 'button', action_id: 'claim', block_id: 'ticket_actions', value: 'T1', text: { type: 'plain_text', text: 'Claim' } }],
      state: { values: { ticket_actions: { assign: { type: 'users_select', selected_user: null } } } },
    });

    const rejected = await emu.driver.submitView('U1', view.id, { subject: { value: 'bad' } });
    expect(rejected.json).toEqual({ response_action: 'errors', errors: { subject: 'Too vague' } });
    expect(emu.openViews('U1')).toHaveLength(1);

    const accepted = await emu.driver.submitView('U1', view.id, { subject: { value: 'Printer on fire' }, prio: { choice: 'high' } });
    expect(accepted).toMatchObject({ status: 200, body: '' });
    expect(emu.openViews('U1')).toHaveLength(0);
    expect(seen.views[1]).toMatchObject({
      type: 'view_submission',
      view: {
        id: view.id, callback_id: 'new_ticket', private_metadata: 'C1', app_installed_team_id: 'T0001', hash: view.hash,
        state: { values: { subject: { value: { type: 'plain_text_input', value: 'Printer on fire' } }, prio: { choice: { type: 'static_select', selected_option: { value: 'high' } } } } },
      },
    });
  });

  it('response_action update replaces the view; required inputs and unknown elements are refused by the driver', async () => {
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'Ticket T1', blocks: ticketMessageBlocks });
    await emu.driver.clickButton('U1', 'C1', posted.ts!, 'claim');
    const [view] = await emu.waitFor(() => (emu.openViews('U1').length === 1 ? emu.openViews('U1') : undefined));
    await expect(emu.driver.submitView('U1', view.id, {})).rejects.toThrow(/required input "subject\/value"/);
    await expect(emu.driver.submitView('U1', view.id, { nope: { x: 'y' } })).rejects.toThrow(/no input "nope\/x"/);
    await emu.driver.submitView('U1', view.id, { subject: { value: 'more' } });
    expect(emu.openViews('U1')).toMatchObject([{ id: view.id, view: { title: { text: 'Step 2' } } }]);
    expect(emu.openViews('U1')[0].hash).not.toBe(view.hash);
    await expect(emu.driver.clickButton('U1', 'C1', posted.ts!, 'not_there')).rejects.toThrow(/no element with action_id "not_there"/);
  });

  it('users_select sends selected_user; buttons in ephemerals can be clicked and deleted via response_url', async () => {
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'Ticket T1', blocks: ticketMessageBlocks });
    await emu.driver.clickButton('U1', 'C1', posted.ts!, 'assign', { selectedUser: 'U2' });
    expect(seen.actions[0].actions[0]).toMatchObject({ type: 'users_select', action_id: 'assign', selected_user: 'U2' });
    expect(seen.actions[0].state.values.ticket_actions.assign).toEqual({ type: 'users_select', selected_user: 'U2' });

    const eph = await client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'Create a ticket?', blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: 'dismiss', text: { type: 'plain_text', text: 'No' } }] }] });
    await emu.driver.clickButton('U1', 'C1', eph.message_ts!, 'dismiss');
    await emu.waitFor(() => emu.ephemerals({ user: 'U1' }).length === 0);
  });

  it('clickViewButton sends block_actions from inside a modal with the view and its current state', async () => {
    const opened = await client.views.open({ trigger_id: await (async () => {
      await emu.driver.slashCommand('U1', 'C1', '/ticket', 'silent');
      return seen.commands[0].trigger_id;
    })(), view: { ...ticketModal(), blocks: [...ticketModal().blocks, { type: 'actions', block_id: 'extra', elements: [{ type: 'button', action_id: 'more_fields', text: { type: 'plain_text', text: 'More' } }] }] } });
    const viewId = opened.view!.id!;
    const r = await emu.driver.clickViewButton('U1', viewId, 'more_fields', { values: { subject: { value: 'draft' } } });
    expect(r.status).toBe(200);
    await emu.waitFor(() => emu.openViews('U1')[0]?.view.title.text === 'More fields');
    expect(seen.actions[0]).toMatchObject({
      type: 'block_actions', container: { type: 'view', view_id: viewId },
      view: { id: viewId, state: { values: { subject: { value: { type: 'plain_text_input', value: 'draft' } } } } },
      actions: [{ type: 'button', action_id: 'more_fields', block_id: 'extra' }],
    });
    expect(seen.actions[0]).not.toHaveProperty('response_url');
  });

  it('message shortcut carries the stored message and a usable trigger_id', async () => {
    const { ts } = await emu.driver.userSays('U1', 'C1', 'my VPN is down');
    await emu.idle();
    const r = await emu.driver.messageShortcut('U2', 'C1', ts, 'create_ticket');
    expect(r.status).toBe(200);
    await emu.waitFor(() => emu.openViews('U2').length === 1);
    expect(seen.shortcuts[0]).toMatchObject({ type: 'message_action', callback_id: 'create_ticket', message_ts: ts, channel: { id: 'C1' }, user: { id: 'U2' }, message: { text: 'my VPN is down', user: 'U1' } });
  });
});

describe('views.* rules', () => {
  async function issueTrigger(): Promise<string> {
    await emu.driver.slashCommand('U1', 'C1', '/ticket', 'silent');
    return seen.commands[seen.commands.length - 1].trigger_id;
  }

  async function error(p: Promise<unknown>): Promise<string> {
    const e = (await p.then(() => undefined, (x: unknown) => x)) as WebAPIPlatformError;
    return e.data.error;
  }

  it('trigger ids are single use, must be known and expire after 3 s', async () => {
    expect(await error(client.views.open({ trigger_id: 'made.up', view: ticketModal() }))).toBe('invalid_trigger_id');
    const t1 = await issueTrigger();
    await client.views.open({ trigger_id: t1, view: ticketModal() });
    expect(await error(client.views.open({ trigger_id: t1, view: ticketModal() }))).toBe('exchanged_trigger_id');
    const t2 = await issueTrigger();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 3500);
    expect(await error(client.views.open({ trigger_id: t2, view: ticketModal() }))).toBe('expired_trigger_id');
  });

  it('validates views, detects hash conflicts, limits the push stack to 3', async () => {
    const tooLong = { ...ticketModal(), title: { type: 'plain_text' as const, text: 'x'.repeat(25) } };
    expect(await error(client.views.open({ trigger_id: await issueTrigger(), view: tooLong }))).toBe('invalid_arguments');
    const opened = await client.views.open({ trigger_id: await issueTrigger(), view: ticketModal() });
    const id = opened.view!.id!;
    expect(await error(client.views.update({ view_id: id, hash: 'stale', view: ticketModal() }))).toBe('hash_conflict');
    await client.views.update({ view_id: id, hash: opened.view!.hash, view: { ...ticketModal(), title: { type: 'plain_text', text: 'Updated' } } });
    expect(emu.openViews('U1')[0].view.title.text).toBe('Updated');
    await client.views.push({ trigger_id: await issueTrigger(), view: ticketModal('two') });
    await client.views.push({ trigger_id: await issueTrigger(), view: ticketModal('three') });
    expect(await error(client.views.push({ trigger_id: await issueTrigger(), view: ticketModal('four') }))).toBe('push_limit_reached');
    expect(emu.openViews('U1')).toHaveLength(3);
  });

  it('app_home_opened → views.publish is visible as homeView()', async () => {
    await emu.driver.openHome('U1');
    const home = await emu.waitFor(() => emu.homeView('U1'));
    expect(home).toMatchObject({ type: 'home', blocks: [{ text: { text: 'Your tickets' } }] });
    expect(await error(client.views.publish({ user_id: 'U1', view: ticketModal() as any }))).toBe('invalid_arguments');
  });
});
