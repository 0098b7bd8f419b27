// Action, view and callback ids: one place, used by the Block Kit builders and the listener registration.
export const ACTIONS = {
  assignMe: 'ticket_assign_me',
  assignPick: 'ticket_assign_pick',
  reply: 'ticket_reply',
  close: 'ticket_close',
  reopen: 'ticket_reopen',
  originLink: 'ticket_origin_link',
  templatePick: 'reply_template_pick',
  customer: 'ticket_customer',
  follow: 'ticket_follow',
  merge: 'ticket_merge',
  fillFields: 'template_fill_fields',
  suggest: 'ticket_suggest',
  /** "Open in Reply" under `!suggest`'s answer (a thread command has no trigger_id to open a modal with). */
  suggestOpen: 'suggest_open_reply',
  /** "Open Reply" under `!reply` typed without text, for the same reason. */
  replyOpen: 'reply_open',
  suggestionPick: 'reply_suggestion_pick',
  /** "Apply" under learned routing's suggestion in a triage thread. */
  learnedApply: 'learned_routing_apply',
} as const;

export const VIEWS = {
  replyModal: 'ticket_reply_modal',
  templateEditor: 'template_editor',
  mergeModal: 'ticket_merge_modal',
  templateFields: 'template_fields_modal',
} as const;

export const MERGE_INPUT = { block: 'merge_into', action: 'merge_into_number' } as const;

export const TEMPLATE_INPUT = { block: 'template_body', action: 'template_body_input' } as const;

/**
 * The reply text input. Its block_id carries a version number: Slack keeps what the user typed per block_id,
 * so a new block_id is the only way to put a freshly rendered template into the box.
 */
export const REPLY_INPUT = { block: 'reply_text', action: 'reply_text_input' } as const;
export const REPLY_AFTER = { block: 'reply_after', action: 'reply_after_choice' } as const;
export type ReplyAfter = 'nothing' | 'pending' | 'close';

export const SHORTCUTS = {
  createTicket: 'create_ticket_from_message',
} as const;

/** The emoji that acknowledges a ticket on the customer's message, and that opens one when anyone adds it. */
export const TICKET_REACTION = 'ticket';

/** Emoji actions (by agents, on the card or the customer's message), also mirrored by the bot as status. */
export const ASSIGN_REACTION = 'eyes';
export const SOLVE_REACTION = 'white_check_mark';
