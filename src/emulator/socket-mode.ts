/**
 * Socket Mode endpoint (doc §0.6, §1.9): apps.connections.open hands out ws://…/link/?ticket=…; on connect
 * the server sends `hello`, then envelopes {envelope_id,type,payload,accepts_response_payload,retry_attempt,
 * retry_reason}; the client acks with {envelope_id,payload}. An envelope not acked within the ack window
 * counts as a failed delivery (Slack retries events with retry_attempt/retry_reason).
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DeliveryResult, OutboundRequest, RetryInfo, Transport } from './event-delivery.js';

interface PendingAck {
  resolve: (r: DeliveryResult) => void;
  timer: NodeJS.Timeout;
}

export class SocketModeServer implements Transport {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly sockets: WebSocket[] = [];
  private readonly pending = new Map<string, PendingAck>();
  private nextSocket = 0;

  constructor(private readonly appId: string, private readonly ackTimeoutMs: number) {}

  /** Routes HTTP upgrades on /link/ to the WebSocket server. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://emulator.local');
      const ticket = url.searchParams.get('ticket') ?? '';
      if (url.pathname !== '/link/' || !this.tickets.delete(ticket)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
    });
  }

  /** A single-use ticket for apps.connections.open. */
  newTicket(): string {
    const t = randomUUID();
    this.tickets.add(t);
    return t;
  }

  get connected(): boolean {
    return this.sockets.length > 0;
  }

  private onConnection(ws: WebSocket): void {
    this.sockets.push(ws);
    ws.on('message', (data) => this.onMessage(String(data)));
    ws.on('close', () => {
      const i = this.sockets.indexOf(ws);
      if (i >= 0) this.sockets.splice(i, 1);
    });
    ws.send(JSON.stringify({
      type: 'hello',
      num_connections: this.sockets.length,
      debug_info: { host: 'applink-emulator', build_number: 1, approximate_connection_time: 18060 },
      connection_info: { app_id: this.appId },
    }));
  }

  private onMessage(text: string): void {
    let msg: any;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    const pending = typeof msg?.envelope_id === 'string' ? this.pending.get(msg.envelope_id) : undefined;
    if (!pending) return;
    this.pending.delete(msg.envelope_id);
    clearTimeout(pending.timer);
    const payload = msg.payload;
    const empty = payload === undefined || payload === null || (typeof payload === 'object' && Object.keys(payload).length === 0);
    pending.resolve({ status: 200, body: empty ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload), transport: 'socket' });
  }

  send(req: OutboundRequest, retry?: RetryInfo): Promise<DeliveryResult> {
    const ws = this.sockets[this.nextSocket++ % this.sockets.length];
    const envelopeId = randomUUID();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        resolve({ status: 0, body: '', timedOut: true, transport: 'socket' });
      }, this.ackTimeoutMs);
      this.pending.set(envelopeId, { resolve, timer });
      ws.send(JSON.stringify({
        envelope_id: envelopeId,
        type: req.kind,
        payload: req.json,
        // Slack accepts a response payload in the ack for commands and interactivity, not for events.
        accepts_response_payload: req.kind !== 'events_api',
        retry_attempt: retry?.num ?? 0,
        retry_reason: retry?.reason ?? '',
      }));
    });
  }

  /** Asks clients to reconnect (Slack's {"type":"disconnect"}); they call apps.connections.open again. */
  disconnectAll(reason = 'refresh_requested'): void {
    for (const ws of this.sockets) ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-emulator' } }));
  }

  async close(): Promise<void> {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.resolve({ status: 0, body: '', transport: 'socket' });
    }
    this.pending.clear();
    // Close gracefully (a terminate() in the middle of the client's own close handshake makes it log errors).
    await Promise.all(this.sockets.map((ws) => new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 500);
      ws.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      if (ws.readyState === ws.OPEN) ws.close(1001, 'server shutting down');
    })));
    this.sockets.length = 0;
    await new Promise<void>((r) => this.wss.close(() => r()));
  }
}
