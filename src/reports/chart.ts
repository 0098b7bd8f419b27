// The chart image the daily KPI digest posts into Slack.
//
// Pipeline: Vega-Lite spec -> `compile` to a Vega spec -> headless Vega `View` -> SVG string -> resvg -> PNG.
// Why resvg: Vega only rasterises through node-canvas (a native build with cairo/pango system libraries);
// resvg is a self-contained Rust renderer shipped as a prebuilt binary, and Slack needs a PNG, not an SVG.
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface ChartDay {
  /** Calendar day, 'YYYY-MM-DD', already in the digest's time zone. */
  day: string;
  created: number;
  solved: number;
  /** Median hours to the first agent reply for tickets created that day; null when there is none. */
  firstReplyMedianHours: number | null;
}

export interface ChartOptions {
  title?: string;
  /** Shown in the x axis title, e.g. 'Europe/Paris', so readers know where the day boundaries are. */
  timeZoneLabel?: string;
}

/** Size of the SVG in CSS pixels; the PNG is SCALE times larger so it stays crisp on high-density screens. */
export const CHART_WIDTH = 900;
export const CHART_HEIGHT = 400;
export const CHART_SCALE = 2;

const FONT = 'DejaVu Sans';
const CREATED = 'Tickets created';
const SOLVED = 'Tickets solved';
const FIRST_REPLY = 'First reply, median (hours)';
const COLORS = { [CREATED]: '#4C78A8', [SOLVED]: '#54A24B', [FIRST_REPLY]: '#E45756' };

// With no data, or only zeros, Vega's domain collapses to [0, 0] and the axis prints '0.000000' in the
// middle of the plot; a [0, 1] domain draws an ordinary empty chart instead.
const zeroSafe = (values: number[]) => (values.some((v) => v > 0) ? { domainMin: 0 } : { domain: [0, 1] });

function digestSpec(days: ChartDay[], options: ChartOptions): TopLevelSpec {
  const x = {
    field: 'day',
    type: 'ordinal' as const,
    sort: 'ascending' as const,
    // Days are UTC-midnight ISO dates, so format them in UTC to keep the label on the same calendar day.
    // An array label is drawn on two lines: weekday, then date ('Mon' / 'Mar 3').
    axis: {
      title: options.timeZoneLabel ? `Day (${options.timeZoneLabel})` : 'Day',
      labelAngle: 0,
      labelExpr: "[utcFormat(toDate(datum.value), '%a'), utcFormat(toDate(datum.value), '%b %-d')]",
    },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    // 'fit' + 'padding': the whole image (axes, legend, title included) is exactly width x height.
    autosize: { type: 'fit', contains: 'padding' },
    padding: 12,
    background: 'white',
    title: {
      text: options.title ?? `${days.length === 1 ? 'Last day' : `Last ${days.length} days`}: tickets created and solved, first reply time (median)`,
      anchor: 'start',
      fontSize: 16,
    },
    config: { font: FONT, axis: { labelFontSize: 12, titleFontSize: 13 }, legend: { labelFontSize: 12, labelLimit: 400, orient: 'top' } },
    // Copies: Vega tags every data object it ingests with an internal id, i.e. it mutates its input.
    data: { values: days.map((d) => ({ ...d })) },
    layer: [
      {
        // Grouped bars: one column per day, one bar per series inside it.
        transform: [{ fold: ['created', 'solved'], as: ['key', 'count'] }, { calculate: `datum.key === 'created' ? '${CREATED}' : '${SOLVED}'`, as: 'series' }],
        mark: { type: 'bar', cornerRadiusEnd: 2 },
        encoding: {
          x,
          xOffset: { field: 'series', type: 'nominal', sort: [CREATED, SOLVED] },
          y: {
            field: 'count',
            type: 'quantitative',
            axis: { title: 'Tickets per day', tickMinStep: 1 },
            scale: zeroSafe(days.flatMap((d) => [d.created, d.solved])),
          },
          color: {
            field: 'series',
            type: 'nominal',
            scale: { domain: Object.keys(COLORS), range: Object.values(COLORS) },
            legend: { title: null },
          },
        },
      },
      {
        // Null medians are left in: Vega-Lite breaks the line there and draws no point, rather than
        // joining the neighbours as if the day had a value.
        mark: { type: 'line', point: true, strokeWidth: 2.5 },
        encoding: {
          x,
          y: {
            field: 'firstReplyMedianHours',
            type: 'quantitative',
            scale: zeroSafe(days.map((d) => d.firstReplyMedianHours ?? 0)),
            axis: { title: FIRST_REPLY, orient: 'right', titleColor: COLORS[FIRST_REPLY], labelColor: COLORS[FIRST_REPLY] },
          },
          color: { datum: FIRST_REPLY },
        },
      },
    ],
    // Hours and ticket counts have unrelated ranges (3 h vs 40 tickets): on one shared axis the line would
    // be flattened against the bottom, so the median gets its own y scale and axis on the right.
    resolve: { scale: { y: 'independent' } },
  };
}

/** The chart as an SVG string (CHART_WIDTH x CHART_HEIGHT). */
export async function renderDigestChartSvg(days: ChartDay[], options: ChartOptions = {}): Promise<string> {
  const { spec } = compile(digestSpec(days, options));
  // renderer 'none': no DOM and no canvas; toSVG renders the scenegraph to a string by itself.
  const view = new View(parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const RESVG_OPTIONS: ResvgRenderOptions = {
  fitTo: { mode: 'zoom', value: CHART_SCALE },
  background: 'white',
  // resvg does not read the SVG's CSS font fallbacks the way a browser does: point every generic family at
  // the installed DejaVu Sans. If no font is found at all, text is skipped and the rest still renders.
  font: { loadSystemFonts: true, defaultFontFamily: FONT, sansSerifFamily: FONT },
  logLevel: 'off',
};

/** The digest chart as PNG bytes, (CHART_WIDTH x CHART_HEIGHT) * CHART_SCALE pixels. */
export async function renderDigestChart(days: ChartDay[], options: ChartOptions = {}): Promise<Buffer> {
  const svg = await renderDigestChartSvg(days, options);
  return new Resvg(svg, RESVG_OPTIONS).render().asPng();
}
