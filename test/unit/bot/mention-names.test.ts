import { describe, expect, it } from 'vitest';
import { subjectWithNames, withMentionNames } from '../../../src/bot/mention-names.js';
import type { SlackUser } from '../../../src/bot/directory.js';
import { inertMrkdwn } from '../../../src/bot/slack-text.js';

const people: Record<string, string> = { U0ALICE1: 'Alice Agent', W0BOB0002: 'Bob <b> & Co' };
const looked: string[] = [];
const directory = {
  async user(id: string): Promise<SlackUser> {
    looked.push(id);
    if (!people[id]) throw new Error('user_not_found');
    return { id, name: people[id]!, firstName: people[id]!.split(' ')[0]!, email: null, isAdmin: false, isBot: false, teamId: null };
  },
};

describe('names for mentions, when text is shown', () => {
  it.each([
    ['a mention', '@U0ALICE1 test', '@Alice Agent test'],
    ['Enterprise Grid ids, twice', '@W0BOB0002 and @W0BOB0002', '@Bob <b> & Co and @Bob <b> & Co'],
    ['an id nobody has stays', 'ask @U0GHOST99', 'ask @U0GHOST99'],
    ['words that are no Slack id', '@URGENT @UPDATES fix', '@URGENT @UPDATES fix'],
    ['an id inside a word or address', 'mail x@U0ALICE1 or @U0ALICE1x', 'mail x@U0ALICE1 or @U0ALICE1x'],
  ])('subject: %s', async (_name, subject, shown) => {
    expect(await subjectWithNames(subject, directory)).toBe(shown);
  });

  it('asks the directory nothing for a subject without ids', async () => {
    looked.length = 0;
    await subjectWithNames('@URGENT printer @here', directory);
    expect(looked).toEqual([]);
  });

  it('labels bare mentions in Slack text, escaped, so the inert text shows names and keeps labels given', async () => {
    const message = { text: '<@U0ALICE1> and <@W0BOB0002> and <@U0ALICE1|ali> and <@U0GHOST99>' };
    const named = await withMentionNames(message, directory);
    expect(named.text).toBe('<@U0ALICE1|Alice Agent> and <@W0BOB0002|Bob &lt;b&gt; &amp; Co> and <@U0ALICE1|ali> and <@U0GHOST99>');
    expect(inertMrkdwn(named.text)).toBe('@Alice Agent and @Bob &lt;b&gt; &amp; Co and @ali and @U0GHOST99');
    expect(message.text).toBe('<@U0ALICE1> and <@W0BOB0002> and <@U0ALICE1|ali> and <@U0GHOST99>');
  });
});
