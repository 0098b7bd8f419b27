/** An email address as a mail names it. `address` is lower-cased and trimmed. */
export interface MailAddress {
  address: string;
  name: string | null;
}

/** One attachment of a mail, as stored for the ticket (content kept once, as a Buffer). */
export interface MailAttachment {
  filename: string;
  contentType: string;
  size: number;
  content: Buffer;
}

/** Why a mail is automated (never opens, reopens or gets an answer), or null for a person's mail. */
export type AutomatedReason = 'auto-submitted' | 'auto-reply' | 'precedence' | 'list' | 'mailer-daemon' | 'bounce' | 'no-reply';

/** A delivery status report about a mail we sent. */
export interface Bounce {
  /** Message-ID of the mail that bounced (from the attached original or its headers), without <>. */
  originalMessageId: string | null;
  recipient: string | null;
  /** e.g. "5.1.1" */
  status: string | null;
  action: string | null;
  /** One readable line, e.g. "5.1.1 <bob@example.com>: user unknown". */
  diagnostic: string | null;
}

/** A raw RFC 5322 mail reduced to what the email channel needs. Built by parseMail (parse-mail.ts). */
export interface ParsedEmail {
  /** Without <>; a mail without one gets a stable id derived from a hash of its raw bytes. */
  messageId: string;
  /** Message-IDs this mail answers (In-Reply-To first, then References, newest first), without <>. */
  replyTo: string[];
  from: MailAddress | null;
  /** Reply-To header, when set. */
  replyToAddress: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  /** The Date header (epoch ms), or null when missing or unreadable. */
  date: number | null;
  /** The new part of the message as readable plain text (HTML-only mail converted). */
  text: string;
  /** Quoted history below the reply (kept on the message, not mirrored), or null. */
  quoted: string | null;
  attachments: MailAttachment[];
  automated: AutomatedReason | null;
  bounce: Bounce | null;
  /** Amazon buyer-seller messages: the order id named in the subject or body (e.g. 113-8847792-5633869). */
  amazon: { orderId: string | null } | null;
  /** Every header name (lower-cased) with its raw value(s), for display and debugging. */
  headers: Record<string, string>;
}
