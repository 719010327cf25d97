import type { Home, HomeDecision } from '../../../../protocol/gridflex.ts';
import { h } from '../lib/dom.ts';
import { formatGbp, formatKw, formatPencePerKwh, formatVolts } from '../lib/format.ts';
import { ASSET_COLOURS, STATUTORY_BAND_VOLTS } from '../lib/palette.ts';
import { decisionSentence, plainExplanation } from './plain-words.ts';
import type { LiveStore } from './store.ts';

const KIND_NAMES: Readonly<Record<string, string>> = {
  pv: 'PV',
  ev: 'EV',
  'heat-pump': 'Heat pump',
  battery: 'Battery',
  load: 'Load',
};

/** One card per home: its power now (base load and each asset), voltage, and its agent's last decision. */
export function renderHomes(container: HTMLElement, store: LiveStore): void {
  const plots = store.layout?.plots.filter((plot) => plot.home !== null) ?? [];
  container.replaceChildren(
    h('h2', {}, 'Homes'),
    h(
      'div',
      { class: 'home-cards' },
      ...plots.map((plot) => {
        const homeId = plot.home as string;
        const home = store.homes.get(homeId);
        const decision = store.decisions.get(homeId);
        const boosted = new Set(
          decision?.assets.filter((asset) => asset.boosted).map((asset) => asset.asset),
        );
        const volts = home?.vVolts ?? Number.NaN;
        const voltsBad = volts < STATUTORY_BAND_VOLTS.min || volts > STATUTORY_BAND_VOLTS.max;
        return h(
          'article',
          { class: 'home-card', 'data-home': homeId },
          h(
            'header',
            {},
            h('strong', {}, homeId),
            // The home's topic carries the plot's live wiring (gridflex/control/v1/table/wire).
            h(
              'span',
              { class: 'small' },
              ` ${plot.plot} · bus ${home?.bus ?? plot.bus}${home?.phase ?? plot.phase}`,
            ),
            h(
              'span',
              { class: 'net', 'data-net-kw': home ? home.netPKw.toFixed(3) : '' },
              home ? formatKw(home.netPKw) : '—',
            ),
          ),
          home ? renderMetered(home) : '',
          h(
            'table',
            { class: 'powers' },
            h(
              'tr',
              {},
              h('td', {}, swatch(ASSET_COLOURS.base ?? '#666'), 'Base load'),
              h('td', { class: 'num' }, formatKw(home?.baseLoadPKw)),
            ),
            ...(home?.assets ?? []).map((asset) =>
              h(
                'tr',
                { 'data-asset': asset.asset },
                h(
                  'td',
                  {},
                  swatch(ASSET_COLOURS[asset.kind] ?? '#888'),
                  `${KIND_NAMES[asset.kind] ?? asset.kind} `,
                  h('span', { class: 'small' }, asset.asset),
                  boosted.has(asset.asset) ? h('span', { class: 'tag boost' }, 'BOOST') : '',
                ),
                h('td', { class: 'num', 'data-asset-kw': asset.pKw.toFixed(3) }, formatKw(asset.pKw)),
              ),
            ),
            h(
              'tr',
              {},
              h('td', {}, 'Voltage'),
              h('td', { class: voltsBad ? 'num warn' : 'num' }, formatVolts(volts), voltsBad ? ' !' : ''),
            ),
          ),
          decision ? renderDecision(decision) : h('p', { class: 'small muted' }, 'No agent decision yet.'),
        );
      }),
    ),
  );
}

function renderDecision(decision: HomeDecision): HTMLElement {
  const states = [
    decision.evSocPct === undefined ? '' : `EV ${decision.evSocPct.toFixed(0)} %`,
    decision.batterySocPct === undefined ? '' : `battery ${decision.batterySocPct.toFixed(0)} %`,
    decision.indoorC === undefined ? '' : `indoors ${decision.indoorC.toFixed(1)} °C`,
  ].filter((text) => text !== '');
  const boost = decision.boost;
  // The decision in one plain sentence first (its unkept promises are listed below it).
  const plain = decisionSentence({ ...decision, cannotKeep: [] });
  return h(
    'div',
    { class: 'decision' },
    plain ? h('p', { class: 'plain-decision', 'data-plain-decision': '' }, plain) : '',
    h(
      'p',
      { class: 'explanation' },
      h('span', { class: 'tag' }, decision.policy),
      ' ',
      plainExplanation(decision.explanation),
    ),
    ...decision.cannotKeep.map((problem) => h('p', { class: 'small warn' }, `⚠ ${problem}`)),
    h(
      'p',
      { class: 'small muted' },
      [
        ...states,
        `price ${formatPencePerKwh(decision.importPriceGbpPerKwh)}`,
        `plan ${formatGbp(decision.planCostGbp)} over ${decision.horizonHours} h`,
      ].join(' · '),
    ),
    boost
      ? h(
          'p',
          { class: 'small boost-line', 'data-boost-asset': boost.asset },
          h('strong', {}, `Boost ${boost.asset}`),
          ` at ${formatKw(boost.pKw)}, ${Math.round(boost.minutesLeft)} min left; extra so far ` +
            `${boost.extraKwh.toFixed(2)} kWh = ${formatGbp(boost.extraCostGbp)} (expected ${formatGbp(boost.estimatedExtraCostGbp)})`,
        )
      : '',
  );
}

/** The meter board's reading on the home's plot beside the model's figure, when a meter reports. */
function renderMetered(home: Home): HTMLElement | string {
  if (home.meteredPKw === undefined) return '';
  const at = home.meteredAt ? new Date(home.meteredAt).toLocaleTimeString('en-GB') : '';
  return h(
    'p',
    {
      class: 'small metered',
      'data-metered-kw': home.meteredPKw.toFixed(3),
      title: `The meter board on ${home.plot} measured this${at ? ` at ${at}` : ''}; the model's figure is the home's base load plus its assets.`,
    },
    `metered ${formatKw(home.meteredPKw)} · model ${formatKw(home.netPKw)}`,
  );
}

function swatch(colour: string): HTMLElement {
  return h('i', { class: 'swatch', style: `background:${colour}`, 'aria-hidden': 'true' });
}
