import {
  GRIDFLEX_READINGS_EXTENSION,
  HomieDescriptionSchema,
  homieTopics,
  parseHomieTopic,
  parseHomieValue,
  parseRange,
  ReadingRecordSchema,
} from '../../../protocol/homie.js';
import { safeJson } from '../../json-payload.js';
import type { SolvedEvent } from '../event-bus.js';
import { ReadingShaper } from '../link-shaper.js';
import type { Extension, HubContext } from './extension.js';

/** No home on the table draws or exports more than this, whatever a meter's `$format` allows. */
const METER_LIMIT_KW = 100;
/** A meter silent this long (wall time) no longer speaks for its home. */
const STALE_MS = 60_000;
/** How far ahead of the hub's clock a board's reading time may be (clocks set by NTP, or by hand). */
const MAX_CLOCK_AHEAD_MS = 5_000;
/**
 * How old a replayed reading may be: the device agent's default offline queue (10 000 readings) holds about
 * half an hour of a meter board's six values a second; an older time is a wrong clock, not a replay.
 */
const REPLAY_WINDOW_MS = 60 * 60_000;
/** The `$readings` extension's ID without its version, as `$description` lists it. */
const READINGS_EXTENSION_ID = GRIDFLEX_READINGS_EXTENSION.split(':')[0] as string;

interface MeterBoard {
  /** Meter node ID → the `power-kw` range its `$format` allows (within ±{@link METER_LIMIT_KW}). */
  meters: Map<string, { min: number; max: number }>;
  plotNode: string | undefined;
  /** Each node's last `plot-id` (null when off the table); the `plot` node's says where the board is. */
  plotIds: Map<string, string | null>;
  ready: boolean;
  reading: { pKw: number; at: string; receivedMs: number } | undefined;
  /** The latest `$readings` record of a meter's power: its value and when the board took it. */
  record: { pKw: number; at: string } | undefined;
}

/**
 * Smart meter boards: a board with a `gridflex-meter` node and a `plot` node reports the measured power of
 * the home on its plot, published next to the model's figure on `gridflex/v1/homes/<home>` (`meteredPKw`,
 * `meteredAt`). A reading that is not a finite number in the meter's range, or from a board that is on no
 * home's plot, is refused with a logged reason. `meteredAt` is when the board took the reading, from its
 * `$readings` (extension org.gridflex.readings, when its `$description` lists it): a replay after an outage keeps
 * its times; a time in the future or older than the replay window is logged and the receive time stands.
 */
export class MeterExtension implements Extension {
  readonly name = 'meter';
  private readonly boards = new Map<string, MeterBoard>();
  /** The last refusal logged per topic, so a board repeating a bad reading does not flood the log. */
  private readonly refused = new Map<string, string>();
  /** Boards whose `$readings` the hub follows. */
  private readonly followed = new Set<string>();
  /** The table map's device–hub links on the way to `$readings` too (the values come through the table's). */
  private readonly shaper: ReadingShaper;

  constructor(private readonly hub: HubContext) {
    this.shaper = new ReadingShaper(hub.map.links, 'links.deviceHub.readings');
  }

  start(): void {
    this.hub.bus.on('deviceMessage', this, ({ topic, payload, now }) =>
      this.onDeviceMessage(topic, payload, now),
    );
    this.hub.bus.on('solved', this, (event) => this.annotateHomes(event));
  }

  stop(): void {
    this.hub.bus.removeListeners(this);
    this.shaper.stop();
  }

  private onDeviceMessage(topic: string, payload: Buffer, now: Date): void {
    const parsed = parseHomieTopic(topic);
    if (!parsed || payload.length === 0) return;
    // Any board may turn out to be a meter: its state and plot may come before its $description.
    const board = this.board(parsed.deviceId);
    if (parsed.kind === 'description') this.onDescription(parsed.deviceId, board, payload);
    if (parsed.kind === 'state') this.onState(board, payload.toString());
    if (parsed.kind !== 'property') return;
    if (parsed.propertyId === 'plot-id') this.onPlot(board, parsed.nodeId, payload);
    const range = board.meters.get(parsed.nodeId);
    if (range && parsed.propertyId === 'power-kw')
      this.onReading(topic, parsed.deviceId, board, range, payload, now);
  }

  private board(deviceId: string): MeterBoard {
    let board = this.boards.get(deviceId);
    if (!board) {
      board = {
        meters: new Map(),
        plotNode: undefined,
        plotIds: new Map(),
        ready: false,
        reading: undefined,
        record: undefined,
      };
      this.boards.set(deviceId, board);
    }
    return board;
  }

  /** Learns a board's meter nodes, their ranges and its plot node; follows a meter's `$readings`. */
  private onDescription(deviceId: string, board: MeterBoard, payload: Buffer): void {
    const description = HomieDescriptionSchema.safeParse(safeJson(payload));
    const nodes = description.success ? Object.entries(description.data.nodes ?? {}) : [];
    board.meters.clear();
    for (const [nodeId, node] of nodes) {
      if (node.type !== 'gridflex-meter') continue;
      const range = parseRange(node.properties?.['power-kw']?.format);
      board.meters.set(nodeId, {
        min: Math.max(range.min, -METER_LIMIT_KW),
        max: Math.min(range.max, METER_LIMIT_KW),
      });
    }
    board.plotNode = nodes.find(([, node]) => node.type === 'gridflex-plot')?.[0];
    board.reading = undefined;
    board.record = undefined;
    const extensions = description.success ? (description.data.extensions ?? []) : [];
    const recordsTimes = extensions.some((extension) => extension.split(':')[0] === READINGS_EXTENSION_ID);
    if (board.meters.size > 0 && recordsTimes) this.follow(deviceId, board);
  }

  /** Subscribes to a meter board's `$readings` (once: a board's new description keeps the subscription). */
  private follow(deviceId: string, board: MeterBoard): void {
    if (this.followed.has(deviceId)) return;
    this.followed.add(deviceId);
    const topic = homieTopics.readings(deviceId);
    this.hub.link
      .subscribe(
        topic,
        this.shaper.wrap((_, payload) => this.onRecord(topic, board, payload, new Date())),
      )
      .catch((error: Error) => this.hub.log('warn', `cannot follow ${topic}: ${error.message}`));
  }

  /**
   * One `$readings` record: a meter's power with the time the board took it. It dates the reading with that
   * value (the property topic's copy comes just before it; after an outage, the replayed records come first).
   */
  private onRecord(topic: string, board: MeterBoard, payload: Buffer, now: Date): void {
    const record = ReadingRecordSchema.safeParse(safeJson(payload));
    if (!record.success) {
      this.refuse(topic, `not a reading record (${record.error.issues[0]?.message ?? 'invalid'})`);
      return;
    }
    const { node, property, value, ts } = record.data;
    if (!board.meters.has(node) || property !== 'power-kw' || typeof value !== 'number') return;
    const problem = readingTimeProblem(ts, now.getTime());
    // Logged once until the board's times are good again: a wrong clock is wrong on every reading.
    if (problem === null) this.refused.delete(topic);
    else this.refuse(topic, `its reading time is ${problem} (the receive time stands)`);
    const at = problem === null ? new Date(ts).toISOString() : now.toISOString();
    board.record = { pKw: value, at };
    if (board.reading?.pKw === value) board.reading.at = at;
  }

  private onState(board: MeterBoard, state: string): void {
    board.ready = state === 'ready';
    if (!board.ready) board.reading = undefined;
  }

  private onPlot(board: MeterBoard, nodeId: string, payload: Buffer): void {
    const value = parseHomieValue(payload, { datatype: 'string' });
    const plot = value.ok && value.value !== '' ? String(value.value) : null;
    if (nodeId === board.plotNode && plot !== plotOf(board)) board.reading = undefined;
    board.plotIds.set(nodeId, plot);
  }

  private onReading(
    topic: string,
    deviceId: string,
    board: MeterBoard,
    range: { min: number; max: number },
    payload: Buffer,
    now: Date,
  ): void {
    const reading = parseHomieValue(payload, { datatype: 'float' });
    const pKw = reading.ok ? (reading.value as number) : Number.NaN;
    const refusal = reading.ok
      ? (rangeProblem(pKw, range) ?? this.plotProblem(deviceId, board))
      : `${JSON.stringify(payload.toString().slice(0, 40))} is not a number of kW`;
    if (refusal !== null) {
      this.refuse(topic, refusal);
      return;
    }
    this.refused.delete(topic);
    const at = board.record?.pKw === pKw ? board.record.at : now.toISOString();
    board.reading = { pKw, at, receivedMs: now.getTime() };
  }

  /** Why a board may not report for a home now: it must sit on a plot of this table that has a home. */
  private plotProblem(deviceId: string, board: MeterBoard): string | null {
    const plotId = plotOf(board);
    if (plotId === null) return `${deviceId} is on no plot, so its meter speaks for no home`;
    const plot = this.hub.map.plots.find((entry) => entry.plot === plotId);
    if (!plot) return `${deviceId} reports plot ${plotId}, which is not a plot of this table`;
    if (plot.home === undefined) return `${deviceId} is on ${plotId}, which has no home`;
    return null;
  }

  private refuse(topic: string, reason: string): void {
    if (this.refused.get(topic) === reason) return;
    this.refused.set(topic, reason);
    this.hub.log('warn', `refused meter reading on ${topic}: ${reason}`);
  }

  /** Puts each home's latest meter reading next to the model's figure, before the homes are published. */
  private annotateHomes({ result }: SolvedEvent): void {
    const byPlot = new Map<string, { pKw: number; at: string }>();
    const freshSince = Date.now() - STALE_MS;
    for (const board of this.boards.values()) {
      const { reading } = board;
      const plot = plotOf(board);
      if (!board.ready || !reading || plot === null || reading.receivedMs < freshSince) continue;
      const current = byPlot.get(plot);
      if (!current || current.at < reading.at) byPlot.set(plot, reading);
    }
    for (const home of result.homes) {
      const reading = byPlot.get(home.plot);
      if (!reading) continue;
      home.meteredPKw = reading.pKw;
      home.meteredAt = reading.at;
    }
  }
}

/** Why a meter's `power-kw` reading is outside what the meter and the table allow, or null. */
function rangeProblem(valueKw: number, range: { min: number; max: number }): string | null {
  if (valueKw < range.min || valueKw > range.max)
    return `${valueKw} kW is outside ${range.min}…${range.max} kW`;
  return null;
}

/** Why a board's reading time (epoch ms) cannot be when it took the reading, or null. */
function readingTimeProblem(tsMs: number, nowMs: number): string | null {
  if (tsMs > nowMs + MAX_CLOCK_AHEAD_MS) return `more than ${MAX_CLOCK_AHEAD_MS / 1000} s in the future`;
  if (tsMs < nowMs - REPLAY_WINDOW_MS) return `older than the ${REPLAY_WINDOW_MS / 60_000} min replay window`;
  return null;
}

/** The plot a board's `plot` node says it sits on, or null. */
function plotOf(board: MeterBoard): string | null {
  return board.plotNode === undefined ? null : (board.plotIds.get(board.plotNode) ?? null);
}
