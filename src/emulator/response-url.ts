/**
 * What a POST to a response_url does (doc §1.2, §2.5): JSON {text, blocks, response_type, replace_original,
 * delete_original, thread_ts}. Ephemeral is the default; in_channel posts as the bot; replace/delete act on
 * the message (or the user's ephemeral) the interaction came from. Error statuses here are the emulator's
 * choice (Slack's exact response_url error bodies are not documented); Bolt's respond() throws on non-2xx.
 */
import type { EmuMessage } from './types.js';
import type { ResponseUrlContext, WorkspaceState } from './workspace-state.js';
import { validateBlocks } from './block-kit-validator.js';

export interface ResponseUrlHost {
  state: WorkspaceState;
  nextTs(): string;
  postAsBot(channel: string, text: string, blocks: any[] | undefined, threadTs?: string): EmuMessage;
}

export function applyResponseUrlPost(host: ResponseUrlHost, ctx: ResponseUrlContext, rawBody: string): { status: number; body: Record<string, any> } {
  let body: any;
  try {
    body = JSON.parse(rawBody || '{}');
  } catch {
    return { status: 400, body: { ok: false, error: 'invalid_payload' } };
  }
  if (body.blocks !== undefined) {
    const problems = validateBlocks(body.blocks, 'message');
    if (problems.length > 0) return { status: 400, body: { ok: false, error: 'invalid_blocks', response_metadata: { messages: problems } } };
  }
  const { state } = host;
  const text: string = body.text ?? '';
  const replaceOriginal = body.replace_original === true || body.replace_original === 'true';
  const deleteOriginal = body.delete_original === true || body.delete_original === 'true';
  if ((replaceOriginal || deleteOriginal) && ctx.messageTs) {
    if (ctx.isEphemeral) {
      const i = state.ephemerals.findIndex((e) => e.ts === ctx.messageTs && e.user === ctx.user);
      if (i >= 0 && deleteOriginal) state.ephemerals.splice(i, 1);
      else if (i >= 0) Object.assign(state.ephemerals[i], { text, blocks: body.blocks });
    } else {
      const m = state.message(ctx.channel, ctx.messageTs);
      if (m && deleteOriginal) m.deleted = true;
      else if (m) Object.assign(m, { text, blocks: body.blocks });
    }
  } else if (body.response_type === 'in_channel') {
    host.postAsBot(ctx.channel, text, body.blocks, body.thread_ts);
  } else {
    state.ephemerals.push({
      channel: ctx.channel, user: ctx.user, text, ...(body.blocks ? { blocks: body.blocks } : {}),
      ...(body.thread_ts ? { thread_ts: String(body.thread_ts) } : {}), via: 'response_url', ts: host.nextTs(),
    });
  }
  return { status: 200, body: { ok: true } };
}
