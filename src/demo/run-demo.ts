// `npm run demo`: the bot, the Slack emulator and a throwaway SQLite file, a short scripted helpdesk conversation
// played through the bot's real HTTP endpoint, and what each channel shows afterwards; then a customer who writes
// by email (real SMTP both ways: into the bot's listener, out through a relay in this process). Every step checks
// the ticket's state, so the demo doubles as a smoke test: it exits non-zero with a one-line reason when one fails.
import { createHmac } from 'node:crypto';
import type { Ticket, TicketEvent, TicketMessage } from '../domain/ticket.js';
import type { EmuMessage } from '../emulator/index.js';
import { DEMO_SHOPIFY_SECRET, startDemoStack, type DemoStack } from './demo-stack.js';
import { CAST, DEMO } from './demo-workspace.js';
import type { RelayedMail } from './demo-mail-relay.js';
import { openChatWidget } from './demo-chat-visitor.js';
import { createStyle, displayWidth, mrkdwnToText, namesFrom, renderChannel, renderMail, renderThread, wrap, type Names, type Style } from './render-channel.js';

const TIMEOUT_MS = 30_000;

class DemoFailure extends Error {}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new DemoFailure(message);
}

const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const style: Style = createStyle(colour);
const width = Math.min(100, Math.max(60, (process.stdout.isTTY && process.stdout.columns) || 92) - 2);
// Piped into `head`, stdout may close early: stop printing, but still finish and clean up.
let stdoutOpen = true;
process.stdout.on('error', () => void (stdoutOpen = false));
const print = (line = '') => void (stdoutOpen && process.stdout.write(`${line}\n`));

// ---- the script ---------------------------------------------------------------------------------------------

const SCRIPT = {
  question: 'Hi! My order #48213 arrived this morning and the teapot inside is broken.\nThe box was crushed on one corner :disappointed: Could you send a replacement?',
  followUp: "It's the blue stoneware teapot (1.2 l). The courier was ParcelGo, and I kept the box in case you need photos.",
  note: 'Checked with the warehouse: ParcelGo has 3 damage claims on that route this week. The blue teapot is in stock, so a replacement can go out today.',
  reply: "!reply Hi Maya, I'm so sorry your teapot arrived broken! A replacement ships today at no cost, and you'll get the tracking number by email. No need to send the broken one back.",
  priority: '!priority high',
  tag: '!tag damaged-in-transit',
  thanks: 'Thank you so much! :pray:',
  question2: "Sorry, one more thing: should I keep the broken teapot for the courier's claim, or can I throw it away?",
};

/** The email part: Mia writes to the shop's mailbox, Sam answers from Slack, Mia answers from her mail program. */
const MAIL = {
  from: '"Mia Jones" <mia@example.com>',
  address: 'mia@example.com',
  subject: 'Order #51940 still not shipped',
  text: 'Hello,\n\nI ordered a linen duvet cover (order #51940) last Tuesday and the tracking page still says "label created". ' +
    'Could you check what is going on? I need it before the weekend.\n\nThanks,\nMia Jones',
  messageId: '<CAF7q2x.51940.1@mail.example.com>',
  reply: "Hi Mia, sorry for the wait! Your parcel missed Monday's pickup; it left our warehouse this morning with ParcelGo and should reach you on Friday. Tracking number: PG-7730412.",
  answer: 'That works, thank you Sam! I will keep an eye on the tracking.\n\nMia',
  answerId: '<CAF7q2x.51940.2@mail.example.com>',
};

interface Scene {
  stack: DemoStack;
  names: Names;
  originTs: string;
  cardTs: string;
}

let stepNumber = 0;
/** Who is who, for the narrator's quotes (set once the workspace exists). */
let stepNames: Names = { user: (id) => id, channel: (id) => id };

async function step(title: string, quote: string | null, act: () => Promise<void>, verify: () => Promise<string>): Promise<void> {
  stepNumber += 1;
  print(`${style.accent('▶')} ${style.bold(`${stepNumber}. ${title}`)}`);
  if (quote !== null) print(wrap(`“${mrkdwnToText(quote, stepNames).replace(/\n/g, ' ')}”`, width, '     ').map(style.dim).join('\n'));
  await act();
  const summary = await verify();
  const [first = '', ...rest] = wrap(summary, width, '     ');
  print([`   ${style.green('✓')} ${first.trimStart()}`, ...rest].join('\n'));
}

async function ticketOne(stack: DemoStack): Promise<Ticket> {
  const ticket = await stack.tickets.byNumber(stack.emu.teamId, 1);
  check(ticket, 'no ticket #1 in the database after Maya asked in #help');
  return ticket;
}

async function eventKinds(stack: DemoStack, ticket: Ticket): Promise<string[]> {
  return (await stack.tickets.events(ticket.id)).map((e) => (e.kind === 'status_changed' ? `status ${e.fromValue}→${e.toValue}` : e.kind));
}

/** The card's field `label` (Status, Assignee…) as a person reads it. */
function cardField(card: EmuMessage, label: string, names: Names): string {
  for (const block of card.blocks ?? []) {
    for (const field of (block as { fields?: { text?: string }[] }).fields ?? []) {
      const match = /^\*([^*\n]+)\*\n([\s\S]*)$/.exec(field.text ?? '');
      if (match && match[1] === label) return mrkdwnToText(match[2]!, names);
    }
  }
  return '';
}

function cardButtons(card: EmuMessage): string[] {
  return (card.blocks ?? []).flatMap((b: { elements?: { action_id?: string }[] }) => b.elements?.map((e) => e.action_id ?? '') ?? []);
}

function theCard(scene: Scene): EmuMessage {
  const card = scene.stack.emu.message(DEMO.triage, scene.cardTs);
  check(card, 'the ticket card disappeared from #support-triage');
  return card;
}

function expectCard(scene: Scene, want: Record<string, string>): void {
  const card = theCard(scene);
  for (const [label, value] of Object.entries(want)) {
    const shown = cardField(card, label, scene.names);
    check(shown.includes(value), `the card shows ${label} "${shown}", expected it to include "${value}"`);
  }
}

const triageThread = (scene: Scene) => scene.stack.emu.thread(DEMO.triage, scene.cardTs);
const originThread = (scene: Scene) => scene.stack.emu.thread(DEMO.help, scene.originTs);
/** Everything a message says: its text and every text object in its blocks. */
function textsOf(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => textsOf(n, out));
  else if (node && typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    if (typeof obj.text === 'string') out.push(obj.text);
    Object.values(obj).forEach((v) => textsOf(v, out));
  }
  return out;
}
const threadText = (messages: EmuMessage[], names: Names) => messages.map((m) => mrkdwnToText(textsOf([m.text, m.blocks ?? []]).join('\n'), names)).join('\n');

async function says(stack: DemoStack, user: string, channel: string, text: string, threadTs?: string): Promise<string> {
  const result = await stack.emu.driver.userSays(user, channel, text, threadTs ? { thread_ts: threadTs } : {});
  check(result.delivered && result.status === 200, `Slack could not deliver ${CAST[user]}'s message to the bot (HTTP ${result.status})`);
  await stack.settle();
  return result.ts;
}

async function clicks(scene: Scene, user: string, actionId: string, label: string): Promise<void> {
  const result = await scene.stack.emu.driver.clickButton(user, DEMO.triage, scene.cardTs, actionId);
  check(result.status === 200, `the bot answered ${CAST[user]}'s click on [${label}] with HTTP ${result.status}`);
  await scene.stack.settle();
}

async function play(stack: DemoStack): Promise<Scene> {
  const names = namesFrom(stack.emu);
  stepNames = names;
  const scene: Scene = { stack, names, originTs: '', cardTs: '' };

  await step('Maya asks for help in #help', SCRIPT.question, async () => {
    scene.originTs = await says(stack, DEMO.maya, DEMO.help, SCRIPT.question);
  }, async () => {
    const ticket = await ticketOne(stack);
    check(ticket.status === 'new', `ticket #1 is ${ticket.status}, expected new`);
    check(ticket.requesterId === DEMO.maya && ticket.originTs === scene.originTs, 'ticket #1 does not point at Maya\'s message');
    check(ticket.cardTs, 'ticket #1 has no card in #support-triage');
    scene.cardTs = ticket.cardTs;
    check(stack.emu.messages(DEMO.triage).length === 1, `#support-triage has ${stack.emu.messages(DEMO.triage).length} messages, expected the one card`);
    expectCard(scene, { Status: 'New', Assignee: 'Unassigned', Requester: '@Maya' });
    const reactions = stack.emu.message(DEMO.help, scene.originTs)?.reactions.map((r) => r.name) ?? [];
    check(reactions.includes('ticket'), 'no 🎫 reaction on Maya\'s message');
    return `ticket #1 “${ticket.subject}” is ${style.bold('new')}; card posted in #support-triage; 🎫 on Maya's message`;
  });

  await step('Maya adds a detail in her thread', SCRIPT.followUp, async () => {
    await says(stack, DEMO.maya, DEMO.help, SCRIPT.followUp, scene.originTs);
  }, async () => {
    check(threadText(triageThread(scene), names).includes('ParcelGo'), 'Maya\'s follow-up was not mirrored into the triage thread');
    const ticket = await ticketOne(stack);
    check(ticket.status === 'new', `ticket #1 is ${ticket.status} after Maya's follow-up, expected still new`);
    return 'mirrored into the ticket\'s thread in #support-triage; still new';
  });

  await step('Sam clicks [Assign to me] on the card', null, async () => {
    await clicks(scene, DEMO.sam, 'ticket_assign_me', 'Assign to me');
  }, async () => {
    const ticket = await ticketOne(stack);
    check(ticket.assigneeId === DEMO.sam, `ticket #1 is assigned to ${ticket.assigneeId ?? 'nobody'}, expected Sam`);
    check(ticket.status === 'open', `ticket #1 is ${ticket.status} after the assignment, expected open`);
    expectCard(scene, { Status: 'Open', Assignee: '@Sam' });
    return `assigned to Sam; status new → ${style.bold('open')}; the card shows it`;
  });

  await step('Priya leaves an internal note in the triage thread', SCRIPT.note, async () => {
    await says(stack, DEMO.priya, DEMO.triage, SCRIPT.note, scene.cardTs);
  }, async () => {
    const ticket = await ticketOne(stack);
    const internal = (await stack.tickets.messages(ticket.id)).filter((m) => m.visibility === 'internal');
    check(internal.some((m) => m.userId === DEMO.priya), 'Priya\'s note was not recorded on the ticket as internal');
    check(!threadText(originThread(scene), names).includes('warehouse'), 'Priya\'s internal note leaked into Maya\'s thread in #help');
    return 'recorded as an internal note; Maya\'s thread in #help does not show it';
  });

  await step('Sam answers Maya with a thread command', SCRIPT.reply, async () => {
    await says(stack, DEMO.sam, DEMO.triage, SCRIPT.reply, scene.cardTs);
  }, async () => {
    const reply = originThread(scene).find((m) => m.bot_id && m.text.includes('replacement ships today'));
    check(reply, 'Sam\'s !reply did not appear in Maya\'s thread in #help');
    check(!reply.text.startsWith('!'), 'the reply in Maya\'s thread still starts with the !reply command');
    const kinds = await eventKinds(stack, await ticketOne(stack));
    check(kinds.includes('public_reply'), 'no public_reply in the ticket history after !reply');
    const signature = textsOf(reply.blocks ?? []).find((t) => t.startsWith('—'));
    return `the reply appears in Maya's thread in #help, as the app${signature ? `, signed “${signature}”` : ''}`;
  });

  await step('Sam raises the priority and tags the ticket', `${SCRIPT.priority}  ${SCRIPT.tag}`, async () => {
    await says(stack, DEMO.sam, DEMO.triage, SCRIPT.priority, scene.cardTs);
    await says(stack, DEMO.sam, DEMO.triage, SCRIPT.tag, scene.cardTs);
  }, async () => {
    const ticket = await ticketOne(stack);
    check(ticket.priority === 'high', `ticket #1 has priority ${ticket.priority}, expected high`);
    check(ticket.tags.includes('damaged-in-transit'), `ticket #1 has tags [${ticket.tags.join(', ')}], expected damaged-in-transit`);
    expectCard(scene, { Priority: 'High', Tags: 'damaged-in-transit' });
    return 'priority high, tagged damaged-in-transit; the card shows both';
  });

  await step('Sam clicks [Close] on the card', null, async () => {
    await clicks(scene, DEMO.sam, 'ticket_close', 'Close');
  }, async () => {
    const ticket = await ticketOne(stack);
    check(ticket.status === 'solved', `ticket #1 is ${ticket.status} after Close, expected solved`);
    expectCard(scene, { Status: 'Solved' });
    check(cardButtons(theCard(scene)).includes('ticket_reopen'), 'the solved card offers no [Reopen] button');
    return `status open → ${style.bold('solved')}; the card now offers [Reopen]`;
  });

  await step('Maya rates the answer: she clicks [5] in the survey in her thread', null, async () => {
    const survey = originThread(scene).find((m) => m.text.includes('How did we do'));
    check(survey !== undefined, 'no satisfaction survey was posted in Maya\'s thread after the ticket was solved');
    const result = await stack.emu.driver.clickButton(DEMO.maya, DEMO.help, survey!.ts, 'csat_rate_5');
    check(result.status === 200, `the bot answered Maya's rating with HTTP ${result.status}`);
    await stack.settle();
  }, async () => {
    const rating = await stack.db('csat_surveys').first('rating');
    check(Number(rating?.rating) === 5, `the stored rating is ${String(rating?.rating)}, expected 5`);
    check(threadText(originThread(scene), names).includes('Thanks for rating #1'), 'the survey did not thank Maya for her rating');
    return `rating ${style.bold('5/5')} stored (CSAT); the survey thanks her, and a comment box opened for her`;
  });

  await step('Maya says thanks in her thread', SCRIPT.thanks, async () => {
    await says(stack, DEMO.maya, DEMO.help, SCRIPT.thanks, scene.originTs);
  }, async () => {
    const ticket = await ticketOne(stack);
    check(ticket.status === 'solved', `a plain "thanks" moved ticket #1 to ${ticket.status}; a pleasantry must not reopen it`);
    check(threadText(triageThread(scene), names).includes('Thank you so much'), 'Maya\'s thanks was not mirrored into the triage thread');
    return `a pleasantry: kept on the ticket and mirrored, but the ticket stays ${style.bold('solved')}`;
  });

  await step('Maya asks one more question', SCRIPT.question2, async () => {
    await says(stack, DEMO.maya, DEMO.help, SCRIPT.question2, scene.originTs);
  }, async () => {
    const ticket = await ticketOne(stack);
    check(ticket.status === 'open', `ticket #1 is ${ticket.status} after Maya's new question, expected it to reopen`);
    expectCard(scene, { Status: 'Open', Assignee: '@Sam' });
    check(cardButtons(theCard(scene)).includes('ticket_close'), 'the reopened card offers no [Close] button');
    return `a real question: the ticket ${style.bold('reopens')} (solved → open), still with Sam`;
  });

  await step('Priya posts today\'s figures in #support-triage', '/helpdesk digest now #support-triage today', async () => {
    const result = await stack.emu.driver.slashCommand(DEMO.priya, DEMO.triage, '/helpdesk', `digest now <#${DEMO.triage}|support-triage> today`);
    check(result.status === 200, `the bot answered /helpdesk digest with HTTP ${result.status}`);
    await stack.settle();
  }, async () => {
    const digest = stack.emu.messages(DEMO.triage).find((m) => m.text.startsWith(':bar_chart: Support digest'));
    check(digest !== undefined, 'no digest was posted in #support-triage');
    check(threadText([digest!], names).includes('Tickets created 1'), 'the digest does not count the one ticket created today');
    const chart = stack.emu.files({ channel: DEMO.triage })[0];
    check(chart !== undefined && chart.bytes.subarray(1, 4).toString() === 'PNG', 'no chart image was uploaded with the digest');
    return `a digest of today's figures, and a ${Math.round(chart!.bytes.length / 1024)} KB chart uploaded (files.getUploadURLExternal + completeUploadExternal)`;
  });

  return scene;
}

// ---- the email part ----------------------------------------------------------------------------------------------

/** The mail as it arrived at the relay, with the headers that thread it. */
function printMail(mail: RelayedMail): void {
  const p = mail.parsed;
  const header = (name: string) => {
    const value = p.headers.get(name);
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.join(' ');
    return typeof value === 'object' && 'text' in value ? String(value.text) : String(value);
  };
  print(renderMail(`✉️ Mia's inbox: the mail the relay received (to ${mail.envelope.to.join(', ')})`, [
    ['From', header('from')],
    ['To', header('to')],
    ['Reply-To', header('reply-to')],
    ['Subject', p.subject],
    ['Message-ID', p.messageId],
    ['In-Reply-To', p.inReplyTo],
    ['References', Array.isArray(p.references) ? p.references.join(' ') : p.references],
  ], p.text ?? '', { width, style }));
}

async function emailTicket(stack: DemoStack): Promise<Ticket> {
  const rows = await stack.db('tickets').where({ origin_kind: 'email' }).orderBy('number').select('id');
  check(rows.length === 1, `${rows.length} email tickets in the database, expected 1`);
  const ticket = await stack.tickets.byId((rows[0] as { id: number }).id);
  check(ticket, 'the email ticket disappeared from the database');
  return ticket;
}

/** Plays the email part; returns the email ticket. */
async function playEmail(stack: DemoStack): Promise<Ticket> {
  const names = namesFrom(stack.emu);
  print();
  print(style.bold(`And a customer who writes by email to ${DEMO.mailbox}`));
  print(wrap(
    'The bot listens for mail over SMTP and sends its replies through a mail relay; both are real SMTP servers on ' +
      'this machine. Mia Jones is not in Slack: she only uses her mail program.',
    width,
    '',
  ).map(style.dim).join('\n'));
  print();

  let ticket: Ticket | undefined;
  await step(`Mia Jones <${MAIL.address}> mails ${DEMO.mailbox}: “${MAIL.subject}”`, null, async () => {
    await stack.mailIn({ from: MAIL.from, subject: MAIL.subject, text: MAIL.text, messageId: MAIL.messageId });
  }, async () => {
    ticket = await emailTicket(stack);
    check(ticket.requesterId === `email:${MAIL.address}`, `the email ticket's requester is ${ticket.requesterId}, expected email:${MAIL.address}`);
    check(ticket.subject === MAIL.subject, `the email ticket's subject is “${ticket.subject}”`);
    check(ticket.cardTs, `ticket #${ticket.number} has no card in #support-triage`);
    const card = JSON.stringify(stack.emu.message(DEMO.triage, ticket.cardTs)?.blocks ?? []);
    check(card.includes(MAIL.address) && card.includes(`Email to ${DEMO.mailbox}`), 'the card does not show the sender and the mailbox');
    check(stack.relay.mails.length === 0, 'the bot mailed something back by itself');
    return `ticket #${ticket.number} opened from the mail, requester ${MAIL.address}; its card is in #support-triage`;
  });
  const t = ticket!;
  print();
  print(renderThread(stack.emu, DEMO.triage, t.cardTs!, { width, style, note: `the card of ticket #${t.number}` }));
  print();

  let sent: RelayedMail | undefined;
  const command = `${t.number} reply ${MAIL.reply}`;
  await step(`Sam answers from Slack with /ticket ${t.number} reply`, `/ticket ${command}`, async () => {
    const result = await stack.emu.driver.slashCommand(DEMO.sam, DEMO.triage, '/ticket', command);
    check(result.status === 200, `the bot answered /ticket reply with HTTP ${result.status}`);
    await stack.settle();
    sent = await stack.relay.next(5_000).catch(() => undefined);
  }, async () => {
    check(sent, 'no mail reached the relay after Sam\'s reply');
    const p = sent.parsed;
    check(sent.envelope.to.join() === MAIL.address, `the reply was mailed to ${sent.envelope.to.join(', ')}, expected ${MAIL.address}`);
    check(p.from?.value[0]?.address === DEMO.mailbox, `the reply is from ${p.from?.text ?? 'nobody'}, expected ${DEMO.mailbox}`);
    check(p.inReplyTo === MAIL.messageId, `the reply's In-Reply-To is ${p.inReplyTo ?? 'missing'}, expected Mia's ${MAIL.messageId}`);
    check(p.text?.includes('PG-7730412'), 'the mail does not carry Sam\'s text');
    return `mailed to Mia through the relay, from ${p.from?.text ?? DEMO.mailbox}, threaded under her mail`;
  });
  print();
  printMail(sent!);
  print();

  await step('Mia answers from her mail program', MAIL.answer.replace(/\s*\n\s*/g, ' '), async () => {
    const ours = sent!.parsed.messageId!;
    await stack.mailIn({ from: MAIL.from, subject: `Re: ${sent!.parsed.subject ?? MAIL.subject}`, text: MAIL.answer, messageId: MAIL.answerId, inReplyTo: ours, references: [MAIL.messageId, ours] });
  }, async () => {
    const after = await emailTicket(stack);
    check(after.id === t.id, 'Mia\'s answer opened a new ticket instead of joining hers');
    const texts = (await stack.tickets.messages(t.id)).filter((m) => m.visibility === 'public').map((m) => m.text);
    check(texts.length === 3 && texts[2]!.startsWith('That works'), `ticket #${t.number} holds ${texts.length} public messages, expected Mia's mail, Sam's reply and her answer`);
    check(threadText(stack.emu.thread(DEMO.triage, t.cardTs!), names).includes('That works'), `Mia's answer is not in ticket #${t.number}'s triage thread`);
    return `In-Reply-To names our Message-ID: her answer joins ticket #${t.number} (no new ticket) and shows in its thread`;
  });
  print();
  print(renderThread(stack.emu, DEMO.triage, t.cardTs!, { width, style, topLines: 3, note: `ticket #${t.number}'s thread` }));
  return t;
}

// ---- the chat part ---------------------------------------------------------------------------------------------

const CHAT = {
  page: `${DEMO.shopOrigin}/shirts/linen-blue`,
  question: 'Hi! Does the blue linen shirt run small? I usually wear an M.',
  email: 'lea.martin@example.com',
  reply: '!reply Hi! It runs true to size: take your usual M. It is cut a little long, for wearing untucked.',
};

/** The order the visitor places the next day, as Shopify's orders/create webhook sends it (the fields that matter). */
function nextDayOrder(now: number): Record<string, unknown> {
  const at = new Date(now + 26 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  return {
    id: 5923418734117, name: '#1042', order_number: 1042, email: CHAT.email, contact_email: CHAT.email, phone: null, created_at: at, updated_at: at, cancelled_at: null,
    currency: 'EUR', total_price: '89.95', subtotal_price: '89.95', financial_status: 'paid', test: false,
    customer: { id: 7311112229001, email: CHAT.email, first_name: 'Léa', last_name: 'Martin', phone: null },
    line_items: [{ id: 13688971493001, name: 'Linen shirt - Blue / M', title: 'Linen shirt', quantity: 1, price: '89.95' }], refunds: [],
  };
}

/** Plays the chat part: a visitor of the shop's website asks in the widget, Priya answers from the triage thread. */
async function playChat(stack: DemoStack): Promise<void> {
  print();
  print(style.bold('And a visitor of the shop\'s website, in the chat widget'));
  print(wrap('The widget is served by the bot (/chat/widget.js, one script tag on the shop\'s pages); here a program speaks its protocol over the same socket a browser would use.', width, '').map(style.dim).join('\n'));
  print();
  await step('Sam connects the chat to #support-triage', '/helpdesk connect chat #support-triage', async () => {
    const result = await stack.emu.driver.slashCommand(DEMO.sam, DEMO.triage, '/helpdesk', `connect chat <#${DEMO.triage}|support-triage>`);
    check(result.status === 200, `the bot answered /helpdesk connect chat with HTTP ${result.status}`);
    await stack.settle();
  }, async () => {
    check(await stack.db('channel_settings').where({ channel_id: 'chat:web' }).first(), 'the chat was not connected');
    return 'chats from the widget now open tickets worked in #support-triage';
  });

  const visitor = await openChatWidget(stack.botUrl, DEMO.shopOrigin, CHAT.page);
  let cardTs = '';
  let number = 0;
  await step(`A visitor on ${CHAT.page} asks in the widget`, CHAT.question, async () => {
    await visitor.say(CHAT.question, CHAT.email);
    await stack.settle();
  }, async () => {
    const row = (await stack.db('tickets').where({ origin_kind: 'chat' }).first('number', 'card_ts', 'origin_source')) as { number: number; card_ts: string | null; origin_source: string } | undefined;
    check(row?.card_ts, 'the chat opened no ticket with a card');
    cardTs = row.card_ts;
    number = row.number;
    const card = JSON.stringify(stack.emu.message(DEMO.triage, cardTs)?.blocks);
    check(card.includes(`Chat · ${CHAT.page}`), 'the card does not show the chat and the page');
    return `ticket #${number} opened from the chat, with the page the visitor was on; its card is in #support-triage`;
  });
  await step(`Priya answers in ticket #${number}'s thread`, CHAT.reply, async () => {
    await stack.emu.driver.userSays(DEMO.priya, DEMO.triage, CHAT.reply, { thread_ts: cardTs });
    await stack.settle();
  }, async () => {
    const line = await visitor.waitFor((l) => l.from === 'agent');
    check(line.text === CHAT.reply.replace(/^!reply /, ''), `the widget shows “${line.text}”`);
    return 'the answer shows in the visitor\'s widget as soon as it is recorded';
  });
  print();
  print(style.accent('━━ What the widget shows ━━'));
  for (const line of visitor.lines) print(wrap(`${style.bold(line.from === 'agent' ? (line.agent ?? 'Support') : 'You')}: ${line.text}`, width, '  ').join('\n'));
  await visitor.close();
  print();
  await playOrder(stack, number);
}

const LEO = "Hello, the teapot I ordered came broken: the spout snapped off in the box. What can you do?";

/** Another customer with the same trouble as Maya: Sam presses Suggest and sends his own earlier answer, made a template. */
async function playSuggest(stack: DemoStack): Promise<void> {
  print();
  print(style.bold('And the next customer with the same trouble: Suggest'));
  print(wrap('Suggest ranks the team\'s past replies and templates for this conversation (BM25 on the team\'s own words, how often each answer is used, which suggestions agents sent); names and order numbers of past replies became snippets.', width, '').map(style.dim).join('\n'));
  print();
  let originTs = '';
  let cardTs = '';
  let number = 0;
  await step('Leo asks in #help', LEO, async () => {
    originTs = await says(stack, DEMO.leo, DEMO.help, LEO);
  }, async () => {
    const row = (await stack.db('tickets').where({ origin_ts: originTs }).first('number', 'card_ts')) as { number: number; card_ts: string | null } | undefined;
    check(row?.card_ts, 'Leo\'s message opened no ticket with a card');
    cardTs = row.card_ts;
    number = row.number;
    return `ticket #${number}; its card in #support-triage has a [Suggest] button`;
  });
  let viewId = '';
  let box: { block_id: string; element: { initial_value?: string } } | undefined;
  await step(`Sam clicks [Suggest] on the card of #${number}`, null, async () => {
    const result = await stack.emu.driver.clickButton(DEMO.sam, DEMO.triage, cardTs, 'ticket_suggest');
    check(result.status === 200, `the bot answered the click on [Suggest] with HTTP ${result.status}`);
    await stack.settle();
  }, async () => {
    const [open] = stack.emu.openViews(DEMO.sam);
    check(open, 'no Reply modal opened for Sam');
    viewId = open.id;
    const blocks = open.view.blocks as { block_id?: string; element?: { initial_value?: string } }[];
    box = blocks.find((b) => b.block_id?.startsWith('reply_text')) as typeof box;
    const text = box?.element.initial_value ?? '';
    check(text.startsWith("Hi Leo, I'm so sorry your teapot arrived broken!"), `the suggestion in the box is “${text.slice(0, 80)}”`);
    return `the Reply modal opens with Sam's answer to Maya, now for Leo: “${text.slice(0, 60)}…”`;
  });
  await step('Sam clicks [Send]', null, async () => {
    const result = await stack.emu.driver.submitView(DEMO.sam, viewId, { [box!.block_id]: { reply_text_input: box!.element.initial_value! }, reply_after: { reply_after_choice: { type: 'radio_buttons', selected_option: { value: 'nothing' } } } });
    check(result.status === 200, `the bot answered the modal's Send with HTTP ${result.status}`);
    await stack.settle();
  }, async () => {
    const reply = stack.emu.thread(DEMO.help, originTs).find((m) => m.bot_id && m.text.includes('replacement ships today'));
    check(reply, 'the suggested reply did not reach Leo\'s thread in #help');
    const used = (await stack.db('suggestion_feedback').first('sent')) as { sent: number } | undefined;
    check(used?.sent === 1, 'the suggestion sent was not recorded for the ranking');
    return 'in Leo\'s thread in #help; the ranking records that this suggestion was sent';
  });
}

/** The visitor buys the shirt the next day (the shop's webhook); today's digest counts her ticket as converted. */
async function playOrder(stack: DemoStack, number: number): Promise<void> {
  const names = namesFrom(stack.emu);
  const body = JSON.stringify(nextDayOrder(Date.now()));
  await step('The next day she buys the shirt: the shop sends Shopify\'s orders/create webhook', 'POST /webhooks/shopify  order #1042 · €89.95 · Linen shirt - Blue / M', async () => {
    const response = await fetch(`${stack.botUrl}/webhooks/shopify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Shopify-Topic': 'orders/create', 'X-Shopify-Hmac-Sha256': createHmac('sha256', DEMO_SHOPIFY_SECRET).update(body).digest('base64'), 'X-Shopify-Webhook-Id': 'demo-order-1042', 'X-Shopify-Shop-Domain': 'linen-and-loom.myshopify.com' },
      body,
    });
    check(response.status === 200, `the bot answered the webhook with HTTP ${response.status}`);
    await stack.settle();
  }, async () => {
    const order = (await stack.db('orders').where({ number: '1042' }).first('customer_id', 'total_minor')) as { customer_id: number | null; total_minor: number } | undefined;
    const ticket = (await stack.db('tickets').where({ number }).first('customer_id')) as { customer_id: number | null } | undefined;
    check(order && order.customer_id !== null && order.customer_id === ticket?.customer_id, 'the order was not linked to the chat visitor (by the address she gave in the widget)');
    return `order #1042 stored and linked to the visitor of ticket #${number} by her address`;
  });
  await step('Priya posts today\'s figures again', '/helpdesk digest now #support-triage today', async () => {
    const result = await stack.emu.driver.slashCommand(DEMO.priya, DEMO.triage, '/helpdesk', `digest now <#${DEMO.triage}|support-triage> today`);
    check(result.status === 200, `the bot answered /helpdesk digest with HTTP ${result.status}`);
    await stack.settle();
  }, async () => {
    const digest = stack.emu.messages(DEMO.triage).filter((m) => m.text.startsWith(':bar_chart: Support digest')).at(-1);
    const text = threadText([digest!], names);
    check(text.includes('Converted tickets 1'), 'the digest does not show one converted ticket');
    check(text.includes('€89.95'), 'the digest does not show the order\'s revenue');
    const line = text.split('\n').find((l) => l.includes('Converted tickets'))!;
    return line.replace(/\*/g, '').trim();
  });
}

// ---- the report -------------------------------------------------------------------------------------------------

function clockWithMillis(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

function quoteOf(message: TicketMessage | undefined, names: Names, max: number): string {
  if (!message) return '';
  const text = mrkdwnToText(message.text, names).replace(/\s+/g, ' ').replace(/^!reply /, '');
  const chars = Array.from(text);
  return `“${chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text}”`;
}

function describeEvent(event: TicketEvent, messages: Map<number, TicketMessage>, names: Names, room: number): string {
  const who = (id: string | null) => (id ? names.user(id) : 'nobody');
  const message = event.messageId !== null ? messages.get(event.messageId) : undefined;
  switch (event.kind) {
    case 'created':
      return 'opened from a message in #help';
    case 'assigned':
      return `${event.fromValue ? who(event.fromValue) : 'unassigned'} → ${who(event.toValue)}`;
    case 'status_changed':
    case 'priority_changed':
      return `${event.fromValue} → ${event.toValue}`;
    case 'tagged':
      return event.toValue ?? '';
    case 'note':
      return `(internal) ${quoteOf(message, names, room - 11)}`;
    default:
      return quoteOf(message, names, room);
  }
}

async function printReport(scene: Scene): Promise<void> {
  const { stack, names } = scene;
  print();
  print(style.bold('What each channel shows now'));
  print();
  print(renderChannel(stack.emu, DEMO.help, { width, style }));
  print();
  print(renderChannel(stack.emu, DEMO.triage, { width, style, ephemerals: true }));
  print();

  const ticket = await ticketOne(stack);
  const events = await stack.tickets.events(ticket.id);
  const messages = new Map((await stack.tickets.messages(ticket.id)).map((m) => [m.id, m]));
  print(style.accent(`━━${style.bold(' Ticket #1 in the database ')}${'━'.repeat(Math.max(4, width - 29))}`));
  print(wrap(`${style.bold(`#${ticket.number} ${ticket.subject}`)}`, width, '  ').join('\n'));
  print(`  status ${style.bold(ticket.status)} · priority ${ticket.priority} · assignee ${ticket.assigneeId ? names.user(ticket.assigneeId) : '—'} · tags ${ticket.tags.join(', ') || '—'}`);
  print();
  print(style.dim(`  ${'time'.padEnd(12)}  ${'+s'.padStart(6)}  ${'event'.padEnd(17)}  ${'by'.padEnd(6)}  detail`));
  const start = events[0]?.at ?? ticket.createdAt;
  const room = width - 2 - 12 - 2 - 6 - 2 - 17 - 2 - 6 - 2;
  for (const event of events) {
    const offset = `+${((event.at - start) / 1000).toFixed(2)}`.padStart(6);
    const actor = (event.actorId ? names.user(event.actorId) : '—').padEnd(6);
    const line = `  ${clockWithMillis(event.at)}  ${offset}  ${event.kind.padEnd(17)}  ${actor}  ${describeEvent(event, messages, names, room)}`;
    print(displayWidth(line) > width + 2 ? `${Array.from(line).slice(0, width + 1).join('')}…` : line);
  }
}

// ---- main ------------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const started = Date.now();
  print(style.bold('threaddesk demo'));
  print(wrap(
    'The real bot, started over HTTP against a local Slack emulator with a throwaway SQLite file. ' +
      'Cast: Maya and Leo (customers) post in #help; Sam and Priya (agents) work tickets in #support-triage; ' +
      `Mia (customer) writes by email to ${DEMO.mailbox}; a visitor of the shop's website uses the chat widget.`,
    width,
    '',
  ).map(style.dim).join('\n'));
  print();

  let stack: DemoStack | null = null;
  let timer: NodeJS.Timeout | undefined;
  const interrupted = () => {
    process.stderr.write('\ndemo interrupted\n');
    void (stack?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  try {
    stack = await startDemoStack();
    const running = stack;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DemoFailure(`the conversation did not finish within ${TIMEOUT_MS / 1000} s (stuck at step ${stepNumber})`)), TIMEOUT_MS);
    });
    const scene = await Promise.race([play(running), timeout]);
    const errors = () => running.logLines.filter((line) => (JSON.parse(line) as { level?: number }).level! >= 50);
    check(errors().length === 0, `the bot logged ${errors().length} error(s) during the conversation`);
    await printReport(scene);
    await Promise.race([playEmail(running), timeout]);
    check(errors().length === 0, `the bot logged ${errors().length} error(s) during the email conversation`);
    await Promise.race([playChat(running), timeout]);
    check(errors().length === 0, `the bot logged ${errors().length} error(s) during the chat`);
    await Promise.race([playSuggest(running), timeout]);
    check(errors().length === 0, `the bot logged ${errors().length} error(s) during Suggest`);
    print();
    const warnings = running.logLines.length;
    if (warnings > 0) print(style.yellow(`! the bot logged ${warnings} warning(s) during the conversation (not shown).`));
    print(style.green(`✓ demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s: every step left its ticket in the expected state.`));
    return 0;
  } catch (err) {
    const names = stack ? namesFrom(stack.emu) : stepNames;
    const told = stack?.emu.ephemerals().slice(-3) ?? [];
    if (told.length > 0) {
      process.stderr.write(`\nthe bot's last private answers:\n${told.map((e) => `  to ${names.user(e.user)}: ${mrkdwnToText(e.text, names).replace(/\s+/g, ' ').slice(0, 300)}`).join('\n')}\n`);
    }
    const logs = stack?.logLines ?? [];
    if (logs.length > 0) {
      process.stderr.write(`\nbot log (warnings and errors):\n${logs.map((l) => `  ${l.slice(0, 600)}`).join('\n')}\n`);
    }
    const reason = err instanceof DemoFailure ? err.message : `unexpected error: ${err instanceof Error ? err.message : String(err)}`;
    process.stderr.write(`\n${style.red('✗')} demo failed at step ${stepNumber}: ${reason}\n`);
    return 1;
  } finally {
    clearTimeout(timer);
    process.removeListener('SIGINT', interrupted);
    await stack?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
