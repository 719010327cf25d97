import { h, s } from '../lib/dom.ts';
import {
  formatGbp,
  formatKw,
  formatPct,
  formatPencePerKwh,
  formatSimTime,
  formatVolts,
  formatWallTime,
} from '../lib/format.ts';
import { LOADING_CLASSES, loadingClass } from '../lib/palette.ts';
import type { LiveStore } from './store.ts';

/** The gauge's full scale: loading beyond it pins the needle (the number still says how far). */
const GAUGE_MAX_PCT = 150;

/** A point on the gauge's half circle for `pct` (0 % left, {@link GAUGE_MAX_PCT} right). */
function gaugePoint(pct: number, radius: number, cx: number, cy: number): { x: number; y: number } {
  const angle = Math.PI * (1 - Math.min(GAUGE_MAX_PCT, Math.max(0, pct)) / GAUGE_MAX_PCT);
  return { x: cx + radius * Math.cos(angle), y: cy - radius * Math.sin(angle) };
}

/** The transformer as a gauge: loading classes as coloured arcs, a needle, and the numbers in words. */
export function renderTransformerGauge(container: HTMLElement, store: LiveStore): void {
  const summary = store.summary;
  const pct = summary?.transformerLoadingPct ?? 0;
  const [cx, cy, radius] = [110, 105, 85];
  const arcs = LOADING_CLASSES.map((entry, index) => {
    const from = LOADING_CLASSES[index - 1]?.belowPct ?? 0;
    const to = Math.min(GAUGE_MAX_PCT, entry.belowPct);
    const start = gaugePoint(from, radius, cx, cy);
    const end = gaugePoint(to, radius, cx, cy);
    return s('path', {
      d: `M${start.x} ${start.y} A${radius} ${radius} 0 0 1 ${end.x} ${end.y}`,
      fill: 'none',
      stroke: entry.colour,
      'stroke-width': 16,
    });
  });
  const needle = gaugePoint(pct, radius - 20, cx, cy);
  const kva = store.layout?.transformer?.ratedKva;
  const level = loadingClass(pct);
  container.replaceChildren(
    h('h2', {}, 'Transformer (worst phase)'),
    s(
      'svg',
      {
        viewBox: '0 -12 220 137',
        class: 'gauge',
        role: 'img',
        'aria-label': `transformer loading on its worst phase ${formatPct(pct)}`,
      },
      ...arcs,
      s('line', {
        x1: cx,
        y1: cy,
        x2: needle.x,
        y2: needle.y,
        stroke: '#111',
        'stroke-width': 4,
        'stroke-linecap': 'round',
      }),
      s('circle', { cx, cy, r: 6, fill: '#111' }),
      s('text', { x: 18, y: 122, class: 'gauge-tick' }, '0'),
      s('text', { x: cx, y: -2, class: 'gauge-tick', 'text-anchor': 'middle' }, '75 %'),
      s('text', { x: 202, y: 122, class: 'gauge-tick', 'text-anchor': 'end' }, `${GAUGE_MAX_PCT}`),
    ),
    h(
      'p',
      { class: 'gauge-value', 'data-transformer-pct': pct.toFixed(1) },
      h('strong', {}, summary ? formatPct(pct) : '—'),
      summary ? ` ${level.label}` : '',
      kva ? ` · ${kva} kVA` : '',
    ),
    h('p', { class: 'small muted gauge-note' }, 'Current on its most loaded phase, % of rating'),
    summary
      ? h(
          'p',
          { class: 'small', 'data-street-draws': '' },
          `${streetDrawsWords(store, summary.substationPKw)}, losses ${formatKw(summary.lossesKw)}. ` +
            `Voltage ${formatVolts(summary.vMin.volts)} (bus ${summary.vMin.bus}${summary.vMin.phase}) to ` +
            `${formatVolts(summary.vMax.volts)}.`,
          summary.busPhasesOutsideStatutory > 0
            ? h(
                'strong',
                { class: 'warn' },
                ` ${summary.busPhasesOutsideStatutory} bus-phases outside 216.2–253 V.`,
              )
            : ' All within 216.2–253 V.',
          summary.converged
            ? ''
            : h('strong', { class: 'warn' }, ` Power flow did not converge: ${summary.error ?? ''}`),
        )
      : h('p', { class: 'small' }, 'waiting for the first power flow…'),
  );
}

/**
 * What the street takes from the grid, and why it can differ from what the homes use: a shared battery (or
 * exporting homes) covers part of it, so "0.0 kW" from the grid beside homes using 7 kW is said in words. The
 * transformer can still be loaded then: the homes' phases are unbalanced, so one phase carries current while
 * the battery feeds the others (the gauge shows the worst phase).
 */
function streetDrawsWords(store: LiveStore, gridKw: number): string {
  const homesKw = [...store.homes.values()].reduce((sum, home) => sum + home.netPKw, 0);
  const battery = store.sharedBattery;
  const batteryKw = battery ? battery.dischargeKw - battery.chargeKw : 0;
  const net = `Street draws ${formatKw(gridKw)} net from the grid`;
  if (store.homes.size === 0) return net;
  return (
    `${net} (homes ${formatKw(homesKw)}` +
    (Math.abs(batteryKw) >= 0.05
      ? `, shared battery ${batteryKw > 0 ? 'supplies' : 'stores'} ${formatKw(Math.abs(batteryKw))}`
      : '') +
    ')'
  );
}

/** Prices in force, the tariff everybody is on, a pending switch, the offers, and running totals. */
export function renderMarket(container: HTMLElement, store: LiveStore): void {
  const prices = store.prices;
  const tariffs = store.tariffs;
  const metrics = store.metrics;
  container.replaceChildren(
    h('h2', {}, 'Market'),
    prices
      ? h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'Import'),
          h(
            'dd',
            { 'data-import-price': prices.importPriceGbpPerKwh },
            formatPencePerKwh(prices.importPriceGbpPerKwh),
            prices.band ? ` (${prices.band})` : '',
            prices.networkBand
              ? ` incl. ${prices.networkBand} network band ${formatPencePerKwh(prices.networkChargeGbpPerKwh)}`
              : '',
          ),
          h('dt', {}, 'Export'),
          h('dd', {}, formatPencePerKwh(prices.exportPriceGbpPerKwh)),
          h('dt', {}, 'Standing'),
          h('dd', {}, `${formatGbp(prices.standingChargeGbpPerDay)}/day`),
          h('dt', {}, 'Tariff'),
          h(
            'dd',
            { 'data-tariff-in-force': tariffs?.inForce ?? prices.source },
            tariffs?.inForce ?? prices.source,
          ),
        )
      : h('p', { class: 'small' }, 'no prices yet'),
    tariffs?.pending
      ? h(
          'p',
          { class: 'small notice' },
          `Switching to ${tariffs.pending.tariff} at ${formatSimTime(tariffs.pending.effectiveAt)}: ${tariffs.pending.reason}`,
        )
      : '',
    tariffs && tariffs.offers.length > 0
      ? h(
          'ul',
          { class: 'offers small' },
          ...tariffs.offers.map((offer) =>
            h(
              'li',
              {},
              h('strong', {}, `${offer.supplier}/${offer.tariff.tariffId}`),
              ` ${offer.tariff.kind}, ${formatPencePerKwh(offer.tariff.importPriceGbpPerKwh)}`,
              offer.tariff.bands?.length ? ` + ${offer.tariff.bands.length} bands` : '',
              ` · typical day ${formatGbp(offer.typicalDayGbp)}`,
            ),
          ),
        )
      : '',
    rulesLine(store),
    metrics
      ? h(
          'p',
          { class: 'small' },
          `Since start: ${metrics.importedKwh.toFixed(1)} kWh in, ${metrics.exportedKwh.toFixed(1)} kWh out; ` +
            `peak net draw ${formatKw(metrics.peakSubstationPKw)}, transformer peak ${formatPct(metrics.peakTransformerLoadingPct)} (worst phase); ` +
            `${metrics.stepsWithVoltageBreach} steps with a voltage breach.`,
        )
      : '',
  );
}

/** The street's shared battery: state of charge, power now, and the assembly's rules in force. */
export function renderSharedBattery(container: HTMLElement, store: LiveStore): void {
  const battery = store.sharedBattery;
  container.hidden = battery === null;
  if (!battery) return;
  const rules = battery.rules;
  container.replaceChildren(
    h('h2', {}, 'Shared battery'),
    h(
      'div',
      {
        class: 'soc-bar',
        role: 'meter',
        'aria-valuenow': battery.socPct,
        'aria-valuemin': 0,
        'aria-valuemax': 100,
      },
      h('span', { style: `width:${battery.socPct.toFixed(1)}%` }),
    ),
    h(
      'p',
      { class: 'small' },
      `${formatPct(battery.socPct)} (${battery.socKwh.toFixed(1)} of ${rules.capacityKwh} kWh), ` +
        (battery.chargeKw > 0
          ? `storing ${formatKw(battery.chargeKw)}`
          : battery.dischargeKw > 0
            ? `supplying ${formatKw(battery.dischargeKw)}`
            : 'idle') +
        `. Rules: ${rules.contention}, ${rules.fairShare} shares, ≤ ${formatKw(rules.perHomeMaxKw)} per home, reserve ${rules.reserveKwh} kWh` +
        (rules.drawWindow ? `, draws ${rules.drawWindow.from}–${rules.drawWindow.to}` : '') +
        (battery.setBy ? ` (set by ${battery.setBy})` : ''),
    ),
  );
}

/** The regulator's rules in force, in one line everybody can read. */
function rulesLine(store: LiveStore): HTMLElement | string {
  const rules = store.rules;
  if (!rules) return '';
  return h(
    'p',
    { class: 'small', 'data-rules': '' },
    h('strong', {}, 'Rules: '),
    `cap ${formatPencePerKwh(rules.priceCapGbpPerKwh)} on ${rules.priceCapAppliesTo.join('/') || 'no tariff'}, ` +
      `standing ≤ ${formatGbp(rules.standingChargeCapGbpPerDay)}/day, any rate ≤ ${formatPencePerKwh(rules.maxUnitRateGbpPerKwh)}; ` +
      `shapes ${rules.allowedTariffShapes.join(', ')}; switching lag ${rules.switchingLagMinutes} min; ` +
      `exit fee ≤ ${formatGbp(rules.maxExitFeeGbp)}; network red ${formatPencePerKwh(rules.networkChargeBands.redGbpPerKwh)}, ` +
      `amber ${formatPencePerKwh(rules.networkChargeBands.amberGbpPerKwh)}, green ${formatPencePerKwh(rules.networkChargeBands.greenGbpPerKwh)}` +
      (rules.setBy
        ? ` (set by ${rules.setBy}${rules.setAt ? ` at ${formatWallTime(Date.parse(rules.setAt))}` : ''})`
        : ''),
  );
}
