import type { AuditEntry } from '../../../protocol/gridflex.js';
import type { SimClock } from '../../clock.js';
import type { FeederNetwork } from '../../feeder/index.js';
import type { RedTeamBroker } from '../../redteam/red-team.js';
import type { DeviceTracker } from '../../table/device-tracker.js';
import type { LiveFeeder } from '../../table/live-feeder.js';
import type { LiveMarket } from '../../table/live-market.js';
import type { LoadedTableMap } from '../../table/map-config.js';
import type { TableState } from '../../table/table-state.js';
import type { Activity } from '../activity.js';
import type { EventBus } from '../event-bus.js';
import type { HubLogLevel, HubSnapshot } from '../hub-runtime.js';
import type { HubLink } from '../link.js';

/** The control kinds an extension can handle (everything but `unknown`). */
export type ControlKind = Exclude<AuditEntry['action'], 'unknown'>;

/** One control message, already checked against its topic's schema by {@link payloadProblem}. */
export interface ControlRequest {
  kind: ControlKind;
  /** The supplier or home named in the topic, if any. */
  id: string | undefined;
  /** The sender's username, or the topic's role when the broker cannot tell. */
  who: string;
  body: unknown;
  now: Date;
  simTime: Date;
}

/** The answer on `gridflex/v1/audit`. */
export interface ControlAnswer {
  accepted: boolean;
  reason: string;
}

/** Applies one control message between clock steps and says whether it was accepted and why. */
export type ControlHandler = (request: ControlRequest) => ControlAnswer;

/** Control kind → the one extension's handler for it: the hub dispatches controls through this, no switch. */
export class ControlRegistry {
  private readonly handlers = new Map<ControlKind, ControlHandler>();

  handle(kind: ControlKind, handler: ControlHandler): void {
    if (this.handlers.has(kind)) throw new Error(`two extensions handle the ${kind} control`);
    this.handlers.set(kind, handler);
  }

  remove(kind: ControlKind): void {
    this.handlers.delete(kind);
  }

  apply(request: Omit<ControlRequest, 'kind'> & { kind: AuditEntry['action'] }): ControlAnswer {
    const { kind } = request;
    const handler = kind === 'unknown' ? undefined : this.handlers.get(kind);
    if (!handler) return { accepted: false, reason: 'unknown control topic' };
    return handler({ ...request, kind: kind as ControlKind });
  }
}

/** What every extension shares: the hub's world, its wire, and its ways of telling people. */
export interface HubContext {
  map: LoadedTableMap;
  network: FeederNetwork;
  link: HubLink;
  dataDir: string;
  log: (level: HubLogLevel, message: string) => void;
  bus: EventBus;
  controls: ControlRegistry;
  clock: SimClock;
  table: TableState;
  devices: DeviceTracker;
  feeder: LiveFeeder;
  market: LiveMarket;
  activity: Activity;
  publishJson(topic: string, body: unknown, retain: boolean, qos: 0 | 1): Promise<void>;
  /** Queues work behind the current step, so steps, controls and clock changes never interleave. */
  enqueue(work: () => Promise<void>): Promise<void>;
  /** One clock step (queue it with {@link enqueue}). */
  step(): Promise<void>;
  /** Re-arms the step timer after the clock was played, paused or sped up. */
  schedule(): void;
  /** The embedded broker, for the live red team's own clients (absent with --broker). */
  redTeamBroker?: RedTeamBroker;
}

/**
 * A live feature of the hub (after Zigbee2MQTT's extensions): built with the hub's context, it registers its
 * bus handlers and control handlers in `start()` and lets go of them in `stop()`.
 */
export interface Extension {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
  /** The hub is stopping: end any wait inside a step now (called before the hub awaits the current step). */
  interrupt?(): void;
  /** Its part of `/api/state`. */
  snapshot?(): Partial<HubSnapshot>;
}

export type ExtensionFactory = (context: HubContext) => Extension;
