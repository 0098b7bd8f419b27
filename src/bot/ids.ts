// Action, view and callback ids: one place, used by the Block Kit builders and the listener registration.
export const ACTIONS = {
  assignMe: 'ticket_assign_me',
  assignPick: 'ticket_assign_pick',
  reply: 'ticket_reply',
  close: 'ticket_close',
  reopen: 'ticket_reopen',
  originLink: 'ticket_origin_link',
} as const;

export const VIEWS = {
  replyModal: 'ticket_reply_modal',
} as const;

export const REPLY_INPUT = { block: 'reply_text', action: 'reply_text_input' } as const;

export const SHORTCUTS = {
  createTicket: 'create_ticket_from_message',
} as const;

/** The emoji that acknowledges a ticket on the customer's message, and that opens one when anyone adds it. */
export const TICKET_REACTION = 'ticket';
