import type { Logger } from 'pino';
import type { LlmConfig } from '../config.js';

// Optional: an OpenAI-compatible chat endpoint (a local model server, or a hosted one) rewrites the suggestion an
// agent is about to see so that it answers this conversation. Off unless THREADDESK_LLM_URL is set; the
// suggestion as ranked is kept whenever the endpoint is slow, failing or answers nothing usable.

const INSTRUCTIONS = [
  'You help a customer support agent. Rewrite the draft reply so that it answers the customer in the conversation.',
  'Keep its facts, links, amounts and promises; add no new ones. Keep it short and in the language of the customer.',
  'Keep any {{placeholder}} exactly as written. Answer with the reply text only.',
].join(' ');

/** The latest messages of the conversation, capped: the model needs the gist, not the whole thread. */
const CONVERSATION_CHARS = 4000;
const REPLY_CHARS = 3000;

export type RewriteSuggestion = (conversation: { role: string; text: string }[], draft: string) => Promise<string | null>;

export function createLlmRewriter(config: LlmConfig, logger: Logger): RewriteSuggestion | null {
  if (!config.url) return null;
  const endpoint = `${config.url}/chat/completions`;
  return async (conversation, draft) => {
    let transcript = '';
    for (const m of [...conversation].reverse()) {
      const line = `${m.role === 'agent' ? 'Agent' : 'Customer'}: ${m.text}\n`;
      if (transcript.length + line.length > CONVERSATION_CHARS) break;
      transcript = line + transcript;
    }
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}) },
        body: JSON.stringify({
          model: config.model,
          temperature: 0.2,
          max_tokens: 500,
          messages: [
            { role: 'system', content: INSTRUCTIONS },
            { role: 'user', content: `Conversation:\n${transcript}\nDraft reply:\n${draft}` },
          ],
        }),
        signal: AbortSignal.timeout(config.timeoutMs),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = (await response.json()) as { choices?: { message?: { content?: unknown } }[] };
      const text = body.choices?.[0]?.message?.content;
      if (typeof text !== 'string' || text.trim() === '' || text.length > REPLY_CHARS) throw new Error('no usable reply in the answer');
      return text.trim();
    } catch (err) {
      logger.warn({ endpoint, reason: err instanceof Error ? err.message : String(err) }, 'suggested reply: the model did not rewrite it; the suggestion is shown as it is');
      return null;
    }
  };
}
