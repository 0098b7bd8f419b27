/**
 * npm run bench:resilience [-- --messages 1000 --seconds 10 --scale 20 --outage-seconds 120 --only burst,crash,outage,instances]
 *
 * Issue 5's scenarios against the real bot process and the emulator enforcing Slack's rate limits (×scale, so a
 * run takes minutes, not the 20 minutes real Slack's Tier 3 reactions would need for 1,000 tickets): prints
 * tickets lost and duplicated, the time to drain, the drain rate against the allowed rate, and peak RSS.
 */
import { parseArgs } from 'node:util';
import { runScenario, type ScenarioOptions, type ScenarioResult } from './lib/resilience.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    scale: { type: 'string', default: '20' },
    'outage-seconds': { type: 'string', default: '120' },
    db: { type: 'string', default: 'sqlite,postgres' },
    only: { type: 'string', default: 'burst,crash,outage,instances' },
  },
});
const base = { messages: Number(values.messages), seconds: Number(values.seconds), scale: Number(values.scale), log: (line: string) => console.log(`  ${line}`) };
const only = new Set(values.only!.split(','));
const dbs = values.db!.split(',') as ScenarioOptions['db'][];

const scenarios: { name: string; options: ScenarioOptions }[] = [];
for (const db of dbs) {
  if (only.has('burst')) scenarios.push({ name: `burst (${db})`, options: { ...base, db } });
  if (only.has('crash')) scenarios.push({ name: `kill -9 mid-burst (${db})`, options: { ...base, db, crash: { afterMs: (base.seconds * 1000) / 2, restartAfterMs: 1000 } } });
  if (only.has('outage')) scenarios.push({ name: `Slack outage ${values['outage-seconds']} s (${db})`, options: { ...base, db, outage: { afterMs: 2000, durationMs: Number(values['outage-seconds']) * 1000 } } });
}
if (only.has('instances') && dbs.includes('postgres')) {
  scenarios.push({ name: 'three instances on PostgreSQL, one killed (postgres)', options: { ...base, db: 'postgres', instances: 3, crash: { afterMs: (base.seconds * 1000) / 2, restartAfterMs: null }, digest: true } });
}

const rows: string[] = [];
for (const { name, options } of scenarios) {
  console.log(`\n${name}`);
  const r = await runScenario(options);
  console.log(describe(r));
  rows.push(`| ${name} | ${r.lost} | ${r.duplicatedTickets} / ${r.duplicatedCards} | ${(r.storedAfterMs / 1000).toFixed(1)} s | ${(r.drainMs / 1000).toFixed(1)} s | ${r.cardRate} / ${r.allowedCardRate} (${pct(r.cardRate, r.allowedCardRate)}) | ${r.reactionRate} / ${round(r.allowedReactionRate)} (${pct(r.reactionRate, r.allowedReactionRate)}) | ${total(r.rateLimited)} | ${r.peakRssMb} MB |`);
}
console.log('\n| scenario | lost | duplicated tickets / cards | all stored | drained | cards/s vs allowed | reactions/s vs allowed | 429s | peak RSS |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);

function describe(r: ScenarioResult): string {
  return [
    `  tickets ${r.tickets}/${r.sent} (lost ${r.lost}, duplicated ${r.duplicatedTickets}, numbers gap-free: ${r.numbersGapFree}); all stored ${(r.storedAfterMs / 1000).toFixed(1)} s after the first send (burst took ${(r.burstMs / 1000).toFixed(1)} s, ${r.ackedFirstTime} answered at once)`,
    `  cards ${r.cards} (duplicated ${r.duplicatedCards}), 🎫 on ${r.acknowledged}; outbox empty ${(r.drainMs / 1000).toFixed(1)} s after the first send${r.drainAfterOutageMs !== null ? `, ${(r.drainAfterOutageMs / 1000).toFixed(1)} s after the outage ended (${r.refusedByOutage} calls refused by it)` : ''}`,
    `  drain rate: cards ${r.cardRate}/s of ${r.allowedCardRate}/s allowed (${pct(r.cardRate, r.allowedCardRate)}), reactions ${r.reactionRate}/s of ${round(r.allowedReactionRate)}/s (${pct(r.reactionRate, r.allowedReactionRate)}); 429s ${JSON.stringify(r.rateLimited)}; failed deliveries ${r.failedDeliveries}`,
    `  peak RSS ${r.peakRssMb} MB${r.digestsPosted !== null ? `; scheduled digest posted ${r.digestsPosted} time(s)` : ''}`,
  ].join('\n');
}

function pct(a: number, b: number): string {
  return `${Math.round((a / b) * 100)}%`;
}
function round(n: number): number {
  return Math.round(n * 100) / 100;
}
function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
