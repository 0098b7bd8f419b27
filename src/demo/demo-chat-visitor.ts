// A visitor of the shop's website, speaking the chat widget's protocol over its socket (what widget.js does in a
// browser; the browser itself is driven in test/integration/chat-widget.test.ts).
import WebSocket from 'ws';

export interface WidgetLine {
  id: number;
  from: 'visitor' | 'agent';
  text: string;
  agent: string | null;
}

export interface ChatVisitor {
  /** Sends a message from the page; resolves once the widget shows it as stored. */
  /** Sends a message (with the address the visitor typed in the widget's email field, if any). */
  say(text: string, email?: string): Promise<void>;
  /** Resolves once the widget shows a line that `match` accepts. */
  waitFor(match: (line: WidgetLine) => boolean, timeoutMs?: number): Promise<WidgetLine>;
  lines: WidgetLine[];
  close(): Promise<void>;
}

export async function openChatWidget(botUrl: string, origin: string, page: string): Promise<ChatVisitor> {
  const socket = new WebSocket(`${botUrl.replace(/^http/, 'ws')}/chat/socket`, { origin });
  const lines: WidgetLine[] = [];
  const waiting: (() => void)[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string; lines?: WidgetLine[] };
    if (message.type === 'lines') lines.push(...message.lines!);
    waiting.splice(0).forEach((wake) => wake());
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'hello', token: null, since: 0 }));
  let sent = 0;

  async function waitFor(match: (line: WidgetLine) => boolean, timeoutMs = 5_000): Promise<WidgetLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = lines.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('the chat widget did not show the expected line');
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  return {
    lines,
    async say(text, email) {
      sent += 1;
      socket.send(JSON.stringify({ type: 'send', id: `demo${sent}`, text, page, ...(email ? { email } : {}) }));
      await waitFor((l) => l.from === 'visitor' && l.text === text);
    },
    waitFor,
    close: () => new Promise<void>((resolve) => socket.once('close', () => resolve()).close()),
  };
}
