import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { SlackPost } from './blocks/thread-messages.js';

/**
 * Every Slack write the bot makes goes through here, so delivery can be made durable and rate-aware
 * in one place later. Customer text is relayed without link previews.
 */
export type SlackSender = ReturnType<typeof createSlackSender>;

export function createSlackSender(client: WebClient, logger: Logger) {
  const errorCode = (err: unknown) => (err as { data?: { error?: string } }).data?.error;

  return {
    async post(channel: string, post: SlackPost, threadTs?: string): Promise<string> {
      const result = await client.chat.postMessage({
        channel,
        text: post.text,
        blocks: post.blocks as never,
        thread_ts: threadTs,
        unfurl_links: false,
        unfurl_media: false,
      });
      return result.ts!;
    },

    async update(channel: string, ts: string, post: SlackPost): Promise<void> {
      await client.chat.update({ channel, ts, text: post.text, blocks: post.blocks as never });
    },

    async ephemeral(channel: string, user: string, text: string, threadTs?: string): Promise<void> {
      await client.chat.postEphemeral({ channel, user, text, thread_ts: threadTs });
    },

    /** Adds a reaction; one already there is fine (a redelivered event). */
    async react(channel: string, ts: string, name: string): Promise<void> {
      try {
        await client.reactions.add({ channel, timestamp: ts, name });
      } catch (err) {
        if (errorCode(err) !== 'already_reacted') throw err;
      }
    },

    async permalink(channel: string, ts: string): Promise<string | null> {
      try {
        return (await client.chat.getPermalink({ channel, message_ts: ts })).permalink ?? null;
      } catch (err) {
        logger.warn({ channel, ts, error: errorCode(err) }, 'no permalink for origin message');
        return null;
      }
    },

    async openView(triggerId: string, view: object): Promise<void> {
      await client.views.open({ trigger_id: triggerId, view: view as never });
    },
  };
}
