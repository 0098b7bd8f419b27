// Domain errors carry a stable code; the bot turns them into a clear ephemeral message.
export type DomainErrorCode =
  | 'not_agent'
  | 'ticket_not_found'
  | 'already_solved'
  | 'not_solved'
  | 'bad_command'
  | 'bad_priority'
  | 'bad_tag'
  | 'not_an_agent_assignee'
  | 'empty_reply'
  | 'channel_not_configured'
  | 'not_allowed'
  | 'template_not_found'
  | 'no_suggestion'
  | 'bad_template'
  | 'missing_snippets'
  | 'bad_field'
  | 'bad_setting'
  | 'reply_not_allowed';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const isDomainError = (err: unknown): err is DomainError => err instanceof DomainError;
