import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AssemblyBatteryRules,
  AssemblyBatteryRulesSchema,
  type AuditEntry,
  type Clock,
  type ClockControl,
  ClockControlSchema,
  CONTROL_ROOT,
  type FeedEvent,
  type FeederBuses,
  type FeederSummary,
  gridflexFilters,
  gridflexTopics,
  type HomeDecision,
  type HubState,
  type MarketPrices,
  type MarketTariffs,
  type Metrics,
  type RegulatorRulesInForce,
  RegulatorRulesSchema,
  ResidentBoostSchema,
  type ResidentPreferences,
  ResidentPreferencesSchema,
  type SecurityEvent,
  type SharedBattery,
  SupplierTariffSchema,
  type TableEvent,
  TablePlaceSchema,
  TableWireSchema,
} from '../../protocol/gridflex.js';
import { getHighs } from '../agents/registry.js';
import { payloadProblem } from '../broker/payload-check.js';
import { SimClock } from '../clock.js';
import { InputError } from '../errors.js';
import type { FeederNetwork } from '../feeder/index.js';
import { DeviceTracker } from '../table/device-tracker.js';
import { describePresence, describeTableEvent, describeWiring } from '../table/feed-text.js';
import { HomeAgents } from '../table/home-agents.js';
import { LimitWatch } from '../table/limit-watch.js';
import { LiveFeeder, type LiveFeederStep } from '../table/live-feeder.js';
import { LiveMarket } from '../table/live-market.js';
import type { LoadedTableMap } from '../table/map-config.js';
import { LiveSharedBattery } from '../table/shared-battery.js';
import { TableState, TableUpdateError } from '../table/table-state.js';
import { Activity } from './activity.js';
import { controlTarget, roleInDenial } from './control-topics.js';
import type { HubLink, Sender } from './link.js';

const PLACEMENTS_FILE = 'table-placements.json';
/** Plots wired to other buses live (`table/wire`), kept across restarts: plot → {bus, phase}. */
const WIRING_FILE = 'table-wiring.json';
const MAX_SECURITY_EVENTS_KEPT = 50;
/** Simulated times a jump may go to (the feeder profiles and tariffs are daily, but dates must stay sane). */
const JUMP_RANGE = { fromYear: 2000, toYear: 2100 } as const;

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
  marketRules: RegulatorRulesInForce;
  tariffs: MarketTariffs;
  sharedBattery: SharedBattery | null;
  /** The latest answers to control messages and the latest events, newest last. */
  audit: AuditEntry[];
  events: FeedEvent[];
}

/**
 * The live table's hub: follows the devices on the wire, steps the clock, lets each home's agent plan its
 * assets from the prices in force and its resident's preferences, runs the street's shared battery under the
 * citizens' assembly's rules, re-solves the feeder every step with each asset on the bus of the plot it sits
 * on, and publishes the results under `gridflex/v1/…`. Every control message is answered on
 * `gridflex/v1/audit` (and appended to `<dataDir>/audit.log`); what the room should see goes to
 * `gridflex/v1/events`. Bad messages are refused with a reason; nothing a client sends can stop the loop.
 */
export class HubRuntime {
  readonly table: TableState;
  private readonly tracker: DeviceTracker;
  private readonly feeder: LiveFeeder;
  private readonly market = new LiveMarket();
  private readonly sharedBattery: LiveSharedBattery | null;
  private agents: HomeAgents | undefined;
  private readonly clock: SimClock;
  private readonly activity: Activity;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private stepping: Promise<void> = Promise.resolve();
  private hubState: HubState;
  private lastStep: LiveFeederStep | null = null;
  private metrics: Metrics | null = null;
  private prices: MarketPrices;
  private lastPricesKey = '';
  private readonly decisions = new Map<string, HomeDecision>();
  private readonly security: SecurityEvent[] = [];
  /** Tells the feed when the transformer, a cable or the voltage band starts and stops being breached. */
  private readonly limits = new LimitWatch();
  /** Last value sent to each `/set` topic, so the hub only sends changes. */
  private readonly lastCommands = new Map<string, number | boolean | string>();
  private tableChanged = true;
  private lastTableKey = '';
  /** Placements changed since they were last saved (saved once per step, so a crash loses at most one step). */
  private placementsDirty = false;
  /** Wall time the agents spent planning, the plans made and the steps taken since start (logged at stop). */
  private readonly planningTotals = { ms: 0, plans: 0, steps: 0, maxStepMs: 0 };

  constructor(private readonly options: HubRuntimeOptions) {
    this.table = new TableState(options.map, wirableBuses(options.network));
    this.restoreWiring();
    this.restorePlacements();
    this.tracker = new DeviceTracker(this.table);
    this.sharedBattery = options.map.sharedBattery ? new LiveSharedBattery(options.map.sharedBattery) : null;
    this.feeder = new LiveFeeder(options.network, this.table, options.map.sharedBattery);
    this.clock = new SimClock({
      start: new Date(options.map.clock.start),
      stepMinutes: options.map.clock.stepMinutes,
      mode: 'accelerated',
      stepMs: options.stepMs ?? options.map.clock.stepMs,
    });
    this.activity = new Activity({
      link: options.link,
      dataDir: options.dataDir,
      simTime: () => this.clock.simTime,
      log: options.log,
    });
    this.hubState = { state: 'starting', broker: options.link.kind, at: new Date().toISOString() };
    this.prices = this.market.pricesAt(this.clock.simTime);
  }

  /** Loads the LP solver, subscribes to devices and controls, publishes the starting world, and starts the clock. */
  async start(): Promise<void> {
    const { link } = this.options;
    this.agents = new HomeAgents(this.options.map, this.table, this.options.network, await getHighs());
    for (const filter of DeviceTracker.FILTERS) {
      await link.subscribe(
        filter,
        this.guarded((topic, payload) => this.onDeviceMessage(topic, payload)),
      );
    }
    // Controls are applied between steps, so a step never sees half a change and the next one sees all of it.
    await link.subscribeWithSender(gridflexFilters.controls, (topic, payload, sender) => {
      this.enqueue(async () => {
        try {
          this.onControl(topic, payload, sender);
        } catch (error) {
          this.options.log('error', `control on ${topic} could not be handled: ${(error as Error).message}`);
        }
      });
    });
    await this.setHubState('running');
    link.onReconnect(() => {
      this.options.log('info', 'broker connection back: publishing the hub state again');
      this.tableChanged = true;
      this.setHubState(this.hubState.state).catch(() => {});
      this.publishMarket();
    });
    this.publishMarket();
    await this.activity.publishRecent();
    await this.publishTableIfChanged();
    this.clock.setRunning(true);
    await this.step();
    this.schedule();
  }

  /** Stops the clock, publishes the final retained states, and saves the placements. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.stepping;
    this.clock.setRunning(false);
    try {
      await this.publishJson(gridflexTopics.clock(), this.clock.snapshot(), true, 1);
      await this.setHubState('stopped');
    } catch (error) {
      this.options.log('warn', `could not publish the final state: ${(error as Error).message}`);
    }
    this.savePlacements();
    this.agents?.dispose();
    const { ms, plans, steps, maxStepMs } = this.planningTotals;
    if (steps > 0) {
      this.options.log(
        'info',
        `agents: ${plans} plans in ${ms.toFixed(0)} ms over ${steps} steps (${plans > 0 ? (ms / plans).toFixed(2) : '0'} ms a plan, ${(ms / steps).toFixed(2)} ms a step on average, ${maxStepMs.toFixed(1)} ms at most)`,
      );
    }
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

  snapshot(): HubSnapshot {
    const clock = this.clock.snapshot();
    return {
      hub: this.hubState,
      clock,
      table: this.table.snapshot(this.options.network.name),
      devices: this.tracker.deviceStates(),
      feeder: this.lastStep && { summary: this.lastStep.summary, buses: this.lastStep.buses },
      market: this.prices,
      metrics: this.metrics,
      preferences: this.agents?.preferencesByHome() ?? {},
      security: [...this.security],
      decisions: Object.fromEntries(this.decisions),
      marketRules: this.market.rules,
      tariffs: this.market.tariffs(),
      sharedBattery: this.sharedBattery?.snapshot(clock.step, clock.simTime) ?? null,
      audit: this.activity.recentAudit(),
      events: this.activity.recentEvents(),
    };
  }

  /** One clock step: the market ticks, agents act, the shared battery answers, the feeder is solved, all is published. */
  async step(): Promise<void> {
    const clock = this.clock.advance();
    const simTime = new Date(clock.simTime);
    const switched = this.market.tick(simTime);
    if (switched.length > 0) {
      this.agents?.invalidatePlans();
      this.activity.events(switched);
      this.publishTariffs();
    }
    this.publishPricesIfChanged(simTime);
    if (this.agents) {
      const acted = this.agents.step(clock, this.market);
      this.planningTotals.ms += acted.planningMs;
      this.planningTotals.plans += acted.plansMade;
      this.planningTotals.steps += 1;
      this.planningTotals.maxStepMs = Math.max(this.planningTotals.maxStepMs, acted.planningMs);
      for (const decision of acted.decisions) this.decisions.set(decision.home, decision);
      for (const failure of acted.failures) this.options.log('error', failure);
      for (const news of acted.news) {
        this.activity.event({
          kind: news.kind,
          severity: 'info',
          message: news.message,
          home: news.home,
          asset: news.asset,
        });
      }
      await this.sendCommands(acted.setpointsKw);
    }
    const sharedBatteryPKw =
      this.sharedBattery?.step(simTime, clock.stepMinutes, this.feeder.homeNetPowerKw(clock)) ?? 0;
    let result: LiveFeederStep;
    try {
      result = this.feeder.solveStep(clock, sharedBatteryPKw);
    } catch (error) {
      this.options.log('error', `step ${clock.step}: power flow failed: ${(error as Error).message}`);
      await this.publishJson(gridflexTopics.clock(), clock, true, 0);
      return;
    }
    this.lastStep = result;
    if (this.placementsDirty) {
      this.placementsDirty = false;
      try {
        this.savePlacements();
      } catch (error) {
        this.options.log('warn', `could not save placements: ${(error as Error).message}`);
      }
    }
    this.updateMetrics(clock, result.summary);
    for (const change of this.limits.check(result.summary)) {
      this.activity.event({
        kind: change.breached ? 'limit-breached' : 'limit-cleared',
        severity: change.breached ? 'warning' : 'info',
        message: change.message,
      });
    }
    await this.publishTableIfChanged();
    await this.publishJson(gridflexTopics.clock(), clock, true, 0);
    await this.publishJson(gridflexTopics.feederSummary(), result.summary, true, 0);
    await this.publishJson(gridflexTopics.feederBuses(), result.buses, true, 0);
    await this.publishJson(gridflexTopics.feederLines(), result.lines, true, 0);
    for (const home of result.homes) await this.publishJson(gridflexTopics.home(home.home), home, true, 0);
    for (const decision of this.decisions.values()) {
      await this.publishJson(gridflexTopics.homeDecision(decision.home), decision, true, 0);
    }
    if (this.sharedBattery) {
      await this.publishJson(
        gridflexTopics.sharedBattery(),
        this.sharedBattery.snapshot(clock.step, clock.simTime),
        true,
        0,
      );
    }
    if (this.metrics) await this.publishJson(gridflexTopics.metrics(), this.metrics, true, 0);
  }

  /** Runs the next step after the clock's `stepMs` while it is running (steps never overlap). */
  private schedule(): void {
    clearTimeout(this.timer);
    if (this.stopped || !this.clock.isRunning) return;
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

  /** A message handler that logs instead of throwing: no message may stop the hub. */
  private guarded(
    handler: (topic: string, payload: Buffer) => void,
  ): (topic: string, payload: Buffer) => void {
    return (topic, payload) => {
      try {
        handler(topic, payload);
      } catch (error) {
        this.options.log('error', `message on ${topic} could not be handled: ${(error as Error).message}`);
      }
    };
  }

  private onDeviceMessage(topic: string, payload: Buffer): void {
    if (topic.endsWith('/$state') && payload.toString() === 'ready') {
      // A board that (re)started has lost its set-points: send them again at the next step.
      const prefix = topic.slice(0, -'$state'.length);
      for (const commandTopic of this.lastCommands.keys()) {
        if (commandTopic.startsWith(prefix)) this.lastCommands.delete(commandTopic);
      }
    }
    const stateOf = (deviceId: string) =>
      this.tracker.deviceStates().find((device) => device.deviceId === deviceId)?.state;
    const presence = /^homie\/5\/([^/]+)\/\$state$/.exec(topic)?.[1];
    const before = presence === undefined ? undefined : stateOf(presence);
    const outcome = this.tracker.handle(topic, payload, new Date());
    if (outcome.problem) this.options.log('warn', `ignored ${topic}: ${outcome.problem}`);
    this.publishEvents(outcome.events);
    if (presence !== undefined) this.reportPresence(presence, before, stateOf(presence));
  }

  /** A board came online or went away: the room should know (its assets stop drawing while it is gone). */
  private reportPresence(deviceId: string, before: string | undefined, after: string | undefined): void {
    if (after === before || after === undefined) return;
    const assets = this.tracker.deviceStates().find((device) => device.deviceId === deviceId)?.assets ?? [];
    const event = describePresence(deviceId, assets, after);
    if (event) this.activity.event(event);
  }

  /** Validates and applies one control message, and answers it on the audit topic. */
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
    const answer = this.apply(target, body, sender);
    this.activity.answer(
      topic,
      from,
      target.action,
      answer,
      typeof requestId === 'string' ? requestId : undefined,
    );
  }

  private apply(
    target: ReturnType<typeof controlTarget>,
    body: unknown,
    sender: Sender | null,
  ): { accepted: boolean; reason: string } {
    const now = new Date();
    const simTime = this.clock.simTime;
    const who = sender?.username ?? target.topicRole;
    switch (target.action) {
      case 'regulator-rules': {
        const answer = this.market.setRules(RegulatorRulesSchema.parse(body), who, now, simTime);
        if (answer.accepted) this.afterMarketChange();
        this.activity.events(answer.news);
        return answer;
      }
      case 'supplier-tariff': {
        const answer = this.market.offer(target.id as string, SupplierTariffSchema.parse(body), now, simTime);
        if (answer.accepted) this.afterMarketChange();
        this.activity.events(answer.news);
        return answer;
      }
      case 'resident-preferences': {
        const answer = this.requireAgents().setPreferences(
          target.id as string,
          ResidentPreferencesSchema.parse(body),
        );
        if (answer.accepted) {
          this.options.log('info', `resident ${target.id} preferences updated`);
          this.activity.event({
            kind: 'preferences-changed',
            severity: 'info',
            message: `${target.id}: ${answer.reason}`,
            home: target.id as string,
          });
        }
        return answer;
      }
      case 'resident-boost': {
        const boost = ResidentBoostSchema.parse(body);
        const answer = this.requireAgents().boost(
          target.id as string,
          boost.asset,
          boost.minutes,
          simTime,
          this.market,
        );
        if (answer.accepted) {
          this.activity.event({
            kind: boost.minutes > 0 ? 'boost-started' : 'boost-ended',
            severity: 'info',
            message: `${target.id}: ${answer.reason}`,
            home: target.id as string,
            asset: boost.asset,
          });
        }
        return answer;
      }
      case 'table-place': {
        const place = TablePlaceSchema.parse(body);
        try {
          const event = this.table.place(place.asset, place.plot, 'control', now);
          this.publishEvents(event ? [event] : []);
          return {
            accepted: true,
            reason: event
              ? `${place.asset} ${place.plot ? `placed on ${place.plot}` : 'lifted off'}`
              : 'already there',
          };
        } catch (error) {
          if (!(error instanceof TableUpdateError)) throw error;
          return { accepted: false, reason: error.message };
        }
      }
      case 'table-wire': {
        const wire = TableWireSchema.parse(body);
        try {
          const wiring = this.table.wire(wire.plot, wire.bus, wire.phase);
          if (!wiring)
            return {
              accepted: true,
              reason: `${wire.plot} is already on bus ${wire.bus} phase ${wire.phase}`,
            };
          this.tableChanged = true;
          this.placementsDirty = true;
          const event = describeWiring(wiring);
          this.options.log('info', `table: ${event.message}`);
          this.activity.event(event);
          return { accepted: true, reason: event.message };
        } catch (error) {
          if (!(error instanceof TableUpdateError)) throw error;
          return { accepted: false, reason: error.message };
        }
      }
      case 'clock':
        return this.clockControl(ClockControlSchema.parse(body));
      case 'assembly-battery-rules':
        return this.assemblyRules(AssemblyBatteryRulesSchema.parse(body), who, now);
      case 'unknown':
        return { accepted: false, reason: 'unknown control topic' };
    }
  }

  private assemblyRules(
    rules: AssemblyBatteryRules,
    who: string,
    now: Date,
  ): { accepted: boolean; reason: string } {
    if (!this.sharedBattery) {
      return {
        accepted: false,
        reason: 'this table has no shared battery (add sharedBattery: to the table map)',
      };
    }
    try {
      const changed = this.sharedBattery.setRules(rules, who, now);
      const reason = `shared battery rules changed: ${changed.join(', ')}`;
      this.activity.event({
        kind: 'shared-battery-rules-changed',
        severity: 'info',
        message: `assembly: ${reason}`,
      });
      const clock = this.clock.snapshot();
      this.publishJson(
        gridflexTopics.sharedBattery(),
        this.sharedBattery.snapshot(clock.step, clock.simTime),
        true,
        0,
      ).catch(() => {});
      return { accepted: true, reason };
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return { accepted: false, reason: error.problem };
    }
  }

  private clockControl(control: ClockControl): { accepted: boolean; reason: string } {
    const label = () => this.clock.simTime.toISOString().slice(0, 16).replace('T', ' ');
    let reason: string;
    switch (control.action) {
      case 'play':
        if (this.clock.isRunning) return { accepted: true, reason: 'already running' };
        this.clock.setRunning(true);
        this.schedule();
        reason = `playing from ${label()} at one step every ${this.clock.stepMs} ms`;
        break;
      case 'pause':
        if (!this.clock.isRunning) return { accepted: true, reason: 'already paused' };
        this.clock.setRunning(false);
        clearTimeout(this.timer);
        reason = `paused at ${label()}`;
        break;
      case 'step': {
        const count = control.count ?? 1;
        for (let index = 0; index < count; index++) this.enqueue(() => this.step());
        reason = `${count} step${count === 1 ? '' : 's'} from ${label()}`;
        break;
      }
      case 'speed':
        this.clock.setStepMs(control.stepMs);
        this.schedule();
        reason = `one step every ${control.stepMs} ms (${((this.clock.snapshot().stepMinutes * 1000) / control.stepMs).toFixed(1)} simulated minutes per second)`;
        break;
      case 'jump': {
        const to = new Date(control.to);
        const year = to.getUTCFullYear();
        if (year < JUMP_RANGE.fromYear || year > JUMP_RANGE.toYear) {
          return {
            accepted: false,
            reason: `${control.to} is outside ${JUMP_RANGE.fromYear}–${JUMP_RANGE.toYear}`,
          };
        }
        this.enqueue(async () => {
          this.clock.jumpTo(to);
          this.agents?.invalidatePlans();
        });
        reason = `jumped to ${control.to}`;
        break;
      }
    }
    this.enqueue(async () => {
      await this.publishJson(gridflexTopics.clock(), this.clock.snapshot(), true, 0);
      this.activity.event({ kind: 'clock-changed', severity: 'info', message: `clock: ${reason}` });
    });
    return { accepted: true, reason };
  }

  private requireAgents(): HomeAgents {
    if (!this.agents) throw new Error('the agents are not started yet');
    return this.agents;
  }

  /** After rules or offers changed: plans are remade with the new prices; rules, tariffs and prices go out. */
  private afterMarketChange(): void {
    this.agents?.invalidatePlans();
    this.publishMarket();
  }

  private publishMarket(): void {
    this.publishJson(gridflexTopics.marketRules(), this.market.rules, true, 1).catch(() => {});
    this.publishTariffs();
    this.lastPricesKey = '';
    this.publishPricesIfChanged(this.clock.simTime);
  }

  private publishTariffs(): void {
    this.publishJson(gridflexTopics.marketTariffs(), this.market.tariffs(), true, 1).catch(() => {});
  }

  /** Prices change with time-of-use and network bands: published when they change, not every step. */
  private publishPricesIfChanged(simTime: Date): void {
    this.prices = this.market.pricesAt(simTime);
    const { simTime: _time, ...terms } = this.prices;
    const key = JSON.stringify(terms);
    if (key === this.lastPricesKey) return;
    this.lastPricesKey = key;
    this.publishJson(gridflexTopics.marketPrices(), this.prices, true, 1).catch(() => {});
  }

  private publishEvents(events: TableEvent[]): void {
    if (events.length === 0) return;
    this.tableChanged = true;
    this.placementsDirty = true;
    for (const event of events) {
      this.options.log(
        'info',
        `table: ${event.asset} ${event.fromPlot ?? 'off'} -> ${event.toPlot ?? 'off'} (${event.source})`,
      );
      this.publishJson(gridflexTopics.tableEvent(), event, false, 1).catch(() => {});
      this.activity.event(describeTableEvent(this.table, event));
    }
  }

  private async publishTableIfChanged(): Promise<void> {
    // Online state and power change every step; the map itself only when something moved or appeared.
    const snapshot = this.table.snapshot(this.options.network.name);
    const key = JSON.stringify(
      snapshot.assets.map((asset) => [asset.asset, asset.kind, asset.plot, asset.online]),
    );
    if (!this.tableChanged && key === this.lastTableKey) return;
    this.tableChanged = false;
    this.lastTableKey = key;
    await this.publishJson(gridflexTopics.tableMap(), snapshot, true, 1);
  }

  private async sendCommands(setpointsKw: Map<string, number>): Promise<void> {
    const commands = this.tracker.padSocCommands((evId) => this.agents?.evSocPct(evId));
    for (const [assetId, kw] of setpointsKw) {
      const command = this.tracker.commandFor(assetId, 'power-kw', kw);
      if (command) commands.push(command);
    }
    for (const command of commands) {
      if (this.lastCommands.get(command.topic) === command.value) continue;
      this.lastCommands.set(command.topic, command.value);
      await this.options.link.publish(command.topic, String(command.value), { retain: false, qos: 1 });
    }
  }

  private updateMetrics(clock: Clock, summary: FeederSummary): void {
    const hours = clock.stepMinutes / 60;
    const previous = this.metrics;
    const breach = summary.busPhasesOutsideStatutory > 0 ? 1 : 0;
    this.metrics = {
      step: clock.step,
      simTime: clock.simTime,
      importedKwh: (previous?.importedKwh ?? 0) + Math.max(0, summary.substationPKw) * hours,
      exportedKwh: (previous?.exportedKwh ?? 0) + Math.max(0, -summary.substationPKw) * hours,
      lossesKwh: (previous?.lossesKwh ?? 0) + summary.lossesKw * hours,
      peakSubstationPKw: Math.max(
        previous?.peakSubstationPKw ?? Number.NEGATIVE_INFINITY,
        summary.substationPKw,
      ),
      peakTransformerLoadingPct: Math.max(
        previous?.peakTransformerLoadingPct ?? 0,
        summary.transformerLoadingPct,
      ),
      stepsWithVoltageBreach: (previous?.stepsWithVoltageBreach ?? 0) + breach,
      minVoltsSeen: Math.min(previous?.minVoltsSeen ?? Number.POSITIVE_INFINITY, summary.vMin.volts),
      maxVoltsSeen: Math.max(previous?.maxVoltsSeen ?? Number.NEGATIVE_INFINITY, summary.vMax.volts),
    };
  }

  private async setHubState(state: HubState['state']): Promise<void> {
    this.hubState = { state, broker: this.options.link.kind, at: new Date().toISOString() };
    await this.publishJson(gridflexTopics.hubState(), this.hubState, true, 1);
  }

  private publishJson(topic: string, body: unknown, retain: boolean, qos: 0 | 1): Promise<void> {
    return this.options.link.publish(topic, JSON.stringify(body), { retain, qos });
  }

  private restorePlacements(): void {
    const file = join(this.options.dataDir, PLACEMENTS_FILE);
    if (!existsSync(file)) return;
    try {
      const placements = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      for (const [assetId, plot] of Object.entries(placements)) {
        if (
          this.table.asset(assetId) &&
          (plot === null || (typeof plot === 'string' && this.table.plot(plot)))
        ) {
          this.table.place(assetId, plot, 'announce', new Date());
        }
      }
    } catch (error) {
      this.options.log(
        'warn',
        `${file}: ignored (${(error as Error).message}); starting from the map's placements`,
      );
    }
  }

  /** Plots wired live in an earlier run go back to those buses (entries the feeder no longer has are skipped). */
  private restoreWiring(): void {
    const file = join(this.options.dataDir, WIRING_FILE);
    if (!existsSync(file)) return;
    try {
      const wiring = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      for (const [plotId, entry] of Object.entries(wiring)) {
        const parsed = TableWireSchema.safeParse({ plot: plotId, ...(entry as object) });
        if (!parsed.success || !this.table.plot(plotId)) {
          this.options.log(
            'warn',
            `${file}: ${plotId}: ignored (not a plot of this map with a bus and phase)`,
          );
          continue;
        }
        try {
          this.table.wire(plotId, parsed.data.bus, parsed.data.phase);
        } catch (error) {
          if (!(error instanceof TableUpdateError)) throw error;
          this.options.log('warn', `${file}: ${plotId}: ignored (${error.message})`);
        }
      }
    } catch (error) {
      this.options.log(
        'warn',
        `${file}: ignored (${(error as Error).message}); starting from the map's wiring`,
      );
    }
  }

  /** Saves placements and wiring. Atomic writes (temp file + rename): a hub killed mid-write leaves the previous files. */
  private savePlacements(): void {
    atomicWriteJson(join(this.options.dataDir, PLACEMENTS_FILE), this.table.placements());
    atomicWriteJson(join(this.options.dataDir, WIRING_FILE), this.table.wiring());
  }
}

function atomicWriteJson(file: string, body: unknown): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(body, null, 2)}\n`);
  renameSync(temp, file);
}

/** The feeder's buses a plot may be wired to: all but the transformers' medium-voltage side. */
function wirableBuses(network: FeederNetwork): string[] {
  const mediumVoltage = new Set(network.transformers.map((transformer) => transformer.hvBus));
  return network.buses.map((bus) => bus.name).filter((name) => !mediumVoltage.has(name));
}
