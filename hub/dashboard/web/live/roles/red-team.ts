import {
  controlTopics,
  type LiveRedTeam,
  type TableRedTeam,
  TableRedTeamSchema,
} from '../../../../../protocol/gridflex.ts';
import { sendControl } from '../../lib/controls.ts';
import { h } from '../../lib/dom.ts';
import { outcomeLine, type PanelContext, showOutcome } from './form-kit.ts';

type Damage = NonNullable<LiveRedTeam['attacked']>;
type Entry = TableRedTeam['attacks'][number];

/** The damage table's rows: what, and how a street's figure reads. */
const DAMAGE_ROWS: readonly (readonly [string, (damage: Damage) => string])[] = [
  ['transformer peak', (damage) => `${damage.peakKw.toFixed(1)} kW`],
  ['lowest voltage', (damage) => (damage.minVolts === null ? '–' : `${damage.minVolts.toFixed(1)} V`)],
  ['highest voltage', (damage) => (damage.maxVolts === null ? '–' : `${damage.maxVolts.toFixed(1)} V`)],
  ['steps outside 216.2–253 V', (damage) => String(damage.stepsOutsideStatutory)],
  ['honest homes’ bills', (damage) => `£${damage.honestBillsGbp.toFixed(2)}`],
];

/**
 * Operator: switch the red team's attacks and defences on the running table (each with the fields of a
 * scenario's `redTeam:` entry, as JSON; empty takes the defaults), and see the damage since the last change
 * beside the running policy's shadow run, which runs without them.
 */
export function redTeamPanel(context: PanelContext): HTMLElement {
  const line = outcomeLine();
  const kinds = h('div', { class: 'red-team-kinds' });
  const form = h(
    'form',
    { class: 'red-team-form', 'data-panel': 'red-team' },
    kinds,
    h('button', { type: 'submit' }, 'Apply'),
    line,
  );
  const status = h('div', { 'data-red-team-status': '' });
  let shownKinds = '';
  let shownSet = '';
  // The boxes follow the hub until the operator changes them, and again once the hub has answered.
  let editing = false;
  form.addEventListener('input', () => {
    editing = true;
  });
  const refresh = () => {
    const redTeam = context.store.redTeam;
    if (!redTeam) return;
    const kindsKey = redTeam.kinds.map((kind) => kind.kind).join();
    if (kindsKey !== shownKinds) {
      shownKinds = kindsKey;
      kinds.replaceChildren(...redTeam.kinds.map(kindRow));
    }
    const setKey = JSON.stringify([redTeam.attacks, redTeam.defences]);
    if (setKey !== shownSet && !editing) {
      shownSet = setKey;
      showInForce(form, [...redTeam.attacks, ...redTeam.defences]);
    }
    status.replaceChildren(...statusParts(redTeam));
  };
  refresh();
  context.onChange(refresh);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = chosenEntries(form, context.store.redTeam);
    if ('problem' in chosen) {
      showOutcome(line, { sent: false, problem: chosen.problem }, 'Red team');
      return;
    }
    const outcome = await sendControl(
      context.client(),
      context.awaitAudit,
      controlTopics.tableRedTeam(),
      TableRedTeamSchema,
      chosen,
    );
    showOutcome(line, outcome, 'Red team');
    if (outcome.sent && outcome.accepted) {
      editing = false;
      shownSet = '';
    }
  });
  return h('section', { class: 'panel role-panel' }, h('h2', {}, 'Red team'), form, status);
}

/** One attack or defence: a box, its fields (JSON), and what it does. */
function kindRow(kind: LiveRedTeam['kinds'][number]): HTMLElement {
  return h(
    'div',
    { class: 'red-team-kind', 'data-kind': kind.kind },
    h(
      'label',
      {},
      h('input', { type: 'checkbox', name: 'kind', value: kind.kind, 'data-list': kind.list }),
      ` ${kind.list === 'attacks' ? 'attack' : 'defence'} ${kind.kind}`,
    ),
    ' ',
    h('input', {
      type: 'text',
      name: `fields-${kind.kind}`,
      size: 28,
      placeholder: '{} (defaults)',
      'aria-label': `${kind.kind} fields as JSON`,
    }),
    h('p', { class: 'small muted' }, `${kind.description}.`),
  );
}

function showInForce(form: HTMLFormElement, entries: readonly Entry[]): void {
  for (const box of form.querySelectorAll<HTMLInputElement>('input[name="kind"]')) {
    const entry = entries.find((candidate) => candidate.kind === box.value);
    box.checked = entry !== undefined;
    const fields = form.querySelector<HTMLInputElement>(`input[name="fields-${box.value}"]`);
    if (fields && entry) {
      const { kind: _kind, ...rest } = entry;
      fields.value = JSON.stringify(rest);
    }
  }
}

/** The ticked kinds with their fields, or what is wrong with a field's JSON. */
function chosenEntries(
  form: HTMLFormElement,
  redTeam: LiveRedTeam | null,
): { attacks: Entry[]; defences: Entry[] } | { problem: string } {
  const chosen: { attacks: Entry[]; defences: Entry[] } = { attacks: [], defences: [] };
  for (const box of form.querySelectorAll<HTMLInputElement>('input[name="kind"]:checked')) {
    const list = redTeam?.kinds.find((kind) => kind.kind === box.value)?.list ?? 'attacks';
    const text = form.querySelector<HTMLInputElement>(`input[name="fields-${box.value}"]`)?.value.trim();
    let fields: unknown = {};
    try {
      fields = text ? JSON.parse(text) : {};
    } catch {
      return { problem: `${box.value}: the fields are not JSON (e.g. {"at": "17:30"})` };
    }
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
      return { problem: `${box.value}: the fields are a JSON object (e.g. {"at": "17:30"})` };
    chosen[list].push({ ...fields, kind: box.value });
  }
  return chosen;
}

/** What runs, who attacks, the damage beside the baseline, and what the red team did. */
function statusParts(redTeam: LiveRedTeam): HTMLElement[] {
  const names = (entries: readonly Entry[]) => entries.map((entry) => entry.kind).join(', ') || 'none';
  const running = h(
    'p',
    { 'data-red-team-running': '' },
    `Running: attacks ${names(redTeam.attacks)}; defences ${names(redTeam.defences)}`,
    redTeam.pending ? ' (a change starts at the next step)' : '',
    redTeam.attackers.length > 0 ? `. Attacking homes: ${redTeam.attackers.join(', ')}` : '',
  );
  const parts: HTMLElement[] = [running];
  const { attacked, baseline } = redTeam;
  if (attacked) {
    const since = redTeam.since ? ` since ${redTeam.since.slice(11, 16)} (simulated)` : '';
    parts.push(
      h(
        'table',
        { class: 'red-team-damage', 'data-red-team-damage': '' },
        h('caption', {}, `The street under ${redTeam.policy ?? '?'}${since}, over ${attacked.steps} steps`),
        h(
          'tr',
          {},
          h('th', {}, ''),
          h('th', { scope: 'col' }, 'with the red team'),
          h('th', { scope: 'col' }, 'baseline (without)'),
        ),
        ...DAMAGE_ROWS.map(([what, read]) =>
          h(
            'tr',
            { 'data-damage': what },
            h('th', { scope: 'row' }, what),
            h('td', {}, read(attacked)),
            h('td', {}, baseline ? read(baseline) : 'no shadow run of this policy'),
          ),
        ),
      ),
    );
  }
  if (redTeam.notes.length > 0)
    parts.push(h('ul', { class: 'small' }, ...redTeam.notes.map((note) => h('li', {}, note))));
  if (redTeam.clients.length > 0)
    parts.push(h('ul', { class: 'small', 'data-red-team-clients': '' }, ...redTeam.clients.map(clientLine)));
  return parts;
}

/** A live attack's MQTT client and what the broker did with it. */
function clientLine(client: LiveRedTeam['clients'][number]): HTMLElement {
  const underOthers = client.underOthers > 0 ? ` (${client.underOthers} under another board's ID)` : '';
  const refusal = client.lastRefusal ? `; last refused: ${client.lastRefusal}` : '';
  return h(
    'li',
    { 'data-client': client.board },
    `${client.kind} (board ${client.board}) ${client.doing}: sent ${client.sent}, the broker took ${client.accepted}${underOthers} and refused ${client.refused}${refusal}`,
  );
}
