/** A Slack-level API failure: answered as HTTP 200 {ok:false, error, ...extra} (doc §2.2). */
export class SlackApiError extends Error {
  constructor(readonly code: string, readonly extra: Record<string, any> = {}) {
    super(code);
  }
}

/** Web API argument as a string (form fields are strings; JSON bodies may carry numbers). */
export function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return String(v);
}
