/**
 * Fills a migrated threaddesk database with a large, plausible history, directly (not through the bot):
 * tickets spread over `days` with realistic statuses, assignees and requesters, 1–3 messages each, their
 * `created` event (plus `assigned` / `status_changed` events where the status says so), some tags and ticket
 * fields, and a workspace's reply templates. Rows match migrations/*.ts; multi-row INSERTs inside one
 * transaction, so 100k tickets take seconds. Deterministic (seeded PRNG).
 */
import type { Knex } from 'knex';

export interface SeedSpec {
  teamId: string;
  triageChannelId: string;
  intakeChannelIds: string[];
  agentIds: string[];
  requesterIds: string[];
  tickets: number;
  templates: number;
  /** History spread: created_at within [now - days, now - quietMs]. */
  days: number;
  /** The newest seeded ticket is this old, so the burst rule never joins a live message to a seeded ticket. */
  quietMs: number;
  now: number;
}

export interface SeedFigures {
  tickets: number;
  messages: number;
  events: number;
  tags: number;
  fields: number;
  templates: number;
}

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SUBJECTS = [
  'VPN client fails with error 809',
  'Cannot log in to the billing portal',
  'Where is my order?',
  'Refund not received yet',
  'Laptop will not wake from sleep',
  'Invoice shows the wrong VAT number',
  'Printer on floor 3 jams every morning',
  'Password reset email never arrives',
  'Shipping address change request',
  'Two-factor codes rejected',
  'Order arrived damaged',
  'Need access to the analytics dashboard',
  'Subscription charged twice this month',
  'Export to CSV times out',
  'Mobile app crashes on start',
];
const BODIES = [
  'Since this morning I get the same error again and again; I restarted twice, no luck. Can someone have a look?',
  'Hi team, following up on this: it still happens and it blocks my work with the customer. Any news?',
  'Attaching what I see on screen. It worked fine last week, nothing changed on my side as far as I know.',
  'Thanks for the quick answer! I tried that, it did not help unfortunately. Here is what I get now.',
  'Order reference in the subject. The tracking page has said "label created" for five days now.',
];
/** Agents' answers: a greeting, one of many answers, a closing; about a thousand different replies in all. */
const REPLY_OPENERS = ['Hi {name},', 'Hello {name},', 'Thanks for writing in, {name}.', 'Sorry about that, {name}!', 'Good morning {name},', 'Hi there,', 'Thanks for your patience.', 'Hello,', 'Hi {name}, thanks for the details.', 'Sorry for the wait.'];
const REPLY_ANSWERS = [
  'I have reset your VPN profile; please reconnect and tell me if error 809 comes back.',
  'your order {order} left our warehouse today and should arrive within 3 working days.',
  'the refund for order {order} was issued; it takes 5 to 10 working days to show on your statement.',
  'I have unlocked your account. You can sign in again with your usual password.',
  'the invoice was corrected; you will find the new PDF in the billing portal.',
  'please clear the app cache under Settings, Storage, then start the app again.',
  'the carrier confirms the parcel is at your local depot; they will try again tomorrow.',
  'I have sent a new password reset link to the address on file.',
  'the laptop is ready for pickup at the IT desk, second floor, from 9 am.',
  'your access to the shared drive was granted; it can take 15 minutes to show up.',
  'the export now runs in the background and you will get the CSV by email.',
  'I have escalated this to second-line support; they answer within one working day.',
  'a replacement ships today at no cost; no need to send the broken one back.',
  'the duplicate charge on order {order} was reversed by our payments team.',
  'please send us a photo of the parcel label so we can open a claim with the carrier.',
  'the outage on the mail server is fixed; messages held since 10:00 are being delivered now.',
  'your subscription was moved to the annual plan; the difference is credited on the next invoice.',
  'I added the printer to your profile; it appears after you log out and in again.',
  'the checkout error came from an expired card; updating it under Payment methods fixes it.',
  'we can change the delivery address until the label is printed; I updated it for you.',
];
const REPLY_CLOSINGS = ['Let me know if anything else comes up.', 'Have a good day!', '', 'Best regards.', 'I will keep this ticket open until you confirm.'];
const TAGS = ['vpn', 'billing', 'hardware', 'access', 'shipping', 'refund', 'urgent', 'vip'];

const AREAS = ['access', 'billing', 'checkout', 'delivery', 'devices', 'email', 'hardware', 'invoices', 'laptops', 'network', 'orders', 'payments'];
const REGIONS = ['amer', 'apac', 'de', 'emea', 'fr', 'uk'];

/**
 * Reply templates named `<area>-<region>-<kind>` (e.g. billing-emea-refund), so every kind appears among the
 * first names in alphabetical order; about two thirds use snippets, some need the ticket field order.number.
 */
export function templateRows(spec: Pick<SeedSpec, 'teamId' | 'templates' | 'now' | 'agentIds'>, random: () => number) {
  const kinds: [string, string][] = [
    ['order-update', 'Hi {{customer.first_name}}, your order {{order.number}} has shipped today and should arrive within 3 working days. I will keep ticket #{{ticket.number}} open until it does. — {{agent.first_name}}'],
    ['greeting', 'Hi {{customer.first_name}}, thanks for reaching out! I am looking into "{{ticket.subject}}" now and will get back to you shortly.'],
    ['vpn-steps', 'Hello {{customer.first_name}},\n\nPlease try the following:\n1. Quit the VPN client completely.\n2. Remove the profile under Settings → Network.\n3. Download the profile again from https://intranet.example/vpn and import it.\n4. Reconnect.\n\nIf error 809 persists, reply here with a screenshot (ticket #{{ticket.number}}).'],
    ['refund', 'Hi {{customer.first_name}}, the refund for order {{order.number}} was issued today. Depending on your bank it takes 5 to 10 working days to show on your statement.'],
    ['closing', 'Glad this is sorted! I am closing this ticket now; just reply in this thread if anything else comes up.'],
    ['need-info', 'Could you send us your order number, the email address used at checkout, and a photo of the parcel label? That will let us trace it with the carrier.'],
    ['escalated', 'Hi {{customer.first_name}}, I have escalated #{{ticket.number}} to our second-line team ({{channel.name}}). They usually answer within one working day.'],
  ];
  return Array.from({ length: spec.templates }, (_, i) => {
    const [kind, body] = kinds[i % kinds.length]!;
    const topic = Math.floor(i / kinds.length);
    const round = Math.floor(topic / (AREAS.length * REGIONS.length));
    const name = `${AREAS[topic % AREAS.length]}-${REGIONS[Math.floor(topic / AREAS.length) % REGIONS.length]}-${kind}${round > 0 ? `-${round + 1}` : ''}`;
    const at = spec.now - Math.floor(random() * 180 * 86_400_000);
    return { team_id: spec.teamId, name, body, usage_count: Math.floor(random() * 300), updated_by: spec.agentIds[i % spec.agentIds.length]!, created_at: at, updated_at: at };
  });
}

/** INSERT … VALUES (…), (…) in chunks that stay under SQLite's 32766 bound variables. */
async function insertMany(trx: Knex.Transaction, table: string, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const perStatement = Math.max(1, Math.floor(30_000 / columns.length));
  const head = `insert into ${table} (${columns.join(', ')}) values `;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const bindings: Knex.RawBinding[] = [];
    for (const row of chunk) for (const c of columns) bindings.push((row[c] ?? null) as Knex.RawBinding);
    await trx.raw(head + chunk.map(() => tuple).join(', '), bindings);
  }
}

/**
 * Seeds a migrated, empty database. Ticket ids and numbers are 1..N, and workspace_settings.next_ticket_number
 * continues after them, so tickets the bot opens later get the next numbers.
 */
export async function seedStore(db: Knex, spec: SeedSpec): Promise<SeedFigures> {
  const random = prng(20261123);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
  // Requesters: a long tail (some customers write often, most rarely): index ~ N * u^2.
  const agentReply = () =>
    [pick(REPLY_OPENERS), pick(REPLY_ANSWERS), pick(REPLY_CLOSINGS)]
      .join(' ')
      .replace('{name}', pick(['Carol', 'Dave', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy']))
      .replace('{order}', String(100_000 + Math.floor(random() * 900_000)))
      .trim();
  const requester = () => spec.requesterIds[Math.floor(spec.requesterIds.length * random() ** 2)]!;
  const DAY = 86_400_000;
  const span = spec.days * DAY - spec.quietMs;
  const oldest = spec.now - spec.days * DAY;
  const figures: SeedFigures = { tickets: 0, messages: 0, events: 0, tags: 0, fields: 0, templates: 0 };
  let tsCounter = 0;
  const slackTs = (ms: number) => `${Math.floor(ms / 1000)}.${String(tsCounter++ % 1_000_000).padStart(6, '0')}`;

  await db.transaction(async (trx) => {
    await trx('workspace_settings').insert({ team_id: spec.teamId, default_triage_channel_id: spec.triageChannelId, next_ticket_number: spec.tickets + 1 }).onConflict('team_id').merge();
    for (const channel of spec.intakeChannelIds) {
      await trx('channel_settings').insert({ channel_id: channel, team_id: spec.teamId, triage_channel_id: spec.triageChannelId, created_at: oldest }).onConflict('channel_id').ignore();
    }

    const BATCH = 10_000;
    let messageId = 0;
    for (let base = 0; base < spec.tickets; base += BATCH) {
      const tickets: Record<string, unknown>[] = [];
      const messages: Record<string, unknown>[] = [];
      const events: Record<string, unknown>[] = [];
      const tags: Record<string, unknown>[] = [];
      const fields: Record<string, unknown>[] = [];
      for (let i = base; i < Math.min(spec.tickets, base + BATCH); i++) {
        const id = i + 1;
        const createdAt = Math.floor(oldest + (span * i) / spec.tickets + random() * 60_000);
        const age = (spec.now - createdAt) / DAY;
        // Old tickets are mostly done; recent ones mostly active.
        const r = random();
        const status = age > 14 ? (r < 0.55 ? 'closed' : r < 0.95 ? 'solved' : r < 0.98 ? 'pending' : 'open') : r < 0.2 ? 'new' : r < 0.45 ? 'open' : r < 0.6 ? 'pending' : r < 0.9 ? 'solved' : 'closed';
        const assignee = status === 'new' ? (random() < 0.8 ? null : pick(spec.agentIds)) : random() < 0.05 ? null : pick(spec.agentIds);
        const requesterId = requester();
        const origin = pick(spec.intakeChannelIds);
        const originTs = slackTs(createdAt);
        const nMessages = 1 + Math.floor(random() * 3);
        let last = createdAt;
        let lastRequester = createdAt;
        for (let k = 0; k < nMessages; k++) {
          messageId += 1;
          const fromAgent = k > 0 && assignee !== null && random() < 0.5;
          // Never after the quiet time before `now`: a follow-up "in the future" would make its requester's next
          // real message join that ticket instead of opening one.
          const sentAt = k === 0 ? createdAt : Math.max(last, Math.min(last + Math.floor(random() * 4 * 3_600_000), spec.now - spec.quietMs));
          last = sentAt;
          if (!fromAgent) lastRequester = sentAt;
          messages.push({
            id: messageId, ticket_id: id, channel_id: origin, ts: k === 0 ? originTs : slackTs(sentAt), thread_ts: k === 0 ? null : originTs,
            user_id: fromAgent ? assignee : requesterId, author_role: fromAgent ? 'agent' : 'requester', visibility: 'public',
            text: k === 0 ? `${SUBJECTS[i % SUBJECTS.length]} — ${pick(BODIES)}` : fromAgent ? agentReply() : pick(BODIES), files_json: null, mirror_ts: null, sent_at: sentAt, edited_at: null, deleted_at: null,
          });
          if (k === 0) events.push({ ticket_id: id, kind: 'created', actor_id: requesterId, from_value: null, to_value: 'new', message_id: messageId, at: createdAt });
        }
        const done = status === 'solved' || status === 'closed';
        const solvedAt = done ? last + Math.floor(random() * 2 * DAY) : null;
        if (assignee) events.push({ ticket_id: id, kind: 'assigned', actor_id: assignee, from_value: null, to_value: assignee, message_id: null, at: createdAt + 60_000 });
        if (status !== 'new') events.push({ ticket_id: id, kind: 'status_changed', actor_id: assignee, from_value: 'new', to_value: done ? 'solved' : status, message_id: null, at: solvedAt ?? createdAt + 60_000 });
        if (status === 'closed') events.push({ ticket_id: id, kind: 'status_changed', actor_id: null, from_value: 'solved', to_value: 'closed', message_id: null, at: solvedAt! + 3 * DAY });
        if (random() < 0.25) tags.push({ ticket_id: id, tag: pick(TAGS) });
        if (random() < 0.3) fields.push({ ticket_id: id, name: 'order.number', value: String(100_000 + Math.floor(random() * 900_000)), updated_at: createdAt });
        tickets.push({
          id, team_id: spec.teamId, number: id, subject: `${SUBJECTS[i % SUBJECTS.length]} (#${id})`, status, priority: random() < 0.1 ? 'high' : random() < 0.05 ? 'urgent' : 'normal',
          requester_id: requesterId, requester_team_id: spec.teamId, origin_channel_id: origin, origin_ts: originTs, triage_channel_id: spec.triageChannelId,
          origin_permalink: null, card_ts: slackTs(createdAt + 1000), assignee_id: assignee, source: 'message',
          created_at: createdAt, updated_at: Math.max(last, solvedAt ?? 0), solved_at: solvedAt, last_requester_message_at: lastRequester, merged_into_id: null,
        });
      }
      await insertMany(trx, 'tickets', tickets);
      await insertMany(trx, 'messages', messages);
      await insertMany(trx, 'ticket_events', events);
      await insertMany(trx, 'ticket_tags', tags);
      await insertMany(trx, 'ticket_fields', fields);
      figures.tickets += tickets.length;
      figures.messages += messages.length;
      figures.events += events.length;
      figures.tags += tags.length;
      figures.fields += fields.length;
    }
    const templates = templateRows(spec, random);
    await insertMany(trx, 'templates', templates);
    figures.templates = templates.length;
  });
  // No ANALYZE: the bot never runs it, so production query plans come without sqlite_stat1 too.
  return figures;
}
