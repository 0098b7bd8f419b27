import { z } from 'zod';
import { API_SOURCE } from '../../domain/intake-channel.js';

/** The longest text a message may carry (a web form's long description fits; a file does not). */
export const MAX_TEXT_CHARS = 40_000;

const id = () => z.string({ error: 'is required (a string)' }).trim().min(1, 'must not be empty').max(200, 'is longer than 200 characters');

const schema = z.object({
  source: z.string({ error: 'is required (a string)' }).regex(API_SOURCE, 'must be lower-case letters, digits, - and _ (like shopify-form)'),
  conversation_id: id(),
  message_id: id(),
  customer: z
    .object({
      id: z.string().trim().min(1).max(200).optional(),
      email: z.email('is not an email address').max(320).optional(),
      name: z.string().trim().max(200).optional(),
    }, { error: 'is required (an object with id or email)' })
    .refine((c) => c.id !== undefined || c.email !== undefined, { message: 'needs an id or an email' }),
  subject: z.string().trim().max(300, 'is longer than 300 characters').optional(),
  text: z.string({ error: 'is required (a string)' }).min(1, 'must not be empty').max(MAX_TEXT_CHARS, `is longer than ${MAX_TEXT_CHARS} characters`),
  sent_at: z.union([z.iso.datetime({ offset: true }), z.number().int().positive()], { error: 'must be an ISO 8601 time or unix seconds' }).optional(),
});

/** A message for the intake API, as a caller sent it (POST /api/v1/messages). */
export interface ApiMessage {
  source: string;
  conversationId: string;
  messageId: string;
  customer: { id: string | null; email: string | null; name: string | null };
  subject: string | null;
  text: string;
  /** Epoch ms, when the caller said when it was written. */
  sentAt: number | null;
}

/** The message, or what is wrong with it, naming the field ("customer.email: …"). */
export function parseApiMessage(json: unknown): { ok: true; value: ApiMessage } | { ok: false; error: string } {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'body';
    return { ok: false, error: `${field}: ${issue.message}` };
  }
  const m = parsed.data;
  const sentAt = m.sent_at === undefined ? null : typeof m.sent_at === 'number' ? m.sent_at * 1000 : Date.parse(m.sent_at);
  return {
    ok: true,
    value: {
      source: m.source,
      conversationId: m.conversation_id,
      messageId: m.message_id,
      customer: { id: m.customer.id ?? null, email: m.customer.email?.toLowerCase() ?? null, name: m.customer.name || null },
      subject: m.subject || null,
      text: m.text,
      sentAt,
    },
  };
}
