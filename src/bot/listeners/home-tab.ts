import type { App } from '@slack/bolt';
import type { BotContext } from '../bot-context.js';
import { publishHome } from '../home-tab.js';

/**
 * The Home tab is drawn afresh each time it is opened (Slack sends app_home_opened on every open). Opening the
 * Messages tab draws nothing; an older payload, from before the tabs, has no `tab` and means the Home tab.
 */
export function registerHomeTab(app: App, ctx: BotContext): void {
  app.event('app_home_opened', async ({ event, context }) => {
    if (event.tab && event.tab !== 'home') return;
    await publishHome(context.teamId!, event.user, ctx);
  });
}
