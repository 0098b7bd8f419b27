import type { Server } from 'node:http';
import { SocketModeReceiver, type App, type ReceiverEvent, type SocketModeReceiverOptions } from '@slack/bolt';
import type { AppsConnectionsOpenResponse } from '@slack/web-api';
import type { Logger } from 'pino';
import { answerOnce } from './answer-once.js';
import { close, createRouteServer, listen, type HttpRoute } from './route-server.js';
import type { SlackGate } from './slack-gate.js';

/**
 * Socket Mode through the same gate as HTTP: shapes checked, events stored in the inbox before Slack's envelope
 * is acknowledged, commands and clicks answered once. An event that cannot be stored is left unacknowledged,
 * and Slack delivers it again.
 *
 * The bot's own HTTP routes (health, metrics, the chat widget and its socket, the intake API, mail and order
 * webhooks, the survey page) are served on the configured port by the same route server as in HTTP mode. Bolt's
 * own `customRoutes` are not used: they are fixed when the receiver is built, before the channels add theirs.
 */
export class GatedSocketModeReceiver extends SocketModeReceiver {
  private gate: SlackGate | null = null;
  /** The HTTP server of the routes, once started. */
  routeServer: Server | null = null;

  constructor(
    options: Omit<SocketModeReceiverOptions, 'customRoutes'>,
    private readonly httpRoutes: HttpRoute[],
    private readonly log: Logger,
  ) {
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

  /** Serves the HTTP routes on `port` (App.start passes it on), then connects to Slack. */
  override async start(port?: number): Promise<AppsConnectionsOpenResponse> {
    const server = createRouteServer(this.httpRoutes, this.log.child({ component: 'http' }));
    this.routeServer = server;
    await listen(server, port ?? 3000);
    return super.start();
  }

  override async stop(): Promise<void> {
    const server = this.routeServer;
    this.routeServer = null;
    await Promise.all([super.stop(), close(server)]);
  }
}
