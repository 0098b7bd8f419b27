// Turns what the emulator holds (messages, threads, reactions, Block Kit) into text a person can read in a terminal.
import type { EmuEphemeral, EmuMessage, SlackEmulator } from '../emulator/index.js';

/** Terminal styling; every function is the identity when colour is off. */
export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  accent(s: string): string;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
}

export function createStyle(colour: boolean): Style {
  const sgr = (open: number, close: number) => (s: string) => (colour ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { bold: sgr(1, 22), dim: sgr(2, 22), accent: sgr(36, 39), green: sgr(32, 39), red: sgr(31, 39), yellow: sgr(33, 39) };
}

/** Names for the ids that appear in Slack text. */
export interface Names {
  user(id: string): string;
  channel(id: string): string;
}

export function namesFrom(emu: SlackEmulator): Names {
  return {
    user: (id) => emu.user(id)?.name ?? id,
    channel: (id) => emu.channel(id)?.name ?? id,
  };
}

const EMOJI: Record<string, string> = {
  ticket: '🎫',
  new: '🆕',
  large_blue_circle: '🔵',
  hourglass_flowing_sand: '⏳',
  white_check_mark: '✅',
  lock: '🔒',
  arrow_up: '⬆️',
  rotating_light: '🚨',
  speech_balloon: '💬',
  outbox_tray: '📤',
  raising_hand: '🙋',
  leftwards_arrow_with_hook: '↩️',
  arrow_up_down: '↕️',
  label: '🏷️',
  paperclip: '📎',
  pray: '🙏',
  eyes: '👀',
  '+1': '👍',
  thumbsup: '👍',
  package: '📦',
  slightly_smiling_face: '🙂',
  disappointed: '😞',
  warning: '⚠️',
  email: '📧',
  'e-mail': '📧',
  envelope: '✉️',
  incoming_envelope: '📨',
};

const pad2 = (n: number) => String(n).padStart(2, '0');

/** HH:MM in local time. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

function slackDate(epochSeconds: number, format: string): string {
  const d = new Date(epochSeconds * 1000);
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  const day = sameDay ? 'Today' : d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
  return format
    .replace(/\{date_short_pretty\}|\{date_pretty\}|\{date_long_pretty\}/g, day)
    .replace(/\{date_short\}|\{date\}|\{date_long\}/g, d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' }))
    .replace(/\{time_secs\}/g, `${clockTime(d.getTime())}:${pad2(d.getSeconds())}`)
    .replace(/\{time\}/g, clockTime(d.getTime()));
}

/** One `<…>` control sequence as a person sees it in Slack. */
function renderToken(body: string, names: Names): string {
  const bar = body.indexOf('|');
  const target = bar < 0 ? body : body.slice(0, bar);
  const label = bar < 0 ? undefined : body.slice(bar + 1);
  if (target.startsWith('@')) return `@${label ?? names.user(target.slice(1))}`;
  if (target.startsWith('#')) return `#${label ?? names.channel(target.slice(1))}`;
  if (target.startsWith('!date^')) {
    const [, epoch, format] = target.split('^');
    return Number.isFinite(Number(epoch)) && format ? slackDate(Number(epoch), format) : (label ?? '(date)');
  }
  if (target.startsWith('!subteam^')) return `@${label ?? 'group'}`;
  if (target.startsWith('!')) return `@${target.slice(1)}`;
  return label ?? target.replace(/^mailto:/, '');
}

/**
 * Slack mrkdwn -> readable plain text: mentions and links resolved, entities unescaped, emphasis markers
 * dropped (bold kept as terminal bold when colour is on), a few emoji shortcodes as emoji.
 */
export function mrkdwnToText(text: string, names: Names, style?: Style): string {
  const bold = style?.bold ?? ((s: string) => s);
  return (
    text
      .replace(/<([^<>]*)>/g, (_m, body: string) => renderToken(body, names))
      .replace(/:([a-z0-9_+-]+):/g, (m, code: string) => EMOJI[code] ?? m)
      // Emphasis: *bold*, _italic_, ~strike~, `code` — only where Slack itself would treat them as markers.
      .replace(/(^|[\s(>])\*([^*\n]+)\*(?=$|[\s).,!?:;])/gm, (_m, pre: string, inner: string) => pre + bold(inner))
      .replace(/(^|[\s(>])_([^_\n]+)_(?=$|[\s).,!?:;])/gm, '$1$2')
      .replace(/(^|[\s(>])~([^~\n]+)~(?=$|[\s).,!?:;])/gm, '$1$2')
      .replace(/`([^`\n]+)`/g, '$1')
      .replace(/^>\s?/gm, '│ ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
  );
}

// ---- layout ------------------------------------------------------------------------------------------------

// eslint-disable-next-line no-control-regex -- matching terminal colour codes is the point
const ANSI = /\u001b\[[0-9;]*m/g;

/** Columns a string takes in a terminal (emoji count two, escape codes and variation selectors none). */
export function displayWidth(s: string): number {
  let width = 0;
  for (const ch of s.replace(ANSI, '')) {
    if (/[\u{FE0F}\u{200D}]/u.test(ch)) continue;
    width += /\p{Extended_Pictographic}/u.test(ch) && ch.codePointAt(0)! > 0x2000 ? 2 : 1;
  }
  return width;
}

const padTo = (s: string, width: number) => s + ' '.repeat(Math.max(0, width - displayWidth(s)));

/** Word-wraps each line to `width` columns, prefixing every output line with `indent`. */
export function wrap(text: string, width: number, indent: string): string[] {
  const room = Math.max(20, width - displayWidth(indent));
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const quote = line.startsWith('│ ') ? '│ ' : '';
    const words = line.slice(quote.length).split(' ');
    let current = quote;
    for (const word of words) {
      const candidate = current === quote ? current + word : `${current} ${word}`;
      if (displayWidth(candidate) > room && current !== quote) {
        out.push(indent + current);
        current = quote + word;
      } else current = candidate;
    }
    out.push(indent + current);
  }
  return out;
}

// ---- Block Kit -----------------------------------------------------------------------------------------------

type Block = Record<string, any>;

function textOf(obj: any, names: Names, style: Style): string {
  if (!obj || typeof obj.text !== 'string') return '';
  return obj.type === 'mrkdwn' ? mrkdwnToText(obj.text, names, style) : obj.text;
}

function renderElement(element: Block, names: Names, style: Style): string {
  switch (element.type) {
    case 'button': {
      const label = `[${textOf(element.text, names, style)}]`;
      return element.style === 'primary' ? style.green(label) : element.style === 'danger' ? style.red(label) : label;
    }
    case 'users_select':
      return element.initial_user ? `[👤 ${names.user(element.initial_user)} ▾]` : `[${textOf(element.placeholder, names, style) || 'Pick someone'} ▾]`;
    case 'static_select':
    case 'external_select':
    case 'conversations_select':
    case 'channels_select':
      return `[${textOf(element.initial_option?.text ?? element.placeholder, names, style) || 'Choose'} ▾]`;
    case 'overflow':
      return '[⋯]';
    case 'datepicker':
      return `[📅 ${element.initial_date ?? 'Pick a date'}]`;
    case 'image':
      return `🖼 ${element.alt_text ?? ''}`;
    default:
      return textOf(element, names, style);
  }
}

/** The lines a Block Kit message shows (header, sections with their fields, buttons, context). */
export function renderBlocks(blocks: Block[], names: Names, style: Style, width: number, indent: string): string[] {
  const out: string[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case 'header':
        out.push(...wrap(style.bold(textOf(block.text, names, style)), width, indent));
        break;
      case 'section': {
        if (block.text) out.push(...wrap(textOf(block.text, names, style), width, indent));
        if (Array.isArray(block.fields)) out.push(...renderFields(block.fields, names, style, width, indent));
        if (block.accessory) out.push(indent + renderElement(block.accessory, names, style));
        break;
      }
      case 'actions':
        out.push(...wrap(block.elements.map((e: Block) => renderElement(e, names, style)).join(' '), width, indent));
        break;
      case 'context':
        out.push(...wrap(block.elements.map((e: Block) => renderElement(e, names, style)).join('  '), width, indent).map(style.dim));
        break;
      case 'divider':
        out.push(indent + style.dim('─'.repeat(Math.max(10, width - indent.length - 10))));
        break;
      case 'image':
        out.push(`${indent}🖼 ${block.alt_text ?? 'image'}`);
        break;
      default:
        break; // rich_text and inputs: the message text says the same
    }
  }
  return out;
}

/** Section fields as "Label: value" in two columns, as Slack lays them out. */
function renderFields(fields: Block[], names: Names, style: Style, width: number, indent: string): string[] {
  const cells = fields.map((field) => {
    const raw = String(field.text ?? '');
    const labelled = /^\*([^*\n]+)\*\n([\s\S]*)$/.exec(raw);
    if (!labelled) return mrkdwnToText(raw, names, style).replace(/\n/g, ' ');
    return `${style.dim(`${labelled[1]}:`)} ${mrkdwnToText(labelled[2]!, names, style).replace(/\n/g, ' ')}`;
  });
  const column = Math.floor((width - displayWidth(indent)) / 2);
  const out: string[] = [];
  for (let i = 0; i < cells.length; i += 2) {
    const left = cells[i]!;
    const right = cells[i + 1];
    out.push(indent + (right === undefined || displayWidth(left) >= column ? left : padTo(left, column) + right));
    if (right !== undefined && displayWidth(left) >= column) out.push(indent + right);
  }
  return out;
}

// ---- channels ------------------------------------------------------------------------------------------------

const tsMillis = (ts: string) => Math.round(Number(ts) * 1000);

function author(message: EmuMessage, names: Names, style: Style): string {
  if (message.bot_id) return `${style.bold(message.username ?? message.bot_profile?.name ?? 'app')} ${style.dim('APP')}`;
  return style.bold(message.user ? names.user(message.user) : 'someone');
}

function body(message: EmuMessage, names: Names, style: Style, width: number, indent: string): string[] {
  if (message.deleted) return [indent + style.dim('(This message was deleted.)')];
  const hasLayout = message.bot_id && Array.isArray(message.blocks) && message.blocks.some((b: Block) => b.type !== 'rich_text');
  const lines = hasLayout ? renderBlocks(message.blocks!, names, style, width, indent) : wrap(mrkdwnToText(message.text, names, style), width, indent);
  // Bots update their own cards all the time; only a person's edit is worth a mark.
  if (message.edited && !message.bot_id) lines[lines.length - 1] += style.dim(' (edited)');
  if (message.files?.length) lines.push(...message.files.map((f: { name?: string }) => `${indent}📎 ${f.name ?? 'file'}`));
  if (message.reactions.length > 0) {
    lines.push(indent + message.reactions.map((r) => `[${EMOJI[r.name] ?? `:${r.name}:`} ${r.users.length}]`).join(' '));
  }
  return lines;
}

function renderMessage(message: EmuMessage, names: Names, style: Style, width: number, indent: string): string[] {
  const head = `${indent}${author(message, names, style)}  ${style.dim(clockTime(tsMillis(message.ts)))}`;
  return [head, ...body(message, names, style, width, `${indent}  `)];
}

function renderEphemeral(e: EmuEphemeral, names: Names, style: Style, width: number, indent: string): string[] {
  const head = `${indent}${style.bold('threaddesk')} ${style.dim('APP')}  ${style.dim(`only visible to ${names.user(e.user)}`)}`;
  return [head, ...wrap(mrkdwnToText(e.text, names, style), width, `${indent}  `).map(style.dim)];
}

export interface RenderChannelOptions {
  width: number;
  style: Style;
  /** Ephemeral messages are shown to one person only; include them (marked as such). */
  ephemerals?: boolean;
}

/** A title bar: `━━ title ━━━…` across the width. */
export function titleBar(title: string, options: Pick<RenderChannelOptions, 'width' | 'style'>): string {
  const { width, style } = options;
  const text = ` ${title} `;
  return style.accent(`━━${style.bold(text)}${'━'.repeat(Math.max(4, width - displayWidth(text) - 2))}`);
}

/** A top-level message and, indented under it, its thread (replies and, if given, ephemerals in it). */
function renderWithThread(emu: SlackEmulator, channelId: string, message: EmuMessage, ephemerals: EmuEphemeral[], names: Names, options: RenderChannelOptions & { topLines?: number }): string[] {
  const { width, style } = options;
  const full = renderMessage(message, names, style, width, '');
  const lines = options.topLines !== undefined && full.length > options.topLines + 1 ? [...full.slice(0, options.topLines + 1), style.dim('  …')] : full;
  const replies = emu.thread(channelId, message.ts);
  const threadEphemerals = ephemerals.filter((e) => e.thread_ts === message.ts);
  if (replies.length === 0 && threadEphemerals.length === 0) return lines;
  const rail = style.accent('┆ ');
  lines.push(`  ${style.accent(`└─ ${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}`)}`);
  const items: { ts: string; lines: string[] }[] = [
    ...replies.map((r) => ({ ts: r.ts, lines: renderMessage(r, names, style, width, `    ${rail}`) })),
    ...threadEphemerals.map((e) => ({ ts: e.ts, lines: renderEphemeral(e, names, style, width, `    ${rail}`) })),
  ].sort((a, b) => Number(a.ts) - Number(b.ts));
  items.forEach((item, i) => lines.push(...(i > 0 ? [`    ${rail}`] : []), ...item.lines));
  return lines;
}

/** A channel as a person scrolling it would read it: top-level messages, reactions, and each thread indented. */
export function renderChannel(emu: SlackEmulator, channelId: string, options: RenderChannelOptions): string {
  const { style } = options;
  const names = namesFrom(emu);
  const ephemerals = options.ephemerals ? emu.ephemerals({ channel: channelId }) : [];
  const lines = [titleBar(`#${names.channel(channelId)}`, options)];
  const top = emu.messages(channelId);
  if (top.length === 0) lines.push(style.dim('  (no messages)'));
  for (const message of top) lines.push('', ...renderWithThread(emu, channelId, message, ephemerals, names, options));
  for (const e of ephemerals.filter((x) => !x.thread_ts)) lines.push('', ...renderEphemeral(e, names, options.style, options.width, ''));
  return lines.join('\n');
}

/**
 * One message of a channel and its thread, under the channel's title bar (`#channel · note`): a ticket's card
 * and what was said on it, without the rest of the channel. `topLines` shortens the message itself to its first
 * lines (a card already shown).
 */
export function renderThread(emu: SlackEmulator, channelId: string, ts: string, options: RenderChannelOptions & { note?: string; topLines?: number }): string {
  const names = namesFrom(emu);
  const message = emu.message(channelId, ts);
  const title = `#${names.channel(channelId)}${options.note ? ` · ${options.note}` : ''}`;
  if (!message) return [titleBar(title, options), options.style.dim('  (no such message)')].join('\n');
  const ephemerals = options.ephemerals ? emu.ephemerals({ channel: channelId }) : [];
  return [titleBar(title, options), '', ...renderWithThread(emu, channelId, message, ephemerals, names, options)].join('\n');
}

/** A mail as a mail program shows it: the headers given (name, value), a blank line, the body wrapped. */
export function renderMail(title: string, headers: [string, string | undefined][], body: string, options: Pick<RenderChannelOptions, 'width' | 'style'>): string {
  const { width, style } = options;
  const shown = headers.filter((h): h is [string, string] => h[1] !== undefined && h[1] !== '');
  const label = Math.max(...shown.map(([name]) => name.length)) + 2;
  const lines = [titleBar(title, options), ''];
  for (const [name, value] of shown) {
    const [first = '', ...rest] = wrap(value, width, `  ${' '.repeat(label)}`);
    lines.push(`  ${style.dim(`${name}:`.padEnd(label))}${first.trimStart()}`, ...rest);
  }
  lines.push('', ...wrap(body.replace(/\r\n/g, '\n').trimEnd(), width, '  '));
  return lines.join('\n');
}

/** Just the message (e.g. a ticket card), framed, for a snapshot between steps. */
export function renderSingleMessage(emu: SlackEmulator, message: EmuMessage, options: RenderChannelOptions): string {
  const rail = options.style.accent('│ ');
  return renderMessage(message, namesFrom(emu), options.style, options.width, `  ${rail}`).join('\n');
}
