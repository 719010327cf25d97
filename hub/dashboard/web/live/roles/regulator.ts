import {
  controlTopics,
  type RegulatorRules,
  RegulatorRulesSchema,
  TariffShapeSchema,
} from '../../../../../protocol/gridflex.ts';
import { h } from '../../lib/dom.ts';
import {
  checkboxes,
  control,
  fillOnce,
  numberField,
  outcomeLine,
  type PanelContext,
  readChecked,
  readNumber,
  selectField,
  sendChanges,
  showOutcome,
  textField,
  writeChecked,
  writeNumber,
} from './form-kit.ts';

const PENCE = 0.01;
const SHAPES = TariffShapeSchema.options;
type Periods = NonNullable<RegulatorRules['networkChargeBands']>['periods'];

/** `red 16:00-19:00; amber 07:00-16:00` ⇄ the network charge periods. */
export function formatPeriods(periods: Periods): string {
  return periods.map((period) => `${period.band} ${period.from}-${period.to}`).join('; ');
}

export function parsePeriods(text: string): Periods | string {
  const periods: Periods = [];
  for (const part of text
    .split(/[;\n]/)
    .map((piece) => piece.trim())
    .filter(Boolean)) {
    const match = /^(red|amber)\s+(\d\d:\d\d)\s*-\s*(\d\d:\d\d)$/i.exec(part);
    if (!match) return `"${part}": expected e.g. "red 16:00-19:00" (band red or amber, then from-to)`;
    periods.push({
      band: (match[1] as string).toLowerCase() as 'red' | 'amber',
      from: match[2] as string,
      to: match[3] as string,
    });
  }
  return periods;
}

/** The regulator's rules: price cap, allowed tariff shapes, switching lag, exit fees, network charge bands. */
export function regulatorPanel(context: PanelContext): HTMLElement {
  const line = outcomeLine();
  const form = h(
    'form',
    { class: 'rules-form', 'data-panel': 'regulator' },
    h(
      'div',
      { class: 'fields' },
      numberField('Price cap', 'priceCap', 'p/kWh', { step: 0.01, min: 0 }),
      checkboxes('Cap applies to', 'priceCapAppliesTo', SHAPES),
      numberField('Standing charge cap', 'standingCap', '£/day', { step: 0.0001, min: 0 }),
      numberField('Max unit rate (any tariff)', 'maxUnitRate', 'p/kWh', { step: 0.01, min: 0 }),
      checkboxes('Allowed tariff shapes', 'allowedTariffShapes', SHAPES),
      numberField('Switching lag', 'switchingLag', 'min', { step: 1, min: 0 }),
      numberField('Max exit fee', 'maxExitFee', '£', { step: 1, min: 0 }),
      numberField('Randomised start delay', 'startDelay', 'min', { step: 1, min: 0 }),
      numberField('Network charge red', 'red', 'p/kWh', { step: 0.01, min: 0 }),
      numberField('amber', 'amber', 'p/kWh', { step: 0.01, min: 0 }),
      numberField('green', 'green', 'p/kWh', { step: 0.01, min: 0 }),
      textField('Red/amber periods', 'periods', 'red 16:00-19:00; amber 07:00-16:00'),
      selectField('Agents may read', 'networkDataForAgents', [
        ['street', 'the street’s network'],
        ['own-home', 'their own home only'],
        ['none', 'nothing of the network'],
      ]),
    ),
    h('button', { type: 'submit' }, 'Apply rules'),
    line,
  );
  fillOnce(
    context,
    () => context.store.rules,
    (rules) => {
      writeNumber(form, 'priceCap', rules.priceCapGbpPerKwh, PENCE);
      writeChecked(form, 'priceCapAppliesTo', rules.priceCapAppliesTo);
      writeNumber(form, 'standingCap', rules.standingChargeCapGbpPerDay);
      writeNumber(form, 'maxUnitRate', rules.maxUnitRateGbpPerKwh, PENCE);
      writeChecked(form, 'allowedTariffShapes', rules.allowedTariffShapes);
      writeNumber(form, 'switchingLag', rules.switchingLagMinutes);
      writeNumber(form, 'maxExitFee', rules.maxExitFeeGbp);
      writeNumber(form, 'startDelay', rules.randomisedStartDelayMinutes);
      writeNumber(form, 'red', rules.networkChargeBands.redGbpPerKwh, PENCE);
      writeNumber(form, 'amber', rules.networkChargeBands.amberGbpPerKwh, PENCE);
      writeNumber(form, 'green', rules.networkChargeBands.greenGbpPerKwh, PENCE);
      control(form, 'periods').value = formatPeriods(rules.networkChargeBands.periods);
      control<HTMLSelectElement>(form, 'networkDataForAgents').value = rules.networkDataForAgents;
    },
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const periods = parsePeriods(control(form, 'periods').value);
    if (typeof periods === 'string') {
      showOutcome(line, { sent: false, problem: `network charge periods: ${periods}` }, 'Rules');
      return;
    }
    const red = readNumber(form, 'red', PENCE);
    const amber = readNumber(form, 'amber', PENCE);
    const green = readNumber(form, 'green', PENCE);
    const rules: RegulatorRules = {
      priceCapGbpPerKwh: readNumber(form, 'priceCap', PENCE),
      priceCapAppliesTo: readChecked(form, 'priceCapAppliesTo') as RegulatorRules['priceCapAppliesTo'],
      standingChargeCapGbpPerDay: readNumber(form, 'standingCap'),
      maxUnitRateGbpPerKwh: readNumber(form, 'maxUnitRate', PENCE),
      allowedTariffShapes: readChecked(form, 'allowedTariffShapes') as RegulatorRules['allowedTariffShapes'],
      switchingLagMinutes: readNumber(form, 'switchingLag'),
      maxExitFeeGbp: readNumber(form, 'maxExitFee'),
      randomisedStartDelayMinutes: readNumber(form, 'startDelay'),
      networkDataForAgents: control<HTMLSelectElement>(form, 'networkDataForAgents')
        .value as RegulatorRules['networkDataForAgents'],
      ...(red === undefined || amber === undefined || green === undefined
        ? {}
        : {
            networkChargeBands: { redGbpPerKwh: red, amberGbpPerKwh: amber, greenGbpPerKwh: green, periods },
          }),
    };
    await sendChanges(context, line, {
      topic: controlTopics.regulatorRules(),
      schema: RegulatorRulesSchema,
      wanted: rules,
      inForce: context.store.rules,
      what: 'Rules',
    });
  });
  return h('section', { class: 'panel role-panel' }, h('h2', {}, 'Regulator: rules'), form);
}
