import type { LiveComparison } from '../../../../protocol/gridflex.ts';
import { h, s } from '../lib/dom.ts';
import { busDrawKw, type LineFlow, lineFlowsKw } from '../lib/flows.ts';
import { formatGbp, formatKw, formatMinuteOfDay, formatSimTime } from '../lib/format.ts';
import { loadingClass, loadingColour, OKABE_ITO } from '../lib/palette.ts';
import { cableName, decisionSentences, headline, type StreetMoment } from './plain-words.ts';
import { comparedStreets } from './policy-comparison.ts';
import type { LiveStore } from './store.ts';
import { StreetMap } from './street-map.ts';

/**
 * The smallest text on the projector view, as a share of the screen's height: 2.5 % is 18 px at 1280×720 and
 * 27 px at 1920×1080, about 5 cm on a 3 m wide projected image, readable from 8 m at the back of a hall (the
 * usual rule of thumb is 1 cm of letter height per 2–3 m of distance). Headings and the clock are larger.
 */
export const SHOW_MIN_FONT_VH = 2.5;

/** How many residents' decisions the view tells at most (fewer if the column runs out of room). */
const DECISIONS_MAX = 4;

/**
 * Sunrise and sunset in London by month (UTC, minutes of the day, mid-month): enough to tell day from night on
 * the clock; the simulation runs in UTC/GMT.
 */
const LONDON_DAYLIGHT_UTC: readonly [number, number][] = [
  [8 * 60, 16 * 60 + 15],
  [7 * 60 + 20, 17 * 60 + 5],
  [6 * 60 + 15, 17 * 60 + 55],
  [5 * 60 + 10, 18 * 60 + 50],
  [4 * 60 + 15, 19 * 60 + 40],
  [3 * 60 + 45, 20 * 60 + 20],
  [4 * 60, 20 * 60 + 10],
  [4 * 60 + 45, 19 * 60 + 20],
  [5 * 60 + 35, 18 * 60 + 15],
  [6 * 60 + 25, 17 * 60 + 5],
  [7 * 60 + 15, 16 * 60 + 10],
  [8 * 60, 15 * 60 + 55],
];

/** Sunrise and sunset (minutes of the day, UTC) for the month of `iso`. */
export function daylightOf(iso: string): [number, number] {
  const month = new Date(iso).getUTCMonth();
  return LONDON_DAYLIGHT_UTC[Number.isNaN(month) ? 0 : month] ?? [7 * 60, 19 * 60];
}

/**
 * Projector mode (`?show=1`): the whole screen, nothing to scroll. A big clock with day and night, a headline of
 * what just happened, the street with power flowing along its cables, the transformer's worst phase, the
 * residents' decisions in sentences, and the same street under the other policies as one bar chart.
 */
export class ShowView {
  private readonly street: StreetMap;
  private readonly clock = h('div', { class: 'show-clock' });
  private readonly headlineLine = h('p', { class: 'show-headline', 'aria-live': 'polite' });
  private readonly transformer = h('section', { class: 'show-panel show-transformer' });
  private readonly decisions = h('section', { class: 'show-panel show-decisions' });
  private readonly comparison = h('section', { class: 'show-panel show-comparison' });
  private before: StreetMoment | null = null;
  private beforeStep = -1;
  private lastHeadline: { text: string; step: number } | null = null;

  constructor(
    root: HTMLElement,
    private readonly store: LiveStore,
  ) {
    const streetBox = h('section', { class: 'show-street', 'aria-label': 'the street' });
    const exit = new URL(location.href);
    exit.searchParams.delete('show');
    root.replaceChildren(
      h(
        'header',
        { class: 'show-top' },
        this.clock,
        this.headlineLine,
        h('a', { class: 'show-exit', href: exit.toString(), title: 'back to the full dashboard' }, '✕ exit'),
      ),
      streetBox,
      h('div', { class: 'show-side' }, this.transformer, this.decisions, this.comparison),
    );
    this.street = new StreetMap(streetBox, store, {
      show: { labelPx: () => Math.max(13, (window.innerHeight * SHOW_MIN_FONT_VH) / 100) },
    });
  }

  render(): void {
    this.street.render();
    const layout = this.store.layout;
    const busPKw = busDrawKw(this.store.buses.values(), this.store.sharedBattery);
    const flows = new Map(layout ? lineFlowsKw(layout, busPKw).map((flow) => [flow.line, flow]) : []);
    this.renderClock();
    this.renderHeadline(flows);
    this.renderTransformer();
    // The decisions last: they take the room the other two leave.
    this.renderComparison();
    this.renderDecisions();
  }

  private renderClock(): void {
    const clock = this.store.clock;
    if (!clock) {
      this.clock.replaceChildren(h('span', { class: 'show-time' }, '--:--'));
      return;
    }
    const [sunrise, sunset] = daylightOf(clock.simTime);
    const minute = clock.minuteOfDay;
    const day = minute >= sunrise && minute < sunset;
    this.clock.dataset.daylight = day ? 'day' : 'night';
    document.body.dataset.daylight = day ? 'day' : 'night';
    // A 24-hour dial: daylight as a yellow arc over the night's dark blue, midnight at the bottom.
    const angle = (m: number) => (m / 1440) * 2 * Math.PI + Math.PI / 2;
    const at = (m: number, r: number) => ({ x: 50 + r * Math.cos(angle(m)), y: 50 + r * Math.sin(angle(m)) });
    const rise = at(sunrise, 40);
    const set = at(sunset, 40);
    const hand = at(minute, 34);
    const large = sunset - sunrise > 720 ? 1 : 0;
    this.clock.replaceChildren(
      s(
        'svg',
        {
          class: 'show-dial',
          viewBox: '0 0 100 100',
          role: 'img',
          'aria-label': `${day ? 'daytime' : 'night'}, sunrise ${formatMinuteOfDay(sunrise)}, sunset ${formatMinuteOfDay(sunset)}`,
        },
        s('circle', { cx: 50, cy: 50, r: 49, fill: '#fff' }),
        s('circle', { cx: 50, cy: 50, r: 40, fill: 'none', stroke: '#1d3a7a', 'stroke-width': 16 }),
        s('path', {
          d: `M${rise.x} ${rise.y} A40 40 0 ${large} 1 ${set.x} ${set.y}`,
          fill: 'none',
          stroke: OKABE_ITO.yellow,
          'stroke-width': 16,
        }),
        s('line', {
          x1: 50,
          y1: 50,
          x2: hand.x,
          y2: hand.y,
          stroke: '#000',
          'stroke-width': 6,
          'stroke-linecap': 'round',
        }),
        s('circle', { cx: 50, cy: 50, r: 6, fill: '#000' }),
      ),
      h(
        'div',
        { class: 'show-when' },
        h(
          'span',
          { class: 'show-time', 'data-sim-time': clock.simTime },
          `${day ? '☀' : '☾'} ${formatMinuteOfDay(minute)}`,
        ),
        h('span', { class: 'show-date' }, formatSimTime(clock.simTime).replace(/,.*$/, '')),
      ),
    );
  }

  /** The moment the headline compares with the one before. */
  private moment(): StreetMoment | null {
    const { clock, summary } = this.store;
    if (!clock || !summary) return null;
    const assets = new Map<string, { kind: string; home: string; pKw: number }>();
    for (const home of this.store.homes.values())
      for (const asset of home.assets)
        assets.set(asset.asset, { kind: asset.kind, home: home.home, pKw: asset.pKw });
    return {
      minuteOfDay: clock.minuteOfDay,
      importPriceGbpPerKwh: this.store.prices?.importPriceGbpPerKwh ?? null,
      priceBand: this.store.prices?.band ?? null,
      assets,
      lineLoadingPct: this.store.lineLoadingPct() ?? new Map(),
      transformerPct: summary.transformerLoadingPct,
      vMin: { volts: summary.vMin.volts, bus: summary.vMin.bus },
    };
  }

  private renderHeadline(flows: ReadonlyMap<string, LineFlow>): void {
    const now = this.moment();
    const layout = this.store.layout;
    const step = this.store.summary?.step ?? -1;
    if (!now || !layout) {
      this.headlineLine.textContent = 'Waiting for the street…';
      return;
    }
    if (step !== this.beforeStep) {
      const text = headline(this.before, now, layout, flows);
      if (text) this.lastHeadline = { text, step };
      this.before = now;
      this.beforeStep = step;
    }
    // Something that happened stays up for a while; otherwise the street's state now, in words.
    const recent = this.lastHeadline && step - this.lastHeadline.step < 12 ? this.lastHeadline.text : null;
    this.headlineLine.dataset.headline = recent ? 'event' : 'status';
    this.headlineLine.textContent = recent ?? this.statusWords(now, flows);
  }

  private statusWords(now: StreetMoment, flows: ReadonlyMap<string, LineFlow>): string {
    const homesKw = [...this.store.homes.values()].reduce((sum, home) => sum + home.netPKw, 0);
    let busiest: { line: string; pct: number } | null = null;
    for (const [line, pct] of now.lineLoadingPct)
      if (pct !== null && (busiest === null || pct > busiest.pct)) busiest = { line, pct };
    const cable = busiest
      ? `; the busiest cable, ${cableName(flows.get(busiest.line), busiest.line, this.store.layout?.plots.length ?? 0)}, is at ${Math.round(busiest.pct)} %`
      : '';
    return `At ${formatMinuteOfDay(now.minuteOfDay)} the homes ${homesKw >= 0 ? 'use' : 'export'} ${formatKw(Math.abs(homesKw))}${cable}.`;
  }

  private renderTransformer(): void {
    const summary = this.store.summary;
    const pct = summary?.transformerLoadingPct ?? Number.NaN;
    const homesKw = [...this.store.homes.values()].reduce((sum, home) => sum + home.netPKw, 0);
    const battery = this.store.sharedBattery;
    const batteryKw = battery ? battery.dischargeKw - battery.chargeKw : 0;
    const level = Number.isFinite(pct) ? loadingClass(pct) : null;
    this.transformer.replaceChildren(
      h('h2', {}, 'Transformer, worst phase'),
      h(
        'div',
        { class: 'show-big-row' },
        h(
          'strong',
          { class: 'show-big', 'data-transformer-pct': Number.isFinite(pct) ? pct.toFixed(1) : '' },
          Number.isFinite(pct) ? `${Math.round(pct)} %` : '—',
        ),
        h(
          'div',
          {
            class: 'show-bar',
            role: 'meter',
            'aria-valuenow': Number.isFinite(pct) ? pct : 0,
            'aria-valuemin': 0,
            'aria-valuemax': 150,
          },
          h('span', {
            style: `width:${Math.min(100, (Math.max(0, pct) / 150) * 100 || 0).toFixed(1)}%;background:${loadingColour(pct)}`,
          }),
          h('i', {
            class: 'show-bar-rating',
            style: `left:${((100 / 150) * 100).toFixed(1)}%`,
            title: 'its rating',
          }),
        ),
        h('span', {}, level?.label ?? ''),
      ),
      summary
        ? h(
            'p',
            { 'data-street-kw': summary.substationPKw.toFixed(2) },
            `Homes use ${formatKw(homesKw)}` +
              (Math.abs(batteryKw) >= 0.05
                ? `, the shared battery ${batteryKw > 0 ? 'gives' : 'stores'} ${formatKw(Math.abs(batteryKw))}`
                : '') +
              `; from the grid ${formatKw(summary.substationPKw)}.`,
          )
        : '',
    );
  }

  private renderDecisions(): void {
    const all = decisionSentences(this.store.decisions.values(), DECISIONS_MAX);
    const policy = this.store.livePolicy?.running ?? [...this.store.decisions.values()][0]?.policy;
    const list = h('ul', {});
    this.decisions.replaceChildren(
      h('h2', {}, policy ? `Residents’ agents (${policy})` : 'Residents’ agents'),
      all.length === 0
        ? h('p', {}, 'Nothing to decide yet: no EV, heat pump or battery is online on the table.')
        : list,
    );
    // As many sentences as the column has room for: none is ever cut off.
    for (const sentence of all) {
      const item = h('li', { 'data-decision': '' }, sentence);
      list.append(item);
      if (this.decisions.scrollHeight > this.decisions.clientHeight + 1) {
        item.remove();
        break;
      }
    }
  }

  private renderComparison(): void {
    const comparison = this.store.comparison;
    if (!comparison) {
      this.comparison.replaceChildren(
        h('h2', {}, 'Other policies'),
        h('p', {}, 'Shown when the table map runs shadow runs (live.shadows).'),
      );
      return;
    }
    const streets = comparedStreets(comparison).filter((street) => street.key !== comparison.running.policy);
    const fullKw = Math.max(0.1, ...streets.map((street) => street.figures.peakKw));
    this.comparison.replaceChildren(
      h('h2', {}, 'Every policy: peak and bills'),
      h(
        'div',
        {
          class: 'show-bars',
          role: 'img',
          'aria-label': streets.map((st) => `${st.label} ${formatKw(st.figures.peakKw)}`).join(', '),
        },
        ...streets.map((street) =>
          h(
            'div',
            { class: street.running ? 'show-bar-row running' : 'show-bar-row', 'data-bar': street.key },
            h('span', { class: 'show-bar-label' }, street.key === 'table' ? `▶ table` : street.label),
            h(
              'span',
              { class: 'show-bar-track' },
              h('span', {
                style: `width:${((Math.max(0, street.figures.peakKw) / fullKw) * 100).toFixed(1)}%;background:${street.running ? OKABE_ITO.blue : OKABE_ITO.skyBlue}`,
              }),
            ),
            h(
              'span',
              { class: 'show-bar-value' },
              `${formatKw(street.figures.peakKw)} · ${formatGbp(street.figures.billsGbp)}`,
            ),
          ),
        ),
      ),
      h('p', { class: 'show-note', 'data-price-of-anarchy': '' }, anarchyInShort(comparison)),
    );
  }
}

/** The price of anarchy in one short line: "Selfish against central: bills ×1.12, peak ×1.40". */
function anarchyInShort(comparison: LiveComparison): string {
  const { bills, peak } = comparison.priceOfAnarchy;
  if (bills === null && peak === null) return 'Selfish against central: needs both shadow runs.';
  const times = (ratio: number | null) => (ratio === null ? '—' : `×${ratio.toFixed(2)}`);
  return `Selfish against central: bills ${times(bills)}, peak ${times(peak)}.`;
}
