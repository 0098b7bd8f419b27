import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../../domain/clock.js';
import { apiChannel } from '../../domain/intake-channel.js';
import { parseApiMessage } from '../../ingest/api/api-message.js';
import { ingestApiMessage, type ApiIngestDeps } from '../../ingest/api/ingest-api-message.js';
import { SIGNATURE_HEADER, signatureProblem, TIMESTAMP_HEADER } from '../../ingest/api/signature.js';
import type { KeyedLock } from '../../ingest/keyed-lock.js';
import type { ChannelStore, IntakeChannel } from '../../store/channel-store.js';
import type { HttpRoute } from '../http/route-server.js';
import { readLimited } from '../http/read-body.js';

/** A message is a few KB (a form's text is capped at 40,000 characters): anything bigger is refused while read. */
export const API_BODY_LIMIT = 256 * 1024;

export interface IntakeApiDeps {
  secret: string;
  channels: Pick<ChannelStore, 'intake'>;
  /**
   * A source nobody connected yet: its messages go to the workspace's default triage channel (null when there is
   * none), so a form's first message is not lost to a forgotten `/helpdesk connect api`.
   */
  adoptSource(channelId: string): Promise<IntakeChannel | null>;
  ingest: ApiIngestDeps;
  /** One conversation's messages are stored one at a time, in the order they came. */
  lock: KeyedLock;
  clock: Clock;
  logger: Logger;
}

/**
 * POST /api/v1/messages: web forms, marketplaces and other tools drop a customer's message into the inbox
 * (contract: SPEC "Intake API"). Signed like Slack's requests; 202 {"ticket": N} once the message is stored,
 * for a repeat of a message_id too; 401 for a bad or stale signature; 400 naming the bad field; 413 over 256 KB;
 * 503 when it could not be stored now (the caller tries again, and the repeat is one message).
 */
export function intakeApiRoutes(deps: IntakeApiDeps): HttpRoute[] {
  const log = deps.logger.child({ component: 'intake-api' });
  return [{ method: 'POST', path: '/api/v1/messages', handler: (req, res) => handle(req, res) }];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const answer = (status: number, body: object) => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const raw = await readLimited(req, API_BODY_LIMIT);
    if (raw === null) return answer(413, { error: `body: larger than ${API_BODY_LIMIT} bytes` });
    const problem = signatureProblem(deps.secret, { timestamp: header(req, TIMESTAMP_HEADER), signature: header(req, SIGNATURE_HEADER) }, raw, deps.clock.now());
    if (problem) {
      log.warn({ problem }, 'an intake API request was refused (401)');
      return answer(401, { error: problem });
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      return answer(400, { error: 'body: not JSON' });
    }
    const parsed = parseApiMessage(json);
    if (!parsed.ok) return answer(400, { error: parsed.error });
    const message = parsed.value;
    const intake = await deps.channels
      .intake(apiChannel(message.source))
      .then(async (known) => {
        if (known) return known;
        const adopted = await deps.adoptSource(apiChannel(message.source));
        if (adopted) log.info({ source: message.source, triage: adopted.triageChannelId }, 'a source not yet connected sent a message: it goes to the default triage channel (replies need /helpdesk connect api with a reply URL)');
        return adopted;
      })
      .catch(() => undefined);
    if (intake === undefined) return answer(503, { error: 'the message could not be stored now; try again later' });
    if (!intake) return answer(400, { error: `source: ${message.source} is not connected and there is no default triage channel (in Slack: /helpdesk connect api ${message.source} #triage REPLY_URL)` });
    try {
      const result = await deps.lock([`${intake.channelId}\u0000${message.conversationId}`], () => ingestApiMessage(message, intake, deps.ingest));
      log.info({ source: message.source, outcome: result.kind, ticket: result.ticket.number }, 'intake API message');
      answer(202, { ticket: result.ticket.number });
    } catch (err) {
      log.warn({ err: (err as Error).message, source: message.source }, 'an intake API message could not be stored; the caller should try again (503)');
      answer(503, { error: 'the message could not be stored now; try again later' });
    }
  }
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};
