import { SocketModeReceiver, type App, type ReceiverEvent, type SocketModeReceiverOptions } from '@slack/bolt';
import type { Logger } from 'pino';
import { answerOnce } from './answer-once.js';
import type { SlackGate } from './slack-gate.js';

/**
 * Socket Mode through the same gate as HTTP: shapes checked, events stored in the inbox before Slack's envelope
 * is acknowledged, commands and clicks answered once. An event that cannot be stored is left unacknowledged,
 * and Slack delivers it again.
 */
export class GatedSocketModeReceiver extends SocketModeReceiver {
  private gate: SlackGate | null = null;

  constructor(options: SocketModeReceiverOptions, private readonly log: Logger) {
    super(options);
  }

  useGate(gate: SlackGate): void {
    this.gate = gate;
  }

  override init(app: App): void {
    const processEvent = (event: ReceiverEvent): Promise<void> => {
      if (!this.gate) return app.processEvent(event);
      const answer = answerOnce({ ok: (body) => event.ack(body as never), retry: () => undefined }, this.log, 'socket mode envelope');
      return this.gate.handle({ body: event.body, rawBody: JSON.stringify(event.body), answer, retryNum: event.retryNum, retryReason: event.retryReason, customProperties: event.customProperties });
    };
    super.init({ processEvent } as unknown as App);
  }
}
