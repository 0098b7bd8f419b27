import { describe, expect, it } from 'vitest';
import { parseHelpdeskCommand } from '../../../src/bot/commands/parse-helpdesk-command.js';
import { isThreadCommand, parseThreadCommand } from '../../../src/bot/commands/parse-thread-command.js';
import { parseTicketCommand } from '../../../src/bot/commands/parse-ticket-command.js';

describe('one grammar for /ticket and ! thread commands', () => {
  it.each([
    ['42', { kind: 'action', number: 42, action: { kind: 'show' } }],
    ['#42 assign me', { kind: 'action', number: 42, action: { kind: 'assign', assignee: 'me' } }],
    ['42 assign <@U0ALICE|alice>', { kind: 'action', number: 42, action: { kind: 'assign', assignee: 'U0ALICE' } }],
    ['42 reply Hello,\nyour refund is on its way', { kind: 'action', number: 42, action: { kind: 'reply', text: 'Hello,\nyour refund is on its way' } }],
    ['42 reply', { kind: 'action', number: 42, action: { kind: 'reply', text: '' } }],
    ['42 close', { kind: 'action', number: 42, action: { kind: 'close' } }],
    ['42 reopen', { kind: 'action', number: 42, action: { kind: 'reopen' } }],
    ['42 priority HIGH', { kind: 'action', number: 42, action: { kind: 'priority', priority: 'high' } }],
    ['42 tag Billing', { kind: 'action', number: 42, action: { kind: 'tag', tag: 'billing' } }],
    ['42 set order.number A-1234 ', { kind: 'action', number: 42, action: { kind: 'set', name: 'order.number', value: 'A-1234' } }],
    ['42 order #1021', { kind: 'action', number: 42, action: { kind: 'set', name: 'order.number', value: '1021' } }],
    ['42 order 113-8847792-5633869', { kind: 'action', number: 42, action: { kind: 'set', name: 'order.number', value: '113-8847792-5633869' } }],
    ['42 close No-Survey', { kind: 'action', number: 42, action: { kind: 'close', survey: false } }],
    ['42 template Refund-Approved', { kind: 'action', number: 42, action: { kind: 'template', name: 'refund-approved' } }],
    ['customer <@U0CAROL|carol>', { kind: 'customer', userId: 'U0CAROL' }],
    ['list', { kind: 'list', filter: 'open' }],
    ['list mine', { kind: 'list', filter: 'mine' }],
    ['', { kind: 'help' }],
    ['help', { kind: 'help' }],
  ])('/ticket %s', (text, value) => expect(parseTicketCommand(text)).toEqual({ ok: true, value }));

  it.each([
    ['close 42', 'Start with a ticket number'],
    ['42 priority soon', 'Priority must be one of'],
    ['42 assign bob', 'needs `me` or a @mention'],
    ['42 tag two words', 'A tag is one word'],
    ['42 close now', '`close` takes nothing, or `no-survey`'],
    ['42 dance', "I don't know `dance`"],
    ['list everything', 'List one of'],
    ['42 set order.number', '`set` needs a field and a value'],
    ['42 template', '`template` needs a template name'],
    ['customer carol', 'Name the customer'],
  ])('/ticket %s is refused with a reason', (text, reason) => {
    const parsed = parseTicketCommand(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(reason);
  });

  it('parses thread commands with the same grammar', () => {
    expect(isThreadCommand('!close')).toBe(true);
    expect(isThreadCommand('! not a command')).toBe(false);
    expect(isThreadCommand('we should close this')).toBe(false);
    expect(parseThreadCommand('!assign me')).toEqual({ ok: true, value: { kind: 'action', action: { kind: 'assign', assignee: 'me' } } });
    expect(parseThreadCommand('!reply  Thanks for waiting ')).toEqual({ ok: true, value: { kind: 'action', action: { kind: 'reply', text: 'Thanks for waiting' } } });
    expect(parseThreadCommand('!list unassigned')).toEqual({ ok: true, value: { kind: 'list', filter: 'unassigned' } });
    expect(parseThreadCommand('!help')).toEqual({ ok: true, value: { kind: 'help' } });
    expect(parseThreadCommand('!priority meh').ok).toBe(false);
  });

  it('parses /helpdesk connect and channel rules', () => {
    expect(parseHelpdeskCommand('connect <#C0HELP|help> <#C0TRI|triage>')).toEqual({ ok: true, value: { kind: 'connect', intakeChannelId: 'C0HELP', triageChannelId: 'C0TRI' } });
    expect(parseHelpdeskCommand('connect <#C0HELP>')).toEqual({ ok: true, value: { kind: 'connect', intakeChannelId: 'C0HELP', triageChannelId: null } });
    expect(parseHelpdeskCommand('connect #help').ok).toBe(false);
    expect(parseHelpdeskCommand('channel <#C0HELP|help> burst 10')).toEqual({ ok: true, value: { kind: 'channel', channelId: 'C0HELP', change: { burstWindowSeconds: 600 } } });
    expect(parseHelpdeskCommand('channel <#C0HELP|help> pleasantries off')).toEqual({ ok: true, value: { kind: 'channel', channelId: 'C0HELP', change: { pleasantryFilter: false } } });
    expect(parseHelpdeskCommand('channel <#C0HELP|help> burst soon').ok).toBe(false);
    expect(parseHelpdeskCommand('channel <#C0HELP|help> survey off')).toEqual({ ok: true, value: { kind: 'channel', channelId: 'C0HELP', change: { csatEnabled: false } } });
    expect(parseHelpdeskCommand('channel <#C0HELP|help> survey after 1d')).toEqual({ ok: true, value: { kind: 'channel', channelId: 'C0HELP', change: { csatEnabled: true, csatDelayMinutes: 1440 } } });
    expect(parseHelpdeskCommand('channel <#C0HELP|help> survey after 0')).toEqual({ ok: true, value: { kind: 'channel', channelId: 'C0HELP', change: { csatEnabled: true, csatDelayMinutes: 0 } } });
    expect(parseHelpdeskCommand('channel <#C0HELP|help> survey after soon')).toMatchObject({ ok: false, error: expect.stringContaining('`survey after` takes a duration') });
    expect(parseHelpdeskCommand('stats 7d')).toEqual({ ok: true, value: { kind: 'stats', period: '7d', channelId: null } });
    expect(parseHelpdeskCommand('digest weekly <#C0REP|reports> mon 9:00')).toEqual({ ok: true, value: { kind: 'digest', op: 'add', frequency: 'weekly', channelId: 'C0REP', weekday: 1, atTime: '09:00' } });
    expect(parseHelpdeskCommand('digest daily <#C0REP|reports> 25:00').ok).toBe(false);
    expect(parseHelpdeskCommand('sla <#C0HELP|help> high first 1h next 4h resolve 1d2h business')).toEqual({ ok: true, value: { kind: 'sla', channelId: 'C0HELP', change: { priorities: ['high'], minutes: { first_reply: 60, next_reply: 240, resolution: 1560 }, businessHours: true } } });
    expect(parseHelpdeskCommand('sla <#C0HELP|help> high first soon').ok).toBe(false);
    expect(parseHelpdeskCommand('hours Mars/Olympus mon-fri 09:00-17:00')).toMatchObject({ ok: false, error: expect.stringContaining('not a time zone') });
    expect(parseHelpdeskCommand('template add Refund Hi {{customer.first_name}}\nBye')).toEqual({ ok: true, value: { kind: 'template', op: 'add', name: 'refund', body: 'Hi {{customer.first_name}}\nBye' } });
    expect(parseHelpdeskCommand('template list')).toEqual({ ok: true, value: { kind: 'template', op: 'list' } });
    expect(parseHelpdeskCommand('template delete refund')).toEqual({ ok: true, value: { kind: 'template', op: 'delete', name: 'refund' } });
    expect(parseHelpdeskCommand('template add refund')).toEqual({ ok: true, value: { kind: 'template', op: 'add', name: 'refund', body: '' } });
    expect(parseHelpdeskCommand('template add bad/name text')).toMatchObject({ ok: false, error: expect.stringContaining('A template name is one word') });
    expect(parseHelpdeskCommand('template rename a b').ok).toBe(false);
  });
});
