import type { LiveComparison, LivePolicy, StreetFigures } from '../../../../protocol/gridflex.ts';
import { h, s } from '../lib/dom.ts';
import { formatGbp, formatKw, formatVolts } from '../lib/format.ts';
import { OKABE_ITO, STATUTORY_BAND_VOLTS } from '../lib/palette.ts';
import type { LiveStore } from './store.ts';

/** The policy the residents' agents run, in words, and the one coming at the next half-hour. */
export function renderRunningPolicy(container: HTMLElement, store: LiveStore): void {
  const policy = store.livePolicy;
  container.hidden = policy === null;
  if (!policy) return;
  container.replaceChildren(
    h('h2', {}, 'Residents’ agents'),
    h(
      'p',
      { 'data-policy-running': policy.running },
      'The residents’ agents run: ',
      h('strong', {}, policy.running),
      ` — ${policy.description}`,
    ),
    policy.next === policy.running
      ? ''
      : h(
          'p',
          { class: 'small notice', 'data-policy-next': policy.next },
          `Switching to ${policy.next} at the next half-hour: ${descriptionOf(policy, policy.next)}`,
        ),
    redTeamNotice(store),
  );
}

/** The room sees when the operator runs attacks or defences on the table (the operator's panel has the rest). */
function redTeamNotice(store: LiveStore): HTMLElement | string {
  const redTeam = store.redTeam;
  if (!redTeam || redTeam.attacks.length + redTeam.defences.length === 0) return '';
  const kinds = (entries: readonly { kind: string }[]) =>
    entries.map((entry) => entry.kind).join(', ') || 'none';
  return h(
    'p',
    { class: 'small notice', 'data-red-team-notice': '' },
    `Red team on the table: attacks ${kinds(redTeam.attacks)}; defences ${kinds(redTeam.defences)}`,
  );
}

function descriptionOf(policy: LivePolicy, name: string): string {
  return policy.available.find((choice) => choice.name === name)?.description ?? name;
}

/** One street of the comparison: the live table, or a shadow run of the same inputs under one policy. */
export interface ComparedStreet {
  key: string;
  label: string;
  figures: StreetFigures;
  /** The live table, or the shadow run of the policy the table runs. */
  running: boolean;
}

export function comparedStreets(comparison: LiveComparison): ComparedStreet[] {
  const runningPolicy = comparison.running.policy;
  return [
    { key: 'table', label: `table (${runningPolicy})`, figures: comparison.running, running: true },
    ...comparison.shadows.map((figures) => ({
      key: figures.policy,
      label: figures.policy,
      figures,
      running: figures.policy === runningPolicy,
    })),
  ];
}

/**
 * The live "what if": the table beside the shadow runs of the same street under every policy, as a table of
 * figures, a bar chart of the transformer peak, and the price of anarchy in words.
 */
export function renderComparison(container: HTMLElement, store: LiveStore): void {
  const comparison = store.comparison;
  container.hidden = comparison === null;
  if (!comparison) return;
  const streets = comparedStreets(comparison);
  container.replaceChildren(
    h('h2', {}, 'What if: the same street under every policy'),
    h(
      'p',
      { class: 'small muted' },
      `The table and its shadow runs on the same inputs, over the ${comparison.running.steps} steps since the hub started.`,
    ),
    h(
      'div',
      { class: 'comparison' },
      figuresTable(streets),
      h('figure', { class: 'chart' }, h('figcaption', {}, 'Transformer peak (kW)'), peakBars(streets)),
    ),
    h('p', { class: 'small', 'data-price-of-anarchy': '' }, priceOfAnarchyWords(comparison)),
  );
}

function figuresTable(streets: readonly ComparedStreet[]): HTMLTableElement {
  const shown = (figures: StreetFigures, text: string) => (figures.steps > 0 ? text : '—');
  return h(
    'table',
    { class: 'figures' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'Street'),
        h('th', { class: 'num' }, 'Peak'),
        h('th', { class: 'num' }, 'Lowest'),
        h('th', { class: 'num' }, 'Highest'),
        h('th', { class: 'num' }, `Steps outside ${STATUTORY_BAND_VOLTS.min}–${STATUTORY_BAND_VOLTS.max} V`),
        h('th', { class: 'num' }, 'Bills so far'),
      ),
    ),
    h(
      'tbody',
      {},
      ...streets.map(({ key, label, figures, running }) =>
        h(
          'tr',
          {
            class: running ? 'running' : '',
            'data-street': key,
            'data-running': running,
            'data-peak-kw': figures.peakKw,
            'data-bills-gbp': figures.billsGbp,
          },
          h('td', {}, running ? `▶ ${label}` : label),
          h('td', { class: 'num' }, shown(figures, formatKw(figures.peakKw))),
          h('td', { class: 'num' }, formatVolts(figures.minVolts)),
          h('td', { class: 'num' }, formatVolts(figures.maxVolts)),
          h('td', { class: 'num' }, shown(figures, String(figures.stepsOutsideStatutory))),
          h('td', { class: 'num' }, shown(figures, formatGbp(figures.billsGbp))),
        ),
      ),
    ),
  );
}

const BAR_ROW_PX = 24;
const BAR_LABEL_PX = 150;
const BAR_AREA_PX = 230;
const BAR_VALUE_PX = 70;

/** The transformer peak of each street as horizontal bars, the running ones in blue and marked ▶. */
function peakBars(streets: readonly ComparedStreet[]): SVGSVGElement {
  const fullScaleKw = Math.max(1, ...streets.map((street) => street.figures.peakKw));
  const x = (kw: number) => BAR_LABEL_PX + (Math.max(0, kw) / fullScaleKw) * BAR_AREA_PX;
  const heightPx = streets.length * BAR_ROW_PX;
  return s(
    'svg',
    {
      class: 'peak-bars',
      viewBox: `0 0 ${BAR_LABEL_PX + BAR_AREA_PX + BAR_VALUE_PX} ${heightPx}`,
      role: 'img',
      'aria-label': `transformer peak per street: ${streets.map((street) => `${street.label} ${formatKw(street.figures.peakKw)}`).join(', ')}`,
    },
    ...streets.map((street, index) => peakBar(street, index * BAR_ROW_PX, x)),
  );
}

function peakBar(street: ComparedStreet, topPx: number, x: (kw: number) => number): SVGGElement {
  const { label, figures, running } = street;
  const middlePx = topPx + BAR_ROW_PX / 2;
  return s(
    'g',
    { 'data-bar': street.key, 'data-peak-kw': figures.peakKw },
    s(
      'text',
      { x: BAR_LABEL_PX - 6, y: middlePx + 4, 'text-anchor': 'end', class: running ? 'strong' : undefined },
      running ? `▶ ${label}` : label,
    ),
    s('rect', {
      x: BAR_LABEL_PX,
      y: topPx + 4,
      width: x(figures.peakKw) - BAR_LABEL_PX,
      height: BAR_ROW_PX - 8,
      fill: running ? OKABE_ITO.blue : OKABE_ITO.skyBlue,
    }),
    s('text', { x: x(figures.peakKw) + 4, y: middlePx + 4 }, formatKw(figures.peakKw)),
  );
}

/** Selfish over central, in bills and at the transformer's peak, as people say it. */
export function priceOfAnarchyWords(comparison: LiveComparison): string {
  const shadowPolicies = comparison.shadows.map((figures) => figures.policy);
  if (!shadowPolicies.includes('selfish') || !shadowPolicies.includes('central')) {
    return 'Price of anarchy: needs shadow runs of selfish and central (the table map’s live.shadows).';
  }
  const { bills, peak } = comparison.priceOfAnarchy;
  if (bills === null && peak === null) {
    return 'Price of anarchy: known once the selfish and central runs have both run a step.';
  }
  return `Price of anarchy so far: selfish agents’ bills are ${againstCentral(bills)}, their transformer peak ${againstCentral(peak)}.`;
}

function againstCentral(ratio: number | null): string {
  if (ratio === null) return 'not known yet';
  const differencePct = Math.round((ratio - 1) * 100);
  const words =
    differencePct === 0
      ? 'the same as'
      : `${Math.abs(differencePct)} % ${differencePct > 0 ? 'higher' : 'lower'} than`;
  return `${words} under central (×${ratio.toFixed(2)})`;
}
