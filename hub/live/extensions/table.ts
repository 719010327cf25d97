import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  gridflexTopics,
  type TableEvent,
  TablePlaceSchema,
  TableWireSchema,
} from '../../../protocol/gridflex.js';
import { atomicWriteJson } from '../../atomic-json.js';
import { DeviceTracker } from '../../table/device-tracker.js';
import { describePresence, describeTableEvent, describeWiring } from '../../table/feed-text.js';
import { TableUpdateError } from '../../table/table-state.js';
import { ReadingShaper } from '../link-shaper.js';
import type { ControlAnswer, ControlRequest, Extension, HubContext } from './extension.js';

const PLACEMENTS_FILE = 'table-placements.json';
/** Plots wired to other buses live (`table/wire`), kept across restarts: plot → {bus, phase}. */
const WIRING_FILE = 'table-wiring.json';

/**
 * The table: follows the boards on the wire (the device tracker), places assets and wires plots on the
 * operator's controls, tells the room, and keeps placements and wiring in the data dir across restarts.
 */
export class TableExtension implements Extension {
  readonly name = 'table';
  /** Placements changed since they were last saved (saved once per step, so a crash loses at most one step). */
  private placementsDirty = false;
  /** The table map's device–hub links between the broker and the device tracker. */
  private readonly shaper: ReadingShaper;

  constructor(private readonly hub: HubContext) {
    this.shaper = new ReadingShaper(hub.map.links);
    this.restoreWiring();
    this.restorePlacements();
  }

  async start(): Promise<void> {
    const { bus, controls, link } = this.hub;
    for (const filter of DeviceTracker.FILTERS) {
      await link.subscribe(
        filter,
        this.shaper.wrap((topic, payload) => this.guarded(topic, payload)),
      );
    }
    controls.handle('table-place', (request) => this.place(request));
    controls.handle('table-wire', (request) => this.wire(request));
    bus.on('solved', this, () => this.saveIfDirty());
  }

  stop(): void {
    this.shaper.stop();
    this.hub.bus.removeListeners(this);
    this.hub.controls.remove('table-place');
    this.hub.controls.remove('table-wire');
    this.savePlacements();
  }

  /** A message handler that logs instead of throwing: no message may stop the hub. */
  private guarded(topic: string, payload: Buffer): void {
    try {
      this.onDeviceMessage(topic, payload);
    } catch (error) {
      this.hub.log('error', `message on ${topic} could not be handled: ${(error as Error).message}`);
    }
  }

  private onDeviceMessage(topic: string, payload: Buffer): void {
    const { devices } = this.hub;
    const now = new Date();
    this.tellExtensions(topic, payload, now);
    const stateOf = (deviceId: string) =>
      devices.deviceStates().find((device) => device.deviceId === deviceId)?.state;
    const presence = /^homie\/5\/([^/]+)\/\$state$/.exec(topic)?.[1];
    const before = presence === undefined ? undefined : stateOf(presence);
    const outcome = devices.handle(topic, payload, now);
    if (outcome.problem) this.hub.log('warn', `ignored ${topic}: ${outcome.problem}`);
    this.publishEvents(outcome.events);
    if (presence !== undefined) this.reportPresence(presence, before, stateOf(presence));
  }

  /** Other extensions see every board message; one that fails must not keep it from the table. */
  private tellExtensions(topic: string, payload: Buffer, now: Date): void {
    try {
      this.hub.bus.emit('deviceMessage', { topic, payload, now }).catch((error: Error) => {
        this.hub.log('error', `message on ${topic} could not be handled: ${error.message}`);
      });
    } catch (error) {
      this.hub.log('error', `message on ${topic} could not be handled: ${(error as Error).message}`);
    }
  }

  /** A board came online or went away: the room should know (its assets stop drawing while it is gone). */
  private reportPresence(deviceId: string, before: string | undefined, after: string | undefined): void {
    if (after === before || after === undefined) return;
    const assets =
      this.hub.devices.deviceStates().find((device) => device.deviceId === deviceId)?.assets ?? [];
    const event = describePresence(deviceId, assets, after);
    if (event) this.hub.activity.event(event);
  }

  private place({ body, now }: ControlRequest): ControlAnswer {
    const place = TablePlaceSchema.parse(body);
    try {
      const event = this.hub.table.place(place.asset, place.plot, 'control', now);
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

  private wire({ body }: ControlRequest): ControlAnswer {
    const wire = TableWireSchema.parse(body);
    try {
      const wiring = this.hub.table.wire(wire.plot, wire.bus, wire.phase);
      if (!wiring)
        return { accepted: true, reason: `${wire.plot} is already on bus ${wire.bus} phase ${wire.phase}` };
      this.hub.bus
        .emit('tableChanged', {})
        .catch((error: Error) => this.hub.log('error', `tableChanged: ${error.message}`));
      this.placementsDirty = true;
      const event = describeWiring(wiring);
      this.hub.log('info', `table: ${event.message}`);
      this.hub.activity.event(event);
      return { accepted: true, reason: event.message };
    } catch (error) {
      if (!(error instanceof TableUpdateError)) throw error;
      return { accepted: false, reason: error.message };
    }
  }

  private publishEvents(events: TableEvent[]): void {
    if (events.length === 0) return;
    this.hub.bus
      .emit('tableChanged', {})
      .catch((error: Error) => this.hub.log('error', `tableChanged: ${error.message}`));
    this.placementsDirty = true;
    for (const event of events) {
      this.hub.log(
        'info',
        `table: ${event.asset} ${event.fromPlot ?? 'off'} -> ${event.toPlot ?? 'off'} (${event.source})`,
      );
      this.hub.publishJson(gridflexTopics.tableEvent(), event, false, 1).catch(() => {});
      this.hub.activity.event(describeTableEvent(this.hub.table, event));
    }
  }

  private saveIfDirty(): void {
    if (!this.placementsDirty) return;
    this.placementsDirty = false;
    try {
      this.savePlacements();
    } catch (error) {
      this.hub.log('warn', `could not save placements: ${(error as Error).message}`);
    }
  }

  private restorePlacements(): void {
    const file = join(this.hub.dataDir, PLACEMENTS_FILE);
    if (!existsSync(file)) return;
    try {
      const placements = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      for (const [assetId, plot] of Object.entries(placements)) this.restorePlacement(assetId, plot);
    } catch (error) {
      this.hub.log(
        'warn',
        `${file}: ignored (${(error as Error).message}); starting from the map's placements`,
      );
    }
  }

  private restorePlacement(assetId: string, plot: unknown): void {
    const { table } = this.hub;
    if (table.asset(assetId) && (plot === null || (typeof plot === 'string' && table.plot(plot)))) {
      table.place(assetId, plot, 'announce', new Date());
    }
  }

  /** Plots wired live in an earlier run go back to those buses (entries the feeder no longer has are skipped). */
  private restoreWiring(): void {
    const file = join(this.hub.dataDir, WIRING_FILE);
    if (!existsSync(file)) return;
    try {
      const wiring = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      for (const [plotId, entry] of Object.entries(wiring)) this.restorePlotWiring(file, plotId, entry);
    } catch (error) {
      this.hub.log('warn', `${file}: ignored (${(error as Error).message}); starting from the map's wiring`);
    }
  }

  private restorePlotWiring(file: string, plotId: string, entry: unknown): void {
    const parsed = TableWireSchema.safeParse({ plot: plotId, ...(entry as object) });
    if (!parsed.success || !this.hub.table.plot(plotId)) {
      this.hub.log('warn', `${file}: ${plotId}: ignored (not a plot of this map with a bus and phase)`);
      return;
    }
    try {
      this.hub.table.wire(plotId, parsed.data.bus, parsed.data.phase);
    } catch (error) {
      if (!(error instanceof TableUpdateError)) throw error;
      this.hub.log('warn', `${file}: ${plotId}: ignored (${error.message})`);
    }
  }

  /** Saves placements and wiring. Atomic writes (temp file + rename): a hub killed mid-write leaves the previous files. */
  private savePlacements(): void {
    atomicWriteJson(join(this.hub.dataDir, PLACEMENTS_FILE), this.hub.table.placements());
    atomicWriteJson(join(this.hub.dataDir, WIRING_FILE), this.hub.table.wiring());
  }
}
