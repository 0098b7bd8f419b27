import type { App, HTTPReceiver, Receiver, ReceiverEvent } from '@slack/bolt';

/**
 * Bolt answers an Events API request with 200 before its listeners run. A crash between that 200 and the
 * ticket's commit would lose the customer's message: Slack does not retry an event it got a 200 for. This
 * receiver holds an event's 200 until its listeners have finished (the message is stored, its deliveries
 * recorded); a crash before then leaves Slack without an answer, so it retries, and the retry is stored once.
 * A listener that has stored its event may call `context.eventStored()` to answer at once and go on; one that
 * could not store it calls `context.refuseAck()`: Slack gets a 500 and retries.
 * Commands and clicks keep Bolt's behaviour: their answer goes out when the listener acks (a person waits on it).
 */
export class EventsAfterWriteReceiver implements Receiver {
  constructor(private readonly http: HTTPReceiver) {}

  init(app: App): void {
    this.http.init({ processEvent: (event: ReceiverEvent) => this.process(app, event) } as unknown as App);
  }

  start(port: number): Promise<unknown> {
    return this.http.start(port);
  }

  stop(): Promise<void> {
    return this.http.stop();
  }

  private async process(app: App, event: ReceiverEvent): Promise<void> {
    if ((event.body as { type?: string }).type !== 'event_callback') return app.processEvent(event);
    let answer: { body: unknown } | null = null;
    let refused = false;
    let answered = false;
    const answerNow = async () => {
      if (answered || refused || !answer) return;
      answered = true;
      await event.ack((answer as { body: unknown }).body as never);
    };
    await app.processEvent({
      ...event,
      ack: async (body?: unknown) => void (answer = { body }),
      customProperties: {
        ...event.customProperties,
        refuseAck: () => (refused = true),
        // The event is safely stored: Slack may have its 200 now, while the listener goes on (routing …).
        eventStored: () => void answerNow(),
      },
    });
    if (refused && !answered) throw new Error('the event could not be stored; Slack will retry it');
    await answerNow();
  }
}
