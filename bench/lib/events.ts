/**
 * Events API requests for the ingest benchmark, built without the emulator: a stream is a compact, serialisable
 * description (channel, requesters, ts range, event_id prefix) from which event i is derived deterministically,
 * so the load generator (bench/lib/loadgen-child.ts) can build and sign them in its own process, and the
 * benchmark can tell the emulator about the same messages (seedMessages) and check the database for them.
 *
 * The shape is what src/emulator/payloads.ts sends for a person's message in a public channel (doc §3.1-3.2):
 * an `event_callback` envelope with a distinct event_id, and a `message` event with client_msg_id, text, user,
 * ts, team, a rich_text block, channel, event_ts and channel_type.
 */
import { createHmac } from 'node:crypto';
import { microsToTs } from '../../src/emulator/slack-ts.js';
import type { SlackEmulator } from '../../src/emulator/index.js';

export interface Workspace {
  teamId: string;
  appId: string;
  botUserId: string;
}

export interface EventStream {
  /** Short, unique per stream: part of every event_id and client_msg_id. */
  tag: string;
  channel: string;
  /** Event i comes from requester(userOffset + i). */
  userOffset: number;
  /** ts of event i is tsBaseMicros + i * TS_STEP_MICROS (microseconds since the epoch). */
  tsBaseMicros: number;
  /** Shown in the text: `[label i] …`. */
  label: string;
  workspace: Workspace;
}

const TS_STEP_MICROS = 10;

/** Requester k's user id (every message of a phase has its own, so each one must open a ticket). */
export const requester = (k: number): string => `UR${k.toString(36).toUpperCase().padStart(7, '0')}`;

/**
 * A stream of `count` messages whose timestamps lie in the recent past, before anything the emulator's clock will
 * hand out (it never goes backwards), so they cannot collide with the bot's own posts in the channel.
 */
export function newStream(opts: Omit<EventStream, 'tsBaseMicros'>, count: number): EventStream {
  const span = count * TS_STEP_MICROS;
  return { ...opts, tsBaseMicros: Date.now() * 1000 - span - 2_000_000 };
}

export const tsOf = (s: EventStream, i: number): string => microsToTs(s.tsBaseMicros + i * TS_STEP_MICROS);
export const textOf = (s: EventStream, i: number): string => `[${s.label} ${i}] The VPN client fails with error 809 from building ${i % 9}; it worked yesterday.`;

const base36 = (n: number, width: number): string => n.toString(36).toUpperCase().padStart(width, '0');
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
function tagNumber(tag: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < tag.length; k++) h = Math.imul(h ^ tag.charCodeAt(k), 0x01000193) >>> 0;
  return h;
}

/** The fields the emulator stores for the message and the event carries. */
export function messageOf(s: EventStream, i: number) {
  const text = textOf(s, i);
  return {
    channel: s.channel,
    ts: tsOf(s, i),
    user: requester(s.userOffset + i),
    text,
    team: s.workspace.teamId,
    client_msg_id: `${hex(tagNumber(s.tag), 8)}-${hex(i >>> 16, 4)}-4${hex(i & 0xfff, 3)}-8${hex(i % 0xfff, 3)}-${hex(i * 7919 + 1, 12)}`,
    blocks: [{ type: 'rich_text', block_id: base36((i * 1297) % 1679616, 4).toLowerCase(), elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }] }],
  };
}

/** The exact HTTP body of event i (what gets signed): the same JSON as JSON.stringify of the envelope. */
export function eventBody(s: EventStream, i: number, nowSeconds: number): string {
  return bodyBuilder(s)(i, nowSeconds);
}

/**
 * eventBody for one stream, with the parts that do not depend on i rendered once: a few microseconds per body
 * instead of a JSON.stringify of the whole envelope, so that building requests stays a small part of the load
 * generator's cost. The output is byte for byte JSON.stringify(envelopeOf(s, i, nowSeconds)) (checked by
 * checkBodyBuilder at the generator's start).
 */
export function bodyBuilder(s: EventStream): (i: number, nowSeconds: number) => string {
  const w = s.workspace;
  const head = `{"token":"emulator-verification-token","team_id":${JSON.stringify(w.teamId)},"api_app_id":${JSON.stringify(w.appId)},"event":{"client_msg_id":"`;
  const channel = JSON.stringify(s.channel);
  const team = JSON.stringify(w.teamId);
  const auth = `"authorizations":[{"enterprise_id":null,"team_id":${JSON.stringify(w.teamId)},"user_id":${JSON.stringify(w.botUserId)},"is_bot":true,"is_enterprise_install":false}],"is_ext_shared_channel":false,"event_context":"4-${hex(tagNumber(s.tag), 8)}`;
  const idPrefix = `Ev${s.tag}`;
  return (i, nowSeconds) => {
    const m = messageOf(s, i);
    const text = JSON.stringify(m.text);
    const ts = m.ts;
    return `${head}${m.client_msg_id}","type":"message","text":${text},"user":"${m.user}","ts":"${ts}","team":${team},"blocks":[{"type":"rich_text","block_id":"${m.blocks[0]!.block_id}","elements":[{"type":"rich_text_section","elements":[{"type":"text","text":${text}}]}]}],"channel":${channel},"event_ts":"${ts}","channel_type":"channel"},"type":"event_callback","event_id":"${idPrefix}${base36(i, 8)}","event_time":${nowSeconds},${auth}${hex(i, 16)}"}`;
  };
}

/** The envelope as an object (what Slack's JSON parses to). */
export function envelopeOf(s: EventStream, i: number, nowSeconds: number): Record<string, unknown> {
  const m = messageOf(s, i);
  return {
    token: 'emulator-verification-token',
    team_id: s.workspace.teamId,
    api_app_id: s.workspace.appId,
    event: {
      client_msg_id: m.client_msg_id, type: 'message', text: m.text, user: m.user, ts: m.ts, team: m.team, blocks: m.blocks,
      channel: s.channel, event_ts: m.ts, channel_type: 'channel',
    },
    type: 'event_callback',
    event_id: `Ev${s.tag}${base36(i, 8)}`,
    event_time: nowSeconds,
    authorizations: [{ enterprise_id: null, team_id: s.workspace.teamId, user_id: s.workspace.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: `4-${hex(tagNumber(s.tag), 8)}${hex(i, 16)}`,
  };
}

/** Throws if the fast builder and JSON.stringify of the envelope disagree for event i. */
export function checkBodyBuilder(s: EventStream, i: number): void {
  const now = Math.floor(Date.now() / 1000);
  const fast = bodyBuilder(s)(i, now);
  const slow = JSON.stringify(envelopeOf(s, i, now));
  if (fast !== slow) throw new Error(`bench/lib/events.ts: bodyBuilder differs from the envelope:\n${fast}\n${slow}`);
}

/** Slack request signing: v0= + hex(HMAC-SHA256(secret, `v0:{timestamp}:{body}`)). */
export function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/**
 * Puts messages first..first+count-1 of the stream into the emulator's workspace without delivering anything, so
 * that what the bot does with them (a 🎫 reaction, a reply in their thread) finds them as it would in Slack. The
 * emulator has no public call for a silent message (its driver always delivers one), so this uses its state.
 */
export function seedMessages(emu: SlackEmulator, s: EventStream, count: number, first = 0): void {
  const state = (emu as unknown as { state?: { addMessage?: (m: unknown) => unknown } }).state;
  if (typeof state?.addMessage !== 'function') throw new Error('seedMessages: the emulator has no state.addMessage any more; update bench/lib/events.ts');
  for (let i = first; i < first + count; i++) state.addMessage({ ...messageOf(s, i), reactions: [] });
}
