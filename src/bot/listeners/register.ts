import type { App } from '@slack/bolt';
import type { BotContext } from '../bot-context.js';
import { useInstallationTeam } from '../installation-team.js';
import { registerCardActions } from './card-actions.js';
import { registerEmojiActions } from './emoji-actions.js';
import { registerHomeTab } from './home-tab.js';
import { registerTemplateEditor } from './helpdesk-templates.js';
import { registerTemplateFields } from './template-fields.js';
import { registerHelpdeskCommand } from './helpdesk-command.js';
import { registerMessageEvents } from './message-events.js';
import { registerReplyModal } from './reply-modal.js';
import { registerSatisfaction } from './satisfaction.js';
import { registerTicketCommand } from './ticket-command.js';
import { registerTicketFromMessage } from './ticket-from-message.js';

/** One register function per Slack surface; first, every request names the workspace the bot is installed in. */
export function registerListeners(app: App, ctx: BotContext): void {
  useInstallationTeam(app, () => ctx.directory.homeTeam());
  registerMessageEvents(app, ctx);
  registerTicketFromMessage(app, ctx);
  registerEmojiActions(app, ctx);
  registerHomeTab(app, ctx);
  registerTemplateEditor(app, ctx);
  registerTemplateFields(app, ctx);
  registerTicketCommand(app, ctx);
  registerHelpdeskCommand(app, ctx);
  registerCardActions(app, ctx);
  registerReplyModal(app, ctx);
  registerSatisfaction(app, ctx);
}
