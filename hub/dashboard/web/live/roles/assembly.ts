import {
  type AssemblyBatteryRules,
  AssemblyBatteryRulesSchema,
  controlTopics,
} from '../../../../../protocol/gridflex.ts';
import { h } from '../../lib/dom.ts';
import {
  control,
  fillOnce,
  numberField,
  outcomeLine,
  type PanelContext,
  readNumber,
  selectField,
  sendChanges,
  showOutcome,
  textField,
  writeNumber,
} from './form-kit.ts';

/** `home-1=medical, home-4=fuel-poor` ⇄ the homes' priority groups. */
export function parseGroups(text: string): Record<string, string> | string {
  const groups: Record<string, string> = {};
  for (const part of text
    .split(/[,;\n]/)
    .map((piece) => piece.trim())
    .filter(Boolean)) {
    const match = /^([a-z0-9][a-z0-9-]*)\s*=\s*(\S.*)$/.exec(part);
    if (!match) return `"${part}": expected home=group, e.g. home-1=medical`;
    groups[match[1] as string] = (match[2] as string).trim();
  }
  return groups;
}

/** The citizens' assembly: the rules of the street's shared battery (who may draw, how much, at what price). */
export function assemblyPanel(context: PanelContext): HTMLElement {
  const line = outcomeLine();
  const form = h(
    'form',
    { class: 'assembly-form', 'data-panel': 'assembly' },
    h(
      'div',
      { class: 'fields' },
      numberField('Reserve kept back', 'reserveKwh', 'kWh', { step: 0.5, min: 0 }),
      numberField('Per home at most', 'perHomeMaxKw', 'kW', { step: 0.5, min: 0 }),
      numberField('Per home per day', 'perHomeDailyKwh', 'kWh', { step: 0.5, min: 0 }),
      selectField('When short', 'contention', [
        ['priority', 'priority groups first'],
        ['shared', 'share among all'],
      ]),
      selectField('Shares', 'fairShare', [
        ['equal', 'equal'],
        ['proportional', 'in proportion to need'],
      ]),
      numberField('Draw price', 'drawPrice', 'p/kWh', { step: 0.1, min: 0 }),
      numberField('Store credit', 'storeCredit', 'p/kWh', { step: 0.1, min: 0 }),
      textField('Draw window from', 'windowFrom', '', 'time'),
      textField('to', 'windowTo', '', 'time'),
      textField('Priority groups (first = highest)', 'priorityGroups', 'medical, fuel-poor'),
      textField('Homes in groups', 'groups', 'home-1=medical, home-4=fuel-poor'),
    ),
    h('button', { type: 'submit' }, 'Apply battery rules'),
    line,
  );
  fillOnce(
    context,
    () => context.store.sharedBattery,
    (battery) => {
      const rules = battery.rules;
      writeNumber(form, 'reserveKwh', rules.reserveKwh);
      writeNumber(form, 'perHomeMaxKw', rules.perHomeMaxKw);
      writeNumber(form, 'perHomeDailyKwh', rules.perHomeDailyDischargeKwh);
      control<HTMLSelectElement>(form, 'contention').value = rules.contention;
      control<HTMLSelectElement>(form, 'fairShare').value = rules.fairShare;
      writeNumber(form, 'drawPrice', rules.drawPricePencePerKwh);
      writeNumber(form, 'storeCredit', rules.storeCreditPencePerKwh);
      control(form, 'windowFrom').value = rules.drawWindow?.from ?? '';
      control(form, 'windowTo').value = rules.drawWindow?.to ?? '';
      control(form, 'priorityGroups').value = rules.priorityGroups.join(', ');
      control(form, 'groups').value = Object.entries(rules.groups)
        .map(([home, group]) => `${home}=${group}`)
        .join(', ');
    },
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const groups = parseGroups(control(form, 'groups').value);
    if (typeof groups === 'string') {
      showOutcome(line, { sent: false, problem: `homes in groups: ${groups}` }, 'Rules');
      return;
    }
    const from = control(form, 'windowFrom').value;
    const to = control(form, 'windowTo').value;
    if ((from === '') !== (to === '')) {
      showOutcome(
        line,
        { sent: false, problem: 'give the draw window both a start and an end, or neither' },
        'Rules',
      );
      return;
    }
    const contention = control<HTMLSelectElement>(form, 'contention').value as 'priority' | 'shared';
    const fairShare = control<HTMLSelectElement>(form, 'fairShare').value as 'equal' | 'proportional';
    const body: AssemblyBatteryRules = {
      reserveKwh: readNumber(form, 'reserveKwh'),
      perHomeMaxKw: readNumber(form, 'perHomeMaxKw'),
      perHomeDailyDischargeKwh: readNumber(form, 'perHomeDailyKwh'),
      contention,
      fairShare,
      drawPricePencePerKwh: readNumber(form, 'drawPrice'),
      storeCreditPencePerKwh: readNumber(form, 'storeCredit'),
      drawWindow: from === '' ? null : { from, to },
      priorityGroups: control(form, 'priorityGroups')
        .value.split(',')
        .map((group) => group.trim())
        .filter(Boolean),
      groups,
    };
    await sendChanges(context, line, {
      topic: controlTopics.assemblyBatteryRules(),
      schema: AssemblyBatteryRulesSchema,
      wanted: body,
      inForce: context.store.sharedBattery?.rules,
      what: 'Battery rules',
    });
  });
  return h(
    'section',
    { class: 'panel role-panel' },
    h('h2', {}, 'Citizens’ assembly: shared battery rules'),
    form,
  );
}
