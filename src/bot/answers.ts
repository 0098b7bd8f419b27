import type { RespondFn } from '@slack/bolt';
import type { Logger } from 'pino';
import { isDomainError } from '../domain/errors.js';

/** How a door answers its user: an ephemeral message, and (slash commands and buttons) a modal. */
export interface Answer {
  ephemeral(text: string): Promise<void>;
  /** A trigger_id to open a modal with, when the door has one. */
  triggerId?: string;
  /** Doors whose user cannot see the triage thread (a slash command elsewhere) also confirm success here. */
  confirm?(text: string): Promise<void>;
  /** Doors without a trigger_id (thread commands) can offer a button, whose click brings one. */
  offer?(text: string, button: { actionId: string; label: string; value: string }): Promise<void>;
}

/** Answers through Slack's response_url (slash commands, buttons, shortcuts): works in any channel, for anyone. */
export const respondAnswer = (respond: RespondFn, triggerId?: string): Answer => ({
  ephemeral: async (text) => void (await respond({ response_type: 'ephemeral', replace_original: false, text })),
  triggerId,
});

/**
 * Runs an agent's request; a domain error (not an agent, bad state…) becomes a clear ephemeral message.
 * Anything else is logged with its context and the user is told it failed, so nothing fails silently.
 */
export async function answerErrors(answer: Answer, logger: Logger, context: Record<string, unknown>, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (isDomainError(err)) return answer.ephemeral(err.message);
    const slackError = (err as { data?: { error?: string } }).data?.error;
    logger.error({ err, ...context }, 'request failed');
    await answer.ephemeral(failureText(slackError)).catch(() => undefined);
  }
}

/** What an agent is told about a failure: trying again cannot help when the app itself lacks a permission. */
function failureText(slackError: string | undefined): string {
  if (slackError === 'missing_scope') {
    return 'Sorry, that failed: this Slack app lacks a permission it needs (Slack said `missing_scope`). An admin should reinstall it from slack-app-manifest.yaml.';
  }
  return `Sorry, that failed${slackError ? ` (Slack said \`${slackError}\`)` : ''}. Please try again.`;
}
