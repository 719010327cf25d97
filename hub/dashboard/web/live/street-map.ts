import { s } from '../lib/dom.ts';
import type { FeederLayout } from '../lib/feeder-layout.ts';
import { formatKw, formatPct, formatVolts } from '../lib/format.ts';
import {
  ASSET_COLOURS,
  LOADING_CLASSES,
  loadingClass,
  OKABE_ITO,
  STATUTORY_BAND_VOLTS,
  VOLTAGE_SCALE_VOLTS,
  viridis,
  voltageColour,
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

const outOfBand = (volts: number) => volts < STATUTORY_BAND_VOLTS.min || volts > STATUTORY_BAND_VOLTS.max;

/**
 * The street drawn from the feeder's bus coordinates as SVG: lines, buses coloured by voltage (a ring and "!"
 * outside the statutory band), the transformer with its loading, and each home with its assets and power.
 * Drawn at the container's pixel size so text stays readable on a projector and a tablet alike.
 */
export class StreetMap {
  private readonly svg: SVGSVGElement;
  private widthPx = 0;
  /** Says in the legend why a line is grey (unrated, or no per-line loading received yet). */
  private readonly lineNote: HTMLSpanElement;

  constructor(
    container: HTMLElement,
    private readonly store: LiveStore,
  ) {
    this.svg = s('svg', {
      class: 'street',
      role: 'img',
      'aria-label': 'the street: feeder, homes and assets',
    });
    this.lineNote = document.createElement('span');
    container.append(this.svg, legend(store.layout, this.lineNote));
    new ResizeObserver(() => {
      const width = Math.round(this.svg.getBoundingClientRect().width);
      if (width !== this.widthPx) {
        this.widthPx = width;
        this.render();
      }
    }).observe(this.svg);
  }

  render(): void {
    const layout = this.store.layout;
    if (!layout || this.widthPx === 0) return;
    const coordinates = new Map(layout.buses.map((bus) => [bus.bus, bus]));
    const xs = layout.buses.map((bus) => bus.x);
    const ys = layout.buses.map((bus) => bus.y);
    const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const labelled = layout.plots.length <= LABELLED_PLOTS_MAX;
    // Room for the labels around the outermost homes, and for the transformer left of the first bus.
    const padX = labelled ? 90 : 20;
    const padY = labelled ? 100 : 20;
    const width = this.widthPx;
    const scale = Math.min(
      (width - 2 * padX) / Math.max(1e-9, maxX - minX),
      // A big street fits a box no taller than it is wide (and at most 620 px), so the page scrolls past it.
      labelled
        ? Number.POSITIVE_INFINITY
        : (Math.min(width * 0.6, 620) - 2 * padY) / Math.max(1e-9, maxY - minY),
    );
    const height = Math.max(160, (maxY - minY) * scale + 2 * padY);
    const offsetX = (width - (maxX - minX) * scale) / 2;
    // North (larger y) up.
    const point = (bus: string) => {
      const at = coordinates.get(bus);
      return at ? { x: offsetX + (at.x - minX) * scale, y: height - padY - (at.y - minY) * scale } : null;
    };
    this.svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    this.svg.setAttribute('height', String(height));

    const lines = s('g', { class: 'lines' });
    const lineLoading = this.store.lineLoadingPct();
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
      lines.append(
        s(
          'line',
          {
            x1: from.x,
            y1: from.y,
            x2: to.x,
            y2: to.y,
            stroke: loading?.colour ?? '#8a8a8a',
            'stroke-width': known ? 3 + Math.min(6, pct / 20) : labelled ? 4 : 1.5,
            'stroke-linecap': 'round',
            'data-line': line.line,
          },
          s(
            'title',
            {},
            `${line.line} (${line.fromBus}–${line.toBus}, ${Math.round(line.lengthM)} m)` +
              (known ? `: ${formatPct(pct)} of rating, ${loading?.label}` : ''),
          ),
        ),
      );
    }

    const transformer = s('g', { class: 'transformer' });
    const summary = this.store.summary;
    const lvBus = layout.transformer ? point(layout.transformer.lvBus) : null;
    if (layout.transformer && lvBus) {
      const pct = summary?.transformerLoadingPct ?? Number.NaN;
      const colour = Number.isFinite(pct) ? loadingClass(pct).colour : '#8a8a8a';
      const x = lvBus.x - (labelled ? 40 : 14);
      transformer.append(
        s('circle', {
          cx: x,
          cy: lvBus.y - 7,
          r: labelled ? 13 : 6,
          fill: 'none',
          stroke: colour,
          'stroke-width': 4,
        }),
        s('circle', {
          cx: x,
          cy: lvBus.y + 7,
          r: labelled ? 13 : 6,
          fill: 'none',
          stroke: colour,
          'stroke-width': 4,
        }),
        labelled
          ? s(
              'text',
              { x: x - 20, y: lvBus.y + 42, class: 'label strong', 'text-anchor': 'start' },
              `${formatPct(pct)} of ${layout.transformer.ratedKva} kVA`,
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
                r: 13,
                fill: 'none',
                stroke: OKABE_ITO.vermillion,
                'stroke-width': 3,
              })
            : null,
          s('circle', {
            cx: at.x,
            cy: at.y,
            r: result ? (labelled ? 8 : 4) : 3,
            fill: Number.isFinite(volts) ? voltageColour(volts) : '#c8c8c8',
            stroke: '#222',
            'stroke-width': 1,
          }),
          bad ? s('text', { x: at.x + 14, y: at.y - 10, class: 'label warn' }, '!') : null,
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
      const at = { x: bus.x + sharing * (labelled ? 120 : 12), y: bus.y };
      const home = plot.home ? this.store.homes.get(plot.home) : undefined;
      const assets = this.store.tableMap?.assets.filter((asset) => asset.plot === plot.plot) ?? [];
      const above = at.y < height / 2;
      const houseY = above ? at.y - (labelled ? 30 : 10) : at.y + (labelled ? 30 : 10);
      const size = labelled ? 15 : 5;
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
        const textY = above ? houseY - size - 34 : houseY + size + 18;
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
              y: textY + 16,
              class: 'label',
              'text-anchor': 'middle',
              'data-net-kw': plot.home ?? '',
            },
            home ? `${formatKw(home.netPKw)} · ${formatVolts(home.vVolts)}` : plot.plot,
          ),
        );
        assets.forEach((asset, index) => {
          const badgeX = at.x + size + 6 + index * 30;
          const badgeY = houseY - 9;
          group.append(
            s(
              'g',
              { class: 'asset-badge', 'data-asset': asset.asset },
              s('rect', {
                x: badgeX,
                y: badgeY,
                width: 27,
                height: 18,
                rx: 4,
                fill: asset.online ? (ASSET_COLOURS[asset.kind] ?? '#888') : '#fff',
                stroke: ASSET_COLOURS[asset.kind] ?? '#888',
                'stroke-width': 2,
                'stroke-dasharray': asset.online ? null : '3 2',
              }),
              s(
                'text',
                {
                  x: badgeX + 13.5,
                  y: badgeY + 13,
                  class: asset.online ? 'badge' : 'badge offline',
                  'text-anchor': 'middle',
                },
                ASSET_LETTERS[asset.kind] ?? '?',
              ),
              s(
                'title',
                {},
                `${asset.asset} (${asset.kind})${asset.online ? `: ${formatKw(asset.pKw)}` : ': offline'}`,
              ),
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
                class: 'asset-badge',
                'data-asset': asset.asset,
              },
              s(
                'title',
                {},
                `${asset.asset} (${asset.kind})${asset.online ? `: ${formatKw(asset.pKw)}` : ': offline'}`,
              ),
            ),
          );
        });
      }
      homes.append(group);
    }
    this.svg.replaceChildren(lines, buses, transformer, homes);
  }
}

/** The map's key: voltage colour bar with the statutory band marked, line loading classes, asset letters. */
function legend(layout: FeederLayout | null, lineNote: HTMLElement): HTMLElement {
  const barWidth = 220;
  const span = VOLTAGE_SCALE_VOLTS.max - VOLTAGE_SCALE_VOLTS.min;
  const xOf = (volts: number) => ((volts - VOLTAGE_SCALE_VOLTS.min) / span) * barWidth;
  const stops = Array.from({ length: 9 }, (_, i) =>
    s('stop', { offset: `${(i / 8) * 100}%`, 'stop-color': viridis(i / 8) }),
  );
  const bar = s(
    'svg',
    { width: barWidth + 60, height: 38, class: 'legend-bar', 'aria-label': 'bus voltage colour scale' },
    s('defs', {}, s('linearGradient', { id: 'viridis-gradient' }, ...stops)),
    s('rect', { x: 0, y: 4, width: barWidth, height: 12, fill: 'url(#viridis-gradient)' }),
    s('rect', {
      x: xOf(STATUTORY_BAND_VOLTS.min),
      y: 1,
      width: xOf(STATUTORY_BAND_VOLTS.max) - xOf(STATUTORY_BAND_VOLTS.min),
      height: 18,
      fill: 'none',
      stroke: '#000',
      'stroke-width': 2,
    }),
    s(
      'text',
      { x: xOf(STATUTORY_BAND_VOLTS.min), y: 34, class: 'legend-text', 'text-anchor': 'middle' },
      '216.2',
    ),
    s(
      'text',
      { x: xOf(STATUTORY_BAND_VOLTS.max), y: 34, class: 'legend-text', 'text-anchor': 'middle' },
      '253 V',
    ),
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
  voltage.append('Bus voltage (box: statutory band; ring and ! outside it) ', bar);
  const loading = document.createElement('span');
  loading.className = 'legend-group';
  loading.append(
    'Loading ',
    ...LOADING_CLASSES.map((entry, index) => {
      const from = LOADING_CLASSES[index - 1]?.belowPct;
      const range =
        from === undefined
          ? `< ${entry.belowPct}`
          : Number.isFinite(entry.belowPct)
            ? `${from}–${entry.belowPct}`
            : `≥ ${from}`;
      return item(entry.colour, `${range} % ${entry.label}`);
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
  element.append(voltage, loading, assets);
  if (layout) element.dataset.feeder = layout.feeder;
  return element;
}
