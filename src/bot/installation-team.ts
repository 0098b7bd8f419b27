import type { App } from '@slack/bolt';

/**
 * Every request is judged against the workspace the bot is installed in, never the acting user's own. In a Slack
 * Connect channel (https://docs.slack.dev/apis/slack-connect) a partner's slash command carries their own
 * organisation's `team_id` and their clicks its `team`, and Bolt takes `context.teamId` from there (with a single
 * bot token its authorize step names no team). Tickets, settings and triage channels are our workspace's: judged
 * against the partner's team, one of our agents would be refused, and ticket numbers looked up where none exist.
 *
 * With one bot token the installation's workspace is the token's (auth.test, kept by the directory). Events carry it already
 * (`authorizations[0].team_id`), so they are left alone and no Web API call stands before their answer.
 */
export function useInstallationTeam(app: App, homeTeam: () => Promise<string>): void {
  app.use(async ({ body, context, next }) => {
    if ((body as { type?: string }).type !== 'event_callback') context.teamId = await homeTeam();
    await next();
  });
}
