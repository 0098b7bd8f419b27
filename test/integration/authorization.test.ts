import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/domain/ticket.js';
import type { EmuCall } from '../../src/emulator/index.js';
import { postInIntake, startHarness, W, type Harness } from '../support/harness.js';

/*
 * Who may do what, door by door: every card button, /ticket subcommand, ! thread command, modal submit, emoji
 * action and /helpdesk command, run as a requester, an agent (one of our own, and a Slack Connect partner's user
 * who is a member of our triage channel: judged against our workspace, not the team Slack names in their requests)
 * and the kinds of admins. For each run we check what
 * the person notices (the answer, or the modal's error) and that a refusal changed nothing: not the database
 * (every table but the bot's transport bookkeeping) and not Slack (no post, update, reaction, modal or file).
 * The policy under test is the README's "Who may do what".
 */

const LEAD = 'ULEAD007'; // in THREADDESK_ADMINS; neither a Slack admin nor an agent
const OWNER = 'UOWNER08'; // owner of the workspace, not an agent
const PARTNER_ADMIN = 'UPADMIN9'; // an admin of the Slack Connect partner's organisation, not of ours
const ROOT = 'UROOT010'; // in THREADDESK_ADMINS: sets the stage for the settings cases
const SETUP = 'CSETUP01'; // the intake channel the settings cases change (tickets stay in #help)
const setup = `<#${SETUP}|setup-help>`;
const general = `<#${W.general}|general>`;

const REFUSED = {
  ticket: `Only agents (members of <#${W.triage}>) can work tickets.`,
  agent: 'Only agents (members of a triage channel) can do that.',
  team: 'Only agents (members of a triage channel) and settings admins (workspace admins and the people in THREADDESK_ADMINS) can do that.',
  settings: 'Only workspace admins and the people in THREADDESK_ADMINS can change settings.',
};

type Role = 'requester' | 'agent' | 'Slack Connect agent' | 'workspace admin' | 'workspace owner' | 'THREADDESK_ADMINS' | 'partner admin';
const USER: Record<Role, string> = {
  requester: W.carol,
  agent: W.alice,
  'Slack Connect agent': W.erin, // of W.partnerTeam, a member of our triage channel
  'workspace admin': W.ada,
  'workspace owner': OWNER,
  THREADDESK_ADMINS: LEAD,
  'partner admin': PARTNER_ADMIN,
};
const TICKET_ROLES: Role[] = ['requester', 'agent', 'Slack Connect agent', 'workspace admin', 'THREADDESK_ADMINS'];
const ALL_ROLES = Object.keys(USER) as Role[];

/** ticket: agents of the ticket's triage channel; agent: agents anywhere; team: agents and settings admins. */
type Access = keyof typeof REFUSED | 'anyone' | 'the requester';
const ALLOWED: Record<Access, Role[]> = {
  ticket: ['agent', 'Slack Connect agent'],
  agent: ['agent', 'Slack Connect agent'],
  team: ['agent', 'Slack Connect agent', 'workspace admin', 'workspace owner', 'THREADDESK_ADMINS'],
  settings: ['workspace admin', 'workspace owner', 'THREADDESK_ADMINS'],
  anyone: ALL_ROLES,
  'the requester': ['requester'],
};

interface Stage {
  ticket: Ticket;
  originTs: string;
  /** A modal the user has open, a second ticket, a rule or digest id… */
  viewId?: string;
  other?: Ticket;
  id?: string;
  name?: string;
}

interface Seen {
  answers: string[];
  /** The HTTP answer to the request: a modal's errors, or the options a select was offered. */
  json?: { response_action?: string; errors?: Record<string, string>; options?: { value: string }[] };
  writes: EmuCall[];
}

interface Case {
  what: string;
  access: Access;
  /** How a refusal shows: an ephemeral answer (default), the modal's error, or nothing (emoji, a pick in a modal). */
  refusal?: 'ephemeral' | 'modal' | 'silent';
  /** The refusal's text when not the access's own: `/ticket N` refuses non-agents before it looks the ticket up. */
  refusedAs?: keyof typeof REFUSED;
  /** What else a refused user must not get (the HTTP answer carries no data, say). */
  refused?: (h: Harness, user: string, s: Stage, seen: Seen) => Promise<void> | void;
  /** Default: a fresh ticket from Carol. */
  stage?: (h: Harness, user: string, role: Role) => Promise<Stage>;
  act: (h: Harness, user: string, s: Stage) => Promise<{ json?: unknown } | unknown>;
  /** Whether the database changes when allowed (false: a read, a modal opening, a rejected value). */
  changes: boolean;
  /** What the allowed user notices. */
  allowed: (h: Harness, user: string, s: Stage, seen: Seen) => Promise<void> | void;
  /** Roles this case cannot be staged for. */
  except?: Role[];
}

// ---- the world ---------------------------------------------------------------------------------------------

const READS = new Set(['auth.test', 'users.info', 'conversations.members', 'conversations.info', 'conversations.history', 'conversations.replies', 'chat.getPermalink', 'chat.postEphemeral']);
const isSlackWrite = (call: EmuCall) => !READS.has(call.method);

/**
 * Every row of every table, except knex's own and the bot's transport bookkeeping: how Slack output is queued
 * (deliveries), the events received (slack_inbox keeps every event, whatever came of it) and the request
 * signatures seen (the replay guard records every request, refused or not).
 */
async function snapshot(h: Harness): Promise<Record<string, string[]>> {
  const db = h.testDb.db;
  const names: string[] = h.testDb.schema
    ? (await db.raw('select table_name as name from information_schema.tables where table_schema = ?', [h.testDb.schema])).rows.map((r: { name: string }) => r.name)
    : (await db.raw("select name from sqlite_master where type = 'table'")).map((r: { name: string }) => r.name);
  const out: Record<string, string[]> = {};
  for (const name of names.filter((n) => !/^(knex_|sqlite_|deliver|outbox|slack_inbox$|seen_signatures$)/.test(n)).sort()) {
    out[name] = (await db(name).select()).map((row) => JSON.stringify(row)).sort();
  }
  return out;
}

const ticketCommand = (h: Harness, user: string, text: string) => h.driver.slashCommand(user, W.general, '/ticket', text);
const helpdesk = (h: Harness, user: string, text: string) => h.driver.slashCommand(user, W.general, '/helpdesk', text);
const lastAnswer = (h: Harness, user: string) => h.emu.ephemerals({ user }).at(-1)?.text ?? '';

/** Sets the stage as someone allowed (an agent for tickets, ROOT for settings), and checks it worked. */
async function as(h: Harness, user: string, command: '/ticket' | '/helpdesk', text: string, expected: string | RegExp): Promise<string> {
  await h.driver.slashCommand(user, W.general, command, text);
  await h.settle();
  const answer = lastAnswer(h, user);
  expect(answer, `stage: ${command} ${text}`).toMatch(expected);
  return answer;
}

let counter = 0;
const freshTicket = async (h: Harness): Promise<Stage> => postInIntake(h, W.carol, `Case ${++counter}: the printer on floor ${counter} is jammed`);
const reload = async (h: Harness, t: Ticket) => (await h.tickets.byId(t.id))!;

const solvedTicket = async (h: Harness): Promise<Stage> => {
  const s = await freshTicket(h);
  await as(h, W.alice, '/ticket', `${s.ticket.number} close`, /solved/);
  return { ...s, ticket: await reload(h, s.ticket) };
};

/** The latest modal opened for the user by `open`. */
async function modalOpenedBy(h: Harness, user: string, open: () => Promise<unknown>): Promise<string> {
  const before = new Set(h.emu.openViews(user).map((v) => v.id));
  await open();
  await h.settle();
  const view = h.emu.openViews(user).find((v) => !before.has(v.id));
  if (!view) throw new Error(`no modal opened for ${user}: ${lastAnswer(h, user)}`);
  return view.id;
}

/**
 * A modal opened while the user could use it, submitted after they no longer can: someone who is not an agent
 * joins the triage channel (so is one), opens it, and leaves before pressing the button.
 */
async function openedAsFormerAgent(h: Harness, user: string, mayOpen: boolean, open: () => Promise<unknown>, meanwhile?: (viewId: string) => Promise<unknown>): Promise<string> {
  if (mayOpen) return modalOpenedBy(h, user, open);
  await h.driver.joins(user, W.triage);
  await h.settle();
  const viewId = await modalOpenedBy(h, user, open);
  await meanwhile?.(viewId);
  h.emu.leaveChannel(W.triage, user);
  await h.driver.deliverEvent({ type: 'member_left_channel', user, channel: W.triage, channel_type: 'C', team: h.emu.teamId, event_ts: `${Date.now() / 1000}` });
  await h.settle();
  return viewId;
}

const replyBox = (h: Harness, user: string, viewId: string) => {
  const view = h.emu.openViews(user).find((v) => v.id === viewId)!.view as { blocks: { block_id?: string; element?: { initial_value?: string } }[] };
  return view.blocks.find((b) => b.block_id?.startsWith('reply_text'))!;
};

const originReplies = (h: Harness, s: Stage) => h.emu.thread(W.help, s.originTs).map((m) => m.text);
const viewOf = (call: EmuCall) => (typeof call.args.view === 'string' ? JSON.parse(call.args.view) : call.args.view) as { callback_id?: string };
const opened = (seen: Seen, callbackId: string) => expect(seen.writes.filter((c) => c.method === 'views.open').map((c) => viewOf(c).callback_id)).toContain(callbackId);

async function run(h: Harness, c: Case, role: Role): Promise<void> {
  const user = USER[role];
  const mayAct = ALLOWED[c.access].includes(role);
  const stage = await (c.stage ?? freshTicket)(h, user, role);
  await h.settle();
  const answersBefore = h.emu.ephemerals({ user }).length;
  const callsBefore = h.emu.calls().length;
  const dbBefore = await snapshot(h);

  const result = (await c.act(h, user, stage)) as { json?: Seen['json'] } | undefined;
  await h.settle();

  const seen: Seen = { answers: h.emu.ephemerals({ user }).slice(answersBefore).map((e) => e.text), json: result?.json, writes: h.emu.calls().slice(callsBefore).filter(isSlackWrite) };
  const dbAfter = await snapshot(h);
  if (mayAct) {
    for (const answer of seen.answers) expect(answer).not.toMatch(/^Only /);
    if (c.changes) expect(dbAfter, 'the database changed').not.toEqual(dbBefore);
    else expect(dbAfter, 'the database did not change').toEqual(dbBefore);
    await c.allowed(h, user, stage, seen);
    return;
  }
  const refusal = c.access === 'the requester' ? `Only <@${W.carol}>, who asked, can rate #${stage.ticket.number}. Thanks all the same!` : REFUSED[c.refusedAs ?? (c.access as keyof typeof REFUSED)];
  if (c.refusal === 'modal') {
    expect(seen.json).toMatchObject({ response_action: 'errors' });
    expect(Object.values(seen.json!.errors ?? {})).toEqual([refusal]);
    expect(seen.answers).toEqual([]);
  } else if (c.refusal === 'silent') {
    expect(seen.answers).toEqual([]);
  } else {
    expect(seen.answers).toEqual([refusal]);
  }
  expect(seen.writes.map((w) => w.method), 'nothing posted, updated or opened in Slack').toEqual([]);
  expect(dbAfter, 'nothing changed in the database').toEqual(dbBefore);
  await c.refused?.(h, user, stage, seen);
}

async function startWorld(env: Record<string, string>): Promise<Harness> {
  const h = await startHarness({ env });
  h.emu.addUser({ id: LEAD, name: 'lee', realName: 'Lee Lead' });
  h.emu.addUser({ id: OWNER, name: 'otto', realName: 'Otto Owner', isOwner: true });
  h.emu.addUser({ id: PARTNER_ADMIN, name: 'pat', realName: 'Pat Partner', teamId: W.partnerTeam, isAdmin: true });
  h.emu.addUser({ id: ROOT, name: 'root', realName: 'Rhea Root' });
  for (const id of [LEAD, OWNER, PARTNER_ADMIN, ROOT]) for (const channel of [W.help, W.general]) h.emu.joinChannel(channel, id);
  h.emu.joinChannel(W.triage, W.erin); // a partner's user working our tickets with us (Slack Connect)
  h.emu.addChannel({ id: SETUP, name: 'setup-help', members: [W.carol, h.emu.botUserId] });
  await as(h, ROOT, '/helpdesk', `channel <#${W.help}|help> burst 0`, /always open a new ticket/);
  await as(h, ROOT, '/helpdesk', `connect ${setup} <#${W.triage}|triage>`, /is an intake channel/);
  await as(h, W.alice, '/helpdesk', 'template add greet Hi {{customer.first_name}}, we are on it.', /added/);
  await as(h, W.alice, '/helpdesk', 'template add order-update Hi {{customer.first_name}}, order {{order.number}} ships today.', /added/);
  await as(h, W.alice, '/helpdesk', 'template add got-it We have your request, {{customer.first_name}}.', /added/);
  return h;
}

function matrix(cases: Case[], roles: Role[], world: () => Harness): void {
  for (const c of cases) {
    describe(c.what, () => {
      for (const role of roles.filter((r) => !c.except?.includes(r))) {
        const verdict = ALLOWED[c.access].includes(role) ? 'allowed' : 'refused';
        it(`${role}: ${verdict}`, () => run(world(), c, role));
      }
    });
  }
}

// ---- ticket work: agents only -----------------------------------------------------------------------------

const click = (actionId: string, opts: { selectedUser?: string } = {}) => (h: Harness, user: string, s: Stage) => h.driver.clickButton(user, W.triage, s.ticket.cardTs!, actionId, opts);
const slash = (text: (s: Stage) => string) => (h: Harness, user: string, s: Stage) => ticketCommand(h, user, text(s));
const assignedTo = (who: string | 'actor') => async (h: Harness, user: string, s: Stage) => expect((await reload(h, s.ticket)).assigneeId).toBe(who === 'actor' ? user : who);
const status = (expected: string) => async (h: Harness, _user: string, s: Stage) => expect((await reload(h, s.ticket)).status).toBe(expected);

const TICKET_CASES: Case[] = [
  // the card's buttons
  { what: 'card: Assign to me', access: 'ticket', act: click('ticket_assign_me'), changes: true, allowed: assignedTo('actor') },
  { what: 'card: assignee picker', access: 'ticket', act: click('ticket_assign_pick', { selectedUser: W.bob }), changes: true, allowed: assignedTo(W.bob) },
  { what: 'card: Reply (opens the modal)', access: 'ticket', act: click('ticket_reply'), changes: false, allowed: (_h, _u, _s, seen) => opened(seen, 'ticket_reply_modal') },
  { what: 'card: Close', access: 'ticket', act: click('ticket_close'), changes: true, allowed: status('solved') },
  { what: 'card: Reopen', access: 'ticket', stage: solvedTicket, act: click('ticket_reopen'), changes: true, allowed: status('open') },
  {
    what: 'card: Follow', access: 'ticket', act: click('ticket_follow'), changes: true,
    allowed: (_h, _u, s, seen) => expect(seen.answers).toEqual([`:bell: You follow #${s.ticket.number}: I will DM you when the customer answers.`]),
  },
  { what: 'card: Merge (opens the modal)', access: 'ticket', act: click('ticket_merge'), changes: false, allowed: (_h, _u, _s, seen) => opened(seen, 'ticket_merge_modal') },
  { what: 'card: Customer (opens the profile)', access: 'ticket', act: click('ticket_customer'), changes: false, allowed: (_h, _u, _s, seen) => expect(seen.writes.map((w) => w.method)).toContain('views.open') },
  // /ticket N …
  { what: '/ticket N (show)', access: 'ticket', refusedAs: 'agent', act: slash((s) => `${s.ticket.number}`), changes: false, allowed: (_h, _u, s, seen) => expect(seen.answers.join()).toContain(`#${s.ticket.number} Case`) },
  // A ticket that does not exist: agents are told so; anyone else gets the very refusal /ticket N (show) gives them.
  { what: '/ticket N (no such ticket)', access: 'agent', act: slash(() => '999'), changes: false, allowed: (_h, _u, _s, seen) => expect(seen.answers).toEqual(['There is no ticket #999.']) },
  { what: '/ticket N assign me', access: 'ticket', refusedAs: 'agent', act: slash((s) => `${s.ticket.number} assign me`), changes: true, allowed: assignedTo('actor') },
  { what: '/ticket N assign @agent', access: 'ticket', refusedAs: 'agent', act: slash((s) => `${s.ticket.number} assign <@${W.bob}|bob>`), changes: true, allowed: assignedTo(W.bob) },
  {
    // The actor is checked before the assignee: a requester is refused as such, whoever they name.
    what: '/ticket N assign @requester', access: 'ticket', refusedAs: 'agent', act: slash((s) => `${s.ticket.number} assign <@${W.dave}|dave>`), changes: false,
    allowed: (_h, _u, _s, seen) => expect(seen.answers).toEqual([`<@${W.dave}> is not an agent: only members of <#${W.triage}> can be assigned.`]),
  },
  { what: '/ticket N reply text', access: 'ticket', refusedAs: 'agent', act: slash((s) => `${s.ticket.number} reply Restarting the spooler now.`), changes: true, allowed: (h, _u, s) => expect(originReplies(h, s)).toEqual(['Restarting the spooler now.']) },
  { what: '/ticket N reply (opens the modal)', access: 'ticket', refusedAs: 'agent', act: slash((s) => `${s.ticket.number} reply`), changes: false, allowed: (_h, _u, _s, seen) => opened(seen, 'ticket_reply_modal') },
  { what: '/ticket N reply TEMPLATE', access: 'ticket', refusedAs: 'agent', act: slash((s) => `${s.ticket.number} reply greet`), changes: true, allowed: (h, _u, s) => expect(originReplies(h, s)).toEqual(['Hi Carol, we are on it.']) },
  { what: '/ticket N close', access: 'ticket', refusedAs: 'agent', act: slash((s) => `${s.ticket.number} close`), changes: true, allowed: status('solved') },
  { what: '/ticket N reopen', access: 'ticket', refusedAs: 'agent', stage: solvedTicket, act: slash((s) => `${s.ticket.number} reopen`), changes: true, allowed: status('open') },
  { what: '/ticket N priority high', access: 'ticket', refusedAs: 'agent', act: slash((s) => `${s.ticket.number} priority high`), changes: true, allowed: async (h, _u, s) => expect((await reload(h, s.ticket)).priority).toBe('high') },
  { what: '/ticket N tag billing', access: 'ticket', refusedAs: 'agent', act: slash((s) => `${s.ticket.number} tag billing`), changes: true, allowed: async (h, _u, s) => expect((await reload(h, s.ticket)).tags).toEqual(['billing']) },
  {
    what: '/ticket N set order.number 1234', access: 'ticket', refusedAs: 'agent', act: slash((s) => `${s.ticket.number} set order.number 1234`), changes: true,
    allowed: async (h, _u, s) => expect(await h.tickets.fields(s.ticket.id)).toEqual({ 'order.number': '1234' }),
  },
  {
    what: '/ticket N merge M', access: 'ticket', refusedAs: 'agent', changes: true,
    stage: async (h) => ({ ...(await freshTicket(h)), other: (await freshTicket(h)).ticket }),
    act: slash((s) => `${s.ticket.number} merge ${s.other!.number}`),
    allowed: async (h, _u, s) => expect((await reload(h, s.ticket)).mergedIntoId).toBe(s.other!.id),
  },
  { what: '/ticket list', access: 'agent', act: slash(() => 'list all'), changes: false, allowed: (_h, _u, _s, seen) => expect(seen.answers.join()).toMatch(/\d+ all tickets?/) },
  { what: '/ticket customer @user', access: 'agent', act: slash(() => `customer <@${W.carol}|carol>`), changes: false, allowed: (_h, _u, _s, seen) => expect(seen.writes.map((w) => w.method)).toContain('views.open') },
  { what: '/ticket help', access: 'anyone', act: slash(() => 'help'), changes: false, allowed: (_h, _u, _s, seen) => expect(seen.answers.join()).toContain('/ticket 42 close') },
  // modals: opened while the user was an agent, submitted after (the check is made again on submit)
  {
    what: 'Reply modal: Send', access: 'ticket', refusal: 'modal', changes: true,
    stage: async (h, user, role) => {
      const s = await freshTicket(h);
      return { ...s, viewId: await openedAsFormerAgent(h, user, ALLOWED.ticket.includes(role), () => h.driver.clickButton(user, W.triage, s.ticket.cardTs!, 'ticket_reply')) };
    },
    act: (h, user, s) => h.driver.submitView(user, s.viewId!, { [replyBox(h, user, s.viewId!).block_id!]: { reply_text_input: 'Fixed: the spooler is back.' } }),
    allowed: (h, _u, s) => expect(originReplies(h, s)).toEqual(['Fixed: the spooler is back.']),
  },
  {
    // The picker's search answers over HTTP, not in Slack: a refusal is an empty list, no template names.
    what: 'Reply modal: template search', access: 'ticket', refusal: 'silent', changes: false,
    stage: async (h, user, role) => {
      const s = await freshTicket(h);
      return { ...s, viewId: await openedAsFormerAgent(h, user, ALLOWED.ticket.includes(role), () => h.driver.clickButton(user, W.triage, s.ticket.cardTs!, 'ticket_reply')) };
    },
    act: async (h, user, s) => ({ json: { options: (await h.driver.suggestOptions(user, s.viewId!, 'reply_template_pick', '')).options } }),
    allowed: (_h, _u, _s, seen) => expect(seen.json!.options!.map((o) => o.value).sort()).toEqual(['got-it', 'greet', 'order-update']),
    refused: (_h, _u, _s, seen) => expect(seen.json!.options).toEqual([]),
  },
  {
    what: 'Reply modal: template picked', access: 'ticket', refusal: 'silent', changes: false,
    stage: async (h, user, role) => {
      const s = await freshTicket(h);
      // Offered while they could use it; picked after.
      const search = (viewId: string) => h.driver.suggestOptions(user, viewId, 'reply_template_pick', 'greet');
      const viewId = await openedAsFormerAgent(h, user, ALLOWED.ticket.includes(role), () => h.driver.clickButton(user, W.triage, s.ticket.cardTs!, 'ticket_reply'), search);
      if (ALLOWED.ticket.includes(role)) await search(viewId);
      return { ...s, viewId };
    },
    act: (h, user, s) => h.driver.clickViewButton(user, s.viewId!, 'reply_template_pick', { selectedOption: 'greet' }),
    allowed: (h, user, s) => expect(replyBox(h, user, s.viewId!).element!.initial_value).toBe('Hi Carol, we are on it.'),
  },
  {
    what: 'Merge modal: Merge', access: 'ticket', refusal: 'modal', changes: true,
    stage: async (h, user, role) => {
      const s = await freshTicket(h);
      const other = (await freshTicket(h)).ticket;
      return { ...s, other, viewId: await openedAsFormerAgent(h, user, ALLOWED.ticket.includes(role), () => h.driver.clickButton(user, W.triage, s.ticket.cardTs!, 'ticket_merge')) };
    },
    act: (h, user, s) => h.driver.submitView(user, s.viewId!, { merge_into: { merge_into_number: String(s.other!.number) } }),
    allowed: async (h, _u, s) => expect((await reload(h, s.ticket)).mergedIntoId).toBe(s.other!.id),
  },
  {
    what: 'Template fields modal: Save and send', access: 'ticket', refusal: 'modal', changes: true,
    stage: async (h, user, role) => {
      const s = await freshTicket(h);
      return { ...s, viewId: await openedAsFormerAgent(h, user, ALLOWED.ticket.includes(role), () => ticketCommand(h, user, `${s.ticket.number} reply order-update`)) };
    },
    act: (h, user, s) => h.driver.submitView(user, s.viewId!, { 'field:order.number': { value: '4711' } }),
    allowed: (h, _u, s) => expect(originReplies(h, s)).toEqual(['Hi Carol, order 4711 ships today.']),
  },
  // emoji on the customer's message (everyone is in the intake channel): agents' only, others' do nothing
  { what: '👀 on the customer\'s message', access: 'ticket', refusal: 'silent', act: (h, user, s) => h.driver.react(user, W.help, s.originTs, 'eyes'), changes: true, allowed: assignedTo('actor') },
  { what: '✅ on the customer\'s message', access: 'ticket', refusal: 'silent', act: (h, user, s) => h.driver.react(user, W.help, s.originTs, 'white_check_mark'), changes: true, allowed: status('solved') },
  // the satisfaction survey is the requester's own
  {
    what: 'survey: rate 5', access: 'the requester', changes: true,
    stage: solvedTicket,
    act: (h, user, s) => h.driver.clickButton(user, W.help, h.emu.thread(W.help, s.originTs).find((m) => m.text.includes('How did we do'))!.ts, 'csat_rate_5'),
    allowed: async (h, _u, s) => expect(Number((await h.testDb.db('csat_surveys').where({ ticket_id: s.ticket.id }).first()).rating)).toBe(5),
  },
];

describe('authorization: ticket work (buttons, /ticket, modals, emoji)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startWorld({ THREADDESK_ADMINS: `${LEAD},${ROOT}` });
  });
  afterAll(() => h?.stop());
  matrix(TICKET_CASES, TICKET_ROLES, () => h);

  it('tells someone who is not an agent nothing of which tickets exist: /ticket N answers alike for N missing', async () => {
    const { ticket } = await freshTicket(h);
    for (const user of [W.carol, W.ada, LEAD, PARTNER_ADMIN]) {
      const answers = [];
      for (const number of [ticket.number, 999]) {
        await ticketCommand(h, user, `${number}`);
        await h.settle();
        answers.push(lastAnswer(h, user));
      }
      expect(answers, user).toEqual([REFUSED.agent, REFUSED.agent]);
    }
    await ticketCommand(h, W.alice, '999');
    await h.settle();
    expect(lastAnswer(h, W.alice)).toBe('There is no ticket #999.');
  });
});

// ---- ! thread commands: only people in the triage channel can type there ------------------------------------

const say = (text: (s: Stage) => string) => (h: Harness, user: string, s: Stage) => h.driver.userSays(user, W.triage, text(s), { thread_ts: s.ticket.cardTs! });

const notes = async (h: Harness, s: Stage) => (await h.testDb.db('messages').where({ ticket_id: s.ticket.id, visibility: 'internal' }).select('text', 'author_role')).map((m) => `${m.author_role}: ${m.text}`);

const THREAD_CASES: Case[] = [
  // A plain message is an internal note, kept with the ticket as an agent's: only agents' are.
  { what: 'a note (no ! command)', access: 'ticket', refusal: 'silent', act: say(() => 'Same printer as last week.'), changes: true, allowed: async (h, _u, s) => expect(await notes(h, s)).toEqual(['agent: Same printer as last week.']) },
  { what: '!show', access: 'ticket', act: say(() => '!show'), changes: false, allowed: (_h, _u, s, seen) => expect(seen.answers.join()).toContain(`#${s.ticket.number} Case`) },
  { what: '!assign me', access: 'ticket', act: say(() => '!assign me'), changes: true, allowed: assignedTo('actor') },
  { what: '!assign @agent', access: 'ticket', act: say(() => `!assign <@${W.bob}>`), changes: true, allowed: assignedTo(W.bob) },
  { what: '!reply text', access: 'ticket', act: say(() => '!reply On our way.'), changes: true, allowed: (h, _u, s) => expect(originReplies(h, s)).toEqual(['On our way.']) },
  { what: '!template NAME', access: 'ticket', act: say(() => '!template greet'), changes: true, allowed: (h, _u, s) => expect(originReplies(h, s)).toEqual(['Hi Carol, we are on it.']) },
  { what: '!close', access: 'ticket', act: say(() => '!close'), changes: true, allowed: status('solved') },
  { what: '!reopen', access: 'ticket', stage: solvedTicket, act: say(() => '!reopen'), changes: true, allowed: status('open') },
  { what: '!priority urgent', access: 'ticket', act: say(() => '!priority urgent'), changes: true, allowed: async (h, _u, s) => expect((await reload(h, s.ticket)).priority).toBe('urgent') },
  { what: '!tag vip', access: 'ticket', act: say(() => '!tag vip'), changes: true, allowed: async (h, _u, s) => expect((await reload(h, s.ticket)).tags).toEqual(['vip']) },
  { what: '!set order.number 42', access: 'ticket', act: say(() => '!set order.number 42'), changes: true, allowed: async (h, _u, s) => expect(await h.tickets.fields(s.ticket.id)).toEqual({ 'order.number': '42' }) },
  {
    what: '!merge M', access: 'ticket', changes: true,
    stage: async (h) => ({ ...(await freshTicket(h)), other: (await freshTicket(h)).ticket }),
    act: say((s) => `!merge ${s.other!.number}`),
    allowed: async (h, _u, s) => expect((await reload(h, s.ticket)).mergedIntoId).toBe(s.other!.id),
  },
  { what: '!list', access: 'ticket', act: say(() => '!list all'), changes: false, allowed: (_h, _u, _s, seen) => expect(seen.answers.join()).toMatch(/\d+ all tickets?/) },
  { what: '!help', access: 'anyone', act: say(() => '!help'), changes: false, allowed: (_h, _u, _s, seen) => expect(seen.answers.join()).toContain('!close') },
];

describe('authorization: ! thread commands and notes, from triage channel members who are not on THREADDESK_AGENTS', () => {
  // Slack lets only channel members type in the triage thread; with an explicit agent list, members who are not
  // on it (a requester, admins) can, and are refused like anyone else; their plain messages are not kept as notes.
  let h: Harness;
  beforeAll(async () => {
    h = await startWorld({ THREADDESK_ADMINS: `${LEAD},${ROOT}`, THREADDESK_AGENTS: `${W.alice},${W.bob},${W.erin}` });
    for (const id of [W.carol, W.ada, LEAD]) h.emu.joinChannel(W.triage, id);
  });
  afterAll(() => h?.stop());
  matrix(THREAD_CASES, TICKET_ROLES, () => h);
});

// ---- /helpdesk: settings for admins, reads and templates for agents and admins -----------------------------

const cmd = (text: (s: Stage) => string) => (h: Harness, user: string, s: Stage) => helpdesk(h, user, text(s));
const answered = (expected: string | RegExp) => (_h: Harness, _u: string, _s: Stage, seen: Seen) => expect(seen.answers.join('\n')).toMatch(expected);
/** Runs setup commands as ROOT (a settings admin), then gives the stage a ticket it does not use. */
const given = (...commands: [text: string, expected: string | RegExp][]) => async (h: Harness): Promise<Stage> => {
  for (const [text, expected] of commands) await as(h, ROOT, '/helpdesk', text, expected);
  return noTicket;
};
const noTicket = { ticket: { number: 0 } as Ticket, originTs: '' };
const intake = (h: Harness) => h.bot.context.channels.intake(SETUP);
let serial = 0;
const laterTime = () => `${String((new Date().getUTCHours() + 12) % 24).padStart(2, '0')}:30`; // never due during the test

const SETTINGS_CASES: Case[] = [
  { what: '/helpdesk help', access: 'anyone', stage: given(), act: cmd(() => 'help'), changes: false, allowed: answered('/helpdesk connect #intake') },
  // settings: admins only
  {
    what: '/helpdesk connect', access: 'settings', changes: true,
    stage: async (h) => {
      const id = `CNEW${String(++serial).padStart(4, '0')}`;
      h.emu.addChannel({ id, name: `new-${serial}`, members: [h.emu.botUserId] });
      return { ...noTicket, id };
    },
    act: cmd((s) => `connect <#${s.id}> <#${W.triage}|triage>`),
    allowed: async (h, _u, s) => expect(await h.bot.context.channels.intake(s.id!)).toMatchObject({ triageChannelId: W.triage }),
  },
  { what: '/helpdesk channel #x pleasantries off', access: 'settings', stage: given([`channel ${setup} pleasantries on`, /ignored/]), act: cmd(() => `channel ${setup} pleasantries off`), changes: true, allowed: async (h) => expect((await intake(h))!.pleasantryFilter).toBe(false) },
  { what: '/helpdesk channel #x burst 10', access: 'settings', stage: given([`channel ${setup} burst 0`, /joining is off/]), act: cmd(() => `channel ${setup} burst 10`), changes: true, allowed: async (h) => expect((await intake(h))!.burstWindowSeconds).toBe(600) },
  { what: '/helpdesk channel #x ack TEMPLATE', access: 'settings', stage: given([`channel ${setup} ack off`, /with a 🎫 only/]), act: cmd(() => `channel ${setup} ack got-it`), changes: true, allowed: async (h) => expect((await intake(h))!.ackTemplate).toBe('got-it') },
  {
    what: '/helpdesk channel #x field NAME PATTERN', access: 'settings', stage: given([`channel ${setup} field order.number off`, /survey|rate/]), act: cmd(() => `channel ${setup} field order.number #(\\d+)`), changes: true,
    allowed: async (h) => expect(await h.bot.context.channels.fieldPatterns(SETUP)).toEqual({ 'order.number': '#(\\d+)' }),
  },
  { what: '/helpdesk channel #x survey off', access: 'settings', stage: given([`channel ${setup} survey on`, /ask the requester to rate/]), act: cmd(() => `channel ${setup} survey off`), changes: true, allowed: async (h) => expect((await intake(h))!.csatEnabled).toBe(false) },
  { what: '/helpdesk channel #x routing round-robin', access: 'settings', stage: given([`channel ${setup} routing manual`, /assigned by hand/]), act: cmd(() => `channel ${setup} routing round-robin`), changes: true, allowed: answered('round-robin over available agents') },
  { what: '/helpdesk rule add', access: 'settings', stage: given(), act: cmd(() => `rule add ${setup} refund tag billing`), changes: true, allowed: answered(/`refund` → tag `billing`/) },
  {
    what: '/helpdesk rule remove', access: 'settings', changes: true,
    stage: async (h) => {
      const rules = await as(h, ROOT, '/helpdesk', `rule add ${setup} chargeback-${++serial} tag billing`, /Routing rules/);
      return { ...noTicket, id: /(\d+)\. `chargeback-\d+`/.exec(rules.split('\n').at(-1)!)![1] };
    },
    act: cmd((s) => `rule remove ${setup} ${s.id}`),
    allowed: (_h, _u, s, seen) => expect(seen.answers.join()).not.toContain(`${s.id}. \``),
  },
  { what: '/helpdesk group add', access: 'settings', stage: given([`group remove billing <@${W.bob}|bob>`, /Group `billing`/]), act: cmd(() => `group add billing <@${W.bob}|bob>`), changes: true, allowed: answered(`Group \`billing\`: <@${W.bob}>.`) },
  { what: '/helpdesk group remove', access: 'settings', stage: given([`group add billing <@${W.bob}|bob>`, /Group `billing`/]), act: cmd(() => `group remove billing <@${W.bob}|bob>`), changes: true, allowed: answered('Group `billing`: empty.') },
  { what: '/helpdesk digest daily', access: 'settings', stage: given(), act: cmd(() => `digest daily ${general} ${laterTime()}`), changes: true, allowed: answered(/:calendar: Digest `\d+`: every day/) },
  { what: '/helpdesk digest weekly', access: 'settings', stage: given(), act: cmd(() => `digest weekly ${general} mon ${laterTime()}`), changes: true, allowed: answered(/:calendar: Digest `\d+`: every Monday/) },
  {
    what: '/helpdesk digest remove', access: 'settings', changes: true,
    stage: async (h) => ({ ...noTicket, id: /Digest `(\d+)`/.exec(await as(h, ROOT, '/helpdesk', `digest daily ${general} ${laterTime()}`, /Digest `\d+`/))![1] }),
    act: cmd((s) => `digest remove ${s.id}`),
    allowed: (_h, _u, s, seen) => expect(seen.answers).toEqual([`Digest \`${s.id}\` removed.`]),
  },
  { what: '/helpdesk timezone ZONE', access: 'settings', stage: given(['timezone UTC', /\*UTC\*/]), act: cmd(() => 'timezone Europe/Berlin'), changes: true, allowed: async (h) => expect(await h.bot.context.channels.timeZone(h.emu.teamId)).toBe('Europe/Berlin') },
  { what: '/helpdesk hours … (set)', access: 'settings', stage: given(['hours off', /removed/]), act: cmd(() => 'hours Europe/Berlin mon-fri 09:00-17:00'), changes: true, allowed: answered(/Business hours of the team: Europe\/Berlin/) },
  { what: '/helpdesk hours off', access: 'settings', stage: given(['hours UTC mon-fri 08:00-16:00', /Business hours/]), act: cmd(() => 'hours off'), changes: true, allowed: answered('Business hours of the team removed.') },
  { what: '/helpdesk holiday add', access: 'settings', stage: given(['hours UTC mon-fri 08:00-16:00', /Business hours/]), act: cmd(() => 'holiday add 2030-12-25'), changes: true, allowed: answered(/2030-12-25/) },
  { what: '/helpdesk holiday remove', access: 'settings', stage: given(['hours UTC mon-fri 08:00-16:00', /Business hours/], ['holiday add 2030-12-26', /2030-12-26/]), act: cmd(() => 'holiday remove 2030-12-26'), changes: true, allowed: (_h, _u, _s, seen) => expect(seen.answers.join()).not.toContain('2030-12-26') },
  { what: '/helpdesk sla #x … (set)', access: 'settings', stage: given([`sla ${setup} off`, /No SLA targets/]), act: cmd(() => `sla ${setup} high first 1h`), changes: true, allowed: answered('*high*: first reply 1h 00m') },
  { what: '/helpdesk sla #x off', access: 'settings', stage: given([`sla ${setup} all first 2h`, /SLA targets in/]), act: cmd(() => `sla ${setup} off`), changes: true, allowed: answered(/No SLA targets/) },
  // reads: agents and admins
  { what: '/helpdesk channel #x (show)', access: 'team', stage: given(), act: cmd(() => `channel ${setup}`), changes: false, allowed: answered(`<#${SETUP}> → tickets worked in <#${W.triage}>`) },
  { what: '/helpdesk rule list', access: 'team', stage: given(), act: cmd(() => `rule list ${setup}`), changes: false, allowed: answered(new RegExp(`<#${SETUP}>`)) },
  { what: '/helpdesk group list', access: 'team', stage: given(), act: cmd(() => 'group list'), changes: false, allowed: answered(/group|`billing`/) },
  { what: '/helpdesk digest list', access: 'team', stage: given(), act: cmd(() => 'digest list'), changes: false, allowed: answered(/digest|every/) },
  { what: '/helpdesk timezone (show)', access: 'team', stage: given(), act: cmd(() => 'timezone'), changes: false, allowed: answered("The team's time zone is") },
  { what: '/helpdesk hours (show)', access: 'team', stage: given(), act: cmd(() => 'hours'), changes: false, allowed: answered(/[Bb]usiness hours/) },
  { what: '/helpdesk sla #x (show)', access: 'team', stage: given(), act: cmd(() => `sla ${setup}`), changes: false, allowed: answered(new RegExp(`SLA targets in <#${SETUP}>`)) },
  { what: '/helpdesk stats', access: 'team', stage: given(), act: cmd(() => 'stats today'), changes: false, allowed: answered('*Tickets created*') },
  {
    what: '/helpdesk export', access: 'team', stage: given(), act: cmd(() => 'export today'), changes: false,
    allowed: (_h, _u, _s, seen) => {
      expect(seen.answers.join()).toContain('I sent you the CSV');
      expect(seen.writes.map((w) => w.method)).toContain('files.completeUploadExternal');
    },
  },
  {
    what: '/helpdesk digest now', access: 'team', stage: given(), act: cmd(() => `digest now ${general} today`), changes: false,
    allowed: (_h, _u, _s, seen) => {
      expect(seen.answers).toEqual([`:bar_chart: Digest posted in <#${W.general}>.`]);
      expect(seen.writes.map((w) => w.method)).toContain('chat.postMessage');
    },
  },
  // templates: agents' daily work, kept by agents and admins
  { what: '/helpdesk template list', access: 'team', stage: given(), act: cmd(() => 'template list'), changes: false, allowed: answered('`greet`') },
  { what: '/helpdesk template show', access: 'team', stage: given(), act: cmd(() => 'template show greet'), changes: false, allowed: answered('Hi {{customer.first_name}}, we are on it.') },
  { what: '/helpdesk template add NAME text', access: 'team', stage: async () => ({ ...noTicket, name: `canned-${++serial}` }), act: cmd((s) => `template add ${s.name} Thanks, {{customer.first_name}}!`), changes: true, allowed: async (h, _u, s) => expect(await h.bot.context.templates.get(h.emu.teamId, s.name!)).toMatchObject({ body: 'Thanks, {{customer.first_name}}!' }) },
  { what: '/helpdesk template edit NAME text', access: 'team', stage: given(['template delete edit-me', /deleted|no template/], ['template add edit-me Old text', /added/]), act: cmd(() => 'template edit edit-me New text'), changes: true, allowed: async (h) => expect((await h.bot.context.templates.get(h.emu.teamId, 'edit-me'))!.body).toBe('New text') },
  { what: '/helpdesk template delete NAME', access: 'team', stage: given(['template add delete-me Bye', /added|exists already/]), act: cmd(() => 'template delete delete-me'), changes: true, allowed: async (h) => expect(await h.bot.context.templates.get(h.emu.teamId, 'delete-me')).toBeNull() },
  {
    what: 'template editor: Save (opened while allowed)', access: 'team', refusal: 'modal', changes: true,
    stage: async (h, user, role) => {
      const name = `drafted-${++serial}`;
      return { ...noTicket, name, viewId: await openedAsFormerAgent(h, user, ALLOWED.team.includes(role), () => helpdesk(h, user, `template add ${name}`)) };
    },
    act: (h, user, s) => h.driver.submitView(user, s.viewId!, { template_body: { template_body_input: 'Hello {{customer.first_name}}' } }),
    allowed: async (h, _u, s) => expect(await h.bot.context.templates.get(h.emu.teamId, s.name!)).toMatchObject({ body: 'Hello {{customer.first_name}}' }),
  },
  // an agent's own availability, and handing tickets on: agents only
  { what: '/helpdesk away', access: 'agent', stage: given(), act: cmd(() => 'away'), changes: true, allowed: answered('You are away') },
  { what: '/helpdesk back', access: 'agent', stage: async (h, user) => { await helpdesk(h, user, 'away'); await h.settle(); return noTicket; }, act: cmd(() => 'back'), changes: true, allowed: answered('Welcome back') },
  {
    what: '/helpdesk reassign @agent', access: 'agent', changes: true,
    stage: async (h) => {
      const s = await freshTicket(h);
      await as(h, W.alice, '/ticket', `${s.ticket.number} assign <@${W.bob}|bob>`, /assigned/);
      return s;
    },
    act: cmd(() => `reassign <@${W.bob}|bob>`),
    allowed: async (h, _u, s) => expect((await reload(h, s.ticket)).assigneeId).not.toBe(W.bob),
  },
];

describe('authorization: /helpdesk settings, reads and templates', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startWorld({ THREADDESK_ADMINS: `${LEAD},${ROOT}` });
    await freshTicket(h); // something for the figures to count
  });
  afterAll(() => h?.stop());
  matrix(SETTINGS_CASES, ALL_ROLES, () => h);
});
