import {
  type ClockControl,
  ClockControlSchema,
  controlTopics,
  TablePlaceSchema,
  TablePolicySchema,
} from '../../../../../protocol/gridflex.ts';
import { sendControl } from '../../lib/controls.ts';
import { h } from '../../lib/dom.ts';
import { formatUkDateTime, parseUkDateTime } from '../../lib/format.ts';
import { control, outcomeLine, type PanelContext, selectField, showOutcome } from './form-kit.ts';

/** Wall-clock milliseconds per step offered as speeds (the hub's default table runs at 500). */
const SPEEDS = [
  [2000, 'slow (2 s/step)'],
  [1000, '1 s/step'],
  [500, 'normal (0.5 s/step)'],
  [200, 'fast (0.2 s/step)'],
  [50, 'very fast'],
] as const;

/** Play, pause, step, speed and jump to a date: for the roles that run the session (operator, regulator). */
export function clockControls(context: PanelContext): HTMLElement {
  const line = outcomeLine();
  const state = h('span', { class: 'small', 'data-clock-state': '' });
  // A text field in the page's one locale (en-GB: day/month/year), not the browser's date picker, whose
  // format follows the machine's locale (US dates beside a UK header).
  const jumpInput = h('input', {
    type: 'text',
    name: 'jumpTo',
    size: 16,
    inputmode: 'numeric',
    placeholder: 'dd/mm/yyyy hh:mm',
    'aria-label': 'jump to simulated time (UTC)',
  });
  const speed = selectField(
    'Speed',
    'speed',
    SPEEDS.map(([ms, text]) => [String(ms), text] as const),
  );
  const form = h(
    'form',
    { class: 'clock-form', 'data-panel': 'clock' },
    h(
      'p',
      { class: 'buttons' },
      h('button', { type: 'button', 'data-clock': 'play', title: 'play' }, '▶ Play'),
      h('button', { type: 'button', 'data-clock': 'pause', title: 'pause' }, '‖ Pause'),
      h('button', { type: 'button', 'data-clock': 'step', title: 'one step' }, '▶| Step'),
      ' ',
      speed,
      ' ',
      h('label', { class: 'field' }, h('span', {}, 'Jump to'), jumpInput),
      h('button', { type: 'button', 'data-clock': 'jump' }, 'Go'),
    ),
    state,
    line,
  );
  const send = async (body: ClockControl) => {
    const outcome = await sendControl(
      context.client(),
      context.awaitAudit,
      controlTopics.clock(),
      ClockControlSchema,
      body,
    );
    showOutcome(line, outcome, 'Clock');
  };
  form.addEventListener('click', (event) => {
    const action = (event.target as HTMLElement).dataset.clock;
    if (action === 'play' || action === 'pause') void send({ action });
    else if (action === 'step') void send({ action: 'step', count: 1 });
    else if (action === 'jump') {
      // The simulation runs in UTC (GMT); the field's value is read as such.
      const parsed = parseUkDateTime(jumpInput.value);
      if ('problem' in parsed) {
        showOutcome(line, { sent: false, problem: `Jump to: ${parsed.problem}` }, 'Clock');
        return;
      }
      void send({ action: 'jump', to: parsed.iso });
    }
  });
  control<HTMLSelectElement>(form, 'speed').addEventListener('change', (event) => {
    void send({ action: 'speed', stepMs: Number((event.target as HTMLSelectElement).value) });
  });
  const refresh = () => {
    const clock = context.store.clock;
    state.textContent = clock
      ? `${clock.running ? 'running' : 'paused'}, ${clock.stepMinutes} simulated min per step`
      : '';
    const select = control<HTMLSelectElement>(form, 'speed');
    if (clock?.stepMs !== undefined && document.activeElement !== select) {
      const known = SPEEDS.some(([ms]) => ms === clock.stepMs);
      if (!known) select.append(h('option', { value: String(clock.stepMs) }, `${clock.stepMs} ms/step`));
      select.value = String(clock.stepMs);
    }
    if (jumpInput.value === '' && clock && document.activeElement !== jumpInput) {
      jumpInput.value = formatUkDateTime(clock.simTime);
    }
  };
  refresh();
  context.onChange(refresh);
  return h('section', { class: 'panel role-panel' }, h('h2', {}, 'Clock'), form);
}

/** The table operator: put an asset on a plot or lift it off (what an NFC pad does). */
export function placePanel(context: PanelContext): HTMLElement {
  const line = outcomeLine();
  const form = h(
    'form',
    { class: 'place-form', 'data-panel': 'place' },
    h('div', { class: 'fields' }, selectField('Asset', 'asset', []), selectField('to', 'plot', [])),
    h('button', { type: 'submit' }, 'Move'),
    line,
  );
  const refresh = () => {
    const map = context.store.tableMap;
    const assets = control<HTMLSelectElement>(form, 'asset');
    const plots = control<HTMLSelectElement>(form, 'plot');
    if (!map || assets.options.length > 0) return;
    assets.replaceChildren(...map.assets.map((asset) => h('option', { value: asset.asset }, asset.asset)));
    plots.replaceChildren(
      h('option', { value: '' }, 'off the table'),
      ...map.plots.map((plot) =>
        h('option', { value: plot.plot }, `${plot.plot}${plot.home ? ` (${plot.home})` : ''}`),
      ),
    );
  };
  refresh();
  context.onChange(refresh);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const plot = control<HTMLSelectElement>(form, 'plot').value;
    const outcome = await sendControl(
      context.client(),
      context.awaitAudit,
      controlTopics.tablePlace(),
      TablePlaceSchema,
      {
        asset: control<HTMLSelectElement>(form, 'asset').value,
        plot: plot === '' ? null : plot,
      },
    );
    showOutcome(line, outcome, 'Move');
  });
  return h('section', { class: 'panel role-panel' }, h('h2', {}, 'Table operator'), form);
}

/**
 * The operator switches the policy the residents' agents run, among the choices the hub lists on
 * `gridflex/v1/live/policy`; the switch takes effect at the next half-hour.
 */
export function policyPanel(context: PanelContext): HTMLElement {
  const line = outcomeLine();
  const choiceDescription = h('p', { class: 'small muted', 'data-policy-choice': '' });
  const form = h(
    'form',
    { class: 'policy-form', 'data-panel': 'policy' },
    h('div', { class: 'fields' }, selectField('Policy', 'policy', [])),
    h('button', { type: 'submit' }, 'Switch policy'),
    choiceDescription,
    line,
  );
  const select = control<HTMLSelectElement>(form, 'policy');
  const describeChoice = () => {
    const chosen = context.store.livePolicy?.available.find((choice) => choice.name === select.value);
    choiceDescription.textContent = chosen ? `${chosen.description}; from the next half-hour.` : '';
  };
  const refresh = () => {
    const policy = context.store.livePolicy;
    if (!policy || select.options.length > 0) return;
    select.replaceChildren(
      ...policy.available.map((choice) => h('option', { value: choice.name }, choice.name)),
    );
    select.value = policy.next;
    describeChoice();
  };
  refresh();
  context.onChange(refresh);
  select.addEventListener('change', describeChoice);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const outcome = await sendControl(
      context.client(),
      context.awaitAudit,
      controlTopics.tablePolicy(),
      TablePolicySchema,
      { policy: select.value },
    );
    showOutcome(line, outcome, 'Policy');
  });
  return h('section', { class: 'panel role-panel' }, h('h2', {}, 'Residents’ agents'), form);
}
