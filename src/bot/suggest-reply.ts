import { createHash } from 'node:crypto';
import { DomainError } from '../domain/errors.js';
import type { Ticket } from '../domain/ticket.js';
import { slackToPlain } from '../ingest/slack-text.js';
import { renderSuggestion } from '../suggest/render-suggestion.js';
import { wordsOf } from '../suggest/words.js';
import type { Answer } from './answers.js';
import type { BotContext } from './bot-context.js';
import { buildReplyModal, type ReplyModalState } from './blocks/ticket-views.js';
import { ACTIONS } from './ids.js';
import { withSubjectNames } from './mention-names.js';
import { templateView } from './template-reply.js';
import type { RewriteSuggestion } from '../suggest/llm-rewrite.js';

/** A suggestion ready for the Reply box: rendered for this ticket and agent. */
export interface ShownSuggestion {
  text: string;
  /** "template refund-approved" or "past reply". */
  label: string;
  /** Snippets it still needs (left as `{{name}}` in the text). */
  missing: string[];
  key: string;
  /** A template's name (a template suggestion). */
  template?: string;
  /** A short id of the answer for the modal's metadata (keys can be long). */
  id: string;
}

const shortId = (key: string) => createHash('sha256').update(key).digest('base64url').slice(0, 16);

/** The ticket's suggestions, best first, rendered with the snippets the agent would get from a template. */
export async function suggestionsFor(ticket: Ticket, agentId: string, ctx: BotContext): Promise<{ shown: ShownSuggestion[]; complete: boolean }> {
  const messages = await ctx.tickets.messages(ticket.id);
  const { suggestions, complete } = await ctx.suggestions.suggest({ teamId: ticket.teamId, messages: messages.map((m) => ({ role: m.authorRole, text: m.text, visibility: m.visibility })) });
  if (suggestions.length === 0) return { shown: [], complete };
  const view = await templateView(ticket, agentId, ctx);
  return {
    complete,
    shown: suggestions.map((s) => {
      const rendered = renderSuggestion(s.text, view);
      return { text: slackToPlain(rendered.text), label: s.source === 'template' ? `template ${s.template}` : 'past reply', missing: rendered.missing, key: s.key, id: shortId(s.key), ...(s.template ? { template: s.template } : {}) };
    }),
  };
}

/** The Reply modal's state with suggestion `pick` in the box and the others one click away. */
export function suggestionState(shown: ShownSuggestion[], pick: number, version: number, templates: boolean, complete: boolean): ReplyModalState {
  const chosen = shown[pick]!;
  const notes = [
    chosen.missing.length > 0 ? `:warning: Fill in ${chosen.missing.map((m) => `\`{{${m}}}\``).join(', ')} before sending (this ticket has no value for ${chosen.missing.length === 1 ? 'it' : 'them'}).` : '',
    complete ? '' : ':hourglass_flowing_sand: Still learning from the team’s past replies: suggestions get better in a moment.',
  ].filter(Boolean);
  return {
    templates,
    text: chosen.text,
    version,
    picked: chosen.id,
    suggestions: shown.map((s, i) => ({ preview: s.text, label: s.label, chosen: i === pick })),
    ...(notes.length > 0 ? { notice: notes.join('\n') } : {}),
  };
}

/**
 * Suggest (the card's button, `/ticket N suggest`, `!suggest`): the Reply modal opens with the best suggestion
 * in the box. A thread command has no trigger to open a modal with: it shows the best suggestion and offers a
 * button that opens it.
 */
export async function suggestReply(ticket: Ticket, agentId: string, answer: Answer, ctx: BotContext): Promise<void> {
  const { shown, complete } = await suggestionsFor(ticket, agentId, ctx);
  if (shown.length === 0) {
    throw new DomainError('no_suggestion', `No suggestion for #${ticket.number} yet: nothing in the team's past replies or templates matches it. Click *Reply* to write one.`);
  }
  if (answer.triggerId) {
    if (ctx.rewriteSuggestion) await rewriteBest(ticket, shown, ctx.rewriteSuggestion, ctx);
    const templates = (await ctx.templates.names(ticket.teamId, '', 1)).length > 0;
    await ctx.sender.openView(answer.triggerId, buildReplyModal(await withSubjectNames(ticket, ctx.directory), suggestionState(shown, 0, 1, templates, complete)));
    ctx.replying.start(ticket.id, agentId);
    return ctx.publisher.refreshCard(ticket);
  }
  const preview = shown[0]!.text.length > 600 ? `${shown[0]!.text.slice(0, 600)}…` : shown[0]!.text;
  const quoted = preview.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/^/gm, '> ');
  if (answer.offer) return answer.offer(`:bulb: Suggested reply for #${ticket.number} (${shown[0]!.label}):\n${quoted}`, { actionId: ACTIONS.suggestOpen, label: 'Open in Reply', value: String(ticket.id) });
  return answer.ephemeral(`:bulb: Suggested reply for #${ticket.number} (${shown[0]!.label}):\n${quoted}`);
}

/** THREADDESK_LLM_URL: the best suggestion, rewritten for this conversation (kept as it is if the model fails). */
async function rewriteBest(ticket: Ticket, shown: ShownSuggestion[], rewrite: RewriteSuggestion, ctx: BotContext): Promise<void> {
  const conversation = (await ctx.tickets.messages(ticket.id)).filter((m) => m.visibility === 'public' && m.deletedAt === null).map((m) => ({ role: m.authorRole, text: slackToPlain(m.text) }));
  const rewritten = await rewrite(conversation, shown[0]!.text);
  if (rewritten) shown[0] = { ...shown[0]!, text: rewritten, label: `${shown[0]!.label}, rewritten for this conversation` };
}

/** Whether the text sent is (mostly) the suggestion: at least half of its words made it. */
export function sentSuggestion(suggestion: string, sent: string): boolean {
  const offered = new Set(wordsOf(suggestion));
  if (offered.size === 0) return false;
  const kept = new Set(wordsOf(sent));
  return [...offered].filter((w) => kept.has(w)).length / offered.size >= 0.5;
}
