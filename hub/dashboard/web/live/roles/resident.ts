import {
  controlTopics,
  HomePreferencesSchema,
  type ResidentBoost,
  ResidentBoostSchema,
  type ResidentPreferences,
  ResidentPreferencesSchema,
} from '../../../../../protocol/gridflex.ts';
import { sendControl } from '../../lib/controls.ts';
import { h } from '../../lib/dom.ts';
import { formatGbp, formatKw, formatMinuteOfDay, formatPencePerKwh } from '../../lib/format.ts';
import {
  control,
  numberField,
  outcomeLine,
  type PanelContext,
  readNumber,
  selectField,
  showOutcome,
  textField,
  writeNumber,
} from './form-kit.ts';

const BOOST_MINUTES = [30, 60, 120, 240] as const;

/** A resident's panel: their preferences (weights, comfort band, EV ready-by) and a boost with its cost. */
export function residentPanel(context: PanelContext, homeId: string): HTMLElement {
  const preferencesLine = outcomeLine();
  const preferencesForm = h(
    'form',
    { class: 'preferences-form', 'data-panel': 'resident-preferences' },
    h(
      'div',
      { class: 'fields' },
      numberField('Cost weight', 'costWeight', '0–1', { step: 0.1, min: 0, max: 1 }),
      numberField('Carbon weight', 'carbonWeight', '0–1', { step: 0.1, min: 0, max: 1 }),
      numberField('Autarky weight', 'autarkyWeight', '0–1', { step: 0.1, min: 0, max: 1 }),
      numberField('Comfort from', 'comfortMin', '°C', { step: 0.5, min: 5, max: 30 }),
      numberField('to', 'comfortMax', '°C', { step: 0.5, min: 5, max: 30 }),
      textField('EV ready by', 'readyBy', '07:30', 'time'),
      numberField('EV charged to', 'targetSoc', '%', { step: 5, min: 0, max: 100 }),
    ),
    h('button', { type: 'submit' }, 'Save preferences'),
    preferencesLine,
  );
  const boostLine = outcomeLine();
  const boostStatus = h('p', { class: 'small', 'data-boost-status': '' });
  const boost = h(
    'form',
    { class: 'boost-form', 'data-panel': 'resident-boost' },
    h(
      'div',
      { class: 'fields' },
      selectField('Boost', 'asset', []),
      selectField(
        'for',
        'minutes',
        BOOST_MINUTES.map((minutes) => [String(minutes), `${minutes} min`] as const),
      ),
    ),
    h(
      'p',
      {},
      h('button', { type: 'submit' }, 'Boost now'),
      ' ',
      h('button', { type: 'button', 'data-action': 'cancel' }, 'Cancel boost'),
    ),
    boostStatus,
    boostLine,
  );
  control<HTMLSelectElement>(boost, 'minutes').value = '60';

  const refresh = () => {
    const home = context.store.homes.get(homeId);
    const select = control<HTMLSelectElement>(boost, 'asset');
    const boostable = (home?.assets ?? []).filter(
      (asset) => asset.kind === 'ev' || asset.kind === 'heat-pump',
    );
    const wanted = boostable.map((asset) => asset.asset).join(',');
    if (select.dataset.assets !== wanted) {
      const chosen = select.value;
      select.replaceChildren(
        ...boostable.map((asset) => h('option', { value: asset.asset }, `${asset.asset} (${asset.kind})`)),
      );
      if (boostable.some((asset) => asset.asset === chosen)) select.value = chosen;
      select.dataset.assets = wanted;
    }
    const decision = context.store.decisions.get(homeId);
    const running = decision?.boost;
    const price = context.store.prices?.importPriceGbpPerKwh;
    boostStatus.replaceChildren(
      running
        ? h(
            'strong',
            {},
            `${running.asset} boosted at ${formatKw(running.pKw)}: ${Math.round(running.minutesLeft)} min left, ` +
              `extra so far ${formatGbp(running.extraCostGbp)} of an expected ${formatGbp(running.estimatedExtraCostGbp)}.`,
          )
        : boostable.length === 0
          ? 'No EV or heat pump on your plot to boost.'
          : `A boost runs it at full power now, whatever the plan; it costs the extra energy at ${formatPencePerKwh(price)} now.`,
      home ? ` Your home draws ${formatKw(home.netPKw)} now.` : '',
    );
  };
  refresh();
  context.onChange(refresh);

  // The preferences in force (what the resident set before over the home's defaults), so the boxes start with
  // the current values and a reload shows them again.
  fetch('./api/state', { cache: 'no-store' })
    .then((response) => response.json())
    .then((state: unknown) => {
      const { preferences: set, preferencesInForce } = state as {
        preferences?: Record<string, unknown>;
        preferencesInForce?: Record<string, unknown>;
      };
      const inForce = HomePreferencesSchema.omit({ home: true }).safeParse(preferencesInForce?.[homeId]);
      const saved = inForce.success ? inForce : ResidentPreferencesSchema.safeParse(set?.[homeId] ?? {});
      if (!saved.success) return;
      const preferences = saved.data;
      writeNumber(preferencesForm, 'costWeight', preferences.costWeight);
      writeNumber(preferencesForm, 'carbonWeight', preferences.carbonWeight);
      writeNumber(preferencesForm, 'autarkyWeight', preferences.autarkyWeight);
      writeNumber(preferencesForm, 'comfortMin', preferences.comfortMinCelsius);
      writeNumber(preferencesForm, 'comfortMax', preferences.comfortMaxCelsius);
      writeNumber(preferencesForm, 'targetSoc', preferences.evTargetSocPct);
      if (preferences.evReadyByMinute !== undefined) {
        control(preferencesForm, 'readyBy').value = formatMinuteOfDay(preferences.evReadyByMinute);
      }
    })
    .catch(() => {
      // Only a convenience: the form still works empty.
    });

  const sendBoost = async (minutes: number) => {
    const asset = control<HTMLSelectElement>(boost, 'asset').value;
    if (!asset) {
      showOutcome(boostLine, { sent: false, problem: 'choose the EV or heat pump to boost' }, 'Boost');
      return;
    }
    const body: ResidentBoost = { asset, minutes };
    const outcome = await sendControl(
      context.client(),
      context.awaitAudit,
      controlTopics.residentBoost(homeId),
      ResidentBoostSchema,
      body,
    );
    showOutcome(boostLine, outcome, minutes === 0 ? 'Cancel' : 'Boost');
  };
  boost.addEventListener('submit', (event) => {
    event.preventDefault();
    void sendBoost(Number(control<HTMLSelectElement>(boost, 'minutes').value));
  });
  boost.addEventListener('click', (event) => {
    if ((event.target as HTMLElement).dataset.action === 'cancel') void sendBoost(0);
  });

  preferencesForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const readyBy = control(preferencesForm, 'readyBy').value;
    const [hours, minutes] = readyBy.split(':').map(Number);
    const body: ResidentPreferences = {
      costWeight: readNumber(preferencesForm, 'costWeight'),
      carbonWeight: readNumber(preferencesForm, 'carbonWeight'),
      autarkyWeight: readNumber(preferencesForm, 'autarkyWeight'),
      comfortMinCelsius: readNumber(preferencesForm, 'comfortMin'),
      comfortMaxCelsius: readNumber(preferencesForm, 'comfortMax'),
      evReadyByMinute: readyBy === '' ? undefined : (hours ?? 0) * 60 + (minutes ?? 0),
      evTargetSocPct: readNumber(preferencesForm, 'targetSoc'),
    };
    const defined = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
    if (Object.keys(defined).length === 0) {
      showOutcome(
        preferencesLine,
        { sent: false, problem: 'fill in at least one preference' },
        'Preferences',
      );
      return;
    }
    const outcome = await sendControl(
      context.client(),
      context.awaitAudit,
      controlTopics.residentPreferences(homeId),
      ResidentPreferencesSchema,
      defined as ResidentPreferences,
    );
    showOutcome(preferencesLine, outcome, 'Preferences');
  });
  return h(
    'section',
    { class: 'panel role-panel' },
    h('h2', {}, `Resident of ${homeId}`),
    boost,
    h('h3', {}, 'Preferences'),
    preferencesForm,
    h('p', { class: 'small muted' }, `Times are simulated time; e.g. ready by ${formatMinuteOfDay(450)}.`),
  );
}
