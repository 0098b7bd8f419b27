/**
 * views.open / push / update / publish (doc §2.4-2.5, §4.1): trigger ids are single use and expire after 3 s,
 * modal stacks hold at most 3 views, `hash` gives optimistic locking, views are validated before storing.
 */
import type { OpenView, WorkspaceState } from './workspace-state.js';
import type { EmulatorIdentity } from './payloads.js';
import { validateView } from './block-kit-validator.js';
import { SlackApiError, str } from './api-error.js';
import { slackId } from './slack-ts.js';

type Args = Record<string, any>;

export class ViewMethods {
  constructor(private readonly state: WorkspaceState, private readonly id: EmulatorIdentity) {}

  private checkView(view: unknown, type: 'modal' | 'home'): void {
    if (typeof view === 'string') throw new SlackApiError('invalid_arguments', { response_metadata: { messages: ['[ERROR] view is not valid JSON [json-pointer:/view]'] } });
    const v = validateView(view, type);
    if (!v.ok) throw new SlackApiError(v.error, { response_metadata: { messages: v.messages } });
  }

  /** The view object as Slack returns and later sends it (doc §3.6 `view`). */
  normalizeView(view: Args, id: string, rootId: string, hash: string, previousViewId: string | null): Args {
    return {
      id,
      team_id: this.id.teamId,
      type: view.type,
      blocks: view.blocks ?? [],
      private_metadata: view.private_metadata ?? '',
      callback_id: view.callback_id ?? '',
      state: { values: {} },
      hash,
      title: view.title,
      clear_on_close: view.clear_on_close ?? false,
      notify_on_close: view.notify_on_close ?? false,
      close: view.close ?? null,
      submit: view.submit ?? null,
      previous_view_id: previousViewId,
      root_view_id: rootId,
      app_id: this.id.appId,
      external_id: view.external_id ?? '',
      app_installed_team_id: this.id.teamId,
      bot_id: this.id.botId,
    };
  }

  newHash(): string {
    return `${Math.floor(Date.now() / 1000)}.${slackId('', 8)}`;
  }

  private checkExternalIdFree(externalId: unknown, exceptViewId?: string): void {
    if (!externalId) return;
    for (const v of this.state.views.values()) {
      if (v.externalId === externalId && v.id !== exceptViewId) throw new SlackApiError('duplicate_external_id');
    }
  }

  /** Opens a view (views.open, views.push, response_action push). */
  openView(user: string, view: Args, stackOf?: OpenView): OpenView {
    this.checkView(view, 'modal');
    this.checkExternalIdFree(view.external_id);
    const id = slackId('V0', 9);
    const rootId = stackOf?.rootId ?? id;
    const hash = this.newHash();
    const open: OpenView = {
      id,
      user,
      hash,
      rootId,
      externalId: view.external_id || undefined,
      previousViewId: stackOf?.id,
      view: this.normalizeView(view, id, rootId, hash, stackOf?.id ?? null),
    };
    this.state.views.set(id, open);
    return open;
  }

  private triggerUser(triggerId: unknown): string {
    const r = this.state.consumeTrigger(triggerId);
    if ('error' in r) throw new SlackApiError(r.error);
    return r.user;
  }

  viewsOpen(args: Args): Args {
    const user = this.triggerUser(args.trigger_id);
    return { view: this.openView(user, args.view).view };
  }

  viewsPush(args: Args): Args {
    const user = this.triggerUser(args.trigger_id);
    const userViews = [...this.state.views.values()].filter((v) => v.user === user);
    const top = userViews[userViews.length - 1];
    if (!top) throw new SlackApiError('not_found');
    // "views.push: max 3 views in the stack" (doc §2.5)
    if (this.state.viewsOfStack(top.rootId).length >= 3) throw new SlackApiError('push_limit_reached');
    return { view: this.openView(user, args.view, top).view };
  }

  /** Replaces the contents of an open view (views.update, response_action update). */
  updateView(open: OpenView, view: Args): OpenView {
    this.checkView(view, 'modal');
    this.checkExternalIdFree(view.external_id, open.id);
    open.hash = this.newHash();
    open.externalId = view.external_id || open.externalId;
    open.view = this.normalizeView(
      { ...view, external_id: view.external_id ?? open.externalId }, open.id, open.rootId, open.hash, open.previousViewId ?? null,
    );
    return open;
  }

  viewsUpdate(args: Args): Args {
    let open: OpenView | undefined;
    if (args.view_id) open = this.state.views.get(String(args.view_id));
    else if (args.external_id) open = [...this.state.views.values()].find((v) => v.externalId === args.external_id);
    else throw new SlackApiError('invalid_arguments');
    if (!open) throw new SlackApiError('not_found');
    if (args.hash !== undefined && args.hash !== open.hash) throw new SlackApiError('hash_conflict');
    return { view: this.updateView(open, args.view).view };
  }

  viewsPublish(args: Args): Args {
    const userId = str(args.user_id);
    if (!userId || !this.state.users.has(userId)) throw new SlackApiError('user_not_found');
    this.checkView(args.view, 'home');
    const current = this.state.homeViews.get(userId);
    if (args.hash !== undefined && current && args.hash !== current.hash) throw new SlackApiError('hash_conflict');
    const id = current?.id ?? slackId('V0', 9);
    const hash = this.newHash();
    const view = this.normalizeView(args.view, id, id, hash, null);
    this.state.homeViews.set(userId, { id, hash, view });
    return { view };
  }
}
