import { describe, expect, it } from 'vitest';
import { CHART_HEIGHT, CHART_SCALE, CHART_WIDTH, renderDigestChart, renderDigestChartSvg, type ChartDay } from '../../../src/reports/chart.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function fortnight(scale = 1): ChartDay[] {
  return Array.from({ length: 14 }, (_, i) => ({
    day: `2025-03-${String(3 + i).padStart(2, '0')}`,
    created: Math.round((20 + ((i * 7) % 13)) * scale),
    solved: Math.round((18 + ((i * 5) % 11)) * scale),
    firstReplyMedianHours: i === 6 ? null : 1 + (i % 4) * 0.75,
  }));
}

/** Width and height from the IHDR chunk, which always directly follows the 8-byte signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('digest chart', () => {
  it('renders a PNG of the configured size', async () => {
    const png = await renderDigestChart(fortnight());
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(pngSize(png)).toEqual({ width: CHART_WIDTH * CHART_SCALE, height: CHART_HEIGHT * CHART_SCALE });
  });

  it('draws the data: different figures give a different image', async () => {
    const [a, b] = await Promise.all([renderDigestChart(fortnight()), renderDigestChart(fortnight(2))]);
    expect(a.equals(b)).toBe(false);
  });

  it('labels the axes, the series and every day', async () => {
    const svg = await renderDigestChartSvg(fortnight(), { timeZoneLabel: 'Europe/Paris' });
    expect(svg).toContain(`width="${CHART_WIDTH}" height="${CHART_HEIGHT}"`);
    for (const text of ['Tickets per day', 'First reply, median (hours)', 'Day (Europe/Paris)', 'Tickets created', 'Tickets solved']) expect(svg).toContain(text);
    expect(svg).toContain('Last 14 days: tickets created and solved, first reply time (median)');
    // Two-line day labels: weekday, then date.
    for (const [weekday, date] of [['Mon', 'Mar 3'], ['Sun', 'Mar 9'], ['Sun', 'Mar 16']]) expect(svg).toMatch(new RegExp(`<tspan>${weekday}</tspan><tspan[^>]*>${date}</tspan>`));
  });

  it('takes a custom title', async () => {
    const svg = await renderDigestChartSvg(fortnight(), { title: 'Support, week 10' });
    expect(svg).toContain('Support, week 10');
  });

  it('does not mutate its input', async () => {
    const days = fortnight();
    const before = structuredClone(days);
    await renderDigestChartSvg(days);
    expect(days).toEqual(before);
    expect(Object.getOwnPropertySymbols(days[0])).toEqual([]);
  });

  it.each<[string, ChartDay[]]>([
    ['no days', []],
    ['only zeros and no replies', fortnight().map((d) => ({ ...d, created: 0, solved: 0, firstReplyMedianHours: null }))],
  ])('renders an empty chart for %s', async (_, days) => {
    const png = await renderDigestChart(days);
    expect(pngSize(png)).toEqual({ width: CHART_WIDTH * CHART_SCALE, height: CHART_HEIGHT * CHART_SCALE });
    // A collapsed [0, 0] domain would print '0.000000' tick labels.
    expect(await renderDigestChartSvg(days)).not.toContain('0.000000');
  });
});
