import {
  controlTopics,
  type SupplierTariff,
  SupplierTariffSchema,
  type TariffBand,
  TariffShapeSchema,
} from '../../../../../protocol/gridflex.ts';
import { describeIssue, sendControl } from '../../lib/controls.ts';
import { h } from '../../lib/dom.ts';
import { formatGbp, formatPencePerKwh } from '../../lib/format.ts';
import { parseTariffBandsCsv, TARIFF_CSV_COLUMNS } from '../../lib/tariff-csv.ts';
import { tariffProblems } from '../../lib/tariff-rules.ts';
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

const PENCE = 0.01;
const EXAMPLE_CSV = `${TARIFF_CSV_COLUMNS.join(',')}\n00:30,05:30,0.075,0.15,night\n16:00,19:00,0.35,0.15,peak\n`;

/**
 * A supplier's tariff editor: flat or time-of-use (bands typed in or uploaded as CSV), checked live against the
 * regulator's rules in force, then offered to the hub, whose answer (accepted, or refused and why) is shown.
 */
export function supplierPanel(context: PanelContext, supplierId: string): HTMLElement {
  let bands: TariffBand[] = [];
  const line = outcomeLine();
  const problemsList = h('ul', { class: 'problems', 'aria-live': 'polite' });
  const csvMessage = h('p', { class: 'outcome', role: 'alert', hidden: true, 'data-csv-message': '' });
  const bandsTable = h('tbody');
  const bandsHead = h(
    'thead',
    { hidden: true },
    h(
      'tr',
      {},
      ...['name', 'from', 'to', 'import p/kWh', 'export p/kWh', ''].map((text) => h('th', {}, text)),
    ),
  );
  const csvInput = h('input', { type: 'file', name: 'csv', accept: '.csv,text/csv' });
  const form = h(
    'form',
    { class: 'tariff-form', 'data-panel': 'supplier' },
    h(
      'div',
      { class: 'fields' },
      textField('Tariff ID', 'tariffId', 'e.g. night-ev'),
      textField('Name', 'name', 'what customers see'),
      selectField(
        'Shape',
        'kind',
        TariffShapeSchema.options.map((shape) => [shape, shape] as const),
      ),
      numberField('Import (flat / outside bands)', 'importPrice', 'p/kWh', { step: 0.01 }),
      numberField('Export', 'exportPrice', 'p/kWh', { step: 0.01 }),
      numberField('Standing charge', 'standing', '£/day', { step: 0.0001, min: 0 }),
      numberField('Contract (0 = variable)', 'contractMonths', 'months', { step: 1, min: 0 }),
      numberField('Exit fee', 'exitFee', '£', { step: 1, min: 0 }),
    ),
    h(
      'details',
      { class: 'bands', open: true },
      h('summary', {}, 'Time-of-use bands'),
      h('table', { class: 'small' }, bandsHead, bandsTable),
      h(
        'p',
        { class: 'small' },
        h('button', { type: 'button', 'data-action': 'add-band' }, 'Add band'),
        ' or upload a CSV: ',
        csvInput,
        ' ',
        h(
          'a',
          {
            href: `data:text/csv;charset=utf-8,${encodeURIComponent(EXAMPLE_CSV)}`,
            download: 'tariff-bands-example.csv',
          },
          'example CSV',
        ),
      ),
      csvMessage,
    ),
    h('h3', {}, 'Regulator’s check'),
    problemsList,
    h(
      'p',
      {},
      h('button', { type: 'submit' }, 'Offer tariff'),
      ' ',
      h('button', { type: 'button', 'data-action': 'withdraw' }, 'Withdraw'),
    ),
    line,
  );
  writeNumber(form, 'importPrice', 0.24, PENCE);
  writeNumber(form, 'exportPrice', 0.15, PENCE);
  writeNumber(form, 'standing', 0.55);
  writeNumber(form, 'contractMonths', 0);
  writeNumber(form, 'exitFee', 0);
  control(form, 'tariffId').value = `${supplierId}-flex`;

  const renderBands = () => {
    bandsHead.hidden = bands.length === 0;
    bandsTable.replaceChildren(
      ...bands.map((band, index) =>
        h(
          'tr',
          {},
          h('td', {}, bandInput(index, 'name', band.name ?? '')),
          h('td', {}, bandInput(index, 'from', band.from)),
          h('td', {}, bandInput(index, 'to', band.to)),
          h('td', {}, bandInput(index, 'importPriceGbpPerKwh', String(band.importPriceGbpPerKwh / PENCE))),
          h(
            'td',
            {},
            bandInput(
              index,
              'exportPriceGbpPerKwh',
              band.exportPriceGbpPerKwh === undefined ? '' : String(band.exportPriceGbpPerKwh / PENCE),
            ),
          ),
          h(
            'td',
            {},
            h(
              'button',
              { type: 'button', 'data-remove': index, 'aria-label': `remove band ${index + 1}` },
              '✕',
            ),
          ),
        ),
      ),
    );
  };
  const bandInput = (index: number, key: keyof TariffBand, value: string) =>
    h('input', {
      'data-band': index,
      'data-key': key,
      value,
      size: key === 'name' ? 8 : 5,
      'aria-label': `band ${index + 1} ${key}`,
    });

  /** The tariff as typed, or the first schema problem in words. */
  const readTariff = (): { tariff: SupplierTariff } | { problem: string } => {
    const contractMonths = readNumber(form, 'contractMonths') ?? 0;
    const exitFee = readNumber(form, 'exitFee') ?? 0;
    const name = control(form, 'name').value.trim();
    const candidate = {
      tariffId: control(form, 'tariffId').value.trim(),
      ...(name ? { name } : {}),
      kind: control<HTMLSelectElement>(form, 'kind').value,
      importPriceGbpPerKwh: readNumber(form, 'importPrice', PENCE),
      exportPriceGbpPerKwh: readNumber(form, 'exportPrice', PENCE),
      standingChargeGbpPerDay: readNumber(form, 'standing'),
      ...(bands.length > 0 ? { bands } : {}),
      contractMonths,
      exitFeeGbp: exitFee,
    };
    const parsed = SupplierTariffSchema.safeParse(candidate);
    if (!parsed.success) return { problem: parsed.error.issues.map(describeIssue).join('; ') };
    return { tariff: parsed.data };
  };

  const check = () => {
    const read = readTariff();
    const rules = context.store.rules;
    const problems =
      'problem' in read
        ? [read.problem]
        : rules
          ? tariffProblems(read.tariff, rules)
          : ['waiting for the regulator’s rules…'];
    problemsList.replaceChildren(
      ...(problems.length === 0
        ? [
            h(
              'li',
              { class: 'ok' },
              `✓ Meets the regulator’s rules${'tariff' in read ? ` (import ${formatPencePerKwh(read.tariff.importPriceGbpPerKwh)}, standing ${formatGbp(read.tariff.standingChargeGbpPerDay)}/day)` : ''}.`,
            ),
          ]
        : problems.map((problem) => h('li', { class: 'warn' }, `✕ ${problem}`))),
    );
  };

  form.addEventListener('input', (event) => {
    const target = event.target as HTMLInputElement;
    const index = target.dataset.band;
    const key = target.dataset.key as keyof TariffBand | undefined;
    const band = index === undefined ? undefined : bands[Number(index)];
    if (band && key) {
      const value = target.value.trim();
      if (key === 'importPriceGbpPerKwh') band.importPriceGbpPerKwh = Number(value) * PENCE;
      else if (key === 'exportPriceGbpPerKwh') {
        if (value === '') delete band.exportPriceGbpPerKwh;
        else band.exportPriceGbpPerKwh = Number(value) * PENCE;
      } else if (key === 'name') {
        if (value === '') delete band.name;
        else band.name = value;
      } else band[key] = value;
    }
    check();
  });
  form.addEventListener('click', (event) => {
    const target = event.target as HTMLElement;
    if (target.dataset.action === 'add-band') {
      bands.push({ from: '00:00', to: '07:00', importPriceGbpPerKwh: 0.1 });
      control<HTMLSelectElement>(form, 'kind').value = 'time-of-use';
    } else if (target.dataset.remove !== undefined) {
      bands.splice(Number(target.dataset.remove), 1);
    } else if (target.dataset.action === 'withdraw') {
      void offer(true);
      return;
    } else return;
    renderBands();
    check();
  });
  csvInput.addEventListener('change', async () => {
    const file = csvInput.files?.[0];
    if (!file) return;
    const result = parseTariffBandsCsv(await file.text(), file.name);
    csvMessage.hidden = false;
    if ('error' in result) {
      csvMessage.className = 'outcome refused';
      csvMessage.textContent = `✕ Could not read the bands: ${result.error}. Nothing was changed.`;
    } else {
      bands = result.bands;
      control<HTMLSelectElement>(form, 'kind').value = 'time-of-use';
      csvMessage.className = 'outcome accepted';
      csvMessage.textContent = `✓ ${result.bands.length} bands read from ${file.name}.`;
      renderBands();
      check();
    }
    csvInput.value = '';
  });

  const offer = async (withdraw: boolean) => {
    const read = readTariff();
    if ('problem' in read) {
      showOutcome(line, { sent: false, problem: read.problem }, 'Tariff');
      return;
    }
    const outcome = await sendControl(
      context.client(),
      context.awaitAudit,
      controlTopics.supplierTariff(supplierId),
      SupplierTariffSchema,
      withdraw ? { ...read.tariff, withdraw: true } : read.tariff,
    );
    showOutcome(line, outcome, withdraw ? 'Withdrawal' : 'Tariff');
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void offer(false);
  });
  // The regulator may change the rules while the supplier edits: check again against the new ones.
  let rulesChecked = context.store.rules;
  context.onChange(() => {
    if (context.store.rules === rulesChecked) return;
    rulesChecked = context.store.rules;
    check();
  });
  check();
  return h('section', { class: 'panel role-panel' }, h('h2', {}, `Supplier ${supplierId}: tariff`), form);
}
