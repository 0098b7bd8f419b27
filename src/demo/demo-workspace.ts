import type { SlackEmulator } from '../emulator/index.js';

/** The demo's small workspace: two customers in #help, two agents in #support-triage, and a support mailbox. */
export const DEMO = {
  maya: 'UMAYA001', // customer
  leo: 'ULEO0004', // customer
  sam: 'USAM0002', // agent
  priya: 'UPRIYA03', // agent
  help: 'CHELP001', // intake channel
  triage: 'CTRIAGE1', // triage channel
  mailbox: 'support@shop.example', // connected mailbox (tickets go to the triage channel)
  shopOrigin: 'https://shop.example', // the website with the chat widget
} as const;

/** Who plays which part, for the narrator. */
export const CAST: Record<string, string> = {
  [DEMO.maya]: 'Maya (customer)',
  [DEMO.leo]: 'Leo (customer)',
  [DEMO.sam]: 'Sam (agent)',
  [DEMO.priya]: 'Priya (agent)',
};

export function seedDemoWorkspace(emu: SlackEmulator): void {
  // `name` is what Slack shows as the display name (users.info profile.display_name).
  emu.addUser({ id: DEMO.maya, name: 'Maya', realName: 'Maya Lindqvist', email: 'maya@example.com' });
  emu.addUser({ id: DEMO.leo, name: 'Leo', realName: 'Leo Brandt', email: 'leo@example.com' });
  emu.addUser({ id: DEMO.sam, name: 'Sam', realName: 'Sam Okafor' });
  emu.addUser({ id: DEMO.priya, name: 'Priya', realName: 'Priya Raman' });
  // Agents are the members of the triage channel; they can also see (and read) #help.
  emu.addChannel({ id: DEMO.help, name: 'help', members: [DEMO.maya, DEMO.leo, DEMO.sam, DEMO.priya, emu.botUserId] });
  emu.addChannel({ id: DEMO.triage, name: 'support-triage', members: [DEMO.sam, DEMO.priya, emu.botUserId] });
}
