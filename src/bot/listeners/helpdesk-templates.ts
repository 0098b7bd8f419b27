import { DomainError, isDomainError } from '../../domain/errors.js';
import { requireAccess } from '../permissions.js';
import { checkTemplate } from '../../domain/template.js';
import type { Answer } from '../answers.js';
import type { BotContext } from '../bot-context.js';
import type { TemplateCommand } from '../commands/parse-helpdesk-command.js';
import type { App } from '@slack/bolt';
import { escapeAuthoredMrkdwn, escapeMrkdwn, truncate, unescapeMrkdwn } from '../slack-text.js';
import { buildTemplateEditor, buildTemplateSaved } from '../blocks/ticket-views.js';
import { TEMPLATE_INPUT, VIEWS } from '../ids.js';

async function openEditor(op: 'add' | 'edit', name: string, teamId: string, answer: Answer, ctx: BotContext): Promise<void> {
  const existing = await ctx.templates.get(teamId, name);
  if (op === 'add' && existing) throw new DomainError('bad_template', `Template \`${name}\` exists already: use \`/helpdesk template edit ${name}\`.`);
  if (op === 'edit' && !existing) throw new DomainError('template_not_found', `There is no template \`${name}\` to edit: use \`/helpdesk template add ${name}\`.`);
  if (!answer.triggerId) throw new DomainError('bad_command', 'Write the template after its name.');
  await ctx.sender.openView(answer.triggerId, buildTemplateEditor(name, unescapeMrkdwn(existing?.body ?? ''), op));
}

/** The editor's Save: a template that does not compile stays in the editor with the reason. */
export function registerTemplateEditor(app: App, ctx: BotContext): void {
  app.view(VIEWS.templateEditor, async ({ ack, view, body }) => {
    const { name } = JSON.parse(view.private_metadata || '{}') as { name?: string };
    const text = view.state.values[TEMPLATE_INPUT.block]?.[TEMPLATE_INPUT.action]?.value?.trim() ?? '';
    const check = checkTemplate(text);
    if (!name || !check.ok || text === '') {
      return ack({ response_action: 'errors', errors: { [TEMPLATE_INPUT.block]: !check.ok ? `Does not compile: ${check.error}` : 'Write the template first.' } });
    }
    const teamId = view.app_installed_team_id ?? view.team_id;
    const refusal = await requireAccess('team', body.user.id, teamId, ctx).then(() => null, (err: unknown) => (isDomainError(err) ? err.message : 'That did not work; please try again.'));
    if (refusal) return ack({ response_action: 'errors', errors: { [TEMPLATE_INPUT.block]: refusal } });
    // Typed into a modal, so not escaped for Slack yet: escape as Slack's own composer would.
    await ctx.templates.save(teamId, name, escapeAuthoredMrkdwn(text), body.user.id, ctx.clock.now());
    await ack({ response_action: 'update', view: buildTemplateSaved(name, check.snippets) as never });
  });
}

/** `/helpdesk template add|edit|list|show|delete`: the workspace's reply templates, kept by agents and admins (access checked by the caller). */
export async function handleTemplateCommand(command: TemplateCommand, teamId: string, userId: string, answer: Answer, ctx: BotContext): Promise<void> {
  switch (command.op) {
    case 'list': {
      const templates = await ctx.templates.list(teamId);
      if (templates.length === 0) return answer.ephemeral('No templates yet. Add one: `/helpdesk template add NAME Hi {{customer.first_name}}, …`');
      const lines = templates.map((t) => `• \`${t.name}\` (used ${t.usageCount}×): ${escapeMrkdwn(truncate(t.body.replace(/\s+/g, ' '), 80))}`);
      return answer.ephemeral(truncate(`*${templates.length} template${templates.length === 1 ? '' : 's'}*\n${lines.join('\n')}`, 3900));
    }
    case 'show': {
      const template = await ctx.templates.get(teamId, command.name);
      if (!template) throw new DomainError('template_not_found', `There is no template \`${command.name}\`.`);
      const check = checkTemplate(template.body);
      const snippets = check.ok && check.snippets.length > 0 ? `\nSnippets: ${check.snippets.map((s) => `\`${s}\``).join(', ')}` : '';
      return answer.ephemeral(`*${template.name}* (used ${template.usageCount}×)\n\`\`\`${template.body.replace(/```/g, "'''")}\`\`\`${snippets}`);
    }
    case 'delete':
      if (!(await ctx.templates.remove(teamId, command.name))) throw new DomainError('template_not_found', `There is no template \`${command.name}\`.`);
      return answer.ephemeral(`:wastebasket: Template \`${command.name}\` deleted.`);
    case 'add':
    case 'edit': {
      if (command.body === '') return openEditor(command.op, command.name, teamId, answer, ctx);
      const check = checkTemplate(command.body);
      if (!check.ok) throw new DomainError('bad_template', `Not saved: the template does not compile (${check.error}).`);
      const existing = await ctx.templates.get(teamId, command.name);
      if (command.op === 'add' && existing) throw new DomainError('bad_template', `Template \`${command.name}\` exists already: use \`/helpdesk template edit ${command.name} …\`.`);
      if (command.op === 'edit' && !existing) throw new DomainError('template_not_found', `There is no template \`${command.name}\` to edit: use \`/helpdesk template add ${command.name} …\`.`);
      await ctx.templates.save(teamId, command.name, command.body, userId, ctx.clock.now());
      const snippets = check.snippets.length > 0 ? ` It uses ${check.snippets.map((s) => `\`${s}\``).join(', ')}.` : '';
      return answer.ephemeral(`:white_check_mark: Template \`${command.name}\` ${command.op === 'add' ? 'added' : 'saved'}.${snippets} Send it with \`!template ${command.name}\` in a ticket's thread or \`/ticket N reply ${command.name}\`.`);
    }
  }
}
