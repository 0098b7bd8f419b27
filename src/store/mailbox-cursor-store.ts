import type { Knex } from 'knex';

/** How far an IMAP mailbox has been read: every UID up to lastUid, valid while the mailbox keeps its UIDVALIDITY. */
export interface MailboxCursor {
  uidValidity: number;
  lastUid: number;
}

/** Cursors by mailbox key: the IMAP URL without its password. */
export interface MailboxCursorStore {
  load(mailbox: string): Promise<MailboxCursor | null>;
  save(mailbox: string, cursor: MailboxCursor): Promise<void>;
}

interface CursorRow {
  mailbox: string;
  uid_validity: number | string;
  last_uid: number | string;
  updated_at: number | string;
}

/** The `mailbox_cursors` table (SQLite and PostgreSQL): one row per mailbox, replaced on every save. */
export function createMailboxCursorStore(db: Knex, now: () => number = Date.now): MailboxCursorStore {
  return {
    async load(mailbox) {
      const row = (await db('mailbox_cursors').where({ mailbox }).first()) as CursorRow | undefined;
      return row ? { uidValidity: Number(row.uid_validity), lastUid: Number(row.last_uid) } : null;
    },

    async save(mailbox, cursor) {
      await db('mailbox_cursors')
        .insert({ mailbox, uid_validity: cursor.uidValidity, last_uid: cursor.lastUid, updated_at: now() })
        .onConflict('mailbox')
        .merge();
    },
  };
}
