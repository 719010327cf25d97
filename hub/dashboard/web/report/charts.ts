/**
 * The report's charts, all uPlot: line charts over the run, bar charts (per home, per decile), and the
 * loading-duration curve. Each chart fills its figure's width and is redrawn when the page is resized or
 * printed (the print width differs from the screen's).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from '../lib/dom.ts';
import { OKABE_ITO } from '../lib/palette.ts';

export interface SeriesSpec {
  label: string;
  colour: string;
  values: (number | null)[];
  /** Dashed line (a limit, a baseline). */
  dash?: boolean;
  /** Draw as bars instead of a line. */
  bars?: boolean;
  width?: number;
}

export interface ChartSpec {
  title: string;
  /** What the figure shows, for screen readers and as the caption. */
  caption: string;
  x: number[];
  series: SeriesSpec[];
  xLabel: string;
  yLabel: string;
  /** Category names for bar charts: x values 0…n−1 are labelled with these. */
  categories?: string[];
  /** The x values are whole numbers (days): ticks on whole numbers only. */
  wholeX?: boolean;
  /** Fixed y range (otherwise from the data, always including 0 for bars). */
  yRange?: [number, number];
  height?: number;
}

/** A colour per line a study draws of its own (a topology, a loss probability), in the order it lists them. */
export const STUDY_COLOURS = [
  OKABE_ITO.blue,
  OKABE_ITO.vermillion,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.orange,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.skyBlue,
  OKABE_ITO.black,
];

/** Tick spacings for an axis of whole numbers (categories, days). */
const WHOLE_INCREMENTS = [1, 2, 5, 10, 20, 50, 100, 200, 500];

const charts = new Set<{ plot: uPlot; box: HTMLElement }>();

/** A chart with a group of bars per row of a study, each labelled with the row's name. */
export function rowsChart(
  parent: HTMLElement,
  names: string[],
  spec: Omit<ChartSpec, 'x' | 'categories'>,
): HTMLElement {
  return chart(parent, { ...spec, x: names.map((_, index) => index), categories: names });
}

/** A series drawn as bars. */
export function bars(label: string, colour: string, values: number[]): SeriesSpec {
  return { label, colour, values, bars: true };
}

/** A figure with a uPlot chart in it, appended to `parent`. */
export function chart(parent: HTMLElement, spec: ChartSpec): HTMLElement {
  const box = h('div', { class: 'chart-box' });
  const figure = h(
    'figure',
    { class: 'chart', role: 'img', 'aria-label': `${spec.title}: ${spec.caption}` },
    box,
  );
  figure.append(h('figcaption', { class: 'small muted' }, spec.caption));
  parent.append(figure);
  const hasBars = spec.series.some((series) => series.bars);
  const barCount = spec.series.filter((series) => series.bars).length;
  const options: uPlot.Options = {
    title: spec.title,
    width: widthOf(box),
    height: spec.height ?? 240,
    scales: {
      x: spec.categories ? { time: false, range: [-0.6, spec.categories.length - 0.4] } : { time: false },
      y: spec.yRange
        ? { range: spec.yRange }
        : hasBars
          ? { range: (_u, min, max) => [Math.min(0, min), Math.max(0, max) * 1.05 || 1] }
          : {},
    },
    axes: [
      {
        label: spec.xLabel,
        ...(spec.categories
          ? {
              values: (_u: uPlot, ticks: number[]) =>
                ticks.map((tick) => (Number.isInteger(tick) ? (spec.categories?.[tick] ?? '') : '')),
              incrs: WHOLE_INCREMENTS,
              space: spec.categories.length > 12 ? 16 : 40,
              rotate: spec.categories.length > 12 ? -45 : 0,
              size: spec.categories.length > 12 ? 70 : 40,
            }
          : spec.wholeX
            ? { incrs: WHOLE_INCREMENTS }
            : {}),
      },
      { label: spec.yLabel, size: 60 },
    ],
    legend: { live: !spec.categories },
    cursor: { drag: { x: !spec.categories, y: false } },
    series: [
      { label: spec.xLabel },
      ...spec.series.map((series, index): uPlot.Series => {
        const barIndex = spec.series.slice(0, index).filter((s) => s.bars).length;
        return {
          label: series.label,
          stroke: series.colour,
          width: series.width ?? (series.bars ? 1 : 2),
          ...(series.dash ? { dash: [8, 5] } : {}),
          ...(series.bars
            ? {
                fill: `${series.colour}cc`,
                paths: groupedBars(spec.x, barIndex, barCount),
                points: { show: false },
              }
            : { points: { show: spec.x.length <= 60 } }),
        };
      }),
    ],
  };
  const plot = new uPlot(
    options,
    [spec.x, ...spec.series.map((series) => series.values)] as uPlot.AlignedData,
    box,
  );
  charts.add({ plot, box });
  return figure;
}

/** Bars of series `index` of `count` side by side around each x (0.8 of the category's width in all). */
function groupedBars(x: number[], index: number, count: number): uPlot.Series.PathBuilder | undefined {
  const width = 0.8 / Math.max(1, count);
  const starts = x.map((value) => value - 0.4 + width * index);
  const disp = {
    x0: { unit: 1, values: () => starts },
    size: { unit: 1, values: () => [width * 0.9] },
  };
  return uPlot.paths.bars?.({ disp } as unknown as uPlot.Series.BarsPathBuilderOpts);
}

function widthOf(box: HTMLElement): number {
  return Math.max(280, Math.floor(box.getBoundingClientRect().width));
}

/** Resizes every chart to its figure's width (after a window resize or before printing). */
export function resizeCharts(): void {
  for (const { plot, box } of charts) {
    const width = widthOf(box);
    if (Math.abs(width - plot.width) > 2) plot.setSize({ width, height: plot.height });
  }
}

let pending = 0;
window.addEventListener('resize', () => {
  cancelAnimationFrame(pending);
  pending = requestAnimationFrame(resizeCharts);
});
window.addEventListener('beforeprint', resizeCharts);
window.addEventListener('afterprint', resizeCharts);
