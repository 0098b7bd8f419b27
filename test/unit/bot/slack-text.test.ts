import { describe, expect, it } from 'vitest';
import { escapeAuthoredMrkdwn, escapeMrkdwn, inertMrkdwn, truncate, unescapeMrkdwn } from '../../../src/bot/slack-text.js';
import { slackToPlain, subjectFrom } from '../../../src/ingest/slack-text.js';

describe('slack text: customer text made inert', () => {
  it.each([
    ['mass mentions', '<!channel> <!here> <!everyone>', '@channel @here @everyone'],
    ['user mention with and without label', '<@U123> <@U456|bob>', '@U123 @bob'],
    ['channel mention', '<#C123|general>', '#general'],
    ['user group', '<!subteam^S1|@oncall>', '@oncall'],
    ['date token', '<!date^1392734382^{date}|Feb 18, 2014>', 'Feb 18, 2014'],
    ['disguised link shows its real target', '<https://evil.example|https://bank.example>', 'https://bank.example (https://evil.example)'],
    ['plain link', '<https://example.com>', 'https://example.com'],
    ['entities', '1 &lt; 2 &amp;&amp; 3 &gt; 2', '1 < 2 && 3 > 2'],
  ])('%s', (_name, slack, plain) => {
    expect(slackToPlain(slack)).toBe(plain);
    expect(inertMrkdwn(slack)).not.toMatch(/<[!@#]|<https?:/);
  });

  it('escapes only &, < and >', () => {
    expect(escapeMrkdwn('a & b <c> *d*')).toBe('a &amp; b &lt;c&gt; *d*');
  });

  it('truncates to Slack\'s count (UTF-16 units: an emoji is two) with a visible marker, never splitting an entity or an emoji', () => {
    expect(truncate('short', 10)).toBe('short');
    const cut = truncate('😀'.repeat(200), 100);
    expect(cut.length).toBeLessThanOrEqual(100);
    expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/); // no lone first half of an emoji
    // A section's 3000: emoji-heavy text stays within it as Slack counts (the cause of invalid_blocks).
    expect(truncate('ok 👍 '.repeat(2000), 3000).length).toBeLessThanOrEqual(3000);
    expect(cut).toMatch(/… \[truncated: \d+ more characters\]$/);
    expect(cut.startsWith('😀')).toBe(true);
    // What was left out is counted as people see it: one per emoji.
    expect(cut).toContain(`[truncated: ${200 - Array.from(cut.slice(0, cut.indexOf('…'))).length} more characters]`);
    // 205 code units, 203 characters; the marker sized for 205 is 34 long, so 66 are kept and 134 a's + 😀b😀 left out.
    expect(truncate(`${'a'.repeat(200)}😀b😀`, 100)).toBe(`${'a'.repeat(66)}… [truncated: 137 more characters]`);
    const entities = truncate('&amp;'.repeat(40), 95);
    expect(entities).toMatch(/^(&amp;)+… \[truncated/);
  });

  it('never exceeds a short limit such as a modal title (24)', () => {
    for (const text of ['Customer: Bartholomew Featherstonehaugh', 'Template order-shipped-to-customer', 'x'.repeat(30)]) {
      const cut = truncate(text, 24);
      expect(Array.from(cut).length).toBeLessThanOrEqual(24);
      expect(cut.endsWith('…')).toBe(true);
    }
    expect(truncate('Customer: Ann', 24)).toBe('Customer: Ann');
  });

  it('takes the subject from the first non-empty line', () => {
    expect(subjectFrom('\n\n  Order <#C1|orders> late  \nmore', 'x')).toBe('Order #orders late');
    expect(subjectFrom('   ', '(no text)')).toBe('(no text)');
    expect(Array.from(subjectFrom('a'.repeat(500), 'x')).length).toBeLessThanOrEqual(120);
  });
});

describe('text an agent typed in a modal', () => {
  it('is escaped like Slack\'s composer would, keeping links and mentions written on purpose', () => {
    expect(escapeAuthoredMrkdwn('a < b & <https://x.example/p?q=1|the guide> for <@U123> in <#C9|help>, not <!channel> or <b>')).toBe(
      'a &lt; b &amp; <https://x.example/p?q=1|the guide> for <@U123> in <#C9|help>, not &lt;!channel&gt; or &lt;b&gt;',
    );
    expect(unescapeMrkdwn('a &lt; b &amp;&amp; c &gt; d')).toBe('a < b && c > d');
  });
});
