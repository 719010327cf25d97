import type { AssemblyBatteryRules, Clock } from '../../protocol/gridflex.js';
import type { LiveFeederStep } from '../table/live-feeder.js';

/** A clock step before the power flow; handlers put what they add to the feeder into the mutable fields. */
export interface StepEvent {
  clock: Clock;
  simTime: Date;
  /** The shared battery's power this step (positive = charging), for the power flow. */
  sharedBatteryPKw: number;
  /** Load the running street adds on plots this step (the operator's red team: an oscillating load), kW by plot. */
  addedPlotPKw?: ReadonlyMap<string, number>;
}

/** A solved clock step. `solved` handlers may add fields to `result.homes` before they are published. */
export interface SolvedEvent {
  clock: Clock;
  result: LiveFeederStep;
}

/**
 * What the live hub's parts tell each other. Handlers run in the order the extensions are listed, each
 * awaited before the next, so a step is the same sequence of work every time.
 */
export interface HubEvents {
  /** The hub is subscribed and running: publish the starting world. */
  started: Record<string, never>;
  /** An external broker came back: publish retained states again. */
  reconnected: Record<string, never>;
  /** A clock step began; the power flow runs after every handler. */
  step: StepEvent;
  /** The step's power flow is solved; the runtime publishes clock, feeder and homes after every handler. */
  solved: SolvedEvent;
  /** Clock, feeder and homes are published: extensions publish their own per-step states. */
  published: SolvedEvent;
  /** A message under `homie/5/…` from a board (before the device tracker applies it). */
  deviceMessage: { topic: string; payload: Buffer; now: Date };
  /** Something on the table moved or was rewired: the table map goes out at the next chance. */
  tableChanged: Record<string, never>;
  /** Rules, offers or the tariff in force changed: the prices agents planned with are stale. */
  pricesChanged: Record<string, never>;
  /** The simulated clock jumped: plans made for the old time are stale. */
  clockJumped: { to: Date };
  /** The assembly changed the shared battery's rules (accepted): shadow runs' batteries follow them. */
  sharedBatteryRules: { rules: AssemblyBatteryRules; who: string; now: Date };
}

export type HubEventName = keyof HubEvents;
export type HubEventHandler<K extends HubEventName> = (data: HubEvents[K]) => void | Promise<void>;

interface Listener {
  owner: object;
  handler: (data: never) => void | Promise<void>;
}

/**
 * A typed event bus (after Zigbee2MQTT's `EventBus`): extensions register handlers keyed by themselves and
 * drop them all at once when they stop. Synchronous handlers run synchronously, in registration order; a
 * handler that returns a promise is awaited before the next one runs. Errors reach the emitter.
 */
export class EventBus {
  private readonly listeners = new Map<HubEventName, Listener[]>();

  on<K extends HubEventName>(event: K, owner: object, handler: HubEventHandler<K>): void {
    const list = this.listeners.get(event) ?? [];
    list.push({ owner, handler: handler as Listener['handler'] });
    this.listeners.set(event, list);
  }

  /** Removes every handler `owner` registered. */
  removeListeners(owner: object): void {
    for (const [event, list] of this.listeners) {
      this.listeners.set(
        event,
        list.filter((listener) => listener.owner !== owner),
      );
    }
  }

  emit<K extends HubEventName>(event: K, data: HubEvents[K]): Promise<void> {
    let pending: Promise<void> | undefined;
    for (const { handler } of this.listeners.get(event) ?? []) {
      const run = handler as HubEventHandler<K>;
      if (pending) {
        pending = pending.then(() => run(data));
        continue;
      }
      const result = run(data);
      if (result instanceof Promise) pending = result;
    }
    return pending ?? Promise.resolve();
  }
}
