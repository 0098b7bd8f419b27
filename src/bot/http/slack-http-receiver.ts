import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { HTTPModuleFunctions as httpFunc, verifySlackRequest, type App, type Receiver } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { answerOnce } from './answer-once.js';
import { close, createRouteServer, listen, type HttpRoute } from './route-server.js';
import type { SlackGate } from './slack-gate.js';

export interface SlackHttpReceiverOptions {
  signingSecret: string;
  logger: Logger;
  rejected: Counter<'reason'>;
  routes: HttpRoute[];
  /** Request bodies above this are refused (413) while being read. */
  bodyLimit: number;
  /** Slack's endpoint (Events API, slash commands and interactivity all come here). */
  endpoint?: string;
}

/**
 * The bot's HTTP endpoint, in place of Bolt's HTTPReceiver: it reads the body (413 above the limit), verifies
 * Slack's signature (401), parses it as Bolt does, answers Slack's URL verification and SSL check, and hands
 * the rest to the gate with an answer that goes out exactly once. Each refusal is counted where it happens.
 */
export class SlackHttpReceiver implements Receiver {
  private server: Server | null = null;
  private gate: SlackGate | null = null;
  private readonly log: Logger;

  constructor(private readonly options: SlackHttpReceiverOptions) {
    this.log = options.logger.child({ component: 'http' });
  }

  /** Bolt calls this with the App; requests go to the gate instead (see createSlackGate). */
  init(_app: App): void {}

  useGate(gate: SlackGate): void {
    this.gate = gate;
  }

  start(port: number): Promise<Server> {
    const endpoint = this.options.endpoint ?? '/slack/events';
    const server = createRouteServer(this.options.routes, this.log, async (path, req, res) => {
      if (path !== endpoint || req.method !== 'POST') return false;
      await this.handleSlack(req, res);
      return true;
    });
    this.server = server;
    return listen(server, port);
  }

  stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    return close(server);
  }

  private async handleSlack(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { rejected } = this.options;
    let raw: string;
    try {
      raw = (await httpFunc.bufferIncomingMessage(req, this.options.bodyLimit)).rawBody.toString();
    } catch (err) {
      const tooLarge = httpFunc.isRawBodyError(err) && (err.type === 'entity.too.large' || err.statusCode === 413);
      rejected.inc({ reason: tooLarge ? 'too_large' : 'unreadable' });
      this.log.warn({ limit: this.options.bodyLimit }, tooLarge ? 'a request body over the size limit was refused (413)' : 'a request body could not be read');
      return void res.writeHead(tooLarge ? 413 : 400).end();
    }
    const form = req.headers['content-type'] === 'application/x-www-form-urlencoded';
    // Slack's SSL check carries no signature and asks for nothing but a 200.
    if (form && new URLSearchParams(raw).get('ssl_check') === '1') return void res.writeHead(200).end();
    try {
      verifySlackRequest({
        signingSecret: this.options.signingSecret,
        body: raw,
        headers: { 'x-slack-signature': header(req, 'x-slack-signature'), 'x-slack-request-timestamp': Number(header(req, 'x-slack-request-timestamp')) },
      });
    } catch (err) {
      rejected.inc({ reason: 'signature' });
      this.log.warn({ reason: (err as Error).message.replace(/^Failed to verify authenticity: /, '') }, 'a request with a bad or stale Slack signature was refused (401)');
      return void res.writeHead(401).end();
    }

    let body: Record<string, unknown>;
    try {
      body = httpFunc.parseHTTPRequestBody({ rawBody: Buffer.from(raw), headers: req.headers } as Parameters<typeof httpFunc.parseHTTPRequestBody>[0]) as Record<string, unknown>;
    } catch {
      // Signed by Slack yet not JSON or a form: answering an error would only make Slack send it again.
      rejected.inc({ reason: 'invalid_payload' });
      this.log.warn('a signed Slack request whose body could not be parsed was refused');
      return void res.writeHead(200).end();
    }
    if (body.type === 'url_verification') return httpFunc.buildUrlVerificationResponse(res, body);
    if (!this.gate) return void res.writeHead(503).end();

    const answer = answerOnce(
      {
        ok: (response) => httpFunc.buildContentResponse(res, response),
        retry: (status) => httpFunc.buildNoBodyResponse(res, status),
      },
      this.log,
      req.url ?? '',
    );
    const retryNum = req.headers['x-slack-retry-num'];
    await this.gate.handle({
      body,
      rawBody: raw,
      answer,
      retryNum: retryNum === undefined ? undefined : Number(retryNum),
      retryReason: headerOrUndefined(req, 'x-slack-retry-reason'),
      // The signature tells a replayed command or click apart (see replay-guard.ts).
      customProperties: { slackSignature: headerOrUndefined(req, 'x-slack-signature') ?? null },
    });
  }
}

function headerOrUndefined(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function header(req: IncomingMessage, name: string): string {
  return headerOrUndefined(req, name) ?? '';
}
