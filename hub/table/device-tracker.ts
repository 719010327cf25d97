import type { AssetKind, TableEvent } from '../../protocol/gridflex.js';
import {
  HOMIE_ROOT,
  HomieDescriptionSchema,
  type HomieProperty,
  type HomieState,
  HomieStateSchema,
  homieFilters,
  homieTopics,
  parseHomieTopic,
  parseHomieValue,
} from '../../protocol/homie.js';
import { type TableState, TableUpdateError } from './table-state.js';

/** Node kinds (from `$description` node type `gridflex-<kind>`) that are assets with a power of their own. */
const ENERGY_KINDS: Readonly<Record<string, AssetKind>> = {
  pv: 'pv',
  'heat-pump': 'heat-pump',
  battery: 'battery',
};

/** Values kept per board until its `$description` arrives (more node IDs than any board has are dropped). */
const MAX_EARLY_VALUES = 64;
/** A board whose readings keep being refused is logged at most this often (wall time). */
const REFUSAL_LOG_INTERVAL_MS = 60_000;

interface TrackedDevice {
  state: HomieState | undefined;
  /** Node ID → GridFlex node kind (without the `gridflex-` prefix). */
  nodeKinds: Map<string, string>;
  /** Energy node ID → asset ID on the table. */
  assets: Map<string, string>;
  /** `node/property` → its description; undefined until `$description` arrives. */
  properties: Map<string, HomieProperty> | undefined;
  /** `node/property` → last good value. */
  values: Map<string, number | boolean | string>;
  /** Payloads that came before `$description` (retained topics arrive in any order), read once it is in. */
  early: Map<string, Buffer>;
  /** `node/property` → why its latest reading was refused. */
  refused: Map<string, string>;
  /** When a refusal of this board was last logged (wall ms). */
  refusalLoggedMs: number;
  /** EV-pad node ID → the EV it holds now. */
  padHolds: Map<string, string>;
}

/** Unknown EVs reported per board: enough to show a mistyped tag, bounded against a flood of invented IDs. */
const MAX_UNKNOWN_EV_REPORTS = 3;

/** What one Homie message did to the table. */
export interface TrackerOutcome {
  events: TableEvent[];
  /** Why the message was ignored (bad payload, unknown tag, …); the hub logs it. */
  problem?: string;
}

/** A `/set` command the hub wants to send to a board, e.g. an EV's state of charge for its pad's LEDs. */
export interface DeviceCommand {
  topic: string;
  value: number | boolean | string;
}

/**
 * Follows the Homie devices on the wire and keeps the table in step: which assets exist (from
 * `$description`), whether they are online (`$state`), their power (telemetry), and where they sit
 * (a board's `plot/plot-id`, an EV pad's `present`/`ev-id`/`tag-uid`). Pure: messages in, table
 * updates and events out.
 */
export class DeviceTracker {
  /** The Homie topics the tracker reads: lifecycle, descriptions, and the few properties that place or power assets. */
  static readonly FILTERS = [
    homieFilters.allStates,
    homieFilters.allDescriptions,
    ...['power-kw', 'plot-id', 'present', 'ev-id', 'tag-uid'].map(
      (property) => `${HOMIE_ROOT}/+/+/${property}`,
    ),
  ];

  private readonly devices = new Map<string, TrackedDevice>();
  /** Board ID → unknown EVs its pads read that were reported (up to {@link MAX_UNKNOWN_EV_REPORTS}). */
  private readonly unknownEvReports = new Map<string, number>();
  /** The map's assets: each is its own board's (the board with its ID) before any board has announced it. */
  private readonly mapAssets: ReadonlySet<string>;
  /** `<board> <asset>` claims refused and logged: a board that announces again is not logged again. */
  private readonly refusedClaims = new Set<string>();

  /**
   * @param registered - whether a device ID is a board known to the hub before it announces itself (its
   *   login, an adoption): an asset with that ID is that board's alone, as the map's assets are.
   */
  constructor(
    private readonly table: TableState,
    private readonly registered: (deviceId: string) => boolean = () => false,
  ) {
    this.mapAssets = new Set(table.map.assets.map((asset) => asset.asset));
  }

  /** Handles one message under `homie/5/…`. Never throws. */
  handle(topic: string, payload: Buffer, now: Date): TrackerOutcome {
    const parsed = parseHomieTopic(topic);
    if (!parsed || parsed.kind === 'set' || parsed.kind === 'log' || parsed.kind === 'readings')
      return { events: [] };
    if (payload.length === 0) return { events: [] }; // a cleared retained topic
    const device = this.device(parsed.deviceId);
    try {
      switch (parsed.kind) {
        case 'state':
          return this.onState(parsed.deviceId, device, payload.toString(), now);
        case 'description':
          return this.onDescription(parsed.deviceId, device, payload, now);
        case 'property':
          return this.onValue(parsed.deviceId, device, parsed.nodeId, parsed.propertyId, payload, now);
      }
    } catch (error) {
      if (error instanceof TableUpdateError) return { events: [], problem: error.message };
      throw error;
    }
  }

  /** Devices the tracker has heard of, with their Homie state. */
  deviceStates(): { deviceId: string; state: HomieState | undefined; assets: string[] }[] {
    return [...this.devices].map(([deviceId, device]) => ({
      deviceId,
      state: device.state,
      assets: [...device.assets.values()],
    }));
  }

  /** The `/set` commands that show each EV's state of charge on the pad it sits on. */
  padSocCommands(socPctOf: (evId: string) => number | undefined): DeviceCommand[] {
    const commands: DeviceCommand[] = [];
    for (const [deviceId, device] of this.devices) {
      if (device.state !== 'ready') continue;
      for (const [nodeId, evId] of device.padHolds) {
        const socPct = socPctOf(evId);
        if (socPct !== undefined) {
          commands.push({
            topic: homieTopics.set(deviceId, nodeId, 'soc-pct'),
            value: Math.round(socPct * 10) / 10,
          });
        }
      }
    }
    return commands;
  }

  /** The `/set` command for a property of the node behind `assetId`, if a board hosts that asset. */
  commandFor(
    assetId: string,
    propertyId: string,
    value: number | boolean | string,
  ): DeviceCommand | undefined {
    for (const [deviceId, device] of this.devices) {
      if (device.state !== 'ready') continue;
      for (const [nodeId, asset] of device.assets) {
        if (asset === assetId) return { topic: homieTopics.set(deviceId, nodeId, propertyId), value };
      }
    }
    return undefined;
  }

  private device(deviceId: string): TrackedDevice {
    let device = this.devices.get(deviceId);
    if (!device) {
      device = {
        state: undefined,
        nodeKinds: new Map(),
        assets: new Map(),
        properties: undefined,
        values: new Map(),
        early: new Map(),
        refused: new Map(),
        refusalLoggedMs: Number.NEGATIVE_INFINITY,
        padHolds: new Map(),
      };
      this.devices.set(deviceId, device);
    }
    return device;
  }

  private onState(deviceId: string, device: TrackedDevice, text: string, now: Date): TrackerOutcome {
    const parsed = HomieStateSchema.safeParse(text);
    if (!parsed.success) return { events: [], problem: `${deviceId}: unknown $state "${text.slice(0, 40)}"` };
    device.state = parsed.data;
    const online = parsed.data === 'ready';
    for (const assetId of device.assets.values()) this.table.setOnline(assetId, online);
    const events: TableEvent[] = [];
    if (online) {
      for (const nodeId of this.padNodes(device))
        events.push(...this.evaluatePad(deviceId, device, nodeId, now).events);
    } else {
      // A pad whose board is gone can no longer vouch for its EV: the EV is off the table until it reports again.
      for (const [nodeId, evId] of device.padHolds) {
        device.padHolds.delete(nodeId);
        const event = this.liftIfOn(evId, this.padPlot(device, nodeId), now);
        if (event) events.push(event);
      }
    }
    return { events };
  }

  private onDescription(deviceId: string, device: TrackedDevice, payload: Buffer, now: Date): TrackerOutcome {
    let raw: unknown;
    try {
      raw = JSON.parse(payload.toString());
    } catch {
      return { events: [], problem: `${deviceId}: $description is not valid JSON` };
    }
    const parsed = HomieDescriptionSchema.safeParse(raw);
    if (!parsed.success)
      return { events: [], problem: `${deviceId}: $description is not a Homie 5 description` };
    device.nodeKinds.clear();
    device.assets.clear();
    device.properties = new Map();
    const nodes = Object.entries(parsed.data.nodes ?? {});
    for (const [nodeId, node] of nodes) {
      const kind = node.type?.startsWith('gridflex-') ? node.type.slice('gridflex-'.length) : undefined;
      if (kind !== undefined) device.nodeKinds.set(nodeId, kind);
      for (const [propertyId, property] of Object.entries(node.properties ?? {}))
        device.properties.set(`${nodeId}/${propertyId}`, property);
    }
    const energyNodes = [...device.nodeKinds].filter(([, kind]) => ENERGY_KINDS[kind] !== undefined);
    const taken: string[] = [];
    for (const [nodeId, kind] of energyNodes) {
      // One energy node: the asset is the board; several: one asset per node.
      const assetId = energyNodes.length === 1 ? deviceId : `${deviceId}-${nodeId}`;
      // Node IDs are the board's to choose: `1-pv` on board `pad` would name board `pad-1`'s asset.
      if (this.ownedElsewhere(assetId, deviceId)) {
        taken.push(assetId);
        continue;
      }
      device.assets.set(nodeId, assetId);
      this.table.announce(assetId, ENERGY_KINDS[kind] as AssetKind);
      this.table.setOnline(assetId, device.state === 'ready');
    }
    const events = this.placeBoard(device, now, 'announce');
    const problems: string[] = [];
    const unlogged = taken.filter((assetId) => !this.refusedClaims.has(`${deviceId} ${assetId}`));
    for (const assetId of unlogged) this.refusedClaims.add(`${deviceId} ${assetId}`);
    if (unlogged.length > 0)
      problems.push(`${deviceId}: ${unlogged.join(', ')} is another board's asset or an EV: not taken`);
    const early = [...device.early];
    device.early.clear();
    for (const [key, earlyPayload] of early) {
      const [nodeId = '', propertyId = ''] = key.split('/');
      const outcome = this.onValue(deviceId, device, nodeId, propertyId, earlyPayload, now);
      events.push(...outcome.events);
      if (outcome.problem) problems.push(outcome.problem);
    }
    return problems.length === 0 ? { events } : { events, problem: problems.join('; ') };
  }

  /**
   * Whether `assetId` is another board's: one that hosts it, or, seen or not, the board of that ID when the map
   * lists it or the hub knows that board; or it is one of the map's EVs (which only pads place).
   */
  private ownedElsewhere(assetId: string, deviceId: string): boolean {
    if (this.table.asset(assetId)?.kind === 'ev') return true;
    if (assetId !== deviceId && (this.mapAssets.has(assetId) || this.registered(assetId))) return true;
    for (const [otherId, other] of this.devices) {
      if (otherId !== deviceId && [...other.assets.values()].includes(assetId)) return true;
    }
    return false;
  }

  private onValue(
    deviceId: string,
    device: TrackedDevice,
    nodeId: string,
    propertyId: string,
    payload: Buffer,
    now: Date,
  ): TrackerOutcome {
    const key = `${nodeId}/${propertyId}`;
    if (device.properties === undefined) {
      if (device.early.size < MAX_EARLY_VALUES || device.early.has(key)) device.early.set(key, payload);
      return { events: [] };
    }
    const property = device.properties.get(key);
    const parsed =
      property === undefined
        ? ({ ok: false, reason: 'not in its $description' } as const)
        : parseHomieValue(payload, property);
    if (!parsed.ok) return { events: [], problem: this.refuse(deviceId, device, key, parsed.reason, now) };
    this.accept(device, key);
    const value = parsed.value;
    const changed = device.values.get(key) !== value;
    device.values.set(key, value);
    const kind = device.nodeKinds.get(nodeId);
    // Boards repeat their plot and pad readings every telemetry tick; only a change moves an asset, so a
    // move made elsewhere (the dashboard, a Node-RED flow) stands until the physical reading changes.
    if (kind === 'plot' && propertyId === 'plot-id')
      return { events: changed ? this.placeBoard(device, now, 'nfc') : [] };
    if (kind === 'ev-pad') return changed ? this.evaluatePad(deviceId, device, nodeId, now) : { events: [] };
    const assetId = device.assets.get(nodeId);
    if (assetId !== undefined && propertyId === 'power-kw') {
      if (typeof value !== 'number')
        return { events: [], problem: this.refuse(deviceId, device, key, 'not a number', now) };
      this.table.setPower(assetId, value);
    }
    return { events: [] };
  }

  /**
   * A refused reading: the board's assets are marked faulty and keep their last good values. Returns the
   * line to log, at most once per board per {@link REFUSAL_LOG_INTERVAL_MS}.
   */
  private refuse(deviceId: string, device: TrackedDevice, key: string, reason: string, now: Date) {
    device.refused.set(key, reason);
    const fault = `${key}: ${reason}`;
    for (const assetId of device.assets.values()) this.table.setFault(assetId, fault);
    if (now.getTime() - device.refusalLoggedMs < REFUSAL_LOG_INTERVAL_MS) return undefined;
    device.refusalLoggedMs = now.getTime();
    return `${deviceId}/${fault} (reading refused; the last good value stands)`;
  }

  /** A good reading: once none of the board's latest readings is refused, its assets are no longer faulty. */
  private accept(device: TrackedDevice, key: string): void {
    if (!device.refused.delete(key)) return;
    const remaining = [...device.refused][0];
    const fault = remaining === undefined ? null : `${remaining[0]}: ${remaining[1]}`;
    for (const assetId of device.assets.values()) this.table.setFault(assetId, fault);
  }

  /** Puts a board's assets on the plot its `plot` node reports (if it has one). */
  private placeBoard(device: TrackedDevice, now: Date, source: TableEvent['source']): TableEvent[] {
    const plotNode = [...device.nodeKinds].find(([, kind]) => kind === 'plot')?.[0];
    if (plotNode === undefined) return [];
    const plotValue = device.values.get(`${plotNode}/plot-id`);
    if (plotValue === undefined) return [];
    const plot = typeof plotValue === 'string' && plotValue !== '' ? plotValue : null;
    const events: TableEvent[] = [];
    for (const assetId of device.assets.values()) {
      const event = this.table.place(assetId, plot, source, now);
      if (event) events.push(event);
    }
    return events;
  }

  /**
   * Re-reads an EV pad's values: which EV (by `ev-id`, else by tag through the table map) is on which plot.
   * A pad places only the street's EVs: an ID or tag the map does not list as an EV (another board's PV, an
   * invented name) places nothing and is reported, so a pad can neither move other boards' assets nor grow
   * the table.
   */
  private evaluatePad(deviceId: string, device: TrackedDevice, nodeId: string, now: Date): TrackerOutcome {
    const value = (property: string) => device.values.get(`${nodeId}/${property}`);
    const plot = this.padPlot(device, nodeId);
    const present = value('present') === true;
    const named = value('ev-id');
    const tag = value('tag-uid');
    const byId = typeof named === 'string' && named !== '' ? named : undefined;
    const byTag = typeof tag === 'string' && tag !== '' ? this.table.assetForTag(tag) : undefined;
    const evId = [byId, byTag].find((id) => id !== undefined && this.table.asset(id)?.kind === 'ev');
    const claimed = [named, tag].filter((text) => typeof text === 'string' && text !== '').join(' / ');
    const unknown = present && evId === undefined && claimed !== '';
    const events: TableEvent[] = [];
    const held = device.padHolds.get(nodeId);
    if (held !== undefined && (!present || held !== evId)) {
      device.padHolds.delete(nodeId);
      const event = this.liftIfOn(held, plot, now);
      if (event) events.push(event);
    }
    if (present && evId !== undefined && plot !== null && device.state === 'ready') {
      device.padHolds.set(nodeId, evId);
      this.table.setOnline(evId, true);
      const event = this.table.place(evId, plot, 'nfc', now);
      if (event) events.push(event);
    }
    return unknown ? { events, ...this.reportUnknownEv(deviceId, claimed) } : { events };
  }

  /** The first few unknown EVs of a board are reported (the hub logs them); a flood of invented ones is not. */
  private reportUnknownEv(deviceId: string, claimed: string): { problem?: string } {
    const reported = (this.unknownEvReports.get(deviceId) ?? 0) + 1;
    if (reported > MAX_UNKNOWN_EV_REPORTS) return {};
    this.unknownEvReports.set(deviceId, reported);
    const last =
      reported === MAX_UNKNOWN_EV_REPORTS ? `; further unknown EVs from ${deviceId} are not logged` : '';
    return {
      problem: `${deviceId}: its pad reads "${claimed.slice(0, 60)}", not an EV of the table map (by ev-id or nfcTag): not placed${last}`,
    };
  }

  private padPlot(device: TrackedDevice, nodeId: string): string | null {
    const plot = device.values.get(`${nodeId}/plot-id`);
    return typeof plot === 'string' && plot !== '' ? plot : null;
  }

  private padNodes(device: TrackedDevice): string[] {
    return [...device.nodeKinds].filter(([, kind]) => kind === 'ev-pad').map(([nodeId]) => nodeId);
  }

  /** Lifts an EV off the table if it is still where this pad saw it (it may have been put elsewhere since). */
  private liftIfOn(evId: string, plot: string | null, now: Date): TableEvent | null {
    const asset = this.table.asset(evId);
    if (!asset || (plot !== null && asset.plot !== plot)) return null;
    this.table.setOnline(evId, false);
    return this.table.place(evId, null, 'nfc', now);
  }
}
