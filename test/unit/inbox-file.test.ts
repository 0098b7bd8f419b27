import { describe, expect, it } from 'vitest';
import { inboxDatabaseUrl } from '../../src/store/db.js';

describe('where the Slack event inbox lives', () => {
  it.each([
    ['sqlite:data/threaddesk.db', 'sqlite:data/threaddesk.inbox.db'],
    ['sqlite:///var/lib/threaddesk/desk.sqlite', 'sqlite:/var/lib/threaddesk/desk.inbox.sqlite'],
    ['sqlite:data/threaddesk', 'sqlite:data/threaddesk.inbox'],
  ])('a SQLite database %s keeps it in a file of its own beside it: %s', (database, inbox) => {
    expect(inboxDatabaseUrl(database)).toBe(inbox);
  });

  it.each(['postgres://postgres@127.0.0.1:5432/test', 'sqlite::memory:'])('%s keeps it in the database itself', (database) => {
    expect(inboxDatabaseUrl(database)).toBeNull();
  });
});
