import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Ticket } from '../domain/ticket.js';
import type { CsatStore, CsatSurvey } from '../store/csat-store.js';
import type { HttpRoute } from './http/route-server.js';
import { isReplyToken } from '../ingest/email/email-threading.js';
import { escapeHtml as html } from './email/mail-sender.js';
import { readLimited } from './http/read-body.js';
import { escapeMrkdwn, person, truncate } from './slack-text.js';

// The satisfaction survey outside Slack (email, the chat widget): a link to a page of the bot's, named by the
// survey's token. Opening the link never records anything: mail scanners (Outlook's Safe Links and the like) open
// every link of a mail before its reader does, so the page asks for the rating and a form POST records it.

/** How long a survey's link takes an answer (Zendesk's window). A later solve's survey replaces it sooner. */
export const SURVEY_OPEN_DAYS = 28;
const COMMENT_LIMIT = 2000;
/** A rating at or under this is posted in the triage thread for the team to see. */
export const LOW_RATING = 2;
const LABELS = ['', '1 (poor)', '2', '3', '4', '5 (great)'];

/** The triage thread's lines about a rating, wherever it was given (`who`: the requester, as mrkdwn). */
export const lowRatingLine = (who: string, ticket: Pick<Ticket, 'number' | 'assigneeId'>, rating: number): string =>
  `:warning: ${who} rated #${ticket.number} ${rating}/5.${ticket.assigneeId ? ` (assignee <@${ticket.assigneeId}>)` : ''}`;
export const ratingCommentLine = (who: string, ticket: Pick<Ticket, 'number'>, rating: number, comment: string): string =>
  `:speech_balloon: ${who} commented on their ${rating}/5 rating of #${ticket.number}: ${escapeMrkdwn(truncate(comment, COMMENT_LIMIT))}`;

export const surveyUrl = (publicUrl: string, token: string, rating?: number): string => `${publicUrl}/csat?t=${token}${rating ? `&rating=${rating}` : ''}`;

/** The survey as a mail's text: one link per rating, so the customer's first click already says it. */
export function surveyMailText(ticket: Pick<Ticket, 'number' | 'subject'>, publicUrl: string, token: string): string {
  return [
    `Your request #${ticket.number}${ticket.subject ? ` "${ticket.subject}"` : ''} is solved. How did we do?`,
    '',
    'Rate us from 1 (poor) to 5 (great):',
    ...[1, 2, 3, 4, 5].map((n) => `${LABELS[n]}: ${surveyUrl(publicUrl, token, n)}`),
    '',
    'The page lets you add a comment. If something is still not right, just answer this mail.',
  ].join('\n');
}

/** The survey as a chat line; the widget shows the link as five rating buttons. */
export const surveyChatText = (ticket: Pick<Ticket, 'number'>, publicUrl: string, token: string): string =>
  `Your request #${ticket.number} is solved. How did we do? Rate us from 1 (poor) to 5 (great): ${surveyUrl(publicUrl, token)}`;

export interface SurveyPageDeps {
  csat: CsatStore;
  tickets: { byId(id: number): Promise<Ticket | null> };
  /** A line in the ticket's triage thread. */
  announce: (ticket: Ticket, text: string) => Promise<unknown>;
  now: () => number;
  logger: Logger;
}

/** GET /csat?t=…&rating=n shows the survey (the rating chosen in the mail already selected); POST /csat records it. */
export function surveyRoutes(deps: SurveyPageDeps): HttpRoute[] {
  const log = deps.logger.child({ component: 'survey' });

  /** The survey a token names while it takes answers, with its ticket; or the page to show instead. */
  async function openSurvey(token: string | null): Promise<{ survey: CsatSurvey; ticket: Ticket } | { status: number; message: string }> {
    const survey = token && isReplyToken(token) ? await deps.csat.byToken(token) : null;
    const ticket = survey && (await deps.tickets.byId(survey.ticketId));
    if (!survey || !ticket) return { status: 404, message: 'This survey is no longer open: a newer one may have replaced it.' };
    if (deps.now() - survey.sentAt > SURVEY_OPEN_DAYS * 86_400_000) return { status: 410, message: `This survey closed ${SURVEY_OPEN_DAYS} days after it was sent.` };
    return { survey, ticket };
  }

  return [
    {
      method: 'GET',
      path: '/csat',
      handler: async (req, res) => {
        const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
        const open = await openSurvey(query.get('t'));
        if ('status' in open) return page(res, open.status, 'Survey closed', `<p>${html(open.message)}</p>`);
        const chosen = Number(query.get('rating')) || open.survey.rating || 0;
        page(res, 200, 'How did we do?', surveyForm(open.ticket, open.survey, chosen));
      },
    },
    {
      method: 'POST',
      path: '/csat',
      handler: async (req, res) => {
        const raw = await readLimited(req, 16 * 1024);
        if (raw === null) return page(res, 413, 'Too long', '<p>The comment is too long.</p>');
        const form = new URLSearchParams(raw.toString('utf8'));
        const open = await openSurvey(form.get('t'));
        if ('status' in open) return page(res, open.status, 'Survey closed', `<p>${html(open.message)}</p>`);
        const rating = Number(form.get('rating'));
        const comment = (form.get('comment') ?? '').trim();
        const problem = !Number.isInteger(rating) || rating < 1 || rating > 5 ? 'rating: choose a number from 1 to 5' : comment.length > COMMENT_LIMIT ? `comment: at most ${COMMENT_LIMIT} characters` : null;
        if (problem) return page(res, 400, 'How did we do?', `<p class="problem" role="alert">${html(problem)}</p>${surveyForm(open.ticket, open.survey, rating, comment)}`);
        const { ticket, survey } = open;
        await deps.csat.rate(ticket.id, rating, deps.now());
        if (comment) await deps.csat.comment(ticket.id, comment);
        const who = person(ticket.requesterId);
        if (rating <= LOW_RATING && rating !== survey.rating) await deps.announce(ticket, lowRatingLine(who, ticket, rating));
        if (comment && comment !== survey.comment) await deps.announce(ticket, ratingCommentLine(who, ticket, rating, comment));
        log.info({ ticket: ticket.number, rating }, 'a survey was answered');
        page(res, 200, 'Thank you', `<p>Thanks for rating request #${ticket.number}: ${'⭐'.repeat(rating)} ${rating}/5.</p><p>You can change your rating with the link you were sent, for ${SURVEY_OPEN_DAYS} days.</p>`);
      },
    },
  ];
}

function surveyForm(ticket: Ticket, survey: CsatSurvey, chosen: number, comment = survey.comment ?? ''): string {
  const choices = [1, 2, 3, 4, 5]
    .map((n) => `<label><input type="radio" name="rating" value="${n}"${n === chosen ? ' checked' : ''} required> ${LABELS[n]}</label>`)
    .join('');
  return (
    `<p>Your request #${ticket.number}${ticket.subject ? ` “${html(ticket.subject)}”` : ''} is solved.${survey.rating ? ` You rated it ${survey.rating}/5; you can change that here.` : ''}</p>` +
    `<form method="post" action="csat"><input type="hidden" name="t" value="${html(survey.token ?? '')}">` +
    `<fieldset><legend>Rate us from 1 (poor) to 5 (great)</legend>${choices}</fieldset>` +
    `<label for="comment">Anything you want to tell us? (optional)</label><textarea id="comment" name="comment" rows="4" maxlength="${COMMENT_LIMIT}">${html(comment)}</textarea>` +
    `<button type="submit">Send</button></form>`
  );
}

/** A small page of our own: no script, no outside resource, the customer's text escaped. */
function page(res: ServerResponse<IncomingMessage>, status: number, title: string, body: string): void {
  res
    .writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'", 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' })
    .end(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${html(title)}</title>` +
        '<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.5}fieldset{border:0;padding:0;margin:1rem 0}fieldset label{display:block}textarea{width:100%;margin:.25rem 0 1rem}.problem{color:#b00020}</style>' +
        `</head><body><main><h1>${html(title)}</h1>${body}</main></body></html>`,
    );
}
