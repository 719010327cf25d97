import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Clock,
  controlTopics,
  type FeederBuses,
  type FeederSummary,
  gridflexFilters,
  gridflexTopics,
  type HubState,
  type MarketPrices,
  type Metrics,
  RegulatorRulesSchema,
  ResidentBoostSchema,
  type ResidentPreferences,
  ResidentPreferencesSchema,
  type SecurityEvent,
  type SupplierTariff,
  SupplierTariffSchema,
  type TableEvent,
  TablePlaceSchema,
} from '../../protocol/gridflex.js';
import { topicMatches } from '../auth/acl.js';
import { payloadProblem } from '../broker/payload-check.js';
import { SimClock } from '../clock.js';
import type { FeederNetwork } from '../feeder/index.js';
import { DeviceTracker } from '../table/device-tracker.js';
import { LiveFeeder, type LiveFeederStep } from '../table/live-feeder.js';
import type { LoadedTableMap } from '../table/map-config.js';
import { PassiveAssets } from '../table/passive-assets.js';
import { TableState, TableUpdateError } from '../table/table-state.js';
import type { HubLink } from './link.js';

/** GB default tariff cap (Jul–Sep 2026) and a typical export tariff, until a supplier or the regulator says otherwise. */
const DEFAULT_PRICES = { importGbpPerKwh: 0.2611, exportGbpPerKwh: 0.15, standingGbpPerDay: 0.5719 } as const;
const PLACEMENTS_FILE = 'table-placements.json';
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
}

/**
 * The live table's hub: follows the devices on the wire, steps the clock, re-solves the feeder every step
 * with each asset on the bus of the plot it sits on, and publishes the results under `gridflex/v1/…`.
 * Bad messages are logged and skipped; nothing a client sends can stop the loop.
 */
export class HubRuntime {
  readonly table: TableState;
  private readonly tracker: DeviceTracker;
  private readonly feeder: LiveFeeder;
  private readonly passive: PassiveAssets;
  private readonly clock: SimClock;
  private readonly stepMs: number;
  private timer: NodeJS.Timeout | undefined;
  private stepping: Promise<void> = Promise.resolve();
  private hubState: HubState;
  private lastStep: LiveFeederStep | null = null;
  private metrics: Metrics | null = null;
  private market: MarketPrices;
  private priceCapGbpPerKwh: number | undefined;
  /** The tariff in force: the latest supplier offer, its ID prefixed with the supplier's. */
  private tariff: SupplierTariff | undefined;
  /** Residents' preferences by home (recorded and shown; the live table's assets are passive for now). */
  private readonly preferences = new Map<string, ResidentPreferences>();
  private readonly security: SecurityEvent[] = [];
  /** Last value sent to each `/set` topic, so the hub only sends changes. */
  private readonly lastCommands = new Map<string, number | boolean | string>();
  private tableChanged = true;
  private lastTableKey = '';
  /** Placements changed since they were last saved (saved once per step, so a crash loses at most one step). */
  private placementsDirty = false;

  constructor(private readonly options: HubRuntimeOptions) {
    this.table = new TableState(options.map);
    this.restorePlacements();
    this.tracker = new DeviceTracker(this.table);
    this.feeder = new LiveFeeder(options.network, this.table);
    this.passive = new PassiveAssets(options.map, this.table);
    this.clock = new SimClock({
      start: new Date(options.map.clock.start),
      stepMinutes: options.map.clock.stepMinutes,
      mode: 'accelerated',
    });
    this.stepMs = options.stepMs ?? options.map.clock.stepMs;
    this.hubState = { state: 'starting', broker: options.link.kind, at: new Date().toISOString() };
    this.market = this.prices();
  }

  /** Subscribes to devices and controls, publishes the starting world, and starts the clock. */
  async start(): Promise<void> {
    const { link } = this.options;
    for (const filter of DeviceTracker.FILTERS) {
      await link.subscribe(
        filter,
        this.guarded((topic, payload) => this.onDeviceMessage(topic, payload)),
      );
    }
    await link.subscribe(
      gridflexFilters.controls,
      this.guarded((topic, payload) => this.onControl(topic, payload)),
    );
    await this.setHubState('running');
    link.onReconnect(() => {
      this.options.log('info', 'broker connection back: publishing the hub state again');
      this.tableChanged = true;
      this.setHubState(this.hubState.state).catch(() => {});
      this.republishPrices();
    });
    await this.publishJson(gridflexTopics.marketPrices(), this.market, true, 1);
    await this.publishTableIfChanged();
    this.clock.setRunning(true);
    await this.step();
    this.timer = setInterval(() => {
      // Steps never overlap: a slow step delays the next instead of piling up.
      this.stepping = this.stepping
        .then(() => this.step())
        .catch((error) => this.options.log('error', `step failed: ${(error as Error).message}`));
    }, this.stepMs);
  }

  /** Stops the clock, publishes the final retained states, and saves the placements. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.stepping;
    this.clock.setRunning(false);
    try {
      await this.publishJson(gridflexTopics.clock(), this.clock.snapshot(), true, 1);
      await this.setHubState('stopped');
    } catch (error) {
      this.options.log('warn', `could not publish the final state: ${(error as Error).message}`);
    }
    this.savePlacements();
  }

  /** Records a broker security event and publishes it on `gridflex/v1/hub/security`. */
  reportSecurity(event: SecurityEvent): void {
    this.security.push(event);
    if (this.security.length > MAX_SECURITY_EVENTS_KEPT) this.security.shift();
    this.options.log(
      'warn',
      `${event.kind}: ${event.clientId}${event.username ? ` (${event.username})` : ''}${event.topic ? ` on ${event.topic}` : ''}: ${event.reason}`,
    );
    this.publishJson(gridflexTopics.hubSecurity(), event, false, 0).catch(() => {});
  }

  snapshot(): HubSnapshot {
    return {
      hub: this.hubState,
      clock: this.clock.snapshot(),
      table: this.table.snapshot(this.options.network.name),
      devices: this.tracker.deviceStates(),
      feeder: this.lastStep && { summary: this.lastStep.summary, buses: this.lastStep.buses },
      market: this.market,
      metrics: this.metrics,
      preferences: Object.fromEntries(this.preferences),
      security: [...this.security],
    };
  }

  /** One clock step: assets act, the feeder is solved, everything is published. */
  async step(): Promise<void> {
    const clock = this.clock.advance();
    const heatPumpKw = this.passive.step(clock);
    await this.sendCommands(heatPumpKw);
    let result: LiveFeederStep;
    try {
      result = this.feeder.solveStep(clock);
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
    await this.publishTableIfChanged();
    await this.publishJson(gridflexTopics.clock(), clock, true, 0);
    await this.publishJson(gridflexTopics.feederSummary(), result.summary, true, 0);
    await this.publishJson(gridflexTopics.feederBuses(), result.buses, true, 0);
    for (const home of result.homes) await this.publishJson(gridflexTopics.home(home.home), home, true, 0);
    if (this.metrics) await this.publishJson(gridflexTopics.metrics(), this.metrics, true, 0);
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
    const outcome = this.tracker.handle(topic, payload, new Date());
    if (outcome.problem) this.options.log('warn', `ignored ${topic}: ${outcome.problem}`);
    this.publishEvents(outcome.events);
  }

  private onControl(topic: string, payload: Buffer): void {
    // The embedded broker already refused bad payloads; an external broker does not check them.
    const problem = payloadProblem(topic, payload);
    if (problem) {
      this.options.log('warn', `ignored ${topic}: ${problem}`);
      return;
    }
    const body: unknown = JSON.parse(payload.toString());
    const [, , , role, id] = topic.split('/');
    if (topicMatches(controlTopics.regulatorRules(), topic)) {
      const rules = RegulatorRulesSchema.parse(body);
      if (rules.priceCapGbpPerKwh !== undefined) this.priceCapGbpPerKwh = rules.priceCapGbpPerKwh;
      this.options.log('info', `regulator rules: ${JSON.stringify(rules)}`);
      this.republishPrices();
    } else if (role === 'supplier') {
      const tariff = SupplierTariffSchema.parse(body);
      this.tariff = { ...tariff, tariffId: `${id}/${tariff.tariffId}` };
      this.options.log('info', `supplier ${id} offers ${tariff.tariffId}`);
      this.republishPrices();
    } else if (role === 'resident' && topic.endsWith('/preferences')) {
      this.preferences.set(id ?? '', ResidentPreferencesSchema.parse(body));
      this.options.log('info', `resident ${id} preferences updated`);
    } else if (role === 'resident' && topic.endsWith('/boost')) {
      const boost = ResidentBoostSchema.parse(body);
      this.options.log(
        'info',
        `resident ${id} boost ${boost.asset} for ${boost.minutes} min (noted; agents not connected yet)`,
      );
    } else if (topicMatches(controlTopics.tablePlace(), topic)) {
      const place = TablePlaceSchema.parse(body);
      try {
        const event = this.table.place(place.asset, place.plot, 'control', new Date());
        this.publishEvents(event ? [event] : []);
      } catch (error) {
        if (!(error instanceof TableUpdateError)) throw error;
        this.options.log('warn', `ignored ${topic}: ${error.message}`);
      }
    }
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

  private async sendCommands(heatPumpKw: Map<string, number>): Promise<void> {
    const commands = this.tracker.padSocCommands((evId) => this.passive.socPct(evId));
    for (const [assetId, kw] of heatPumpKw) {
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

  private prices(): MarketPrices {
    const importPrice = this.tariff?.importPriceGbpPerKwh ?? DEFAULT_PRICES.importGbpPerKwh;
    return {
      simTime: this.clock.snapshot().simTime,
      importPriceGbpPerKwh:
        this.priceCapGbpPerKwh === undefined ? importPrice : Math.min(importPrice, this.priceCapGbpPerKwh),
      exportPriceGbpPerKwh: this.tariff?.exportPriceGbpPerKwh ?? DEFAULT_PRICES.exportGbpPerKwh,
      standingChargeGbpPerDay: this.tariff?.standingChargeGbpPerDay ?? DEFAULT_PRICES.standingGbpPerDay,
      source: this.tariff?.tariffId ?? 'price-cap',
    };
  }

  private republishPrices(): void {
    this.market = this.prices();
    this.publishJson(gridflexTopics.marketPrices(), this.market, true, 1).catch(() => {});
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

  /** Atomic write (temp file + rename), so a hub killed mid-write leaves the previous file intact. */
  private savePlacements(): void {
    const file = join(this.options.dataDir, PLACEMENTS_FILE);
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(this.table.placements(), null, 2)}\n`);
    renameSync(temp, file);
  }
}
