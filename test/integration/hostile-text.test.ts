import { describe, expect, it } from 'vitest';
import { blockText, postInIntake, useHarness, W, type Harness } from '../support/harness.js';

// A corpus of hostile customer text, sent the way Slack delivers it (user text entity-escaped, mentions and
// links as control sequences), through every place threaddesk shows customer text again: the triage card,
// mirrored follow-ups, `/ticket N`, the customer view, the Home tab, `/helpdesk stats` and the CSV export.
// Nothing in it may ping, mention, link, render a template, break Block Kit's limits or stop the bot.

const CORPUS: Array<{ name: string; text: string }> = [
  { name: 'mass mentions', text: 'URGENT <!channel> <!here> <!everyone> read this' },
  { name: 'user and group mentions', text: 'ping <@UBOB0002> and <@UBOB0002|bob> and <!subteam^S0HOSTILE|@support>' },
  { name: 'disguised link', text: 'verify your account at <https://evil.example/login|https://bank.example>' },
  { name: 'channel link and date', text: 'see <#C0SECRET1|secret-plans> on <!date^1392734382^{date_short}|Feb 18>' },
  { name: 'mustache', text: 'hello {{customer.email}} {{{ticket.subject}}} {{#agent}}x{{/agent}} {{> partial}}' },
  { name: 'entities and markup', text: '&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; *bold* _it_ ~s~ `c` ```block``` &gt; quote' },
  { name: 'zero-width and bidi', text: 'zero\u200bwidth\u200d\u2060 joiner, RTL override \u202egnp.exe, BOM \ufeff end' },
  { name: 'invalid UTF-16', text: 'lone surrogates \ud800 and \udfff in the middle' },
  { name: 'spreadsheet formula', text: '=HYPERLINK("https://evil.example","invoice")' },
  { name: '40k characters', text: `start ${'A very long complaint. '.repeat(1800)} end` },
];

/** Control sequences a customer put in: none may reach Slack unescaped in anything the bot posts. */
const INJECTED = ['<!channel>', '<!here>', '<!everyone>', '<!subteam^S0HOSTILE', '<@UBOB0002', '<https://evil.example', '<#C0SECRET1', '<!date^1392734382'];

function expectInert(shown: string, where: string) {
  for (const sequence of INJECTED) expect(shown, `${where} shows ${sequence} unescaped`).not.toContain(sequence);
  expect(shown, `${where} rendered a template`).not.toMatch(/carol@example|@example\.com/);
}

const allText = (m: { text?: string; blocks?: unknown }) => `${m.text ?? ''}\n${blockText(m.blocks ?? [])}`;

describe('hostile customer text, everywhere it is shown again', () => {
  let h: Harness;
  useHarness((x) => (h = x));

  it('stays inert on cards, mirrors, /ticket, the customer view, the Home tab, stats and the CSV export', async () => {
    // Each message its own ticket, as a team importing history would have it (no burst grouping).
    await h.driver.slashCommand(W.ada, W.general, '/helpdesk', `channel <#${W.help}> burst 0`);
    await h.settle();
    const opened = [];
    for (const { name, text } of CORPUS) {
      const { originTs, ticket } = await postInIntake(h, W.carol, text);
      expect(ticket.cardTs, `${name}: no card`).not.toBeNull();
      await h.driver.userSays(W.carol, W.help, `follow-up: ${text}`, { thread_ts: originTs });
      opened.push({ name, ticket });
    }
    await h.settle();

    // Cards and mirrored follow-ups: every post in the triage channel and its threads.
    const triagePosts = h.emu.messages(W.triage).flatMap((card) => [card, ...h.emu.thread(W.triage, card.ts)]);
    expect(triagePosts.length).toBeGreaterThanOrEqual(CORPUS.length * 2);
    for (const post of triagePosts) expectInert(allText(post), 'a triage post');
    const mustacheCard = h.emu.message(W.triage, opened.find((o) => o.name === 'mustache')!.ticket.cardTs!)!;
    expect(allText(mustacheCard)).toContain('{{customer.email}}'); // shown as typed, not rendered

    // /ticket N (ephemeral), the customer view, stats.
    for (const { ticket } of opened) {
      await h.driver.slashCommand(W.alice, W.general, '/ticket', String(ticket.number));
      await h.settle();
    }
    await h.driver.slashCommand(W.alice, W.general, '/ticket', `customer <@${W.carol}>`);
    await h.settle();
    await h.driver.slashCommand(W.alice, W.general, '/helpdesk', 'stats today');
    await h.settle();
    const answers = h.emu.ephemerals({ user: W.alice });
    expect(answers.length).toBeGreaterThanOrEqual(CORPUS.length + 1); // each /ticket N, and the stats
    for (const answer of answers) expectInert(allText(answer), 'an answer to Alice');

    // The Home tab of an agent lists the tickets waiting longest.
    await h.driver.openHome(W.alice);
    await h.settle();
    expectInert(blockText(h.emu.homeView(W.alice)!.blocks), 'the Home tab');

    // The CSV export: formulas are defused, every ticket is there.
    await h.driver.slashCommand(W.alice, W.general, '/helpdesk', 'export today');
    await h.settle();
    const csv = h.emu.files().find((f) => f.filename.endsWith('.csv'))!.bytes.toString('utf8');
    expect(csv).toContain(`"'=HYPERLINK(""https://evil.example"",""invoice"")"`);
    expect(csv.trim().split('\n').length).toBeGreaterThan(CORPUS.length);

    // And the bot still works.
    await postInIntake(h, W.dave, 'A normal question after all that');
    expect(h.logLines.join('')).not.toMatch(/"level":(50|60)/);
  });
});
