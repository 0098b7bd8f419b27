import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { BotIdentity } from '../directory.js';
import type { EventInbox } from '../event-inbox.js';
import type { Answer } from './answer-once.js';
import { checkSlackPayload } from './slack-payloads.js';

/** A verified Slack request, from HTTP or Socket Mode. */
export interface SlackRequest {
  body: Record<string, unknown>;
  /** The body as Slack sent it (an event is stored as is). */
  rawBody: string;
  answer: Answer;
  retryNum?: number;
  retryReason?: string;
  customProperties?: Record<string, unknown>;
}

export interface SlackGateOptions {
  app: App;
  inbox: EventInbox;
  logger: Logger;
  rejected: Counter<'reason'>;
  /** An event not stored by then is answered 503, so Slack sends it again (Slack waits 3 s; a second's margin for a busy process). */
  storeWithinMs?: number;
  /** A command or click no listener has answered by then gets an empty 200 (Slack stops waiting at 3 s). */
  answerWithinMs?: number;
}

export type SlackGate = ReturnType<typeof createSlackGate>;

/**
 * Where every verified Slack request goes. A bad shape is refused once (200, one warning, counted). An event is
 * stored in the inbox and answered as soon as it is committed; the listeners run from the inbox afterwards, so
 * no Slack call or slow listener stands between an event and its answer. Commands and clicks go to the
 * listeners, which answer them (ack); one that no listener answers (an unknown command or action id) is
 * answered as soon as the listeners are done, not left to time out.
 */
export function createSlackGate(options: SlackGateOptions) {
  const { app, inbox, rejected } = options;
  const log = options.logger.child({ component: 'slack-gate' });

  let self: BotIdentity | null = null;

  /**
   * The bot's own posts and reactions come back as events; Bolt's ignoreSelf would drop them after they were
   * stored. Known at the door (once the bot knows who it is), they are answered without being stored: a card
   * posted is one inbox row, not two. The same rule as Bolt's (middleware/builtin.ts, ignoreSelf).
   */
  function isOwnEcho(event: { type?: unknown; subtype?: unknown; bot_id?: unknown; user?: unknown }): boolean {
    if (!self) return false;
    if (event.type === 'message' && event.subtype === 'bot_message' && self.botId !== null && event.bot_id === self.botId) return true;
    return self.botUserId !== null && event.user === self.botUserId && event.type !== 'member_joined_channel' && event.type !== 'member_left_channel';
  }

  async function storeEvent(request: SlackRequest): Promise<void> {
    const { body, answer } = request;
    const eventId = String(body.event_id);
    if (isOwnEcho(body.event as Record<string, unknown>)) return answer.ok();
    const late = setTimeout(() => {
      log.warn({ eventId }, 'a Slack event was not stored within its answer window: answered 503, Slack will send it again');
      void answer.retry(503);
    }, options.storeWithinMs ?? 2_000);
    try {
      const outcome = await inbox.accept({ eventId, teamId: String(body.team_id), body: request.rawBody });
      if (outcome === 'repeat') log.debug({ eventId, retryNum: request.retryNum }, 'a Slack event stored before came again');
      await answer.ok();
    } catch (err) {
      log.warn({ err, eventId }, 'a Slack event could not be stored: answered 503, Slack will send it again');
      await answer.retry(503);
    } finally {
      clearTimeout(late);
    }
  }

  async function runListeners(request: SlackRequest, kind: string): Promise<void> {
    const { body, answer } = request;
    const late = setTimeout(() => {
      if (answer.answered) return;
      log.warn({ request: describe(body) }, 'no listener answered a Slack request within 3 s: answered empty');
      void answer.ok();
    }, options.answerWithinMs ?? 2_500);
    try {
      await app.processEvent({ body, ack: (response?: unknown) => answer.ok(response), retryNum: request.retryNum, retryReason: request.retryReason, customProperties: request.customProperties ?? {} });
    } catch (err) {
      log.error({ err, request: describe(body) }, 'a Slack request failed in the listeners');
    } finally {
      clearTimeout(late);
    }
    if (answer.answered) return;
    // No listener took it (an action, view or command this app does not have): answer now, not after 3 s.
    log.warn({ request: describe(body) }, 'no listener for a Slack request: answered at once');
    rejected.inc({ reason: 'unhandled' });
    await answer.ok(kind === 'command' ? { response_type: 'ephemeral', text: `threaddesk does not know ${String(body.command)}.` } : undefined);
  }

  return {
    /** Who the bot is (auth.test at start); until then its echoes are stored and dropped by Bolt instead. */
    knowSelf(identity: BotIdentity | null): void {
      self = identity;
    },
    async handle(request: SlackRequest): Promise<void> {
      const check = checkSlackPayload(request.body);
      if (!check.ok) {
        rejected.inc({ reason: 'invalid_payload' });
        log.warn({ kind: check.kind, reason: check.reason, request: describe(request.body) }, `a Slack ${check.kind} with a bad shape was refused: ${check.reason}`);
        return request.answer.ok();
      }
      return check.kind === 'event' ? storeEvent(request) : runListeners(request, check.kind);
    },
  };
}

/** What a request is, for the log: its type and id, never its text. */
function describe(body: Record<string, unknown>): Record<string, unknown> {
  const b = body as { type?: unknown; command?: unknown; event_id?: unknown; callback_id?: unknown; actions?: { action_id?: unknown }[]; view?: { callback_id?: unknown } };
  return {
    type: typeof b.type === 'string' ? b.type : undefined,
    command: typeof b.command === 'string' ? b.command : undefined,
    eventId: typeof b.event_id === 'string' ? b.event_id : undefined,
    callbackId: typeof b.callback_id === 'string' ? b.callback_id : typeof b.view?.callback_id === 'string' ? b.view.callback_id : undefined,
    actionId: Array.isArray(b.actions) && typeof b.actions[0]?.action_id === 'string' ? b.actions[0].action_id : undefined,
  };
}
