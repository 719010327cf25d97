import {
  type AuditEntry,
  type BoardLinks,
  type Clock,
  type FeedEvent,
  type FeederBus,
  type FeederLines,
  type FeederSummary,
  gridflexTopics,
  type Home,
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
  type SecurityEvent,
  type SharedBattery,
  type TableEvent,
  type TableMap,
} from '../../../../protocol/gridflex.ts';
import type { FeederLayout } from '../lib/feeder-layout.ts';
import type { ConnectionStatus, DeviceMessage, WorldMessage } from '../lib/hub-client.ts';
import { LinkMeter } from './link-meter.ts';

/** A device's presence from its Homie `$state`, and when it was last heard from. */
export interface DevicePresence {
  deviceId: string;
  state: string | null;
  /** Wall-clock ms of its last message: the telemetry timestamp it sent, else when the page received it. */
  lastSeenMs: number | null;
}

/** One line of the event feed. */
export interface FeedItem {
  key: string;
  atMs: number;
  simTime: string | null;
  severity: 'info' | 'warning';
  text: string;
}

/** Recent history of the street for the trend charts (one point per clock step). */
export interface StreetHistory {
  /** Simulated time, seconds since the epoch (uPlot's x unit). */
  t: number[];
  transformerPct: number[];
  maxLinePct: (number | null)[];
  vMin: number[];
  vMax: number[];
}

const HISTORY_POINTS = 480;
/** A gap of more steps than this between two summaries is a jump of the clock, not a missed message. */
const MAX_GAP_STEPS = 10;
const FEED_ITEMS = 60;
const AUDIT_ENTRIES = 50;

/**
 * Everything the live view shows: the latest value of each hub topic (retained values arrive first on every
 * (re)connect, so the view catches up by itself), device presence, the event feed and a short history.
 */
export class LiveStore {
  layout: FeederLayout | null = null;
  connection: ConnectionStatus = { state: 'connecting' };
  hub: HubState | null = null;
  clock: Clock | null = null;
  /** This page's link from the hub: how late the steps arrive, and how many never do. */
  readonly link = new LinkMeter();
  summary: FeederSummary | null = null;
  readonly buses = new Map<string, FeederBus>();
  readonly homes = new Map<string, Home>();
  readonly decisions = new Map<string, HomeDecision>();
  prices: MarketPrices | null = null;
  rules: RegulatorRulesInForce | null = null;
  tariffs: MarketTariffs | null = null;
  sharedBattery: SharedBattery | null = null;
  tableMap: TableMap | null = null;
  metrics: Metrics | null = null;
  /** The policy the residents' agents run, the one coming next, and the choices. */
  livePolicy: LivePolicy | null = null;
  /** The running street beside its shadow runs under the other policies. */
  comparison: LiveComparison | null = null;
  /** The operator's attacks and defences on the table, and their damage beside a baseline. */
  redTeam: LiveRedTeam | null = null;
  /** Hardware in the loop: the pinned sensors, their drift and recent steps. */
  pins: Pins | null = null;
  /** Each online board's round-trip time and loss, measured by the hub's pings. */
  boardLinks: BoardLinks | null = null;
  readonly devices = new Map<string, DevicePresence>();
  feed: FeedItem[] = [];
  audit: AuditEntry[] = [];
  /** Payloads that failed their schema (never applied), and the last reason. */
  invalidCount = 0;
  lastInvalid: string | null = null;
  readonly history: StreetHistory = { t: [], transformerPct: [], maxLinePct: [], vMin: [], vMax: [] };
  /** Whether the hub publishes its own event feed (then table and security messages are not added twice). */
  private hubFeed = false;
  private lineLoading: Map<string, number | null> | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly auditWaiters = new Map<string, (entry: AuditEntry) => void>();

  /** Each line's loading in per cent of its rating (null: unrated), from `gridflex/v1/feeder/lines`; null until it arrives. */
  lineLoadingPct(): Map<string, number | null> | null {
    return this.lineLoading;
  }

  /** Calls `listener` after every change; returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    for (const listener of this.listeners) listener();
  }

  setConnection(status: ConnectionStatus): void {
    this.connection = status;
    this.changed();
  }

  markInvalid(topic: string, problem: string): void {
    this.invalidCount += 1;
    this.lastInvalid = `${topic}: ${problem}`;
    console.warn(`ignored an invalid payload on ${topic}: ${problem}`);
    this.changed();
  }

  /** Resolves with the hub's audit answer to the control message sent with `requestId`. */
  awaitAudit(requestId: string): Promise<AuditEntry> {
    const known = this.audit.find((entry) => entry.requestId === requestId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => this.auditWaiters.set(requestId, resolve));
  }

  applyWorld(message: WorldMessage): void {
    const { topic, body } = message;
    const t = gridflexTopics;
    if (topic === t.hubState()) this.hub = body as HubState;
    else if (topic === t.clock()) {
      this.clock = body as Clock;
      this.link.observe(this.clock, message.retained, Date.now());
    } else if (topic === t.feederSummary()) this.applySummary(body as FeederSummary);
    else if (topic === t.feederBuses()) {
      this.buses.clear();
      for (const bus of (body as { buses: FeederBus[] }).buses) this.buses.set(bus.bus, bus);
    } else if (topic === t.feederLines()) {
      this.lineLoading = new Map((body as FeederLines).lines.map((line) => [line.line, line.loadingPct]));
    } else if (topic === t.marketPrices()) this.prices = body as MarketPrices;
    else if (topic === t.marketRules()) this.rules = body as RegulatorRulesInForce;
    else if (topic === t.marketTariffs()) this.tariffs = body as MarketTariffs;
    else if (topic === t.sharedBattery()) this.sharedBattery = body as SharedBattery;
    else if (topic === t.tableMap()) this.tableMap = body as TableMap;
    else if (topic === t.metrics()) this.metrics = body as Metrics;
    else if (topic === t.livePolicy()) this.livePolicy = body as LivePolicy;
    else if (topic === t.liveComparison()) this.comparison = body as LiveComparison;
    else if (topic === t.liveRedTeam()) this.redTeam = body as LiveRedTeam;
    else if (topic === t.pins()) this.pins = body as Pins;
    else if (topic === t.linksBoards()) this.boardLinks = body as BoardLinks;
    else if (topic === t.events()) this.addHubEvents([body as FeedEvent]);
    else if (topic === t.eventsRecent()) this.addHubEvents((body as { events: FeedEvent[] }).events);
    else if (topic === t.audit()) this.addAudit([body as AuditEntry]);
    else if (topic === t.auditRecent()) this.addAudit((body as { entries: AuditEntry[] }).entries);
    else if (topic === t.tableEvent()) this.addTableEvent(body as TableEvent);
    else if (topic === t.hubSecurity()) this.addSecurityEvent(body as SecurityEvent);
    else if (topic.endsWith('/decision')) {
      const decision = body as HomeDecision;
      this.decisions.set(decision.home, decision);
    } else if (topic.startsWith(`${t.home('')}`)) {
      const home = body as Home;
      this.homes.set(home.home, home);
    }
    this.changed();
  }

  applyDevice(message: DeviceMessage): void {
    const device = this.devices.get(message.deviceId) ?? {
      deviceId: message.deviceId,
      state: null,
      lastSeenMs: null,
    };
    if (message.path === '$state') device.state = message.payload;
    // A retained value says nothing about when the device was last heard.
    const seenMs = message.retained ? null : Date.now();
    if (seenMs !== null && (device.lastSeenMs === null || seenMs > device.lastSeenMs))
      device.lastSeenMs = seenMs;
    this.devices.set(message.deviceId, device);
    this.changed();
  }

  private applySummary(summary: FeederSummary): void {
    const previous = this.summary;
    this.summary = summary;
    const h = this.history;
    // The hub restarted or the clock jumped (a jump keeps the step counter but moves the time): the old
    // history no longer leads up to now, so it starts again.
    const t = Date.parse(summary.simTime) / 1000;
    const lastT = h.t[h.t.length - 1];
    const stepS = (this.clock?.stepMinutes ?? 60) * 60;
    const jumped = lastT !== undefined && (t <= lastT || t - lastT > MAX_GAP_STEPS * stepS);
    if (previous && (summary.step <= previous.step || jumped)) {
      for (const series of Object.values(h)) series.length = 0;
    }
    h.t.push(t);
    h.transformerPct.push(summary.transformerLoadingPct);
    h.maxLinePct.push(summary.maxLineLoadingPct ?? null);
    h.vMin.push(summary.vMin.volts);
    h.vMax.push(summary.vMax.volts);
    if (h.t.length > HISTORY_POINTS) for (const series of Object.values(h)) series.shift();
  }

  private addHubEvents(events: FeedEvent[]): void {
    this.hubFeed = true;
    this.addFeed(
      events.map((event) => ({
        key: `hub-${event.seq}-${event.at}`,
        atMs: Date.parse(event.at),
        simTime: event.simTime,
        severity: event.severity,
        text: event.message,
      })),
    );
  }

  private addTableEvent(event: TableEvent): void {
    if (this.hubFeed) return;
    const where =
      event.toPlot === null ? `lifted off ${event.fromPlot ?? 'the table'}` : `placed on ${event.toPlot}`;
    this.addFeed([
      {
        key: `table-${event.asset}-${event.at}`,
        atMs: Date.parse(event.at),
        simTime: this.clock?.simTime ?? null,
        severity: 'info',
        text: `${event.asset} ${where}${event.fromPlot && event.toPlot ? ` (from ${event.fromPlot})` : ''}`,
      },
    ]);
  }

  private addSecurityEvent(event: SecurityEvent): void {
    this.addFeed([
      {
        key: `security-${event.clientId}-${event.at}-${event.kind}`,
        atMs: Date.parse(event.at),
        simTime: null,
        severity: 'warning',
        text: `Refused: ${event.username ?? event.clientId} – ${event.reason}`,
      },
    ]);
  }

  private addFeed(items: FeedItem[]): void {
    const known = new Set(this.feed.map((item) => item.key));
    const fresh = items.filter((item) => !known.has(item.key));
    if (fresh.length === 0) return;
    this.feed = [...this.feed, ...fresh].sort((a, b) => a.atMs - b.atMs).slice(-FEED_ITEMS);
  }

  private addAudit(entries: AuditEntry[]): void {
    // seq restarts with the hub: an entry is known by its seq and its time together.
    const keyOf = (entry: AuditEntry) => `${entry.seq}|${entry.at}`;
    const known = new Set(this.audit.map(keyOf));
    for (const entry of entries) {
      if (!known.has(keyOf(entry))) this.audit.push(entry);
      const waiter = entry.requestId === undefined ? undefined : this.auditWaiters.get(entry.requestId);
      if (waiter && entry.requestId !== undefined) {
        this.auditWaiters.delete(entry.requestId);
        waiter(entry);
      }
    }
    this.audit = this.audit
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.seq - b.seq)
      .slice(-AUDIT_ENTRIES);
  }
}
