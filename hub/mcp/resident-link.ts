import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import {
  type AgentPlanRequest,
  AgentPlanRequestSchema,
  type AuditEntry,
  AuditEntrySchema,
  type Clock,
  ClockSchema,
  type FeederSummary,
  FeederSummarySchema,
  gridflexTopics,
  type Home,
  type HomeDecision,
  HomeDecisionSchema,
  type HomePreferences,
  HomePreferencesSchema,
  HomeSchema,
  type MarketPrices,
  MarketPricesSchema,
  type MarketTariffs,
  MarketTariffsSchema,
  type RegulatorRulesInForce,
  RegulatorRulesInForceSchema,
  type TableMap,
  TableMapSchema,
} from '../../protocol/gridflex.js';

/** How many of the home's published steps the link keeps (two simulated days of 1-minute steps). */
export const HISTORY_STEPS_KEPT = 2880;
/** How long a control waits for the hub's answer on the audit topic, ms. */
const ANSWER_TIMEOUT_MS = 10_000;
/** How long connecting waits for the hub's retained view of the home, ms. */
const FIRST_VIEW_WAIT_MS = 5_000;

/** One published step of the home, as its meter history. */
export interface MeterReading {
  step: number;
  simTime: string;
  netPKw: number;
  meteredPKw?: number;
  assets: { asset: string; kind: string; pKw: number }[];
}

/** What the hub publishes that one home's agent may read, the latest of each. */
export interface HubView {
  clock?: Clock;
  home?: Home;
  decision?: HomeDecision;
  preferences?: HomePreferences;
  prices?: MarketPrices;
  tariffs?: MarketTariffs;
  rules?: RegulatorRulesInForce;
  feeder?: FeederSummary;
  tableMap?: TableMap;
  /** The latest plan request of the home (policy `external` only). */
  planRequest?: AgentPlanRequest;
}

/** The hub's answer to a control message. */
export interface HubAnswer {
  accepted: boolean;
  reason: string;
}

/**
 * One resident's connection to the live hub over MQTT, with their own credentials: the broker's ACL keeps it
 * to reading the hub's world and to its own home's controls, and the hub answers every control on the audit
 * topic. The hub stays the single authority; this side only reads and asks.
 */
export class ResidentLink {
  readonly view: HubView = {};
  private readonly history: MeterReading[] = [];
  private readonly waiting = new Map<string, (entry: AuditEntry) => void>();

  private constructor(
    private readonly client: MqttClient,
    readonly home: string,
  ) {}

  /** Connects as `username` and follows the home's topics; rejects with the broker's refusal. */
  static async connect(url: string, username: string, password: string, home: string): Promise<ResidentLink> {
    const client = await connectAs(url, username, password);
    const link = new ResidentLink(client, home);
    client.on('message', (topic, payload) => link.onMessage(topic, payload));
    const firstHome = link.homeSeen();
    await client.subscribeAsync(link.topics(), { qos: 1 });
    await firstHome;
    return link;
  }

  /** Resolves once the hub's retained view of the home arrived (or after a few seconds without it). */
  private homeSeen(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, FIRST_VIEW_WAIT_MS);
      this.onFirstHome = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private onFirstHome: (() => void) | undefined;

  /** The home's readings, oldest first (at most {@link HISTORY_STEPS_KEPT}). */
  meterHistory(lastSteps: number): MeterReading[] {
    return this.history.slice(-lastSteps);
  }

  /**
   * Publishes a control with a fresh requestId (or the one the body answers, a plan's) and resolves with the
   * hub's answer to it.
   */
  async control(
    topic: string,
    body: Record<string, unknown>,
    requestId = randomUUID().slice(0, 32),
  ): Promise<HubAnswer> {
    const answer = new Promise<AuditEntry>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        reject(new Error(`the hub did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`));
      }, ANSWER_TIMEOUT_MS);
      this.waiting.set(requestId, (entry) => {
        clearTimeout(timer);
        resolve(entry);
      });
    });
    await this.client.publishAsync(topic, JSON.stringify({ ...body, requestId }), { qos: 1 });
    const entry = await answer;
    return { accepted: entry.accepted, reason: entry.reason };
  }

  /** Publishes a control without waiting for its answer (reports). */
  async notify(topic: string, body: Record<string, unknown>): Promise<void> {
    await this.client.publishAsync(topic, JSON.stringify(body), { qos: 1 });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }

  private topics(): string[] {
    return [
      gridflexTopics.clock(),
      gridflexTopics.homeDecision(this.home),
      gridflexTopics.homePreferences(this.home),
      gridflexTopics.marketPrices(),
      gridflexTopics.marketTariffs(),
      gridflexTopics.marketRules(),
      gridflexTopics.feederSummary(),
      gridflexTopics.tableMap(),
      gridflexTopics.agentPlanRequest(this.home),
      // Last of the retained ones: connecting waits for it, and the broker sends retained values in order.
      gridflexTopics.home(this.home),
      gridflexTopics.audit(),
    ];
  }

  /** Keeps the latest of each topic; a payload that does not match its schema is ignored. */
  private onMessage(topic: string, payload: Buffer): void {
    let body: unknown;
    try {
      body = JSON.parse(payload.toString());
    } catch {
      return;
    }
    const topics = gridflexTopics;
    if (topic === topics.audit()) this.onAudit(body);
    else if (topic === topics.home(this.home)) this.onHome(body);
    else if (topic === topics.clock()) this.view.clock = parsed(ClockSchema, body) ?? this.view.clock;
    else if (topic === topics.homeDecision(this.home))
      this.view.decision = parsed(HomeDecisionSchema, body) ?? this.view.decision;
    else if (topic === topics.homePreferences(this.home))
      this.view.preferences = parsed(HomePreferencesSchema, body) ?? this.view.preferences;
    else if (topic === topics.marketPrices())
      this.view.prices = parsed(MarketPricesSchema, body) ?? this.view.prices;
    else if (topic === topics.marketTariffs())
      this.view.tariffs = parsed(MarketTariffsSchema, body) ?? this.view.tariffs;
    else if (topic === topics.marketRules())
      this.view.rules = parsed(RegulatorRulesInForceSchema, body) ?? this.view.rules;
    else if (topic === topics.feederSummary())
      this.view.feeder = parsed(FeederSummarySchema, body) ?? this.view.feeder;
    else if (topic === topics.tableMap())
      this.view.tableMap = parsed(TableMapSchema, body) ?? this.view.tableMap;
    else if (topic === topics.agentPlanRequest(this.home))
      this.view.planRequest = parsed(AgentPlanRequestSchema, body) ?? this.view.planRequest;
  }

  private onHome(body: unknown): void {
    const home = parsed(HomeSchema, body);
    if (!home) return;
    this.view.home = home;
    this.onFirstHome?.();
    this.onFirstHome = undefined;
    const last = this.history.at(-1);
    if (last && last.step >= home.step) return;
    this.history.push({
      step: home.step,
      simTime: this.view.clock?.simTime ?? '',
      netPKw: home.netPKw,
      ...(home.meteredPKw === undefined ? {} : { meteredPKw: home.meteredPKw }),
      assets: home.assets,
    });
    if (this.history.length > HISTORY_STEPS_KEPT) this.history.shift();
  }

  private onAudit(body: unknown): void {
    const entry = parsed(AuditEntrySchema, body);
    const settle = entry?.requestId === undefined ? undefined : this.waiting.get(entry.requestId);
    if (!entry || !settle) return;
    this.waiting.delete(entry.requestId as string);
    settle(entry);
  }
}

function parsed<T>(schema: { safeParse(value: unknown): { success: boolean; data?: T } }, body: unknown) {
  const result = schema.safeParse(body);
  return result.success ? result.data : undefined;
}

/** Resolves once the broker accepted the login; rejects with its refusal (no retries). */
function connectAs(url: string, username: string, password: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, {
      username,
      password,
      clientId: `mcp-${username}-${randomUUID().slice(0, 8)}`,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    });
    client.once('connect', () => {
      client.options.reconnectPeriod = 2_000;
      resolve(client);
    });
    client.once('error', (error) => {
      client.end(true);
      reject(new Error(`the hub's broker refused ${username}: ${error.message}`));
    });
  });
}
