/**
 * `npm run bench:transport` — CPU per Web API call through WebClient with the built-in fetch vs the bot's
 * undici-based transport (src/bot/slack-fetch.ts), against the local emulator (client and emulator share this process).
 */
import { WebClient } from '@slack/web-api';
import { SlackEmulator } from '../src/emulator/index.js';
import { slackFetch } from '../src/bot/slack-fetch.js';
const emu = new SlackEmulator({ signingSecret: 'x', echoBotMessages: false });
await emu.start(0);
emu.addChannel({ id: 'C1', name: 'c', members: [emu.botUserId] });
for (const [label, fetchFn] of [['fetch', undefined], ['slackFetch', slackFetch], ['fetch', undefined], ['slackFetch', slackFetch]] as const) {
  const client = new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 }, ...(fetchFn ? { fetch: fetchFn } : {}) });
  const N = 1000; const c0 = process.cpuUsage(); const t0 = performance.now();
  let i = 0;
  await Promise.all(Array.from({ length: 4 }, async () => { while (i++ < N) await client.chat.postMessage({ channel: 'C1', text: 'hello ' + i }); }));
  const cpu = process.cpuUsage(c0);
  console.log(label.padEnd(12), `${(N / (performance.now() - t0) * 1000).toFixed(0)}/s`, `${((cpu.user + cpu.system) / N / 1000).toFixed(2)} ms cpu/call (client+emulator)`);
}
await emu.stop();
