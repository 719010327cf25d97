import { setImmediate } from 'node:timers/promises';
import type { CosimParticipants, Drift } from '../../protocol/cosim.js';
import {
  type AuditEntry,
  type BoardLinks,
  type Clock,
  CONTROL_ROOT,
  type FeedEvent,
  type FeederBuses,
  type FeederSummary,
  gridflexFilters,
  gridflexTopics,
  type HomeDecision,
  type HubState,
  type LiveComparison,
  type LivePolicy,
  type LiveRedTeam,
  type MarketPrices,
  type MarketTariffs,
  type Metrics,
  type Pins,
  type RegulatorRulesInForce,
  type ResidentPreferences,
  type SecurityEvent,
  type SharedBattery,
} from '../../protocol/gridflex.js';
import { knownDevices } from '../auth/known-devices.js';
import { payloadProblem } from '../broker/payload-check.js';
import { SimClock } from '../clock.js';
import type { FeederNetwork } from '../feeder/index.js';
import type { RedTeamBroker } from '../redteam/red-team.js';
import { DeviceTracker } from '../table/device-tracker.js';
import { LiveFeeder, type LiveFeederStep } from '../table/live-feeder.js';
import { LiveMarket } from '../table/live-market.js';
import type { LoadedTableMap } from '../table/map-config.js';
import { TableState } from '../table/table-state.js';
import { Activity } from './activity.js';
import { controlTarget, roleInDenial } from './control-topics.js';
import { EventBus, type SolvedEvent, type StepEvent } from './event-bus.js';
import { ControlRegistry, type Extension, type HubContext } from './extensions/extension.js';
import { EXTENSIONS } from './extensions/index.js';
import type { HubLink, Sender } from './link.js';
import { StepPacer } from './step-pacer.js';

const MAX_SECURITY_EVENTS_KEPT = 50;

export type HubLogLevel = 'info' | 'warn' | 'error';

/** Options of {@link HubRuntime}. */
export interface HubRuntimeOptions {
  map: LoadedTableMap;
  network: FeederNetwork;
  link: HubLink;
  /** Where placements are kept across restarts. */
  dataDir: string;
  /** Wall-clock milliseconds between clock steps; default from the map's `clock.stepMs`. */
  stepMs?: number;
  log: (level: HubLogLevel, message: string) => void;
  /** The embedded broker, for the live red team's own clients (absent with --broker). */
  redTeamBroker?: RedTeamBroker;
}

/** What `/api/state` shows: the latest of everything the hub publishes. */
export interface HubSnapshot {
  hub: HubState;
  clock: Clock;
  table: ReturnType<TableState['snapshot']>;
  devices: ReturnType<DeviceTracker['deviceStates']>;
  feeder: { summary: FeederSummary; buses: FeederBuses } | null;
  market: MarketPrices;
  metrics: Metrics | null;
  preferences: Record<string, ResidentPreferences>;
  security: SecurityEvent[];
  /** Each home's agent's latest decision, by home. */
  decisions: Record<string, HomeDecision>;
  /** The policy the table runs, and the running street beside its shadow runs. */
  livePolicy?: LivePolicy;
  comparison?: LiveComparison | null;
  /** The operator's attacks and defences on the table, and their damage. */
  redTeam?: LiveRedTeam;
  marketRules: RegulatorRulesInForce;
  tariffs: MarketTariffs;
  sharedBattery: SharedBattery | null;
  /** The latest answers to control messages and the latest events, newest last. */
  audit: AuditEntry[];
  events: FeedEvent[];
  /** Clock mode `lockstep`: the co-simulation participants. */
  cosim?: CosimParticipants;
  /** Hardware in the loop: each metered home's model-vs-meter drift. */
  drift?: Drift;
  /** Hardware in the loop: each pinned model variable, its sensor and drift. */
  pins?: Pins;
  /** Each online board's measured round-trip time and loss. */
  boardLinks?: BoardLinks;
}

/**
 * The live table's hub: follows the devices on the wire, steps the clock, lets each home's agent plan its
 * assets from the prices in force and its resident's preferences, runs the street's shared battery under the
 * citizens' assembly's rules, re-solves the feeder every step with each asset on the bus of the plot it sits
 * on, and publishes the results under `gridflex/v1/…`. Every control message is answered on
 * `gridflex/v1/audit` (and appended to `<dataDir>/audit.log`); what the room should see goes to
 * `gridflex/v1/events`. Bad messages are refused with a reason; nothing a client sends can stop the loop.
 *
 * The runtime keeps the clock, the power flow and their publishing; every feature is an extension
 * (hub/live/extensions/, listed in {@link EXTENSIONS}) that talks to the others over the {@link EventBus} and
 * registers handlers for the control kinds it owns.
 */
export class HubRuntime {
  readonly table: TableState;
  private readonly devices: DeviceTracker;
  private readonly feeder: LiveFeeder;
  private readonly market = new LiveMarket();
  private readonly clock: SimClock;
  private readonly activity: Activity;
  private readonly bus = new EventBus();
  private readonly controls = new ControlRegistry();
  private readonly extensions: Extension[];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private stepping: Promise<void> = Promise.resolve();
  private hubState: HubState;
  private lastStep: LiveFeederStep | null = null;
  private readonly security: SecurityEvent[] = [];
  private tableChanged = true;
  private lastTableKey = '';
  private readonly pacer: StepPacer;
  /** The latest step, solved but not yet out in full (a fast clock's step between two paced ones). */
  private unpublished: SolvedEvent | null = null;
  /** Publishes {@link unpublished} when no step came to do it within the pacer's wall time. */
  private flushTimer: NodeJS.Timeout | undefined;
  /** Between a step's start and its end (a lockstep step also waits there for its participants). */
  private inStep = false;

  constructor(private readonly options: HubRuntimeOptions) {
    this.table = new TableState(options.map, wirableBuses(options.network));
    this.devices = new DeviceTracker(this.table, knownDevices(options.dataDir));
    this.feeder = new LiveFeeder(options.network, this.table, options.map.sharedBattery);
    this.clock = new SimClock({
      start: new Date(options.map.clock.start),
      stepMinutes: options.map.clock.stepMinutes,
      mode: options.map.clock.mode,
      stepMs: options.stepMs ?? options.map.clock.stepMs,
    });
    this.pacer = new StepPacer(options.map.clock.publishEveryMs);
    this.activity = new Activity({
      link: options.link,
      dataDir: options.dataDir,
      simTime: () => this.clock.simTime,
      log: options.log,
    });
    this.hubState = { state: 'starting', broker: options.link.kind, at: new Date().toISOString() };
    this.bus.on('tableChanged', this, () => {
      this.tableChanged = true;
    });
    const context = this.context();
    this.extensions = EXTENSIONS.map((create) => create(context));
  }

  /** Starts the extensions, subscribes to controls, publishes the starting world, and starts the clock. */
  async start(): Promise<void> {
    const { link } = this.options;
    for (const extension of this.extensions) await extension.start();
    // Controls are applied between steps, so a step never sees half a change and the next one sees all of it.
    await link.subscribeWithSender(gridflexFilters.controls, (topic, payload, sender) => {
      this.enqueue(async () => this.onControlGuarded(topic, payload, sender));
    });
    await this.setHubState('running');
    link.onOffline(() => this.onBrokerDown());
    link.onReconnect(() => {
      const { step } = this.clock.snapshot();
      this.options.log(
        'info',
        `broker connection back: publishing the hub state again, the clock at step ${step}`,
      );
      this.tableChanged = true;
      this.setHubState(this.hubState.state).catch(() => {});
      // A broker that restarted without persistence lost the retained clock: a paused table has no next step.
      this.publishJson(gridflexTopics.clock(), this.clock.snapshot(), true, 0).catch(() => {});
      this.bus
        .emit('reconnected', {})
        .catch((error: Error) => {
          this.options.log('warn', `could not publish again after the reconnect: ${error.message}`);
        })
        .finally(() => this.schedule());
    });
    await this.bus.emit('started', {});
    await this.activity.publishRecent();
    await this.publishTableIfChanged();
    this.clock.setRunning(true);
    await this.step();
    this.schedule();
  }

  /** Stops the clock, publishes the final retained states, and stops the extensions (last first). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const extension of this.extensions) extension.interrupt?.();
    await this.stepping;
    this.clock.setRunning(false);
    try {
      await this.publishUnpublished();
      await this.publishJson(gridflexTopics.clock(), this.clock.snapshot(), true, 1);
      await this.setHubState('stopped');
    } catch (error) {
      this.options.log('warn', `could not publish the final state: ${(error as Error).message}`);
    }
    for (const extension of [...this.extensions].reverse()) await extension.stop();
  }

  /**
   * Records a broker security event and publishes it on `gridflex/v1/hub/security`. A refused control
   * message is also answered on the audit topic, so its sender learns why.
   */
  reportSecurity(event: SecurityEvent): void {
    this.security.push(event);
    if (this.security.length > MAX_SECURITY_EVENTS_KEPT) this.security.shift();
    this.options.log(
      'warn',
      `${event.kind}: ${event.clientId}${event.username ? ` (${event.username})` : ''}${event.topic ? ` on ${event.topic}` : ''}: ${event.reason}`,
    );
    this.publishJson(gridflexTopics.hubSecurity(), event, false, 0).catch(() => {});
    if (event.topic?.startsWith(`${CONTROL_ROOT}/`)) {
      const target = controlTarget(event.topic);
      this.activity.answer(
        event.topic,
        {
          username: event.username ?? null,
          role: event.username ? (roleInDenial(event.reason) ?? target.topicRole) : 'anonymous',
        },
        target.action,
        { accepted: false, reason: event.reason },
      );
    }
  }

  /** The runtime's own part of `/api/state`, then each extension's. */
  snapshot(): HubSnapshot {
    const clock = this.clock.snapshot();
    const snapshot: HubSnapshot = {
      hub: this.hubState,
      clock,
      table: this.table.snapshot(this.options.network.name),
      devices: this.devices.deviceStates(),
      feeder: this.lastStep && { summary: this.lastStep.summary, buses: this.lastStep.buses },
      market: this.market.pricesAt(this.clock.simTime),
      metrics: null,
      preferences: {},
      security: [...this.security],
      decisions: {},
      marketRules: this.market.rules,
      tariffs: this.market.tariffs(),
      sharedBattery: null,
      audit: this.activity.recentAudit(),
      events: this.activity.recentEvents(),
    };
    for (const extension of this.extensions) Object.assign(snapshot, extension.snapshot?.());
    return snapshot;
  }

  /**
   * One clock step: the extensions act (market, agents, shared battery), the feeder is solved, the
   * extensions take the result (limits, metrics, placements), and everything is published.
   */
  async step(): Promise<void> {
    this.inStep = true;
    try {
      await this.runStep();
    } finally {
      this.inStep = false;
    }
  }

  private async runStep(): Promise<void> {
    if (this.unpublished && this.pacer.due(this.clock.stepMs, this.clock.isRunning))
      await this.publishUnpublished();
    const clock = this.clock.advance();
    const stepEvent: StepEvent = { clock, simTime: new Date(clock.simTime), sharedBatteryPKw: 0 };
    await this.bus.emit('step', stepEvent);
    // The broker delivers between the residents' plans and the power flow, each a block of work on a big street.
    await setImmediate();
    let result: LiveFeederStep;
    try {
      const plotPowerKw = this.feeder.plotPowerKw(stepEvent.addedPlotPKw);
      result = this.feeder.solveStep(clock, stepEvent.sharedBatteryPKw, plotPowerKw);
    } catch (error) {
      this.options.log('error', `step ${clock.step}: power flow failed: ${(error as Error).message}`);
      await this.publishJson(gridflexTopics.clock(), clock, true, 0);
      return;
    }
    this.lastStep = result;
    await this.bus.emit('solved', { clock, result });
    await this.publishTableIfChanged();
    await this.publishJson(gridflexTopics.clock(), { ...clock, publishedAtMs: Date.now() }, true, 0);
    this.unpublished = { clock, result };
    if (this.pacer.due(clock.stepMs, clock.running)) await this.publishUnpublished();
    else this.flushSoon();
  }

  /**
   * The latest solved step in full, if it has not gone out: the feeder, every home, then the extensions' own
   * per-step topics (`published`).
   */
  private async publishUnpublished(): Promise<void> {
    const event = this.unpublished;
    if (!event) return;
    this.unpublished = null;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.pacer.sentFull();
    await this.publishStep(event.result);
    await this.bus.emit('published', event);
  }

  /**
   * Once the pacer's wall time has passed, the latest step goes out unless a step is under way: that step goes
   * out in full at its end, as the pacer is due by then (a lockstep step waiting for its participants holds the
   * one before it until the wait ends).
   */
  private flushSoon(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      if (!this.inStep && !this.stopped) this.enqueue(() => this.publishUnpublished());
    }, this.pacer.untilDueMs());
  }

  /** The feeder and every home. */
  private async publishStep(result: LiveFeederStep): Promise<void> {
    await this.publishJson(gridflexTopics.feederSummary(), result.summary, true, 0);
    await this.publishJson(gridflexTopics.feederBuses(), result.buses, true, 0);
    await this.publishJson(gridflexTopics.feederLines(), result.lines, true, 0);
    for (const home of result.homes) await this.publishJson(gridflexTopics.home(home.home), home, true, 0);
  }

  /** What the extensions share. */
  private context(): HubContext {
    const { map, network, link, dataDir, log } = this.options;
    return {
      map,
      network,
      link,
      dataDir,
      log,
      bus: this.bus,
      controls: this.controls,
      clock: this.clock,
      table: this.table,
      devices: this.devices,
      feeder: this.feeder,
      market: this.market,
      activity: this.activity,
      publishJson: (topic, body, retain, qos) => this.publishJson(topic, body, retain, qos),
      enqueue: (work) => this.enqueue(work),
      step: () => this.step(),
      schedule: () => this.schedule(),
      ...(this.options.redTeamBroker ? { redTeamBroker: this.options.redTeamBroker } : {}),
    };
  }

  /**
   * The external broker is gone: the clock holds (the boards hear nothing, so stepping on would leave them
   * behind) and `/api/state` says since when, until the link is back and {@link start}'s reconnect handler
   * publishes the retained world again and steps on from where it held.
   */
  private onBrokerDown(): void {
    if (this.hubState.brokerDownSince !== undefined) return;
    this.hubState = { ...this.hubState, brokerDownSince: new Date().toISOString() };
    clearTimeout(this.timer);
    this.options.log(
      'warn',
      `broker down: the clock holds at step ${this.clock.snapshot().step} until it is back`,
    );
  }

  /** Runs the next step after the clock's `stepMs` while it is running (steps never overlap). */
  private schedule(): void {
    clearTimeout(this.timer);
    // Paused: the step it stopped at goes out in full.
    if (!this.clock.isRunning && this.unpublished) this.enqueue(() => this.publishUnpublished());
    if (this.stopped || !this.clock.isRunning || this.hubState.brokerDownSince !== undefined) return;
    this.timer = setTimeout(() => {
      this.enqueue(() => this.step());
      this.stepping.then(() => this.schedule()).catch(() => {});
    }, this.clock.stepMs);
  }

  /** Queues work behind the current step, so steps and clock changes never interleave. */
  private enqueue(work: () => Promise<void>): Promise<void> {
    this.stepping = this.stepping
      .then(work)
      .catch((error) => this.options.log('error', `step failed: ${(error as Error).message}`));
    return this.stepping;
  }

  private onControlGuarded(topic: string, payload: Buffer, sender: Sender | null): void {
    try {
      this.onControl(topic, payload, sender);
    } catch (error) {
      this.options.log('error', `control on ${topic} could not be handled: ${(error as Error).message}`);
    }
  }

  /** Validates one control message, hands it to the extension that handles its kind, and answers it on the audit topic. */
  private onControl(topic: string, payload: Buffer, sender: Sender | null): void {
    const target = controlTarget(topic);
    // Behind an external broker the sender is unknown: its ACL let only the topic's role publish here.
    const from = sender ?? { username: null, role: target.topicRole };
    // The embedded broker already refused bad payloads; an external broker does not check them.
    const problem = payloadProblem(topic, payload);
    if (problem) {
      this.activity.answer(topic, from, target.action, { accepted: false, reason: problem });
      return;
    }
    const body: unknown = JSON.parse(payload.toString());
    const requestId = (body as { requestId?: unknown }).requestId;
    const answer = this.controls.apply({
      kind: target.action,
      id: target.id,
      who: sender?.username ?? target.topicRole,
      body,
      now: new Date(),
      simTime: this.clock.simTime,
    });
    this.activity.answer(
      topic,
      from,
      target.action,
      answer,
      typeof requestId === 'string' ? requestId : undefined,
    );
  }

  private async publishTableIfChanged(): Promise<void> {
    // Online state and power change every step; the map itself only when something moved or appeared.
    const snapshot = this.table.snapshot(this.options.network.name);
    const key = JSON.stringify(
      snapshot.assets.map((asset) => [asset.asset, asset.kind, asset.plot, asset.online, asset.fault]),
    );
    if (!this.tableChanged && key === this.lastTableKey) return;
    this.tableChanged = false;
    this.lastTableKey = key;
    await this.publishJson(gridflexTopics.tableMap(), snapshot, true, 1);
  }

  private async setHubState(state: HubState['state']): Promise<void> {
    this.hubState = { state, broker: this.options.link.kind, at: new Date().toISOString() };
    await this.publishJson(gridflexTopics.hubState(), this.hubState, true, 1);
  }

  private publishJson(topic: string, body: unknown, retain: boolean, qos: 0 | 1): Promise<void> {
    return this.options.link.publish(topic, JSON.stringify(body), { retain, qos });
  }
}

/** The feeder's buses a plot may be wired to: all but the transformers' medium-voltage side. */
function wirableBuses(network: FeederNetwork): string[] {
  const mediumVoltage = new Set(network.transformers.map((transformer) => transformer.hvBus));
  return network.buses.map((bus) => bus.name).filter((name) => !mediumVoltage.has(name));
}
