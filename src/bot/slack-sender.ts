import type { WebClient } from '@slack/web-api';
import type { SlackPost } from './blocks/thread-messages.js';

/**
 * Every Slack call the bot makes goes through here. Customer text is relayed without link previews.
 */
export type SlackSender = ReturnType<typeof createSlackSender>;

/** The metadata event type that tags the bot's posts with the delivery that made them. */
const DELIVERY_EVENT = 'threaddesk_delivery';

export function createSlackSender(client: WebClient) {
  const errorCode = (err: unknown) => (err as { data?: { error?: string } }).data?.error;
  let workspaceUrl: Promise<string> | null = null;

  return {
    /** Posts a message; `deliveryId` tags it (message metadata) so a retry after a crash can find it (findDelivered). */
    async post(channel: string, post: SlackPost, threadTs?: string, deliveryId?: number): Promise<string> {
      const result = await client.chat.postMessage({
        channel,
        text: post.text,
        blocks: post.blocks as never,
        thread_ts: threadTs,
        unfurl_links: false,
        unfurl_media: false,
        ...(deliveryId !== undefined ? { metadata: { event_type: DELIVERY_EVENT, event_payload: { delivery_id: deliveryId } } } : {}),
      });
      return result.ts!;
    },

    /**
     * The ts of the message a delivery posted, if Slack has it: read back from the channel (or thread) since
     * `since`, by the delivery id in its metadata, page by page (a busy triage channel has hundreds of cards a
     * minute under a burst), at most `maxPages` pages. Only used when an attempt may have posted without us knowing.
     */
    async findDelivered(channel: string, threadTs: string | undefined, deliveryId: number, since: number, maxPages = 10): Promise<string | null> {
      const oldest = (Math.floor(since / 1000) - 1).toString();
      let cursor: string | undefined;
      for (let page = 0; page < maxPages; page++) {
        const args = { channel, oldest, include_all_metadata: true, limit: 200, cursor };
        const result = threadTs ? await client.conversations.replies({ ...args, ts: threadTs }) : await client.conversations.history(args);
        const found = (result.messages ?? []).find((m) => {
          const meta = (m as { metadata?: { event_type?: string; event_payload?: { delivery_id?: unknown } } }).metadata;
          return meta?.event_type === DELIVERY_EVENT && Number(meta.event_payload?.delivery_id) === deliveryId;
        });
        if (found?.ts) return found.ts;
        cursor = result.response_metadata?.next_cursor || undefined;
        if (!result.has_more || !cursor) return null;
      }
      return null;
    },

    async update(channel: string, ts: string, post: SlackPost): Promise<void> {
      await client.chat.update({ channel, ts, text: post.text, blocks: post.blocks as never });
    },

    async ephemeral(channel: string, user: string, text: string, threadTs?: string, blocks?: object[]): Promise<void> {
      await client.chat.postEphemeral({ channel, user, text, thread_ts: threadTs, blocks: blocks as never });
    },

    /** Adds a reaction; one already there is fine (a redelivered event). */
    async react(channel: string, ts: string, name: string): Promise<void> {
      try {
        await client.reactions.add({ channel, timestamp: ts, name });
      } catch (err) {
        if (errorCode(err) !== 'already_reacted') throw err;
      }
    },

    /** Removes the bot's reaction; one that is not there is fine. */
    async unreact(channel: string, ts: string, name: string): Promise<void> {
      try {
        await client.reactions.remove({ channel, timestamp: ts, name });
      } catch (err) {
        if (errorCode(err) !== 'no_reaction') throw err;
      }
    },

    /**
     * A message's permalink in Slack's documented form (https://docs.slack.dev/reference/methods/chat.getPermalink),
     * built from the workspace URL that auth.test gives once, instead of one API call per ticket.
     */
    async permalink(channel: string, ts: string, threadTs?: string | null): Promise<string> {
      workspaceUrl ??= client.auth.test().then((r) => r.url ?? 'https://slack.com/');
      workspaceUrl.catch(() => (workspaceUrl = null));
      const link = `${(await workspaceUrl).replace(/\/?$/, '/')}archives/${channel}/p${ts.replace('.', '')}`;
      return threadTs && threadTs !== ts ? `${link}?thread_ts=${threadTs}&cid=${channel}` : link;
    },

    async openView(triggerId: string, view: object): Promise<void> {
      await client.views.open({ trigger_id: triggerId, view: view as never });
    },

    async publishHome(userId: string, view: object): Promise<void> {
      await client.views.publish({ user_id: userId, view: view as never });
    },

    /** The id (D…) of the bot's DM with a user; file uploads need it, chat.postMessage also takes the user id. */
    async openDm(userId: string): Promise<string> {
      const result = await client.conversations.open({ users: userId });
      return result.channel!.id!;
    },

    /**
     * Shares a file as a bot message (into a thread with `threadTs`; a DM needs the id from openDm). filesUploadV2 runs
     * Slack's three steps: files.getUploadURLExternal, a multipart POST of the bytes, files.completeUploadExternal.
     */
    async uploadFile(input: { channelId: string; filename: string; title: string; bytes: Buffer; initialComment?: string; threadTs?: string }): Promise<void> {
      const destination = input.threadTs ? { channel_id: input.channelId, thread_ts: input.threadTs } : { channel_id: input.channelId };
      await client.filesUploadV2({ ...destination, file: input.bytes, filename: input.filename, title: input.title, initial_comment: input.initialComment });
    },

    /** Replaces an open modal; `hash` makes Slack refuse it if the modal changed meanwhile. */
    async updateView(viewId: string, hash: string | undefined, view: object): Promise<void> {
      await client.views.update({ view_id: viewId, hash, view: view as never });
    },
  };
}
