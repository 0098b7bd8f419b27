// Renders the KPI digest chart with 14 days of made-up figures, to look at it without a database or Slack.
// Usage: npx tsx scripts/render-sample-chart.ts docs/digest-chart.png
import { writeFile } from 'node:fs/promises';
import { renderDigestChart, type ChartDay } from '../src/reports/chart.js';

const output = process.argv[2] ?? 'digest-chart.png';

// Weekday-heavy traffic, quieter weekends, one weekend day without any first reply (null median).
const created = [34, 41, 38, 45, 29, 8, 5, 39, 47, 36, 42, 31, 6, 4];
const solved = [28, 37, 40, 39, 33, 10, 3, 35, 41, 39, 38, 34, 7, 5];
const medians = [1.4, 2.1, 1.8, 3.6, 2.4, 5.2, null, 1.2, 2.8, 1.9, 2.2, 1.6, 6.5, 4.1];

const start = Date.UTC(2025, 2, 3); // a Monday
const days: ChartDay[] = created.map((count, i) => ({
  day: new Date(start + i * 86_400_000).toISOString().slice(0, 10),
  created: count,
  solved: solved[i],
  firstReplyMedianHours: medians[i],
}));

const png = await renderDigestChart(days, { timeZoneLabel: 'Europe/Paris' });
await writeFile(output, png);
console.log(`wrote ${output} (${png.length} bytes)`);
