/** Draws the year report from its data: key figures, then one section per question the room asks. */
import type { ReportData } from '../../../report/model.ts';
import { h } from '../lib/dom.ts';
import { formatGbp, formatPct } from '../lib/format.ts';
import { LOADING_CLASSES, OKABE_ITO, STATUTORY_BAND_VOLTS, viridis } from '../lib/palette.ts';
import { chart, type SeriesSpec } from './charts.ts';
import { renderSocial } from './social.ts';
import { renderLinks, renderRedTeam } from './studies.ts';

type RunPart = NonNullable<ReportData['run']>;
type PoaPart = NonNullable<ReportData['poa']>;

const POLICY_COLOURS = [
  OKABE_ITO.black,
  OKABE_ITO.vermillion,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.blue,
  OKABE_ITO.orange,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.skyBlue,
];

/** Renders the whole report into `root`. */
export function renderReport(root: HTMLElement, report: ReportData): void {
  if (report.run) renderRun(root, report.run);
  if (report.poa) renderPoa(root, report.poa);
  if (report.redTeam) renderRedTeam(root, report.redTeam);
  if (report.links) renderLinks(root, report.links);
  if (report.social) renderSocial(root, report.social);
}

export function section(
  root: HTMLElement,
  id: string,
  title: string,
  ...intro: (string | Node)[]
): HTMLElement {
  const element = h(
    'section',
    { class: 'panel report-section', id, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title),
  );
  if (intro.length > 0) element.append(h('p', { class: 'muted' }, ...intro));
  root.append(element);
  return element;
}

function signed(value: number, digits = 2, unit = ''): string {
  const text = Math.abs(value).toFixed(digits);
  return `${value > 0 ? '+' : value < 0 ? '−' : '±'}${text}${unit}`;
}

function signedGbp(value: number): string {
  return `${value > 0 ? '+' : value < 0 ? '−' : '±'}£${Math.abs(value).toFixed(2)}`;
}

export function table(
  header: string[],
  rows: (string | number | Node)[][],
  numeric: boolean[] = [],
): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'data' },
      h(
        'thead',
        {},
        h('tr', {}, ...header.map((title, i) => h('th', { class: numeric[i] ? 'num' : '' }, title))),
      ),
      h(
        'tbody',
        {},
        ...rows.map((row) =>
          h(
            'tr',
            {},
            ...row.map((value, i) =>
              h('td', { class: numeric[i] ? 'num' : '' }, typeof value === 'number' ? String(value) : value),
            ),
          ),
        ),
      ),
    ),
  );
}

export function keyFigure(
  label: string,
  value: string,
  detail: string,
  tone: 'good' | 'bad' | 'neutral' = 'neutral',
): HTMLElement {
  return h(
    'div',
    { class: `key-figure ${tone}` },
    h('div', { class: 'key-label' }, label),
    h('div', { class: 'key-value' }, value),
    h('div', { class: 'key-detail' }, detail),
  );
}

/** Lower is better for bills, carbon, peak: a negative change is good. */
function tone(change: number): 'good' | 'bad' | 'neutral' {
  return change < -1e-9 ? 'good' : change > 1e-9 ? 'bad' : 'neutral';
}

/**
 * The lines beside the transformer: a street whose transformer peaks at a fifth of its rating can still overload
 * its cables, so the headline names the most loaded line and how many went over their rating.
 */
function linesFigure(run: RunPart): HTMLElement {
  const worst = run.lines[0];
  if (worst === undefined) {
    return keyFigure('Most loaded line', 'n/a', 'no line of this feeder has a rating');
  }
  const over = run.linesOverloaded;
  return keyFigure(
    'Most loaded line',
    `${formatPct(worst.maxLoadingPct)} of rating`,
    `${worst.line} (bus ${worst.fromBus}–${worst.toBus}); ${
      over === 0
        ? `every line within its rating (${run.linesRated} rated)`
        : `${over} of ${run.linesRated} lines over their rating`
    }`,
    over > 0 ? 'bad' : 'good',
  );
}

function renderRun(root: HTMLElement, run: RunPart): void {
  const { totals, network } = run;
  const homes = run.homes.length;
  const billChange = totals.billsGbp - totals.passiveBillsGbp;
  const carbonChange = totals.carbonKg - totals.passiveCarbonKg;
  const peakChange = network.transformerPeakKw - network.passiveTransformerPeakKw;
  root.append(
    h(
      'section',
      { class: 'key-figures', 'aria-label': 'key figures' },
      keyFigure(
        'Bill per home',
        formatGbp(totals.billsGbp / homes),
        `${signedGbp(billChange / homes)} vs passive (${formatGbp(totals.passiveBillsGbp / homes)})`,
        tone(billChange),
      ),
      keyFigure(
        'Carbon',
        `${totals.carbonKg.toFixed(0)} kg`,
        `${signed(carbonChange, 1, ' kg')} vs passive`,
        tone(carbonChange),
      ),
      keyFigure(
        'Transformer peak',
        `${network.transformerPeakKw.toFixed(1)} kW`,
        `${signed(peakChange, 1, ' kW')} vs passive; ${formatPct(network.transformerPeakLoadingPct)} of rating`,
        tone(peakChange),
      ),
      linesFigure(run),
      keyFigure(
        'Voltage',
        `${network.minVoltageV.toFixed(1)}–${network.maxVoltageV.toFixed(1)} V`,
        `${network.busMinutesOutsideStatutoryLimits} connection-minutes outside ${STATUTORY_BAND_VOLTS.min}–${STATUTORY_BAND_VOLTS.max} V`,
        network.busMinutesOutsideStatutoryLimits > 0 ? 'bad' : 'good',
      ),
      keyFigure(
        'Fairness (Gini of savings)',
        run.giniOfSaving === null ? 'n/a' : run.giniOfSaving.toFixed(2),
        giniMeaning(run.giniOfSaving),
      ),
    ),
  );
  renderCosts(root, run);
  renderDistribution(root, run);
  renderNetwork(root, run);
  renderCarbon(root, run);
  renderSharedAssets(root, run);
  renderSuppliers(root, run);
  renderSwitching(root, run);
}

function renderCosts(root: HTMLElement, run: RunPart): void {
  const box = section(
    root,
    'costs',
    'Cost per customer against the passive baseline',
    'Each home\u2019s bill over the run with its agent, next to the same home with no control (passive).',
  );
  const names = run.homes.map((home) => home.home);
  const x = names.map((_, i) => i);
  chart(box, {
    title: 'Bill per home',
    caption: 'Bars: passive baseline (grey) and this run (blue), £ over the run.',
    x,
    categories: names,
    xLabel: 'home',
    yLabel: '£',
    series: [
      {
        label: 'passive',
        colour: '#8a8a8a',
        values: run.homes.map((home) => home.passiveBillGbp),
        bars: true,
      },
      {
        label: 'this run',
        colour: OKABE_ITO.blue,
        values: run.homes.map((home) => home.billGbp),
        bars: true,
      },
    ],
  });
  box.append(
    table(
      [
        'home',
        'bus/phase',
        'policy',
        'assets',
        'tariff',
        'passive bill',
        'bill',
        'saving',
        'import kWh',
        'export kWh',
        'comfort °C·h out',
        'EV short kWh',
      ],
      run.homes.map((home) => [
        home.home,
        `${home.bus}/${home.phase}`,
        home.policy,
        home.assets.join(', ') || '—',
        home.tariffAtStart === home.tariffAtEnd
          ? home.tariffAtStart
          : `${home.tariffAtStart} → ${home.tariffAtEnd}`,
        formatGbp(home.passiveBillGbp),
        formatGbp(home.billGbp),
        signedGbp(home.savingGbp),
        home.importKwh.toFixed(1),
        home.exportKwh.toFixed(1),
        home.comfortDegreeHoursOutside.toFixed(1),
        home.evShortfallKwh.toFixed(1),
      ]),
      [false, false, false, false, false, true, true, true, true, true, true, true],
    ),
  );
}

function renderDistribution(root: HTMLElement, run: RunPart): void {
  const box = section(
    root,
    'distribution',
    'Who benefits',
    'Homes ranked by their passive bill into ten groups (decile 1: the smallest bills); the mean saving in each. ',
    run.giniOfSaving === null
      ? 'Gini: not defined (the mean saving is not positive).'
      : `Gini of savings ${run.giniOfSaving.toFixed(2)} (${giniMeaning(run.giniOfSaving)}).`,
  );
  const deciles = run.savingPerDecileGbp.map((_, d) => `D${d + 1}`);
  chart(box, {
    title: 'Mean saving per decile of passive bill',
    caption: 'Positive: the homes in that decile pay less than with no control.',
    x: deciles.map((_, i) => i),
    categories: deciles,
    xLabel: 'decile of passive bill',
    yLabel: '£ saved',
    series: [
      { label: 'mean saving', colour: OKABE_ITO.bluishGreen, values: run.savingPerDecileGbp, bars: true },
    ],
    height: 220,
  });
}

function renderNetwork(root: HTMLElement, run: RunPart): void {
  const { network } = run;
  const box = section(
    root,
    'network',
    'Network impacts',
    `Transformer peak ${network.transformerPeakKw.toFixed(1)} kW (passive ${network.passiveTransformerPeakKw.toFixed(1)} kW), above its rating in ${network.transformerOverloadSteps} steps; losses ${network.lossesKwh.toFixed(1)} kWh.`,
  );
  const grid = h('div', { class: 'chart-grid' });
  box.append(grid);
  const s = run.series;
  chart(grid, {
    title: 'Transformer loading over the run',
    caption:
      'Loading in % of the transformer\u2019s rating at each step; the dashed line is 100 %. Drag to zoom, double-click to reset.',
    x: s.dayOffset,
    xLabel: 'day of the run',
    yLabel: '% of rating',
    series: [
      ...passiveSeries(run.passiveLoadingPct),
      { label: 'loading', colour: OKABE_ITO.blue, values: s.transformerLoadingPct },
      {
        label: 'rating',
        colour: OKABE_ITO.vermillion,
        values: s.dayOffset.map(() => 100),
        dash: true,
        width: 1,
      },
    ],
  });
  const duration = run.loadingDurationPct;
  chart(grid, {
    title: 'Transformer loading-duration curve',
    caption:
      'Share of the time the transformer was loaded at or above each level; grey: the same street with no control (passive).',
    x: duration.map((_, i) => (duration.length > 1 ? (100 * i) / (duration.length - 1) : 0)),
    xLabel: '% of time',
    yLabel: '% of rating',
    series: [
      ...passiveSeries(run.passiveLoadingDurationPct),
      { label: 'loading', colour: OKABE_ITO.blue, values: duration },
      {
        label: 'rating',
        colour: OKABE_ITO.vermillion,
        values: duration.map(() => 100),
        dash: true,
        width: 1,
      },
    ],
  });
  chart(grid, {
    title: 'Lowest and highest voltage on the street',
    caption: `Dashed: the statutory band ${STATUTORY_BAND_VOLTS.min}–${STATUTORY_BAND_VOLTS.max} V.`,
    x: s.dayOffset,
    xLabel: 'day of the run',
    yLabel: 'V',
    series: [
      { label: 'lowest', colour: OKABE_ITO.vermillion, values: s.minVoltageV },
      { label: 'highest', colour: OKABE_ITO.blue, values: s.maxVoltageV },
      {
        label: 'band min',
        colour: '#555555',
        values: s.dayOffset.map(() => STATUTORY_BAND_VOLTS.min),
        dash: true,
        width: 1,
      },
      {
        label: 'band max',
        colour: '#555555',
        values: s.dayOffset.map(() => STATUTORY_BAND_VOLTS.max),
        dash: true,
        width: 1,
      },
    ],
  });
  chart(grid, {
    title: 'Street import',
    caption: 'Power into the street from the transformer (negative: export), kW.',
    x: s.dayOffset,
    xLabel: 'day of the run',
    yLabel: 'kW',
    series: [{ label: 'import', colour: OKABE_ITO.reddishPurple, values: s.substationKw }],
  });
  box.append(heatmap(run));
  box.append(h('h3', {}, 'Most loaded lines'));
  if (run.linesRated === 0) {
    box.append(
      h('p', { class: 'muted' }, 'No rated lines in this feeder (or the run predates line outputs).'),
    );
  } else {
    box.append(
      h(
        'p',
        { class: 'muted' },
        `${run.linesOverloaded} of ${run.linesRated} rated lines went above 100 % at some step. The ${run.lines.length} most loaded:`,
      ),
      table(
        ['line', 'from → to', 'peak loading', 'class', 'steps above 100 %'],
        run.lines.map((line) => {
          const loadingClass =
            LOADING_CLASSES.find((entry) => line.maxLoadingPct < entry.belowPct) ?? LOADING_CLASSES[3];
          return [
            line.line,
            `${line.fromBus} → ${line.toBus}`,
            formatPct(line.maxLoadingPct, 1),
            h(
              'span',
              { class: 'class-tag', style: `border-color:${loadingClass.colour}` },
              h('i', { style: `background:${loadingClass.colour}` }),
              loadingClass.label,
            ),
            line.overloadSteps,
          ];
        }),
        [false, false, true, false, true],
      ),
    );
  }
}

/** The passive baseline as a grey series, when the run has it. */
function passiveSeries(values: number[] | undefined): SeriesSpec[] {
  return values ? [{ label: 'passive', colour: '#8a8a8a', values, width: 1.5 }] : [];
}

/** Connections × hours of the day, each cell coloured (viridis) by the minutes outside the band. */
function heatmap(run: RunPart): HTMLElement {
  const map = run.heatmap;
  const wrap = h(
    'div',
    { class: 'heatmap-wrap' },
    h('h3', {}, 'Voltage-band violations by connection and hour of day'),
  );
  if (map.connections === 0) {
    wrap.append(
      h(
        'p',
        { class: 'muted' },
        'This run has no per-connection voltage record (voltage-violations.csv); re-run it to see the heatmap.',
      ),
    );
    return wrap;
  }
  const total = map.underMinutes.reduce((a, b) => a + b, 0) + map.overMinutes.reduce((a, b) => a + b, 0);
  if (total === 0) {
    wrap.append(
      h(
        'p',
        { class: 'ok' },
        `All ${map.connections} customer connections stayed within ${STATUTORY_BAND_VOLTS.min}–${STATUTORY_BAND_VOLTS.max} V at every step.`,
      ),
    );
    return wrap;
  }
  const max = Math.max(1, ...map.minutes.flat());
  wrap.append(
    h(
      'p',
      { class: 'muted' },
      `${map.rows.length} of ${map.connections} connections went outside the band. Each cell: minutes outside the band in that hour of the day, summed over the run (darker = fewer, yellow = most, ${max} min).`,
    ),
  );
  const header = h(
    'tr',
    {},
    h('th', {}, 'bus/phase'),
    ...Array.from({ length: 24 }, (_, hour) => h('th', { class: 'hour' }, String(hour).padStart(2, '0'))),
    h('th', { class: 'num' }, 'under'),
    h('th', { class: 'num' }, 'over'),
  );
  const rows = map.rows.map((name, r) =>
    h(
      'tr',
      {},
      h('th', { class: 'row-name' }, name),
      ...(map.minutes[r] ?? []).map((minutes, hour) =>
        h(
          'td',
          {
            class: 'cell',
            style: minutes > 0 ? cellStyle(minutes / max) : '',
            title: `${name} ${String(hour).padStart(2, '0')}:00 — ${minutes} min outside the band`,
          },
          minutes > 0 ? String(minutes) : '',
        ),
      ),
      h('td', { class: 'num' }, String(map.underMinutes[r] ?? 0)),
      h('td', { class: 'num' }, String(map.overMinutes[r] ?? 0)),
    ),
  );
  wrap.append(
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'heatmap', 'aria-label': 'minutes outside the statutory band by connection and hour' },
        h('thead', {}, header),
        h('tbody', {}, ...rows),
      ),
    ),
  );
  return wrap;
}

/** A heatmap cell's colours: viridis for the value, dark text on the light (yellow) end so it stays readable. */
function cellStyle(t: number): string {
  return `background:${viridis(t)};color:${t > 0.6 ? '#000' : '#fff'}`;
}

function renderCarbon(root: HTMLElement, run: RunPart): void {
  const change = run.totals.carbonKg - run.totals.passiveCarbonKg;
  const box = section(
    root,
    'carbon',
    'Carbon',
    `${run.totals.carbonKg.toFixed(1)} kg CO\u2082 from the street\u2019s imports (${signed(change, 1, ' kg')} against passive), at the grid\u2019s half-hourly intensity.`,
  );
  const names = run.homes.map((home) => home.home);
  chart(box, {
    title: 'Carbon per home',
    caption: 'Bars: passive baseline (grey) and this run (green), kg CO\u2082 over the run.',
    x: names.map((_, i) => i),
    categories: names,
    xLabel: 'home',
    yLabel: 'kg CO\u2082',
    series: [
      {
        label: 'passive',
        colour: '#8a8a8a',
        values: run.homes.map((home) => home.passiveCarbonKg),
        bars: true,
      },
      {
        label: 'this run',
        colour: OKABE_ITO.bluishGreen,
        values: run.homes.map((home) => home.carbonKg),
        bars: true,
      },
    ],
    height: 220,
  });
}

function renderSharedAssets(root: HTMLElement, run: RunPart): void {
  const battery = run.sharedBattery;
  const flex = run.flexAuction;
  if (!battery && !flex) {
    section(root, 'shared', 'Shared assets', 'This scenario has no shared asset (retail market only).');
    return;
  }
  if (battery) {
    const box = section(
      root,
      'shared',
      'Shared assets: the community battery',
      `${battery.capacityKwh} kWh; ${battery.storedKwh.toFixed(1)} kWh stored and ${battery.drawnKwh.toFixed(1)} kWh drawn by members; the scheme\u2019s account ${formatGbp(battery.accountGbp)}; asks cut in ${battery.stepsWithCuts} steps.`,
    );
    if (battery.socKwh.length > 0) {
      chart(box, {
        title: 'Battery state of charge',
        caption: 'Energy in the community battery at the end of each step, kWh.',
        x: run.series.dayOffset.slice(0, battery.socKwh.length),
        xLabel: 'day of the run',
        yLabel: 'kWh',
        yRange: [0, battery.capacityKwh],
        series: [{ label: 'state of charge', colour: OKABE_ITO.bluishGreen, values: battery.socKwh }],
        height: 200,
      });
    }
    box.append(
      table(
        ['home', 'group', 'stored kWh', 'drawn kWh', 'value £'],
        battery.perHome.map((home) => [
          home.home,
          home.group ?? '—',
          home.storedKwh.toFixed(2),
          home.drawnKwh.toFixed(2),
          formatGbp(home.valueGbp),
        ]),
        [false, false, true, true, true],
      ),
    );
  }
  if (flex) {
    const box = section(
      root,
      'flex',
      'Shared assets: the flexibility auction',
      `${flex.auctions} auctions at the ${flex.limitKw} kW limit bought ${flex.clearedKwh.toFixed(1)} kWh of flexibility for ${formatGbp(flex.paymentsGbp)}.`,
    );
    box.append(
      table(
        ['home', 'offers', 'awards', 'paid to the home'],
        flex.perHome.map((home) => [home.home, home.offers, home.awards, formatGbp(home.paymentGbp)]),
        [false, true, true, true],
      ),
    );
  }
}

function renderSuppliers(root: HTMLElement, run: RunPart): void {
  const box = section(
    root,
    'suppliers',
    'Supplier profit and loss',
    'Revenue from bills less wholesale energy and network charges, over the run.',
  );
  box.append(
    table(
      ['supplier', 'customers', 'bill revenue', 'wholesale', 'network', 'profit', 'profit vs passive'],
      run.suppliers.map((supplier) => [
        supplier.supplier,
        supplier.customers,
        formatGbp(supplier.billRevenueGbp),
        formatGbp(supplier.wholesaleCostGbp),
        formatGbp(supplier.networkCostGbp),
        formatGbp(supplier.profitGbp),
        signedGbp(supplier.profitVsPassiveGbp),
      ]),
      [false, true, true, true, true, true, true],
    ),
  );
}

function renderSwitching(root: HTMLElement, run: RunPart): void {
  const sw = run.switching;
  const box = section(
    root,
    'switching',
    'Switching log',
    `${sw.requests} requests: ${sw.completed} completed, ${sw.failed} failed, ${sw.rejected} rejected.`,
  );
  if (sw.log.length === 0) {
    box.append(h('p', { class: 'muted' }, 'No agent asked to switch tariff during this run.'));
    return;
  }
  box.append(
    table(
      ['home', 'from → to', 'asked on day', 'outcome', 'lag (work days)', 'exit fee', 'reason'],
      sw.log.map((entry) => [
        entry.home,
        `${entry.from} → ${entry.to}`,
        entry.requestedDay,
        entry.outcome,
        entry.lagWorkingDays ?? '—',
        formatGbp(entry.exitFeeGbp),
        entry.reason,
      ]),
      [false, false, true, false, true, true, false],
    ),
  );
  if (sw.log.length < sw.requests)
    box.append(
      h(
        'p',
        { class: 'muted small' },
        `The first ${sw.log.length} of ${sw.requests} requests are listed; the CSV export and switching-log.jsonl have them all.`,
      ),
    );
}

function renderPoa(root: HTMLElement, poa: PoaPart): void {
  root.append(
    h(
      'section',
      { class: 'key-figures', 'aria-label': 'key figures' },
      keyFigure(
        'Price of anarchy',
        poa.priceOfAnarchy.toFixed(3),
        'social cost of selfish agents over that of the central optimum',
        poa.priceOfAnarchy > 1.0001 ? 'bad' : 'good',
      ),
      keyFigure(
        'Headroom lost',
        formatPct(poa.headroomLostPct, 1),
        `of the ${poa.transformerLimitKw.toFixed(0)} kW limit: selfish peak over cooperative`,
        poa.headroomLostPct > 0 ? 'bad' : 'good',
      ),
      keyFigure(
        'Cooperative gap',
        formatPct(poa.cooperativeGapPct, 2),
        'cooperative social cost above central\u2019s',
      ),
    ),
  );
  const box = section(
    root,
    'poa',
    'Policies compared (price of anarchy)',
    'The same street and year under each policy. Social cost = bills + reinforcement for the peak above the limit + carbon at its price.',
  );
  const names = poa.policies.map((policy) => policy.policy);
  chart(box, {
    title: 'Social cost by policy',
    caption: 'Bills, reinforcement and carbon cost, £ over the run.',
    x: names.map((_, i) => i),
    categories: names,
    xLabel: 'policy',
    yLabel: '£',
    // Reinforcement and carbon only when some policy has them (both are often zero on a short run).
    series: [
      { label: 'bills', colour: OKABE_ITO.blue, values: poa.policies.map((p) => p.billsGbp), bars: true },
      {
        label: 'reinforcement',
        colour: OKABE_ITO.vermillion,
        values: poa.policies.map((p) => p.reinforcementGbp),
        bars: true,
      },
      {
        label: 'carbon',
        colour: OKABE_ITO.bluishGreen,
        values: poa.policies.map((p) => p.carbonCostGbp),
        bars: true,
      },
    ].filter((series, index) => index === 0 || series.values.some((value) => value !== 0)),
    height: 240,
  });
  const deciles = Array.from({ length: 10 }, (_, d) => `D${d + 1}`);
  chart(box, {
    title: 'Benefit per decile of passive bill, by policy',
    caption:
      'Mean saving against passive in each tenth of the homes (decile 1: the smallest passive bills), £.',
    x: deciles.map((_, i) => i),
    categories: deciles,
    xLabel: 'decile of passive bill',
    yLabel: '£ saved',
    series: poa.policies
      .filter((p) => p.policy !== 'passive')
      .map((p, i) => ({
        label: p.policy,
        colour: POLICY_COLOURS[(i + 1) % POLICY_COLOURS.length] as string,
        values: p.benefitPerDecileGbp,
        bars: true,
      })),
    height: 240,
  });
  box.append(
    table(
      [
        'policy',
        'social cost',
        'bills',
        'reinforcement',
        'carbon cost',
        'transformer peak',
        'connection-minutes outside band',
        'Gini of benefit',
      ],
      poa.policies.map((p) => [
        p.policy,
        formatGbp(p.socialCostGbp),
        formatGbp(p.billsGbp),
        formatGbp(p.reinforcementGbp),
        formatGbp(p.carbonCostGbp),
        `${p.transformerPeakKw.toFixed(1)} kW`,
        p.busMinutesOutsideStatutoryLimits,
        p.giniOfBenefit === null ? 'n/a' : p.giniOfBenefit.toFixed(2),
      ]),
      [false, true, true, true, true, true, true, true],
    ),
    h(
      'p',
      { class: 'small muted' },
      `Gini of benefit: ${giniMeaning(0.5)}; ${giniMeaning(1.5)}; n/a: ${giniMeaning(null)}.`,
    ),
  );
}

/**
 * What a Gini of savings says. Savings can be negative (a home pays more than with no control), and then the
 * Gini can pass 1, which "1 = one home takes all" would misread.
 */
function giniMeaning(gini: number | null): string {
  if (gini === null) return 'most homes saved nothing or lost';
  if (gini > 1) return 'above 1: some homes pay more than with no control while others save';
  return '0 = all save alike, 1 = one home takes all';
}
