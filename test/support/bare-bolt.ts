/**
 * A bare Bolt app (HTTP receiver on an ephemeral port) whose `message` listener does nothing but count.
 * Used by the emulator's driver tests and by benchmarks as "the framework's ceiling".
 */
import { App, LogLevel } from '@slack/bolt';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';


export interface BareBolt {
  url: string;
  port: number;
  /** Number of `message` events that reached the listener (after Bolt's ignoreSelf). */
  readonly received: number;
  /** The events themselves, only kept when started with `record: true`. */
  readonly events: any[];
  /** context.retryNum of each recorded event (undefined for first deliveries). */
  readonly retryNums: (number | undefined)[];
  stop(): Promise<void>;
}

export async function startBareBolt(opts: { signingSecret: string; apiUrl: string; token: string; record?: boolean }): Promise<BareBolt> {
  const app = new App({
    signingSecret: opts.signingSecret,
    token: opts.token,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: opts.apiUrl, retryConfig: { retries: 0 } },
  });
  let received = 0;
  const events: any[] = [];
  const retryNums: (number | undefined)[] = [];
  app.message(async ({ message, context }) => {
    received++;
    if (opts.record) {
      events.push(message);
      retryNums.push(context.retryNum);
    }
  });
  const server = (await app.start(0)) as Server;
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/slack/events`,
    port,
    get received() {
      return received;
    },
    events,
    retryNums,
    stop: () => app.stop().then(() => undefined),
  };
}
