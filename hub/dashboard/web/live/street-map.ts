import type { TableAsset } from '../../../../protocol/gridflex.ts';
import { s, setAttribute } from '../lib/dom.ts';
import type { FeederLayout } from '../lib/feeder-layout.ts';
import { busDrawKw, lineFlowsKw } from '../lib/flows.ts';
import { formatKw, formatPct, formatVolts } from '../lib/format.ts';
import {
  ASSET_COLOURS,
  LOADING_CLASSES,
  loadingClass,
  loadingColour,
  OKABE_ITO,
  STATUTORY_BAND_VOLTS,
  VOLTAGE_SCALE_STOPS,
  viridis,
  voltageColour,
  voltagePosition,
} from '../lib/palette.ts';
import type { LiveStore } from './store.ts';

/** Above this many plots the map drops per-home labels (the IEEE street has 55 homes). */
const LABELLED_PLOTS_MAX = 16;
const ASSET_LETTERS: Readonly<Record<string, string>> = {
  pv: 'PV',
  ev: 'EV',
  'heat-pump': 'HP',
  battery: 'B',
  load: 'L',
};

/** The bus's worst phase voltage: the one farthest from 230 V (what decides whether it is in band). */
export function worstPhaseVolts(vVolts: readonly number[]): number {
  let worst = Number.NaN;
  for (const volts of vVolts) {
    if (!Number.isFinite(volts)) continue;
    if (!(Math.abs(volts - 230) <= Math.abs(worst - 230))) worst = volts;
  }
  return worst;
}

/** Below this power a line shows no moving flow (noise of a few watts is not a flow worth pointing at). */
const FLOW_MIN_KW = 0.05;

/** How the map is drawn: in the page (labels 13 px, height from the width) or on a projector (see {@link StreetMap}). */
export interface StreetMapOptions {
  /**
   * Projector mode: labels at `labelPx` (and every offset scaled with them), and the street fitted into the
   * container's height as well as its width, so the page never scrolls.
   */
  show?: { labelPx: () => number };
}

const outOfBand = (volts: number) => volts < STATUTORY_BAND_VOLTS.min || volts > STATUTORY_BAND_VOLTS.max;

/**
 * The street drawn from the feeder's bus coordinates as SVG: lines, buses coloured by voltage (a ring and "!"
 * outside the statutory band), the transformer with its loading, and each home with its assets and power.
 * Drawn at the container's pixel size so text stays readable on a projector and a tablet alike.
 */
export class StreetMap {
  private readonly svg: SVGSVGElement;
  private widthPx = 0;
  private heightPx = 0;
  /**
   * The drawing's layers, kept from one render to the next; the flow dots are kept too (updated in place), so
   * their animation runs on smoothly instead of restarting at every step.
   */
  private readonly layers = {
    lines: s('g', { class: 'lines' }),
    flows: s('g', { class: 'flows' }),
    buses: s('g', { class: 'buses' }),
    transformer: s('g', { class: 'transformer' }),
    homes: s('g', { class: 'homes' }),
  };
  private readonly flowDots = new Map<string, SVGLineElement>();
  /** Says in the legend why a line is grey (unrated, or no per-line loading received yet). */
  private readonly lineNote: HTMLSpanElement;

  constructor(
    container: HTMLElement,
    private readonly store: LiveStore,
    private readonly options: StreetMapOptions = {},
  ) {
    this.svg = s('svg', {
      class: 'street',
      role: 'img',
      'aria-label': 'the street: feeder, homes and assets',
    });
    this.lineNote = document.createElement('span');
    const layers = this.layers;
    this.svg.append(layers.lines, layers.flows, layers.buses, layers.transformer, layers.homes);
    container.append(this.svg, legend(store.layout, this.lineNote, options.show?.labelPx() ?? null));
    const sized = this.svg;
    new ResizeObserver(() => {
      const box = sized.getBoundingClientRect();
      const width = Math.round(box.width);
      const height = Math.round(box.height);
      if (width !== this.widthPx || (options.show && height !== this.heightPx)) {
        this.widthPx = width;
        this.heightPx = height;
        this.render();
      }
    }).observe(sized);
  }

  render(): void {
    const layout = this.store.layout;
    if (!layout || this.widthPx === 0) return;
    const coordinates = new Map(layout.buses.map((bus) => [bus.bus, bus]));
    const xs = layout.buses.map((bus) => bus.x);
    const ys = layout.buses.map((bus) => bus.y);
    const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const labelled = layout.plots.length <= LABELLED_PLOTS_MAX;
    const show = this.options.show;
    // Every label offset scales with the label size (13 px in the page, larger on a projector).
    const k = show ? show.labelPx() / 13 : 1;
    this.svg.style.setProperty('--label-px', `${(13 * k).toFixed(1)}px`);
    // Room for the labels around the outermost homes, and for the transformer left of the first bus.
    const padX = (labelled ? 90 : 20) * k;
    const padY = (labelled ? 100 : 20) * k;
    const width = this.widthPx;
    const scale = Math.min(
      (width - 2 * padX) / Math.max(1e-9, maxX - minX),
      show
        ? // On a projector the street fills its box and never more.
          (this.heightPx - 2 * padY) / Math.max(1e-9, maxY - minY, labelled ? (maxX - minX) / 4 : 0)
        : // A big street fits a box no taller than it is wide (and at most 620 px), so the page scrolls past it.
          labelled
          ? Number.POSITIVE_INFINITY
          : (Math.min(width * 0.6, 620) - 2 * padY) / Math.max(1e-9, maxY - minY),
    );
    const height = show ? this.heightPx : Math.max(160, (maxY - minY) * scale + 2 * padY);
    // On a projector a schematic street may stretch up to 3× across its length, so the two sides of the street
    // and their labels use the screen's height rather than crowd the middle.
    // A geographic street (too many homes for labels) keeps its shape.
    const scaleY =
      show && labelled ? Math.min(3 * scale, (height - 2 * padY) / Math.max(1e-9, maxY - minY)) : scale;
    const offsetX = (width - (maxX - minX) * scale) / 2;
    const offsetY = show ? (height - (maxY - minY) * scaleY) / 2 : padY;
    // North (larger y) up.
    const point = (bus: string) => {
      const at = coordinates.get(bus);
      return at ? { x: offsetX + (at.x - minX) * scale, y: height - offsetY - (at.y - minY) * scaleY } : null;
    };
    this.svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    this.svg.setAttribute('height', String(height));

    const lines = s('g', { class: 'lines' });
    const shownFlows = new Set<string>();
    const busPKw = busDrawKw(this.store.buses.values(), this.store.sharedBattery);
    const flows = new Map(lineFlowsKw(layout, busPKw).map((flow) => [flow.line, flow]));
    const lineLoading = this.store.lineLoadingPct();
    if (!show)
      this.lineNote.textContent = lineLoading
        ? '(grey: unrated line)'
        : '(lines grey until the first step arrives)';
    for (const line of layout.lines) {
      const from = point(line.fromBus);
      const to = point(line.toBus);
      if (!from || !to) continue;
      const pct = lineLoading?.get(line.line);
      const known = pct !== undefined && pct !== null;
      const loading = known ? loadingClass(pct) : null;
      const widthPx = (known ? 3 + Math.min(6, pct / 20) : labelled ? 4 : 1.5) * (show ? k : 1);
      lines.append(
        s(
          'line',
          {
            x1: from.x,
            y1: from.y,
            x2: to.x,
            y2: to.y,
            stroke: known ? loadingColour(pct) : '#8a8a8a',
            'stroke-width': widthPx,
            'stroke-linecap': 'round',
            'data-line': line.line,
            'data-loading-class': loading?.label ?? '',
          },
          s(
            'title',
            {},
            `${line.line} (${line.fromBus}–${line.toBus}, ${Math.round(line.lengthM)} m)` +
              (known ? `: ${formatPct(pct)} of rating, ${loading?.label}` : ''),
          ),
        ),
      );
      const flow = flows.get(line.line);
      if (flow && Math.abs(flow.pKw) >= FLOW_MIN_KW && this.store.buses.size > 0) {
        // Dots that run along the cable the way the power goes: drawn from where it comes from, so one
        // animation (dash offset decreasing) moves them forward; bigger and faster the more power flows.
        const forward = flow.pKw > 0;
        const near = point(flow.nearBus);
        const far = point(flow.farBus);
        if (!near || !far) continue;
        const [start, end] = forward ? [near, far] : [far, near];
        const kw = Math.abs(flow.pKw);
        const dotPx = Math.min(widthPx + 6 * k, Math.max(3 * k, 2 * k + Math.sqrt(kw) * 1.6 * k));
        const speedS = Math.max(0.5, Math.min(4, 4 / Math.sqrt(kw)));
        const attributes: Record<string, string> = {
          x1: String(start.x),
          y1: String(start.y),
          x2: String(end.x),
          y2: String(end.y),
          'stroke-width': dotPx.toFixed(2),
          'stroke-dasharray': `0 ${(18 * k).toFixed(1)}`,
          style: `--flow-gap:${(18 * k).toFixed(1)}px;animation-duration:${speedS.toFixed(2)}s`,
          'data-flow-kw': flow.pKw.toFixed(2),
          'data-flow-direction': forward ? 'outward' : 'towards-substation',
        };
        let dot = this.flowDots.get(line.line);
        if (!dot) {
          dot = s('line', {
            class: 'flow',
            stroke: '#111',
            'stroke-opacity': 0.85,
            'stroke-linecap': 'round',
            'data-flow-line': line.line,
          });
          this.flowDots.set(line.line, dot);
          this.layers.flows.append(dot);
        }
        for (const [name, value] of Object.entries(attributes)) {
          if (dot.getAttribute(name) !== value) setAttribute(dot, name, value);
        }
        shownFlows.add(line.line);
      }
    }
    for (const [name, dot] of this.flowDots) {
      if (shownFlows.has(name)) continue;
      dot.remove();
      this.flowDots.delete(name);
    }

    const transformer = s('g', { class: 'transformer' });
    const summary = this.store.summary;
    const lvBus = layout.transformer ? point(layout.transformer.lvBus) : null;
    if (layout.transformer && lvBus) {
      const pct = summary?.transformerLoadingPct ?? Number.NaN;
      const colour = Number.isFinite(pct) ? loadingColour(pct) : '#8a8a8a';
      const x = lvBus.x - (labelled ? 40 : 14) * k;
      transformer.append(
        s('circle', {
          cx: x,
          cy: lvBus.y - 7 * k,
          r: (labelled ? 13 : 6) * k,
          fill: 'none',
          stroke: colour,
          'stroke-width': 4,
        }),
        s('circle', {
          cx: x,
          cy: lvBus.y + 7 * k,
          r: (labelled ? 13 : 6) * k,
          fill: 'none',
          stroke: colour,
          'stroke-width': 4,
        }),
        labelled
          ? s(
              'text',
              { x: x - 20 * k, y: lvBus.y + 42 * k, class: 'label strong', 'text-anchor': 'start' },
              show ? formatPct(pct) : `${formatPct(pct)} of ${layout.transformer.ratedKva} kVA`,
            )
          : '',
        s(
          'title',
          {},
          `transformer ${layout.transformer.name}: ${formatPct(pct)} of ${layout.transformer.ratedKva} kVA`,
        ),
      );
    }

    const buses = s('g', { class: 'buses' });
    for (const bus of layout.buses) {
      const at = point(bus.bus);
      const result = this.store.buses.get(bus.bus);
      if (!at || (!result && !labelled)) continue;
      const volts = result ? worstPhaseVolts(result.vVolts) : Number.NaN;
      const bad = Number.isFinite(volts) && outOfBand(volts);
      buses.append(
        s(
          'g',
          { 'data-bus': bus.bus, class: bad ? 'bus out-of-band' : 'bus' },
          bad
            ? s('circle', {
                cx: at.x,
                cy: at.y,
                r: 13 * k,
                fill: 'none',
                stroke: OKABE_ITO.vermillion,
                'stroke-width': 3,
              })
            : null,
          s('circle', {
            cx: at.x,
            cy: at.y,
            r: (result ? (labelled ? 8 : 4) : 3) * k,
            fill: Number.isFinite(volts) ? voltageColour(volts) : '#c8c8c8',
            stroke: '#222',
            'stroke-width': 1,
          }),
          bad ? s('text', { x: at.x + 14 * k, y: at.y - 10 * k, class: 'label warn' }, '!') : null,
          s(
            'title',
            {},
            `bus ${bus.bus}` +
              (result ? `: ${result.vVolts.map((v, i) => `${'ABC'[i]} ${formatVolts(v)}`).join(', ')}` : ''),
          ),
        ),
      );
    }

    const homes = s('g', { class: 'homes' });
    // A plot wired live to another bus (gridflex/control/v1/table/wire) is drawn there; plots sharing a bus
    // stand side by side.
    const wired = new Map(this.store.tableMap?.plots.map((entry) => [entry.plot, entry]));
    const plotsAtBus = new Map<string, number>();
    for (const layoutPlot of layout.plots) {
      const plot = { ...layoutPlot, ...wired.get(layoutPlot.plot) };
      const bus = point(plot.bus);
      if (!bus) continue;
      const sharing = plotsAtBus.get(plot.bus) ?? 0;
      plotsAtBus.set(plot.bus, sharing + 1);
      const at = { x: bus.x + sharing * (labelled ? 120 : 12) * k, y: bus.y };
      const home = plot.home ? this.store.homes.get(plot.home) : undefined;
      const assets = this.store.tableMap?.assets.filter((asset) => asset.plot === plot.plot) ?? [];
      const above = at.y < height / 2;
      const houseY = above ? at.y - (labelled ? 30 : 10) * k : at.y + (labelled ? 30 : 10) * k;
      const size = (labelled ? 15 : 5) * k;
      const group = s('g', {
        class: 'home',
        'data-plot': plot.plot,
        'data-home': plot.home ?? '',
        'data-wired-bus': plot.bus,
      });
      group.append(
        s('line', { x1: bus.x, y1: bus.y, x2: at.x, y2: houseY, stroke: '#555', 'stroke-width': 1 }),
        s('path', {
          d: `M${at.x - size} ${houseY + size} v${-size} l${size} ${-size * 0.9} l${size} ${size * 0.9} v${size} z`,
          fill: '#fff',
          stroke: '#222',
          'stroke-width': 1.5,
        }),
        s(
          'title',
          {},
          `${plot.home ?? plot.plot} (${plot.plot}, bus ${plot.bus} phase ${plot.phase})` +
            (home ? `: ${formatKw(home.netPKw)}, ${formatVolts(home.vVolts)}` : ''),
        ),
      );
      if (labelled) {
        const textY = above ? houseY - size - 34 * k : houseY + size + 18 * k;
        group.append(
          s(
            'text',
            { x: at.x, y: textY, class: 'label strong', 'text-anchor': 'middle' },
            plot.home ?? plot.plot,
          ),
          s(
            'text',
            {
              x: at.x,
              y: textY + 16 * k,
              class: 'label',
              'text-anchor': 'middle',
              'data-net-kw': plot.home ?? '',
            },
            home
              ? show
                ? formatKw(home.netPKw)
                : `${formatKw(home.netPKw)} · ${formatVolts(home.vVolts)}`
              : plot.plot,
          ),
        );
        // Badges go right of the house, or left of it when they would run off the map's right edge.
        const badgeW = 27 * k;
        const rightRoom = width - (at.x + size + 6 * k);
        const leftwards = assets.length * 30 * k > rightRoom;
        assets.forEach((asset, index) => {
          const badgeX = leftwards
            ? at.x - size - 6 * k - badgeW - index * 30 * k
            : at.x + size + 6 * k + index * 30 * k;
          const badgeY = houseY - 9 * k;
          group.append(
            s(
              'g',
              { class: badgeClass(asset), 'data-asset': asset.asset },
              s('rect', {
                x: badgeX,
                y: badgeY,
                width: badgeW,
                height: 18 * k,
                rx: 4 * k,
                fill: asset.online ? (ASSET_COLOURS[asset.kind] ?? '#888') : '#fff',
                stroke: ASSET_COLOURS[asset.kind] ?? '#888',
                'stroke-width': 2,
                'stroke-dasharray': asset.online ? null : '3 2',
              }),
              s(
                'text',
                {
                  x: badgeX + badgeW / 2,
                  y: badgeY + 13 * k,
                  class: asset.online ? 'badge' : 'badge offline',
                  'text-anchor': 'middle',
                },
                ASSET_LETTERS[asset.kind] ?? '?',
              ),
              s('title', {}, assetTitle(asset)),
            ),
          );
        });
      } else {
        // Too many homes for labels: each asset is a dot in its colour beside the house (details on hover).
        assets.forEach((asset, index) => {
          group.append(
            s(
              'circle',
              {
                cx: at.x + size + 5 + index * 8,
                cy: houseY,
                r: 3.5,
                fill: asset.online ? (ASSET_COLOURS[asset.kind] ?? '#888') : '#fff',
                stroke: ASSET_COLOURS[asset.kind] ?? '#888',
                'stroke-width': 1.5,
                class: badgeClass(asset),
                'data-asset': asset.asset,
              },
              s('title', {}, assetTitle(asset)),
            ),
          );
        });
      }
      homes.append(group);
    }
    this.layers.lines.replaceChildren(...lines.childNodes);
    this.layers.buses.replaceChildren(...buses.childNodes);
    this.layers.transformer.replaceChildren(...transformer.childNodes);
    this.layers.homes.replaceChildren(...homes.childNodes);
  }
}

/** The map's key: voltage colour bar with the statutory band marked, line loading classes, asset letters. */
/** An asset's hover text: its power, offline, or faulty with why its board's reading was refused. */
function assetTitle(asset: TableAsset): string {
  const state = asset.fault
    ? `faulty (${asset.fault}), last good ${formatKw(asset.pKw)}`
    : asset.online
      ? formatKw(asset.pKw)
      : 'offline';
  return `${asset.asset} (${asset.kind}): ${state}`;
}

function badgeClass(asset: TableAsset): string {
  return asset.fault ? 'asset-badge faulty' : 'asset-badge';
}

function legend(layout: FeederLayout | null, lineNote: HTMLElement, labelPx: number | null): HTMLElement {
  // On a projector the bar and its numbers grow with the labels.
  const k = labelPx === null ? 1 : labelPx / 11;
  const barWidth = 260 * k;
  const xOf = (volts: number) => voltagePosition(volts) * barWidth;
  const stops = Array.from({ length: 17 }, (_, i) =>
    s('stop', { offset: `${(i / 16) * 100}%`, 'stop-color': viridis(i / 16) }),
  );
  // Ticks at the scale's stops (it is stretched where streets sit), the band's edges bold.
  const ticks = VOLTAGE_SCALE_STOPS.slice(1, -1).map(([volts]) => {
    const edge = volts === STATUTORY_BAND_VOLTS.min || volts === STATUTORY_BAND_VOLTS.max;
    return s(
      'g',
      {},
      s('line', {
        x1: xOf(volts),
        x2: xOf(volts),
        y1: edge ? 0 : 16 * k,
        y2: 21 * k,
        stroke: '#000',
        'stroke-width': edge ? 2 : 1,
      }),
      s(
        'text',
        {
          x: xOf(volts),
          y: 34 * k,
          class: edge ? 'legend-text strong' : 'legend-text',
          'text-anchor': 'middle',
          style: `font-size:${11 * k}px`,
        },
        volts === STATUTORY_BAND_VOLTS.max ? `${volts} V` : String(volts),
      ),
    );
  });
  const bar = s(
    'svg',
    {
      width: barWidth + 30 * k,
      height: 38 * k,
      class: 'legend-bar',
      'aria-label': 'bus voltage colour scale',
    },
    s('defs', {}, s('linearGradient', { id: 'viridis-gradient' }, ...stops)),
    s('rect', { x: 0, y: 4 * k, width: barWidth, height: 12 * k, fill: 'url(#viridis-gradient)' }),
    ...ticks,
  );
  const item = (colour: string, text: string) => {
    const span = document.createElement('span');
    span.className = 'legend-item';
    const swatch = document.createElement('i');
    swatch.style.background = colour;
    span.append(swatch, text);
    return span;
  };
  const element = document.createElement('div');
  element.className = 'legend';
  const voltage = document.createElement('span');
  voltage.className = 'legend-group';
  voltage.append(
    labelPx === null
      ? 'Bus voltage, worst phase (bold ticks: statutory band; ring and ! outside it) '
      : 'Volts (legal band bold) ',
    bar,
  );
  const loading = document.createElement('span');
  loading.className = 'legend-group';
  loading.append(
    labelPx === null ? 'Line loading (colour deepens as it rises; dots: power flow) ' : 'Cables ',
    ...LOADING_CLASSES.map((entry, index) => {
      const from = LOADING_CLASSES[index - 1]?.belowPct;
      const range =
        from === undefined
          ? `< ${entry.belowPct}`
          : Number.isFinite(entry.belowPct)
            ? `${from}–${entry.belowPct}`
            : `≥ ${from}`;
      const middlePct = Number.isFinite(entry.belowPct) ? ((from ?? 0) + entry.belowPct) / 2 : 115;
      return item(loadingColour(middlePct), `${range} % ${entry.label}`);
    }),
    lineNote,
  );
  const assets = document.createElement('span');
  assets.className = 'legend-group';
  assets.append(
    ...Object.entries(ASSET_LETTERS)
      .filter(([kind]) => kind !== 'load')
      .map(([kind, letter]) => item(ASSET_COLOURS[kind] ?? '#888', `${letter} ${kind}`)),
    ' (dashed: offline)',
  );
  if (labelPx === null) element.append(voltage, loading, assets);
  else {
    // A projector shows the two scales only, in words a room reads at a glance.
    lineNote.textContent = '';
    element.classList.add('show-legend');
    element.append(voltage, loading);
  }
  if (layout) element.dataset.feeder = layout.feeder;
  return element;
}
