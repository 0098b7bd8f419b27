import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHelpdeskCommand } from '../../../src/bot/commands/parse-helpdesk-command.js';
import { parseDuration } from '../../../src/bot/commands/parse-report-command.js';
import { parseThreadCommand } from '../../../src/bot/commands/parse-thread-command.js';
import { parseTicketCommand } from '../../../src/bot/commands/parse-ticket-command.js';
import { escapeAuthoredMrkdwn, escapeMrkdwn, inertMrkdwn } from '../../../src/bot/slack-text.js';
import { PRIORITIES } from '../../../src/domain/ticket.js';
import { slackToPlain, subjectFrom } from '../../../src/ingest/slack-text.js';
import { parsePeriod } from '../../../src/reports/period.js';

// Property-based tests: whatever a person types (or Slack sends), parsers answer with a value or a clear
// one-line message, and customer text shown again can never ping, mention or link.

/** Words of the command languages, Slack's own special forms, and hostile fragments, mixed with any text. */
const wordArb = fc.oneof(
  fc.constantFrom('help', 'list', 'open', 'mine', 'all', 'assign', 'me', 'reply', 'close', 'reopen', 'priority', 'urgent', 'tag', 'set', 'template', 'merge', 'show', 'customer'),
  fc.constantFrom('connect', 'disconnect', 'channel', 'digest', 'daily', 'weekly', 'now', 'remove', 'stats', 'export', 'timezone', 'hours', 'holiday', 'sla', 'first', 'next', 'resolve', 'business', 'off', 'routing', 'group', 'away', 'back', 'pattern', 'ack'),
  fc.constantFrom('<@U012AB3CD>', '<@U1|bob>', '<#C0123ABCD|support>', '<#C1>', '<!here>', '<!channel>', '<!subteam^S1|@team>', '<https://evil.example|bank.com>', '<!date^1392734382^{date}|Feb 18>', '&lt;', '&amp;'),
  fc.constantFrom('{{name}}', '{{{order.number}}}', '{{#x}}{{/x}}', '#42', '42', '0', '-1', '999999999999', '09:00', 'mon', '2026-11-30', '2026-11-01..2026-11-30', '7d', '1h30m', 'Europe/Berlin'),
  fc.constantFrom('\u200b', '\u202e', '\ud800', '\udfff', '\u0000', '\n', '\t', '!', '`', '*', '>'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);
const commandTextArb = fc.oneof(fc.array(wordArb, { maxLength: 8 }).map((words) => words.join(' ')), fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }));

/** A parser's answer: a value, or a message a person can read in one ephemeral line. */
function expectClearAnswer(result: { ok: true; value: unknown } | { ok: false; error: string }) {
  if (result.ok) return;
  expect(result.error.trim().length).toBeGreaterThan(0);
  expect(result.error.length).toBeLessThan(2000);
}

describe('command parsers on any text', () => {
  it('/ticket, /helpdesk and thread commands never throw, and refuse with a readable message', () => {
    fc.assert(
      fc.property(commandTextArb, (text) => {
        expectClearAnswer(parseTicketCommand(text));
        expectClearAnswer(parseHelpdeskCommand(text));
        expectClearAnswer(parseThreadCommand(`!${text}`));
      }),
      { numRuns: 3000 },
    );
  });

  it('a 40,000-character command is answered, not crashed on', () => {
    const long = 'reply '.concat('x'.repeat(40_000));
    expect(parseTicketCommand(`42 ${long}`)).toMatchObject({ ok: true, value: { kind: 'action', number: 42, action: { kind: 'reply' } } });
    expectClearAnswer(parseHelpdeskCommand('x'.repeat(40_000)));
  });

  it('well-formed ticket commands mean what they say, whatever the number, priority or assignee', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999_999 }), fc.constantFrom(...PRIORITIES), fc.stringMatching(/^U[A-Z0-9]{8,10}$/), fc.boolean(), (n, priority, user, hash) => {
        const ref = `${hash ? '#' : ''}${n}`;
        expect(parseTicketCommand(`${ref} close`)).toEqual({ ok: true, value: { kind: 'action', number: n, action: { kind: 'close' } } });
        expect(parseTicketCommand(`${ref} priority ${priority}`)).toEqual({ ok: true, value: { kind: 'action', number: n, action: { kind: 'priority', priority } } });
        expect(parseTicketCommand(`${ref} assign <@${user}>`)).toEqual({ ok: true, value: { kind: 'action', number: n, action: { kind: 'assign', assignee: user } } });
        expect(parseThreadCommand(`!merge ${n}`)).toEqual({ ok: true, value: { kind: 'action', action: { kind: 'merge', into: n } } });
      }),
    );
  });

  it('durations: days, hours and minutes add up; anything else is refused', () => {
    fc.assert(
      fc.property(fc.nat({ max: 30 }), fc.nat({ max: 23 }), fc.nat({ max: 59 }), (d, h, m) => {
        const word = `${d ? `${d}d` : ''}${h ? `${h}h` : ''}${m ? `${m}m` : ''}`;
        expect(parseDuration(word)).toBe(word === '' ? null : d * 1440 + h * 60 + m);
      }),
    );
    fc.assert(fc.property(fc.string({ maxLength: 20 }), (word) => {
      const minutes = parseDuration(word);
      expect(minutes === null || (Number.isInteger(minutes) && minutes > 0)).toBe(true);
    }));
  });

  it('periods: any text gives no period or a non-empty one, in any time zone (none in a zone that does not exist)', () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Pacific/Chatham', 'Not/AZone'];
    fc.assert(
      fc.property(commandTextArb, fc.constantFrom(...zones), fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }), (text, zone, now) => {
        const period = parsePeriod(text.trim().split(/\s+/)[0] ?? '', zone, now);
        if (zone === 'Not/AZone') expect(period).toBeNull();
        else if (period) expect(period.from).toBeLessThan(period.to);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('customer text shown again', () => {
  const slackTextArb = fc.oneof(fc.array(wordArb, { maxLength: 12 }).map((w) => w.join(' ')), fc.string({ unit: 'binary', maxLength: 300 }));

  it('is inert: no control sequence (mention, link, <!channel>) survives, whatever Slack sent', () => {
    fc.assert(
      fc.property(slackTextArb, (text) => {
        const shown = inertMrkdwn(text);
        expect(shown).not.toMatch(/[<>]/); // every < and > is an entity, so nothing is a control sequence
        expect(shown.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
      }),
      { numRuns: 3000 },
    );
  });

  it('escaping is undone exactly by reading it back, so no text is lost', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (plain) => {
        expect(slackToPlain(escapeMrkdwn(plain))).toBe(plain);
      }),
    );
  });

  it('an agent\'s own links and user mentions stay, mass mentions never do', () => {
    fc.assert(
      fc.property(slackTextArb, (typed) => {
        expect(escapeAuthoredMrkdwn(typed)).not.toMatch(/<!(channel|here|everyone)/);
      }),
    );
    expect(escapeAuthoredMrkdwn('see <https://docs.example/a|the guide>, cc <@U012AB3CD> <!channel>')).toBe('see <https://docs.example/a|the guide>, cc <@U012AB3CD> &lt;!channel&gt;');
  });

  it('a subject is one line of at most 120 characters', () => {
    fc.assert(
      fc.property(slackTextArb, (text) => {
        const subject = subjectFrom(text, '(no text)');
        expect(subject).not.toContain('\n');
        expect([...subject].length).toBeLessThanOrEqual(120);
      }),
    );
  });
});
