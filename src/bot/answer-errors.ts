import type { Logger } from 'pino';
import { isDomainError } from '../domain/errors.js';
import type { Answer } from './run-ticket-action.js';

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
    await answer.ephemeral(`Sorry, that failed${slackError ? ` (Slack said \`${slackError}\`)` : ''}. Please try again.`).catch(() => undefined);
  }
}
