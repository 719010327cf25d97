import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from '../lib/dom.ts';
import { OKABE_ITO, STATUTORY_BAND_VOLTS } from '../lib/palette.ts';
import type { LiveStore } from './store.ts';

const CHART_HEIGHT_PX = 170;

/** uPlot's x axis in simulated time (UTC), labelled as the hour of the day. */
const timeAxis: uPlot.Axis = {
  // Clock-friendly steps (s) with room for an hh:mm:ss label between ticks, on a projector as on a tablet.
  space: 90,
  incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400],
  // Seconds only when the ticks are less than a minute apart (a fast table clock).
  values: (_chart, ticks, _axis, _space, incrementS) =>
    ticks.map((t) => new Date(t * 1000).toISOString().slice(11, incrementS < 60 ? 19 : 16)),
};

/**
 * The street's recent history in two uPlot charts: transformer and worst-line loading (%), and the lowest and
 * highest voltage on the street with the statutory band's limits.
 */
export class TrendCharts {
  private readonly loading: uPlot;
  private readonly voltage: uPlot;

  constructor(
    container: HTMLElement,
    private readonly store: LiveStore,
  ) {
    const loadingBox = h('figure', { class: 'chart', 'aria-label': 'loading over time' });
    const voltageBox = h('figure', { class: 'chart', 'aria-label': 'voltage over time' });
    container.append(loadingBox, voltageBox);
    const width = Math.max(300, loadingBox.getBoundingClientRect().width);
    this.loading = new uPlot(
      {
        title: 'Loading (% of rating)',
        legend: { live: false },
        width,
        height: CHART_HEIGHT_PX,
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(110, max * 1.05)] } },
        axes: [timeAxis, { label: 'per cent' }],
        series: [
          {},
          { label: 'transformer', stroke: OKABE_ITO.blue, width: 2 },
          { label: 'worst line', stroke: OKABE_ITO.orange, width: 2, dash: [6, 3] },
          { label: 'rating', stroke: OKABE_ITO.vermillion, width: 1, dash: [2, 3], points: { show: false } },
        ],
      },
      [[], [], [], []],
      loadingBox,
    );
    this.voltage = new uPlot(
      {
        title: 'Voltage on the street (V)',
        legend: { live: false },
        width,
        height: CHART_HEIGHT_PX,
        scales: {
          x: { time: false },
          y: {
            range: (_u, min, max) => [
              Math.min(STATUTORY_BAND_VOLTS.min - 4, min - 1),
              Math.max(STATUTORY_BAND_VOLTS.max + 4, max + 1),
            ],
          },
        },
        axes: [timeAxis, { label: 'volts' }],
        series: [
          {},
          { label: 'lowest', stroke: OKABE_ITO.blue, width: 2 },
          { label: 'highest', stroke: OKABE_ITO.orange, width: 2 },
          { label: '216.2 V', stroke: '#000', width: 1, dash: [4, 4], points: { show: false } },
          { label: '253 V', stroke: '#000', width: 1, dash: [4, 4], points: { show: false } },
        ],
      },
      [[], [], [], [], []],
      voltageBox,
    );
    new ResizeObserver(() => {
      const size = {
        width: Math.max(300, loadingBox.getBoundingClientRect().width),
        height: CHART_HEIGHT_PX,
      };
      this.loading.setSize(size);
      this.voltage.setSize(size);
    }).observe(container);
  }

  render(): void {
    const history = this.store.history;
    const constant = (value: number) => history.t.map(() => value);
    this.loading.setData([history.t, history.transformerPct, history.maxLinePct, constant(100)]);
    this.voltage.setData([
      history.t,
      history.vMin,
      history.vMax,
      constant(STATUTORY_BAND_VOLTS.min),
      constant(STATUTORY_BAND_VOLTS.max),
    ]);
  }
}
