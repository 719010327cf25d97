import type { z } from 'zod';
import type { AuditEntry } from '../../../../../protocol/gridflex.ts';
import { type ControlOutcome, sendControl } from '../../lib/controls.ts';
import { h } from '../../lib/dom.ts';
import type { HubClient } from '../../lib/hub-client.ts';
import type { LiveStore } from '../store.ts';

/** Who is logged in: a hub user and the role the hub gave them (`supplier:octo`, `resident:home-3`…). */
export interface Session {
  username: string;
  role: string;
}

/** What a role panel needs: the live state, the connection to publish on, and who is logged in. */
export interface PanelContext {
  store: LiveStore;
  client: () => HubClient | null;
  session: Session;
  awaitAudit: (requestId: string) => Promise<AuditEntry>;
  /** Calls `listener` after every change of the live state, until the user logs out. */
  onChange: (listener: () => void) => void;
}

/** A labelled number input; `scale` converts the shown unit to the wire's (e.g. p → £: 0.01). */
export function numberField(
  label: string,
  name: string,
  unit: string,
  options: { step?: number; min?: number; max?: number } = {},
): HTMLLabelElement {
  return h(
    'label',
    { class: 'field' },
    h('span', {}, label),
    h('input', {
      type: 'number',
      name,
      step: options.step ?? 'any',
      min: options.min,
      max: options.max,
      inputmode: 'decimal',
    }),
    h('span', { class: 'unit' }, unit),
  );
}

export function textField(label: string, name: string, placeholder = '', type = 'text'): HTMLLabelElement {
  return h('label', { class: 'field' }, h('span', {}, label), h('input', { type, name, placeholder }));
}

export function selectField(
  label: string,
  name: string,
  choices: readonly (readonly [string, string])[],
): HTMLLabelElement {
  return h(
    'label',
    { class: 'field' },
    h('span', {}, label),
    h('select', { name }, ...choices.map(([value, text]) => h('option', { value }, text))),
  );
}

/** Checkboxes sharing one name, one per choice. */
export function checkboxes(label: string, name: string, choices: readonly string[]): HTMLFieldSetElement {
  return h(
    'fieldset',
    { class: 'field checks' },
    h('legend', {}, label),
    ...choices.map((choice) =>
      h('label', {}, h('input', { type: 'checkbox', name, value: choice }), ` ${choice}`),
    ),
  );
}

/** The form control called `name` (throws when the form lacks it: a programming error). */
export function control<T extends HTMLInputElement | HTMLSelectElement = HTMLInputElement>(
  form: HTMLFormElement,
  name: string,
): T {
  const element = form.elements.namedItem(name);
  if (!element || element instanceof RadioNodeList) throw new Error(`form has no single field "${name}"`);
  return element as T;
}

/** A number field's value times `scale`, or undefined when it is empty. */
export function readNumber(form: HTMLFormElement, name: string, scale = 1): number | undefined {
  const text = control(form, name).value.trim();
  if (text === '') return undefined;
  // Rounded so 26.11 p becomes 0.2611 £, not 0.26109999999999997.
  return Number((Number(text) * scale).toPrecision(12));
}

export function writeNumber(form: HTMLFormElement, name: string, value: number | undefined, scale = 1): void {
  control(form, name).value = value === undefined ? '' : String(Number((value / scale).toPrecision(10)));
}

export function readChecked(form: HTMLFormElement, name: string): string[] {
  return [...form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map(
    (box) => box.value,
  );
}

export function writeChecked(form: HTMLFormElement, name: string, values: readonly string[]): void {
  for (const box of form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]`)) {
    box.checked = values.includes(box.value);
  }
}

/** Shows what became of a control message in words, in the panel's message line (`role="status"`). */
export function showOutcome(line: HTMLElement, outcome: ControlOutcome, what: string): void {
  line.hidden = false;
  if (!outcome.sent) {
    line.className = 'outcome refused';
    line.textContent = `Not sent: ${outcome.problem}`;
  } else if (outcome.accepted === true) {
    line.className = 'outcome accepted';
    line.textContent = `✓ ${what} accepted by the hub: ${outcome.reason}`;
  } else if (outcome.accepted === false) {
    line.className = 'outcome refused';
    line.textContent = `✕ Refused by the hub: ${outcome.reason}`;
  } else {
    line.className = 'outcome pending';
    line.textContent = outcome.reason;
  }
}

/** A message line for a panel (announced to screen readers). */
export function outcomeLine(): HTMLParagraphElement {
  return h('p', { class: 'outcome', role: 'status', hidden: true });
}

/**
 * The fields of `wanted` that differ from `inForce` (undefined fields left out), so a change message and its
 * audit entry name only what the user changed.
 */
export function changedFields<T extends object>(wanted: T, inForce: object | null | undefined): Partial<T> {
  const current = (inForce ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(wanted).filter(
      ([key, value]) =>
        value !== undefined &&
        // null removes a setting: no change when there is none.
        !(value === null && current[key] === undefined) &&
        JSON.stringify(value) !== JSON.stringify(current[key]),
    ),
  ) as Partial<T>;
}

/**
 * Fills a panel's form from the live state once, as soon as `inForce` has it: later changes of the state do not
 * overwrite what the user is typing.
 */
export function fillOnce<T>(
  context: PanelContext,
  inForce: () => T | null | undefined,
  fill: (value: T) => void,
): void {
  let filled = false;
  const tryFill = () => {
    const value = inForce();
    if (!value || filled) return;
    filled = true;
    fill(value);
  };
  tryFill();
  context.onChange(tryFill);
}

/**
 * Sends the fields of `wanted` that differ from `inForce` as one control message and shows what became of it in
 * `line` (`what` names it there); with nothing changed it sends nothing and says so.
 */
export async function sendChanges<T extends object>(
  context: PanelContext,
  line: HTMLElement,
  change: {
    topic: string;
    schema: z.ZodType<T>;
    wanted: T;
    inForce: object | null | undefined;
    what: string;
  },
): Promise<void> {
  const defined = changedFields(change.wanted, change.inForce);
  if (Object.keys(defined).length === 0) {
    showOutcome(line, { sent: false, problem: 'nothing changed' }, change.what);
    return;
  }
  const outcome = await sendControl(
    context.client(),
    context.awaitAudit,
    change.topic,
    change.schema,
    defined as T,
  );
  showOutcome(line, outcome, change.what);
}
