import { controlTopics, type PinBias, PinBiasSchema } from '../../../../../protocol/gridflex.ts';
import { sendControl } from '../../lib/controls.ts';
import { h } from '../../lib/dom.ts';
import { control, outcomeLine, type PanelContext, selectField, showOutcome } from './form-kit.ts';

/**
 * Operator: correct a pinned sensor by its bias estimate, or drop the correction (hardware in the loop).
 * Shown only while the hub has pins.
 */
export function pinBiasPanel(context: PanelContext): HTMLElement {
  const line = outcomeLine();
  const form = h(
    'form',
    { class: 'pin-bias-form', 'data-panel': 'pin-bias' },
    h(
      'div',
      { class: 'fields' },
      selectField('Pin', 'pin', []),
      selectField('Bias', 'action', [
        ['apply', 'apply the bias estimate'],
        ['reset', 'drop the correction'],
      ]),
    ),
    h('button', { type: 'submit' }, 'Send'),
    line,
  );
  const select = control<HTMLSelectElement>(form, 'pin');
  const panel = h(
    'section',
    { class: 'panel role-panel', hidden: true },
    h('h2', {}, 'Pinned sensors'),
    form,
  );
  const refresh = () => {
    const pins = context.store.pins?.pins ?? [];
    panel.hidden = pins.length === 0;
    if (select.options.length === pins.length) return;
    select.replaceChildren(
      ...pins.map((pin) => h('option', { value: pin.pin }, `${pin.pin} (${pin.device})`)),
    );
  };
  refresh();
  context.onChange(refresh);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const outcome = await sendControl(
      context.client(),
      context.awaitAudit,
      controlTopics.tablePinBias(),
      PinBiasSchema,
      { pin: select.value, action: control<HTMLSelectElement>(form, 'action').value as PinBias['action'] },
    );
    showOutcome(line, outcome, 'Bias');
  });
  return panel;
}
