import type { PinState } from '../../../../protocol/gridflex.ts';
import { h, s } from '../lib/dom.ts';
import { formatKw } from '../lib/format.ts';
import type { LiveStore } from './store.ts';

const CHART = { width: 220, height: 60, pad: 4 } as const;

/**
 * Hardware in the loop: one row per pinned model variable: what drives it now (the sensor, or the model and
 * why), model and sensor in kW, the drift (EWMA, bias estimate, alarm), the bias applied, and a small chart
 * of model (grey) against sensor (blue) over the last steps. Hidden when nothing is pinned.
 */
export function renderPins(container: HTMLElement, store: LiveStore): void {
  const pins = store.pins?.pins ?? [];
  container.hidden = pins.length === 0;
  if (pins.length === 0) return;
  container.replaceChildren(h('h2', {}, 'Pinned sensors'), ...pins.map(pinRow));
}

function pinRow(pin: PinState): HTMLElement {
  const drift = pin.drift;
  const what = pin.variable === 'pv' ? 'PV output' : 'demand';
  return h(
    'div',
    { class: `pin${drift?.alarm ? ' alarm' : ''}`, 'data-pin': pin.pin, 'data-source': pin.source },
    h(
      'p',
      {},
      h('strong', {}, `${pin.home} ${what}`),
      ` ← ${pin.device} ${pin.property}${pin.adopted ? ` (adopted, ${pin.control ? 'control granted' : 'read-only'})` : ''}`,
    ),
    h(
      'p',
      { class: pin.source === 'model' ? 'muted' : '' },
      pin.source === 'sensor'
        ? `sensor drives it: ${formatKw(pin.sensorKw)} (model ${formatKw(pin.modelKw)})`
        : `model drives it: ${formatKw(pin.modelKw)} — ${pin.fallback ?? ''}`,
    ),
    drift
      ? h(
          'p',
          { 'data-alarm': drift.alarm ? 'raised' : 'clear' },
          `drift EWMA ${formatKw(drift.ewmaKw)}, bias estimate ${formatKw(drift.biasKw)}${drift.alarm ? ` — alarm (≥ ${formatKw(drift.alarmAtKw)})` : ''}; bias applied ${formatKw(pin.appliedBiasKw)}`,
        )
      : '',
    chart(pin),
  );
}

/** Model and sensor over the last steps, on one kW scale. */
function chart(pin: PinState): SVGSVGElement {
  const values = pin.history.flatMap((sample) => [sample.modelKw, sample.sensorKw ?? sample.modelKw]);
  const min = Math.min(0, ...values);
  const max = Math.max(min + 0.1, ...values);
  const steps = Math.max(1, pin.history.length - 1);
  const x = (index: number) => CHART.pad + (index * (CHART.width - 2 * CHART.pad)) / steps;
  const y = (kw: number) =>
    CHART.height - CHART.pad - ((kw - min) * (CHART.height - 2 * CHART.pad)) / (max - min);
  const line = (pick: (index: number) => number | null, colour: string) =>
    s('polyline', {
      points: pin.history
        .map((_, index) => pick(index))
        .map((kw, index) => (kw === null ? '' : `${x(index).toFixed(1)},${y(kw).toFixed(1)}`))
        .filter(Boolean)
        .join(' '),
      fill: 'none',
      stroke: colour,
      'stroke-width': 1.5,
    });
  return s(
    'svg',
    {
      class: 'pin-chart',
      viewBox: `0 0 ${CHART.width} ${CHART.height}`,
      role: 'img',
      'aria-label': `${pin.pin}: model and sensor over the last ${pin.history.length} steps`,
    },
    line((index) => pin.history[index]?.modelKw ?? null, '#888'),
    line((index) => pin.history[index]?.sensorKw ?? null, '#1f6feb'),
  );
}
