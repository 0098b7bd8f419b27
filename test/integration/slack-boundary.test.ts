import { describe, expect, it } from 'vitest';
import { postInIntake, useHarness, W, type Harness } from '../support/harness.js';

/**
 * What comes through Slack's door with a valid signature but not in the shape Slack documents, or for a
 * listener this app does not have: refused or answered once, at once, and nothing stored.
 */
const count = async (h: Harness, table: string) => Number(((await (table === 'slack_inbox' ? h.inboxDb : h.testDb.db)(table).count({ n: '*' })) as { n: number | string }[])[0]!.n);
const rejected = async (h: Harness, reason: string) => {
  const text = await (await fetch(`${h.botUrl}/metrics`)).text();
  return Number(new RegExp(`threaddesk_slack_requests_rejected_total\\{reason="${reason}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
};

/** A correctly signed Events API request around `event` (the envelope of https://docs.slack.dev/apis/events-api). */
function envelope(h: Harness, event: Record<string, unknown>, eventId: string): string {
  return JSON.stringify({
    token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
    team_id: h.emu.teamId,
    api_app_id: 'A0KRD7HC3',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: h.emu.teamId, user_id: h.emu.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  });
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const interaction = (payload: unknown) => form({ payload: JSON.stringify(payload) });

describe('the Slack boundary: shapes checked, every request answered once and at once', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  it.each([
    ['no ts', { type: 'message', channel: W.help, user: W.carol, text: 'Where is my order?' }, 'event.ts'],
    ['a ts that is not a Slack timestamp', { type: 'message', channel: W.help, user: W.carol, text: 'Where is my order?', ts: 'yesterday' }, 'event.ts: not a Slack timestamp'],
    ['a text that is a number', { type: 'message', channel: W.help, user: W.carol, text: 42, ts: '1700000000.000100' }, 'event.text'],
    ['a text that is an object', { type: 'message', channel: W.help, user: W.carol, text: { rich: true }, ts: '1700000000.000200' }, 'event.text'],
    ['a user that is an object', { type: 'message', channel: W.help, user: { id: W.carol }, text: 'Where is my order?', ts: '1700000000.000300' }, 'event.user'],
    ['a reaction without its item', { type: 'reaction_added', user: W.carol, reaction: 'ticket' }, 'event.item'],
  ])('refuses a signed event with %s once: 200, one warning naming the field, counted, nothing stored', async (_name, event, field) => {
    const before = h.logLines.length;
    const result = await h.driver.sendSigned(envelope(h, event, `EvBAD${Date.now()}`), 'application/json');
    await h.settle();
    expect(result.status).toBe(200); // not 500: Slack would send it four times
    expect(await count(h, 'slack_inbox')).toBe(0);
    expect(await count(h, 'tickets')).toBe(0);
    expect(await rejected(h, 'invalid_payload')).toBe(1);
    const warnings = h.logLines.slice(before).filter((l) => l.includes('with a bad shape was refused'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40, kind: 'event', reason: expect.stringContaining(field) });
    // And the door still works.
    expect((await postInIntake(h, W.carol, 'A real question')).ticket.number).toBe(1);
  });

  it('refuses a slash command or a click with a bad shape with a 200 and stores nothing', async () => {
    const command = await h.driver.sendSigned(form({ command: '/ticket', text: '1 close', channel_id: W.general, team_id: h.emu.teamId }), 'application/x-www-form-urlencoded');
    const click = await h.driver.sendSigned(interaction({ type: 'block_actions', user: { id: W.alice }, actions: 'assign_to_me' }), 'application/x-www-form-urlencoded');
    await h.settle();
    expect([command.status, click.status]).toEqual([200, 200]);
    expect(await rejected(h, 'invalid_payload')).toBe(2);
    expect(h.logLines.filter((l) => l.includes('with a bad shape was refused')).map((l) => JSON.parse(l).reason)).toEqual([
      expect.stringContaining('user_id'),
      expect.stringContaining('actions'),
    ]);
  });

  it('answers a command, an action and a view this app does not have at once, not after Slack\'s 3 s', async () => {
    const user = { id: W.alice, username: 'alice', name: 'alice', team_id: h.emu.teamId };
    const started = Date.now();
    const command = await h.driver.sendSigned(
      form({ command: '/frobnicate', text: 'now', user_id: W.alice, user_name: 'alice', channel_id: W.general, team_id: h.emu.teamId, trigger_id: '1.2.3', response_url: `${h.emu.apiUrl}nowhere` }),
      'application/x-www-form-urlencoded',
    );
    const action = await h.driver.sendSigned(
      interaction({ type: 'block_actions', user, team: { id: h.emu.teamId }, trigger_id: '1.2.4', actions: [{ action_id: 'no_such_action', block_id: 'b1', type: 'button', value: 'x', action_ts: '1700000000.000001' }] }),
      'application/x-www-form-urlencoded',
    );
    const view = await h.driver.sendSigned(
      interaction({ type: 'view_submission', user, team: { id: h.emu.teamId }, view: { id: 'V1', callback_id: 'no_such_view', private_metadata: '', state: { values: {} } } }),
      'application/x-www-form-urlencoded',
    );
    const elapsed = Date.now() - started;
    expect([command.status, action.status, view.status]).toEqual([200, 200, 200]);
    expect(JSON.parse(command.body)).toEqual({ response_type: 'ephemeral', text: 'threaddesk does not know /frobnicate.' });
    expect(elapsed).toBeLessThan(2_500); // three requests, each answered without waiting for Bolt's 3 s timer
    expect(await rejected(h, 'unhandled')).toBe(3);
    expect(h.logLines.join('')).not.toMatch(/not acknowledged within 3 seconds/);
  });
});
