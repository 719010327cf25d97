/**
 * The hub's world on the wire: topics under `gridflex/v1/…` (published only by the hub) and the
 * workshop roles' control topics under `gridflex/control/v1/…`, with a zod schema for every payload.
 * Imported by the hub (to publish) and by any client (to validate what it reads).
 */
import { z } from 'zod';
import { ClockTimeSchema } from './clock.js';

/** Everything the hub publishes lives under this prefix; nobody else may publish here. */
export const GRIDFLEX_ROOT = 'gridflex/v1';
/** Workshop roles publish their controls under this prefix; the hub validates and applies them. */
export const CONTROL_ROOT = 'gridflex/control/v1';

/** One MQTT topic segment made of safe characters (no wildcards, no slashes). */
export const TopicIdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,63}$/,
    'lower-case letters, digits and hyphens, starting with a letter or digit',
  );

const IsoTimeSchema = z.iso.datetime({ offset: true });
const PhaseSchema = z.enum(['A', 'B', 'C']);

export { ClockTimeSchema };

/**
 * Optional on every control message: the hub copies it into its answer on `gridflex/v1/audit`, so the
 * sender can match the answer to its request.
 */
const RequestIdSchema = z.string().min(1).max(64).optional();

export const TariffShapeSchema = z.enum(['flat', 'time-of-use', 'dynamic']);
export type TariffShape = z.infer<typeof TariffShapeSchema>;

/** Topic builders for the hub's world. Every function returns a concrete topic (no wildcards). */
export const gridflexTopics = {
  /** Hub lifecycle, retained; the hub's last will sets `lost`. */
  hubState: () => `${GRIDFLEX_ROOT}/hub/state`,
  /** Refused connections, denied publishes and rejected payloads (not retained). */
  hubSecurity: () => `${GRIDFLEX_ROOT}/hub/security`,
  /** The simulation clock after each step, retained. */
  clock: () => `${GRIDFLEX_ROOT}/clock`,
  /** Power-flow summary of the last step, retained. */
  feederSummary: () => `${GRIDFLEX_ROOT}/feeder/summary`,
  /** Per-bus voltages and connected load of the last step, retained. */
  feederBuses: () => `${GRIDFLEX_ROOT}/feeder/buses`,
  /** Every line's loading and current of the last step, retained. */
  feederLines: () => `${GRIDFLEX_ROOT}/feeder/lines`,
  /** One home (plot) with its assets and net power, retained. */
  home: (homeId: string) => `${GRIDFLEX_ROOT}/homes/${homeId}`,
  /** Prices in force, retained. */
  marketPrices: () => `${GRIDFLEX_ROOT}/market/prices`,
  /** The live table map (plots → buses, assets → plots), retained. */
  tableMap: () => `${GRIDFLEX_ROOT}/table/map`,
  /** An asset was placed, moved or lifted off the table (not retained). */
  tableEvent: () => `${GRIDFLEX_ROOT}/table/event`,
  /** Running totals since the hub started, retained. */
  metrics: () => `${GRIDFLEX_ROOT}/metrics`,
  /** A home's agent's latest decision with its explanation and numbers, retained. */
  homeDecision: (homeId: string) => `${GRIDFLEX_ROOT}/homes/${homeId}/decision`,
  /** A home's resident's preferences in force (what they set over the defaults), retained. */
  homePreferences: (homeId: string) => `${GRIDFLEX_ROOT}/preferences/${homeId}`,
  /** Policy `external`: the hub asks the home's outside agent for a plan (not retained). */
  agentPlanRequest: (homeId: string) => `${GRIDFLEX_ROOT}/agents/${homeId}/plan-request`,
  /** The regulator's rules in force (every field filled in), retained. */
  marketRules: () => `${GRIDFLEX_ROOT}/market/rules`,
  /** The suppliers' tariffs on offer and the one in force, retained. */
  marketTariffs: () => `${GRIDFLEX_ROOT}/market/tariffs`,
  /** The street's shared battery: the assembly's rules in force and what it does now, retained. */
  sharedBattery: () => `${GRIDFLEX_ROOT}/shared-battery`,
  /** The answer to every control message: who, what, accepted or refused and why (not retained). */
  audit: () => `${GRIDFLEX_ROOT}/audit`,
  /** The latest audit answers, newest last, retained (for late joiners). */
  auditRecent: () => `${GRIDFLEX_ROOT}/audit/recent`,
  /** Things the room should see: EV placed, tariff switched, limit breached, boost started (not retained). */
  events: () => `${GRIDFLEX_ROOT}/events`,
  /** The latest events, newest last, retained (for late joiners). */
  eventsRecent: () => `${GRIDFLEX_ROOT}/events/recent`,
  /** The policy the residents' agents run live, the one coming next and the choices, retained. */
  livePolicy: () => `${GRIDFLEX_ROOT}/live/policy`,
  /** The running street beside its shadow runs under the other policies, every step, retained. */
  liveComparison: () => `${GRIDFLEX_ROOT}/live/comparison`,
  /** The operator's red team on the live table: what runs, and the damage beside a baseline. */
  liveRedTeam: () => `${GRIDFLEX_ROOT}/live/red-team`,
  /** Hardware in the loop: each model variable pinned to a live sensor, its drift and chart, every step, retained. */
  pins: () => `${GRIDFLEX_ROOT}/pins`,
  /** The hub's ping to one board, every few seconds of wall time (not retained). */
  linksPing: (deviceId: string) => `${GRIDFLEX_ROOT}/links/ping/${deviceId}`,
  /** A board's answer to the hub's ping, published by that board alone (not retained). */
  linksPong: (deviceId: string) => `${GRIDFLEX_ROOT}/links/pong/${deviceId}`,
  /** Each online board's measured round-trip time and loss, retained. */
  linksBoards: () => `${GRIDFLEX_ROOT}/links/boards`,
} as const;

/** Topic builders for the workshop roles' controls. */
export const controlTopics = {
  /** The regulator's rules (price cap and the like). */
  regulatorRules: () => `${CONTROL_ROOT}/regulator/rules`,
  /** A supplier's tariff offer. */
  supplierTariff: (supplierId: string) => `${CONTROL_ROOT}/supplier/${supplierId}/tariff`,
  /** A resident's preferences for their home. */
  residentPreferences: (homeId: string) => `${CONTROL_ROOT}/resident/${homeId}/preferences`,
  /** A resident's "boost" override (e.g. heat now, charge now). */
  residentBoost: (homeId: string) => `${CONTROL_ROOT}/resident/${homeId}/boost`,
  /** A resident's tariff switch for their home. */
  residentTariff: (homeId: string) => `${CONTROL_ROOT}/resident/${homeId}/tariff`,
  /** A resident's AI agent (through `gridflex mcp`) reports one tool call, for the audit log and the event feed. */
  residentAgentCall: (homeId: string) => `${CONTROL_ROOT}/resident/${homeId}/agent-call`,
  /** Policy `external`: the home's outside agent answers a plan request. */
  residentPlan: (homeId: string) => `${CONTROL_ROOT}/resident/${homeId}/plan`,
  /** A table operator (or an NFC pad board) places or lifts an asset. */
  tablePlace: () => `${CONTROL_ROOT}/table/place`,
  /** A table operator wires a plot (or pad) to another feeder bus and phase. */
  tableWire: () => `${CONTROL_ROOT}/table/wire`,
  /** Operator: the policy the residents' agents run on the table (from the next half-hour). */
  tablePolicy: () => `${CONTROL_ROOT}/table/policy`,
  /** Operator: the attacks and defences running on the table (from the next step). */
  tableRedTeam: () => `${CONTROL_ROOT}/table/red-team`,
  /** Operator: apply (or reset) a pinned sensor's bias estimate. */
  tablePinBias: () => `${CONTROL_ROOT}/table/pin-bias`,
  /** Clock controls: play, pause, step, speed, jump (roles operator and regulator). */
  clock: () => `${CONTROL_ROOT}/clock`,
  /** The citizens' assembly's rules for the shared battery. */
  assemblyBatteryRules: () => `${CONTROL_ROOT}/assembly/battery-rules`,
} as const;

/** Subscription filters a client uses to follow the whole hub world or all controls. */
export const gridflexFilters = {
  world: `${GRIDFLEX_ROOT}/#`,
  controls: `${CONTROL_ROOT}/#`,
} as const;

export const HubStateSchema = z.object({
  state: z.enum(['starting', 'running', 'stopped', 'lost']),
  /** The broker the hub uses: its own embedded Aedes or an external one. */
  broker: z.enum(['embedded', 'external']).optional(),
  /** Wall-clock time of this state change. */
  at: IsoTimeSchema.optional(),
  /**
   * Set while the external broker is unreachable (in the hub's `/api/state`: nothing reaches the broker then):
   * since when. The hub runs on and holds the clock until the broker is back.
   */
  brokerDownSince: IsoTimeSchema.optional(),
});
export type HubState = z.infer<typeof HubStateSchema>;

export const SecurityEventSchema = z.object({
  kind: z.enum([
    'refused-connection',
    'denied-publish',
    'denied-subscribe',
    'rejected-payload',
    'rate-limited',
    'oversized-payload',
    'duplicate-client-id',
  ]),
  clientId: z.string(),
  username: z.string().optional(),
  topic: z.string().optional(),
  reason: z.string(),
  at: IsoTimeSchema,
});
export type SecurityEvent = z.infer<typeof SecurityEventSchema>;

export const ClockModeSchema = z.enum(['batch', 'accelerated', 'realtime', 'lockstep']);
export type ClockMode = z.infer<typeof ClockModeSchema>;

export const ClockSchema = z.object({
  step: z.number().int().nonnegative(),
  /** Simulated time at the end of the step. */
  simTime: IsoTimeSchema,
  /** Minute of the simulated day, 0…1439. */
  minuteOfDay: z.number().int().min(0).max(1439),
  stepMinutes: z.number().positive(),
  mode: ClockModeSchema,
  /** False while paused. */
  running: z.boolean(),
  /** Wall-clock milliseconds between steps while running: the speed (0 = as fast as possible). */
  stepMs: z.number().int().nonnegative(),
  /**
   * When the hub published this step (Unix ms, the hub's wall clock): a dashboard's age of the newest step it
   * has is its link's delay (docs/links.md). Absent on the clock's other publications (pause, restart).
   */
  publishedAtMs: z.number().int().nonnegative().optional(),
});
export type Clock = z.infer<typeof ClockSchema>;

const BusPhaseVoltsSchema = z.object({ bus: z.string(), phase: PhaseSchema, volts: z.number() });

export const FeederSummarySchema = z.object({
  step: z.number().int().nonnegative(),
  simTime: IsoTimeSchema,
  feeder: z.string(),
  converged: z.boolean(),
  iterations: z.number().int().nonnegative(),
  substationPKw: z.number(),
  substationQKvar: z.number(),
  transformerLoadingPct: z.number().nonnegative(),
  lossesKw: z.number(),
  vMin: BusPhaseVoltsSchema,
  vMax: BusPhaseVoltsSchema,
  /** Bus-phases outside the statutory 216.2–253 V band. */
  busPhasesOutsideStatutory: z.number().int().nonnegative(),
  /** Highest line loading in per cent of ampacity (absent when no line has a rating). */
  maxLineLoadingPct: z.number().nonnegative().optional(),
  /** Why the step has no fresh solution (only when `converged` is false). */
  error: z.string().optional(),
});
export type FeederSummary = z.infer<typeof FeederSummarySchema>;

export const FeederBusSchema = z.object({
  bus: z.string(),
  /** Line-to-neutral voltage magnitude on phases A, B, C. */
  vVolts: z.tuple([z.number(), z.number(), z.number()]),
  /** Active power drawn at this bus by homes and table assets (negative = export). */
  loadPKw: z.number(),
  /** The part of `loadPKw` drawn by table assets (EVs, heat pumps, PV, batteries) on this bus's plots. */
  assetPKw: z.number(),
  /** Table plots wired to this bus. */
  plots: z.array(z.string()),
});
export type FeederBus = z.infer<typeof FeederBusSchema>;

export const FeederBusesSchema = z.object({
  step: z.number().int().nonnegative(),
  simTime: IsoTimeSchema,
  /** Only buses with a home or a table plot, in feeder order. */
  buses: z.array(FeederBusSchema),
});
export type FeederBuses = z.infer<typeof FeederBusesSchema>;

export const FeederLineSchema = z.object({
  /** The feeder's name for the line (Lines.csv `Name`). */
  line: z.string(),
  /** Worst phase current in per cent of the line's ampacity; null when its line code has no rating. */
  loadingPct: z.number().nonnegative().nullable(),
  /** Current on the most loaded phase. */
  currentAmps: z.number().nonnegative(),
});
export type FeederLine = z.infer<typeof FeederLineSchema>;

export const FeederLinesSchema = z.object({
  step: z.number().int().nonnegative(),
  simTime: IsoTimeSchema,
  /** Every line of the feeder, in feeder order. */
  lines: z.array(FeederLineSchema),
});
export type FeederLines = z.infer<typeof FeederLinesSchema>;

export const AssetKindSchema = z.enum(['pv', 'ev', 'battery', 'heat-pump', 'load']);
export type AssetKind = z.infer<typeof AssetKindSchema>;

export const TableAssetSchema = z.object({
  /** The asset's device ID (its Homie device ID). */
  asset: z.string(),
  kind: AssetKindSchema,
  /** The plot it sits on, or null when it is off the table. */
  plot: z.string().nullable(),
  /** Whether its device is connected and ready. */
  online: z.boolean(),
  /** Its active power now (negative = generation/export). */
  pKw: z.number(),
  /** Why its board's latest reading was refused (the power flow keeps the last good value); absent when none is. */
  fault: z.string().optional(),
});
export type TableAsset = z.infer<typeof TableAssetSchema>;

export const TablePlotSchema = z.object({
  plot: z.string(),
  bus: z.string(),
  phase: PhaseSchema,
  home: z.string().optional(),
});

export const TableMapSchema = z.object({
  feeder: z.string(),
  plots: z.array(TablePlotSchema),
  assets: z.array(TableAssetSchema),
  /** The feeder's low-voltage buses a plot may be wired to (`gridflex/control/v1/table/wire`), in feeder order. */
  buses: z.array(z.string()).optional(),
});
export type TableMap = z.infer<typeof TableMapSchema>;

export const TableEventSchema = z.object({
  asset: z.string(),
  fromPlot: z.string().nullable(),
  toPlot: z.string().nullable(),
  /** What told the hub: a device announcement, an NFC read or a control message. */
  source: z.enum(['announce', 'nfc', 'control']),
  at: IsoTimeSchema,
});
export type TableEvent = z.infer<typeof TableEventSchema>;

export const HomeSchema = z.object({
  home: z.string(),
  plot: z.string(),
  bus: z.string(),
  phase: PhaseSchema,
  step: z.number().int().nonnegative(),
  /** The home's own demand from its profile, before any table asset. */
  baseLoadPKw: z.number(),
  assets: z.array(z.object({ asset: z.string(), kind: AssetKindSchema, pKw: z.number() })),
  /** Base load plus assets (negative = export). */
  netPKw: z.number(),
  /** Line-to-neutral voltage at the home's phase. */
  vVolts: z.number(),
  /** The home's power as the meter board on its plot measured it (kW, negative = export), next to the model's `netPKw`. */
  meteredPKw: z.number().optional(),
  /** When that meter reading was taken (the board's clock). */
  meteredAt: IsoTimeSchema.optional(),
});
export type Home = z.infer<typeof HomeSchema>;

export const MarketPricesSchema = z.object({
  simTime: IsoTimeSchema,
  importPriceGbpPerKwh: z.number(),
  exportPriceGbpPerKwh: z.number(),
  standingChargeGbpPerDay: z.number().nonnegative(),
  /** Where the price comes from (e.g. `price-cap` or a supplier's tariff ID). */
  source: z.string(),
  /** The time-of-use band in force (its name, or its "HH:MM-HH:MM"), when the tariff has bands. */
  band: z.string().optional(),
  /** The regulator's network charge band now and its charge, already included in `importPriceGbpPerKwh`. */
  networkBand: z.enum(['red', 'amber', 'green']).optional(),
  networkChargeGbpPerKwh: z.number().nonnegative().optional(),
});
export type MarketPrices = z.infer<typeof MarketPricesSchema>;

export const MetricsSchema = z.object({
  step: z.number().int().nonnegative(),
  simTime: IsoTimeSchema,
  importedKwh: z.number(),
  exportedKwh: z.number(),
  lossesKwh: z.number(),
  peakSubstationPKw: z.number(),
  peakTransformerLoadingPct: z.number(),
  /** Steps in which some bus-phase was outside the statutory band. */
  stepsWithVoltageBreach: z.number().int().nonnegative(),
  minVoltsSeen: z.number(),
  maxVoltsSeen: z.number(),
});
export type Metrics = z.infer<typeof MetricsSchema>;

const NetworkChargeBandsSchema = z.strictObject({
  redGbpPerKwh: z.number().nonnegative().max(10),
  amberGbpPerKwh: z.number().nonnegative().max(10),
  greenGbpPerKwh: z.number().nonnegative().max(10),
  /** Red and amber periods of every day; all other times are green. */
  periods: z
    .array(z.strictObject({ band: z.enum(['red', 'amber']), from: ClockTimeSchema, to: ClockTimeSchema }))
    .max(12),
});

const regulatorRuleFields = {
  /** Highest import unit rate of a variable tariff whose shape the cap covers. */
  priceCapGbpPerKwh: z.number().positive().max(10),
  /** Tariff shapes the price cap applies to (GB: flat). */
  priceCapAppliesTo: z.array(TariffShapeSchema).max(3),
  standingChargeCapGbpPerDay: z.number().nonnegative().max(10),
  /** No import unit rate of any tariff, in any band, may exceed this. */
  maxUnitRateGbpPerKwh: z.number().positive().max(10),
  allowedTariffShapes: z.array(TariffShapeSchema).min(1).max(3),
  /** Simulated minutes between a tariff switch being agreed and it taking effect. */
  switchingLagMinutes: z
    .number()
    .int()
    .nonnegative()
    .max(60 * 24 * 30),
  /** Highest exit fee of a fixed-term tariff; variable tariffs (contractMonths 0) may charge none. */
  maxExitFeeGbp: z.number().nonnegative().max(1000),
  /** DUoS-style network charge bands, added to every home's import price. */
  networkChargeBands: NetworkChargeBandsSchema,
  /** Upper bound of the randomised start delay smart chargers must use. */
  randomisedStartDelayMinutes: z.number().int().nonnegative().max(1440),
  /**
   * What residents' agents may read of the network (MCP `network_status`): the street's figures and their own
   * home's voltage, only their own home's voltage, or nothing.
   */
  networkDataForAgents: z.enum(['street', 'own-home', 'none']),
};

/** The rules in force, every field filled in (published on `gridflex/v1/market/rules`). */
export const RegulatorRulesInForceSchema = z.strictObject({
  ...regulatorRuleFields,
  /** Who last changed them (MQTT username), and when (wall clock); absent for the GB defaults. */
  setBy: z.string().optional(),
  setAt: IsoTimeSchema.optional(),
});
export type RegulatorRulesInForce = z.infer<typeof RegulatorRulesInForceSchema>;

/** A regulator's control message: only the rules it changes (the others stay as they are). */
export const RegulatorRulesSchema = z
  .strictObject(regulatorRuleFields)
  .partial()
  .extend({ requestId: RequestIdSchema });
export type RegulatorRules = z.infer<typeof RegulatorRulesSchema>;

export const TariffBandSchema = z.strictObject({
  /** A label people see, e.g. "night" or "peak". */
  name: z.string().min(1).max(40).optional(),
  from: ClockTimeSchema,
  /** End (exclusive); a band with to <= from wraps past midnight. */
  to: ClockTimeSchema,
  importPriceGbpPerKwh: z.number().min(-1).max(10),
  /** Export rate in this band; absent: the tariff's `exportPriceGbpPerKwh`. */
  exportPriceGbpPerKwh: z.number().min(-1).max(10).optional(),
});
export type TariffBand = z.infer<typeof TariffBandSchema>;

/**
 * A supplier's tariff offer. `importPriceGbpPerKwh` is the flat rate, or for time-of-use the rate outside
 * every band. The hub checks it against the regulator's rules and answers on `gridflex/v1/audit`.
 */
export const SupplierTariffSchema = z.strictObject({
  tariffId: TopicIdSchema,
  name: z.string().min(1).max(80).optional(),
  kind: TariffShapeSchema,
  importPriceGbpPerKwh: z.number().min(-1).max(10),
  exportPriceGbpPerKwh: z.number().min(-1).max(10),
  standingChargeGbpPerDay: z.number().nonnegative().max(10),
  /** Time-of-use bands (a CSV of bands uploads as this list). */
  bands: z.array(TariffBandSchema).max(48).optional(),
  exitFeeGbp: z.number().nonnegative().max(10_000).optional(),
  /** Fixed-term length; 0 or absent = variable. */
  contractMonths: z.number().int().nonnegative().max(60).optional(),
  /** True withdraws this tariff from offer (the other fields are still required). */
  withdraw: z.boolean().optional(),
  requestId: RequestIdSchema,
});
export type SupplierTariff = z.infer<typeof SupplierTariffSchema>;

const TariffOfferSchema = z.object({
  supplier: z.string(),
  tariff: SupplierTariffSchema.omit({ requestId: true, withdraw: true }),
  /** Typical day's bill under this tariff (10 kWh spread evenly plus the standing charge), £. */
  typicalDayGbp: z.number(),
  offeredAt: IsoTimeSchema,
});

export const MarketTariffsSchema = z.object({
  /** The tariff every table home is on: `<supplier>/<tariffId>`, or `price-cap` (the default). */
  inForce: z.string(),
  inForceSince: IsoTimeSchema.optional(),
  /** A switch agreed and waiting out the regulator's switching lag. */
  pending: z.object({ tariff: z.string(), effectiveAt: IsoTimeSchema, reason: z.string() }).nullable(),
  offers: z.array(TariffOfferSchema),
  /**
   * The homes whose residents chose their own tariff (`gridflex/control/v1/resident/<home>/tariff`): the one
   * each is on, and its switch waiting out the lag. Absent while every home follows the street.
   */
  homes: z
    .record(
      z.string(),
      z.object({
        tariff: z.string(),
        since: IsoTimeSchema.optional(),
        pending: z.object({ tariff: z.string(), effectiveAt: IsoTimeSchema }).nullable(),
      }),
    )
    .optional(),
});
export type MarketTariffs = z.infer<typeof MarketTariffsSchema>;

export const ResidentPreferencesSchema = z.strictObject({
  costWeight: z.number().min(0).max(1).optional(),
  carbonWeight: z.number().min(0).max(1).optional(),
  autarkyWeight: z.number().min(0).max(1).optional(),
  comfortMinCelsius: z.number().min(5).max(30).optional(),
  comfortMaxCelsius: z.number().min(5).max(30).optional(),
  /** Minute of day by which the EV should be charged (the car leaves then). */
  evReadyByMinute: z.number().int().min(0).max(1439).optional(),
  evTargetSocPct: z.number().min(0).max(100).optional(),
  requestId: RequestIdSchema,
});
export type ResidentPreferences = z.infer<typeof ResidentPreferencesSchema>;

export const ResidentBoostSchema = z.strictObject({
  /** The heat pump or EV on the resident's plot (its asset ID). */
  asset: z.string().min(1).max(64),
  /** How long it runs at full power, in simulated minutes; 0 cancels a running boost. */
  minutes: z.number().int().nonnegative().max(1440),
  requestId: RequestIdSchema,
});
export type ResidentBoost = z.infer<typeof ResidentBoostSchema>;

/** A resident moves their home to a tariff on offer, after the regulator's switching lag. */
export const ResidentTariffSwitchSchema = z.strictObject({
  /** `<supplier>/<tariffId>` of an offer, or `price-cap`. */
  tariff: z.string().min(1).max(129),
  requestId: RequestIdSchema,
});
export type ResidentTariffSwitch = z.infer<typeof ResidentTariffSwitchSchema>;

/** One tool call of a resident's AI agent, as `gridflex mcp` reports it to the hub. */
export const ResidentAgentCallSchema = z.strictObject({
  /** The MCP tool called, e.g. `meter_history`. */
  tool: z.string().min(1).max(64),
  outcome: z.enum(['ok', 'refused', 'failed']),
  /** What it asked and got, in one line people read. */
  summary: z.string().max(300),
  requestId: RequestIdSchema,
});
export type ResidentAgentCall = z.infer<typeof ResidentAgentCallSchema>;

/** A plan's length, in plan steps, at most (two days of half-hours). */
const MAX_PLAN_STEPS = 96;

/** Policy `external`: what the hub tells a home's outside agent when it wants a plan. */
export const AgentPlanRequestSchema = z.object({
  requestId: z.string().min(1).max(64),
  home: z.string(),
  /** The plan step this plan starts at; each entry of the plan covers `stepMinutes`. */
  step: z.number().int().nonnegative(),
  stepMinutes: z.number().positive(),
  minuteOfDay: z.number().int().min(0).max(1439),
  /** The plan must arrive before the home's next plan step (this minute of the day), or the built-in policy plans. */
  deadlineMinuteOfDay: z.number().int().min(0).max(1439),
  horizonSteps: z.number().int().positive().max(MAX_PLAN_STEPS),
  /** The forecast over the horizon, one entry a plan step. */
  importPriceGbpPerKwh: z.array(z.number()),
  exportPriceGbpPerKwh: z.array(z.number()),
  carbonKgPerKwh: z.array(z.number()),
  baseLoadKw: z.array(z.number()),
  pvAvailableKw: z.array(z.number()),
  evAtHome: z.array(z.number().int().min(0).max(1)),
  /** The home's stores now. */
  evSocKwh: z.number().optional(),
  batterySocKwh: z.number().optional(),
  indoorC: z.number().optional(),
  /** What each device may do, kW (absent: the home has no such device): a plan outside these is refused. */
  limits: z.object({
    evMaxChargeKw: z.number().optional(),
    evCapacityKwh: z.number().optional(),
    batteryMaxChargeKw: z.number().optional(),
    batteryMaxDischargeKw: z.number().optional(),
    batteryCapacityKwh: z.number().optional(),
    heatPumpMaxKw: z.number().optional(),
  }),
  preferences: z.object({
    evReadyByMinute: z.number().int(),
    evTargetSocPct: z.number(),
    comfortMinCelsius: z.number(),
    comfortMaxCelsius: z.number(),
  }),
});
export type AgentPlanRequest = z.infer<typeof AgentPlanRequestSchema>;

const PlanSeriesSchema = z.array(z.number().finite()).max(MAX_PLAN_STEPS);

/**
 * Policy `external`: the outside agent's plan, kW per plan step from the request's `step` (0 after a series
 * ends). A device left out follows the built-in selfish plan.
 */
export const ResidentPlanSchema = z.strictObject({
  /** The request this answers. */
  requestId: z.string().min(1).max(64),
  evKw: PlanSeriesSchema.optional(),
  /** Positive charges, negative discharges. */
  batteryKw: PlanSeriesSchema.optional(),
  heatPumpKw: PlanSeriesSchema.optional(),
  /** One sentence on why, shown as the home's decision. */
  explanation: z.string().max(300).optional(),
});
export type ResidentPlan = z.infer<typeof ResidentPlanSchema>;

/** A home's preferences in force: every field, the resident's over the defaults. */
export const HomePreferencesSchema = z.object({
  home: z.string(),
  costWeight: z.number(),
  carbonWeight: z.number(),
  autarkyWeight: z.number(),
  comfortMinCelsius: z.number(),
  comfortMaxCelsius: z.number(),
  evReadyByMinute: z.number().int(),
  evTargetSocPct: z.number(),
});
export type HomePreferences = z.infer<typeof HomePreferencesSchema>;

export const TablePlaceSchema = z.strictObject({
  asset: z.string().min(1).max(64),
  /** The plot to put the asset on, or null to lift it off the table. */
  plot: z.string().min(1).max(64).nullable(),
  requestId: RequestIdSchema,
});
export type TablePlace = z.infer<typeof TablePlaceSchema>;

/** Wires a plot (its pad and whatever sits on it) to another feeder bus and phase; the home's own load stays put. */
export const TableWireSchema = z.strictObject({
  plot: z.string().min(1).max(64),
  /** A low-voltage bus of the feeder (listed in `gridflex/v1/table/map` `buses`). */
  bus: z.string().min(1).max(64),
  phase: PhaseSchema,
  requestId: RequestIdSchema,
});
export type TableWire = z.infer<typeof TableWireSchema>;

/** A policy name (the hub checks it against its registry and refuses an unknown one with the choices). */
const PolicyNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'expected a policy name such as "cooperative"');

/** The operator picks the policy the residents' agents run on the table. */
export const TablePolicySchema = z.strictObject({
  policy: PolicyNameSchema,
  requestId: RequestIdSchema,
});
export type TablePolicy = z.infer<typeof TablePolicySchema>;

/** A pin: `<home>/<variable>` (`pv`: the home's PV output, `load`: its own demand). */
export const PinIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}\/(pv|load)$/, '<home>/pv or <home>/load, e.g. home-3/pv');

/** Operator: correct a pinned sensor by its bias estimate (`apply`, cumulative) or drop the correction (`reset`). */
export const PinBiasSchema = z.strictObject({
  pin: PinIdSchema,
  action: z.enum(['apply', 'reset']),
  requestId: RequestIdSchema,
});
export type PinBias = z.infer<typeof PinBiasSchema>;

const PinSampleSchema = z.object({
  step: z.number().int().nonnegative(),
  modelKw: z.number(),
  /** The corrected sensor value, null while the model drives the variable. */
  sensorKw: z.number().nullable(),
  ewmaKw: z.number().nullable(),
});

export const PinStateSchema = z.object({
  pin: PinIdSchema,
  home: z.string(),
  plot: z.string(),
  variable: z.enum(['pv', 'load']),
  /** The Homie device and `<node>/<property>` it is pinned to. */
  device: z.string(),
  property: z.string(),
  /** Mapped by `gridflex device adopt` (someone else's device) rather than the table map. */
  adopted: z.boolean(),
  /** Adopted devices: whether the operator granted the hub control (without it the hub never sets them). */
  control: z.boolean(),
  /** What drives the variable in the power flow this step. */
  source: z.enum(['sensor', 'model']),
  /** Why the model drives it (no reading yet, stale, device lost, no usable property). */
  fallback: z.string().optional(),
  modelKw: z.number(),
  /** The sensor's value as a model variable (kW, load convention), corrected by the applied bias; null when none. */
  sensorKw: z.number().nullable(),
  appliedBiasKw: z.number(),
  /** Residual (sensor − model), its EWMA, the online bias estimate and the alarm; null before the first reading. */
  drift: z
    .object({
      residualKw: z.number(),
      ewmaKw: z.number(),
      biasKw: z.number(),
      samples: z.number().int().positive(),
      alarm: z.boolean(),
      alarmAtKw: z.number().positive(),
    })
    .nullable(),
  /** The last steps, oldest first, for the dashboard's chart. */
  history: z.array(PinSampleSchema),
});
export type PinState = z.infer<typeof PinStateSchema>;

export const PinsSchema = z.object({
  step: z.number().int().nonnegative(),
  simTime: IsoTimeSchema,
  pins: z.array(PinStateSchema),
});
export type Pins = z.infer<typeof PinsSchema>;

/** The hub's ping to a board and the board's answer: the same sequence number back. */
export const LinkPingSchema = z.strictObject({ seq: z.number().int().min(0) });
export type LinkPing = z.infer<typeof LinkPingSchema>;

const MsOrNullSchema = z.number().min(0).nullable();

/** Each online board's device–hub link as the hub measures it with pings (over the last `window` pings). */
export const BoardLinksSchema = z.object({
  at: IsoTimeSchema,
  pingEveryMs: z.number().int().positive(),
  timeoutMs: z.number().int().positive(),
  window: z.number().int().positive(),
  /** Answers whose sequence number the hub was not waiting for (late, repeated or made up), ignored. */
  unknownAnswers: z.number().int().min(0),
  /** Answers that were not a ping's JSON, ignored. */
  invalidAnswers: z.number().int().min(0),
  boards: z.array(
    z.object({
      deviceId: z.string(),
      lastRttMs: MsOrNullSchema,
      medianRttMs: MsOrNullSchema,
      p95RttMs: MsOrNullSchema,
      /** Pings unanswered within `timeoutMs`, in per cent of those judged; null before the first is judged. */
      lossPct: z.number().min(0).max(100).nullable(),
      answered: z.number().int().min(0),
      lost: z.number().int().min(0),
    }),
  ),
});
export type BoardLinks = z.infer<typeof BoardLinksSchema>;

/** Which policy the table runs, which comes next, and the choices. */
export const LivePolicySchema = z.object({
  running: PolicyNameSchema,
  /** Equal to `running` unless a switch waits for the next half-hour. */
  next: PolicyNameSchema,
  /** In words, for people: what the running policy does. */
  description: z.string(),
  available: z.array(z.object({ name: PolicyNameSchema, description: z.string() })),
  /** The policies the hub also runs as shadow runs on the same inputs. */
  shadows: z.array(PolicyNameSchema),
});
export type LivePolicy = z.infer<typeof LivePolicySchema>;

/** What one street has done since the hub started. */
export const StreetFiguresSchema = z.object({
  policy: PolicyNameSchema,
  steps: z.number().int().nonnegative(),
  peakKw: z.number(),
  minVolts: z.number().nullable(),
  maxVolts: z.number().nullable(),
  stepsOutsideStatutory: z.number().int().nonnegative(),
  /** The table homes' energy at their meters priced at the tariff in force (standing charges left out), £. */
  billsGbp: z.number(),
});
export type StreetFigures = z.infer<typeof StreetFiguresSchema>;

/** The running street beside the same table under the other policies (shadow runs on the same inputs). */
export const LiveComparisonSchema = z.object({
  step: z.number().int().nonnegative(),
  simTime: IsoTimeSchema,
  running: StreetFiguresSchema,
  shadows: z.array(StreetFiguresSchema),
  /**
   * Selfish over central, when both run: bills so far, and the transformer peak (the price of anarchy in
   * money, and in network headroom). Null until both have run a step.
   */
  priceOfAnarchy: z.object({ bills: z.number().nullable(), peak: z.number().nullable() }),
});
export type LiveComparison = z.infer<typeof LiveComparisonSchema>;

/**
 * One attack or defence: its kind and the fields of a scenario's `redTeam:` entry (docs/red-team.md), which
 * the hub checks against its red-team registry.
 */
const RedTeamEntrySchema = z.looseObject({
  kind: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'expected a red-team kind such as "sync-charge"'),
});

/** Operator: the whole red team on the live table (empty lists stop every attack and defence). */
export const TableRedTeamSchema = z.strictObject({
  attacks: z.array(RedTeamEntrySchema).max(10),
  defences: z.array(RedTeamEntrySchema).max(10),
  requestId: RequestIdSchema,
});
export type TableRedTeam = z.infer<typeof TableRedTeamSchema>;

/** A street's figures since the red team last changed. */
const RedTeamDamageSchema = z.object({
  steps: z.number().int().nonnegative(),
  /** Largest import at the substation, kW. */
  peakKw: z.number(),
  minVolts: z.number().nullable(),
  maxVolts: z.number().nullable(),
  /** Steps with a bus-phase outside 216.2–253 V. */
  stepsOutsideStatutory: z.number().int().nonnegative(),
  /** The honest homes' (not attacking) energy priced at the tariff in force, £. */
  honestBillsGbp: z.number(),
});

/** The red team on the live table: what runs, what could, and the damage beside the same policy without it. */
/** A live attack's real MQTT client against the hub's broker (flooding-client, rogue-device) and what the broker did with it. */
export const LiveRedTeamClientSchema = z.object({
  kind: z.string(),
  /** Its board login (the hub's, in memory while the attack runs). */
  board: z.string(),
  /** Publishes it sent. */
  sent: z.number().int().nonnegative(),
  /** Publishes the broker let through. */
  accepted: z.number().int().nonnegative(),
  /** Of those, publishes into another board's Homie tree (a rogue's readings the hub took as its victim's). */
  underOthers: z.number().int().nonnegative(),
  /** Publishes and connections the broker refused (rate limit, hold-off, ACL). */
  refused: z.number().int().nonnegative(),
  /** Connections it made. */
  connections: z.number().int().nonnegative(),
  /** The last refusal in the broker's words, or null. */
  lastRefusal: z.string().nullable(),
  /** What it does, in words. */
  doing: z.string(),
});
export type LiveRedTeamClient = z.infer<typeof LiveRedTeamClientSchema>;

export const LiveRedTeamSchema = z.object({
  attacks: z.array(RedTeamEntrySchema),
  defences: z.array(RedTeamEntrySchema),
  /** A change the operator sent that starts at the next step. */
  pending: z.boolean(),
  kinds: z.array(
    z.object({
      list: z.enum(['attacks', 'defences']),
      kind: z.string(),
      description: z.string(),
    }),
  ),
  /** Homes whose own agents attack. */
  attackers: z.array(z.string()),
  /** What the attacks and defences did, in words. */
  notes: z.array(z.string()),
  /** The live attacks' MQTT clients (flooding-client, rogue-device) and what the broker did with them. */
  clients: z.array(LiveRedTeamClientSchema),
  /** Simulated time the figures start from (the last change, or the last policy switch). */
  since: IsoTimeSchema.nullable(),
  /** The running policy: the baseline is its shadow run, which runs without the red team. */
  policy: PolicyNameSchema.nullable(),
  attacked: RedTeamDamageSchema.nullable(),
  /** Null when the running policy has no shadow run (`live.shadows` in the table map). */
  baseline: RedTeamDamageSchema.nullable(),
});
export type LiveRedTeam = z.infer<typeof LiveRedTeamSchema>;

/** Clock controls; `step` works while paused, `jump` moves the simulated time (forwards or back). */
export const ClockControlSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('play'), requestId: RequestIdSchema }),
  z.strictObject({ action: z.literal('pause'), requestId: RequestIdSchema }),
  z.strictObject({
    action: z.literal('step'),
    /** Steps to take at once (default 1). */
    count: z.number().int().min(1).max(240).optional(),
    requestId: RequestIdSchema,
  }),
  z.strictObject({
    action: z.literal('speed'),
    /** Wall-clock milliseconds between steps: at least 10, or 1 in clock mode `lockstep` (the table map's rule). */
    stepMs: z.number().int().min(1).max(60_000),
    requestId: RequestIdSchema,
  }),
  z.strictObject({
    action: z.literal('jump'),
    /** The simulated time to continue from (rounded down to a whole step). */
    to: IsoTimeSchema,
    requestId: RequestIdSchema,
  }),
]);
export type ClockControl = z.infer<typeof ClockControlSchema>;

const sharedBatteryRuleFields = {
  capacityKwh: z.number().positive().max(10_000),
  maxChargeKw: z.number().nonnegative().max(10_000),
  maxDischargeKw: z.number().nonnegative().max(10_000),
  roundTripEfficiency: z.number().gt(0).max(1),
  /** Energy kept back (e.g. for a community emergency). */
  reserveKwh: z.number().nonnegative().max(10_000),
  perHomeMaxKw: z.number().positive().max(1000),
  perHomeDailyDischargeKwh: z.number().positive().max(10_000),
  /** Highest priority first, e.g. ["medical", "fuel-poor"]. */
  priorityGroups: z.array(z.string().min(1).max(40)).max(10),
  contention: z.enum(['priority', 'shared']),
  fairShare: z.enum(['equal', 'proportional']),
  drawPricePencePerKwh: z.number().nonnegative().max(1000),
  storeCreditPencePerKwh: z.number().nonnegative().max(1000),
  /** Homes may draw only within this daily window (e.g. the evening peak); absent: at any time. */
  drawWindow: z.strictObject({ from: ClockTimeSchema, to: ClockTimeSchema }),
  /** Each home's priority group (home ID → group); homes not listed are in no group. */
  groups: z.record(z.string(), z.string().min(1).max(40)),
};

/** The shared battery's rules in force (the fields of a scenario's community-battery rules file). */
export const SharedBatteryRulesSchema = z
  .strictObject(sharedBatteryRuleFields)
  .partial({ drawWindow: true, perHomeDailyDischargeKwh: true });
export type SharedBatteryRules = z.infer<typeof SharedBatteryRulesSchema>;

/**
 * The citizens' assembly's control message: the shared-battery rules it changes (the others stay).
 * `drawWindow: null` removes the window.
 */
export const AssemblyBatteryRulesSchema = z.strictObject(sharedBatteryRuleFields).partial().extend({
  drawWindow: sharedBatteryRuleFields.drawWindow.nullable().optional(),
  requestId: RequestIdSchema,
});
export type AssemblyBatteryRules = z.infer<typeof AssemblyBatteryRulesSchema>;

export const SharedBatterySchema = z.object({
  step: z.number().int().nonnegative(),
  simTime: IsoTimeSchema,
  bus: z.string(),
  /** Its connection: one phase, or `ABC` for a balanced three-phase battery. */
  phase: z.enum(['A', 'B', 'C', 'ABC']),
  rules: SharedBatteryRulesSchema,
  /** Who last changed the rules (MQTT username), and when (wall clock); absent for the defaults. */
  setBy: z.string().optional(),
  setAt: IsoTimeSchema.optional(),
  socKwh: z.number().nonnegative(),
  socPct: z.number().min(0).max(100),
  /** Power into the battery now, and out of it, at the homes' side. */
  chargeKw: z.number().nonnegative(),
  dischargeKw: z.number().nonnegative(),
  /** What each home asked and was granted this step (positive = stores, negative = draws). */
  homes: z.array(z.object({ home: z.string(), askedKw: z.number(), grantedKw: z.number() })),
});
export type SharedBattery = z.infer<typeof SharedBatterySchema>;

const DecisionAssetSchema = z.object({
  asset: z.string(),
  kind: AssetKindSchema,
  /** What it does this step (negative = discharging/generating). */
  pKw: z.number(),
  /** What the agent's plan wanted this step (differs from pKw during a boost). */
  plannedPKw: z.number(),
  boosted: z.boolean(),
});

export const BoostStatusSchema = z.object({
  asset: z.string(),
  kind: z.enum(['ev', 'heat-pump']),
  /** The asset's full power, which it runs at until `until`. */
  pKw: z.number(),
  startedAt: IsoTimeSchema,
  until: IsoTimeSchema,
  minutesLeft: z.number().nonnegative(),
  /** Energy drawn above the plan so far, and its cost at the prices in force (the boost's extra cost). */
  extraKwh: z.number(),
  extraCostGbp: z.number(),
  /** Expected extra cost over the whole boost, at the start: (full power − plan) × prices. */
  estimatedExtraCostGbp: z.number(),
});
export type BoostStatus = z.infer<typeof BoostStatusSchema>;

export const HomeDecisionSchema = z.object({
  home: z.string(),
  plot: z.string(),
  step: z.number().int().nonnegative(),
  simTime: IsoTimeSchema,
  /** The policy the street runs (a name from the hub's policy registry, listed in `live/policy`). */
  policy: z.string().min(1),
  /** One or two sentences with the numbers behind the plan. */
  explanation: z.string(),
  /** Promises the plan cannot keep (comfort band, EV ready-by), with numbers. */
  cannotKeep: z.array(z.string()),
  assets: z.array(DecisionAssetSchema),
  /** State of the home's stores now. */
  evSocPct: z.number().optional(),
  batterySocPct: z.number().optional(),
  indoorC: z.number().optional(),
  importPriceGbpPerKwh: z.number(),
  /** When the plan in use was made, how far it looks, its cost over that horizon, and the LP's wall time. */
  plannedAt: IsoTimeSchema,
  horizonHours: z.number().positive(),
  planCostGbp: z.number(),
  planningMs: z.number().nonnegative(),
  boost: BoostStatusSchema.nullable(),
});
export type HomeDecision = z.infer<typeof HomeDecisionSchema>;

export const AuditActionSchema = z.enum([
  'regulator-rules',
  'supplier-tariff',
  'resident-preferences',
  'resident-boost',
  'resident-tariff',
  'resident-agent-call',
  'resident-plan',
  'table-place',
  'table-wire',
  'table-policy',
  'table-red-team',
  'table-pin-bias',
  'clock',
  'assembly-battery-rules',
  'unknown',
]);

/** The hub's answer to one control message. */
export const AuditEntrySchema = z.object({
  /** Increases by one per entry since the hub started. */
  seq: z.number().int().positive(),
  /** Wall-clock and simulated time of the answer. */
  at: IsoTimeSchema,
  simTime: IsoTimeSchema,
  /** The MQTT username that sent it (null: anonymous, or not known behind an external broker). */
  username: z.string().nullable(),
  /**
   * The sender's role, e.g. `supplier:octo` (`anonymous` when not logged in); behind an external broker, which
   * does not say who published, the role the topic belongs to (its ACL lets only that role publish).
   */
  role: z.string(),
  topic: z.string(),
  action: AuditActionSchema,
  accepted: z.boolean(),
  /** Why it was refused, or what it changed, in words people read. */
  reason: z.string(),
  requestId: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditRecentSchema = z.object({ entries: z.array(AuditEntrySchema) });

export const FeedEventKindSchema = z.enum([
  'asset-placed',
  'asset-moved',
  'asset-lifted',
  'plot-wired',
  'tariff-offered',
  'tariff-withdrawn',
  'tariff-refused',
  'tariff-switch-agreed',
  'tariff-switched',
  'rules-changed',
  'shared-battery-rules-changed',
  'preferences-changed',
  'boost-started',
  'boost-ended',
  'policy-changed',
  'red-team-changed',
  'clock-changed',
  'limit-breached',
  'limit-cleared',
  'device-online',
  'device-offline',
  'agent-call',
]);
export type FeedEventKind = z.infer<typeof FeedEventKindSchema>;

/** Something the room should see, in one sentence. */
export const FeedEventSchema = z.object({
  seq: z.number().int().positive(),
  at: IsoTimeSchema,
  simTime: IsoTimeSchema,
  kind: FeedEventKindSchema,
  severity: z.enum(['info', 'warning']),
  message: z.string(),
  home: z.string().optional(),
  asset: z.string().optional(),
  plot: z.string().optional(),
});
export type FeedEvent = z.infer<typeof FeedEventSchema>;

export const FeedEventsRecentSchema = z.object({ events: z.array(FeedEventSchema) });

/** How each hub-world topic is published: direction, retain flag and QoS (documented in docs/protocol.md). */
export interface TopicSpec {
  /** The topic, with `<name>` placeholders for variable segments. */
  pattern: string;
  publisher: string;
  retained: boolean;
  qos: 0 | 1;
  schema: z.ZodType;
  description: string;
  /** A valid payload, shown in docs/protocol.md (a test checks it against the schema). */
  example: unknown;
  /** A per-step topic that a fast clock publishes at most once per `clock.publishEveryMs` (the latest step). */
  paced?: true;
}

/** Every topic of the hub's world and controls, with its schema: the single list that docs and JSON Schema come from. */
export const GRIDFLEX_TOPIC_SPECS: readonly TopicSpec[] = [
  {
    pattern: gridflexTopics.hubState(),
    publisher: 'hub',
    retained: true,
    qos: 1,
    schema: HubStateSchema,
    description: 'Hub lifecycle; the last will sets `lost`.',
    example: { state: 'running', broker: 'embedded', at: '2026-11-25T09:00:00.000Z' },
  },
  {
    pattern: gridflexTopics.hubSecurity(),
    publisher: 'hub',
    retained: false,
    qos: 0,
    schema: SecurityEventSchema,
    description: 'Refused connections, denied publishes/subscribes and rejected payloads.',
    example: {
      kind: 'denied-publish',
      clientId: 'pv-1',
      username: 'pv-1',
      topic: 'homie/5/pv-2/pv/power-kw',
      reason: 'device:pv-1 may not publish here',
      at: '2026-11-25T09:00:01.000Z',
    },
  },
  {
    pattern: gridflexTopics.clock(),
    publisher: 'hub',
    retained: true,
    qos: 0,
    schema: ClockSchema,
    description: 'The simulation clock after each step.',
    example: {
      step: 181,
      simTime: '2026-01-15T18:06:00.000Z',
      minuteOfDay: 1086,
      stepMinutes: 6,
      mode: 'accelerated',
      running: true,
      stepMs: 500,
    },
  },
  {
    pattern: gridflexTopics.feederSummary(),
    paced: true,
    publisher: 'hub',
    retained: true,
    qos: 0,
    schema: FeederSummarySchema,
    description: 'Power-flow summary of the last step.',
    example: {
      step: 181,
      simTime: '2026-01-15T18:06:00.000Z',
      feeder: 'table-street',
      converged: true,
      iterations: 5,
      substationPKw: 31.2,
      substationQKvar: 8.4,
      transformerLoadingPct: 66.1,
      lossesKw: 0.41,
      vMin: { bus: '18', phase: 'B', volts: 238.9 },
      vMax: { bus: '1', phase: 'A', volts: 251.7 },
      busPhasesOutsideStatutory: 0,
      maxLineLoadingPct: 42.5,
    },
  },
  {
    pattern: gridflexTopics.feederBuses(),
    paced: true,
    publisher: 'hub',
    retained: true,
    qos: 0,
    schema: FeederBusesSchema,
    description: 'Voltages and connected load at every bus with a home or a plot.',
    example: {
      step: 181,
      simTime: '2026-01-15T18:06:00.000Z',
      buses: [{ bus: '13', vVolts: [250.1, 249.8, 241.3], loadPKw: 7.9, assetPKw: 7, plots: ['plot-3'] }],
    },
  },
  {
    pattern: gridflexTopics.feederLines(),
    paced: true,
    publisher: 'hub',
    retained: true,
    qos: 0,
    schema: FeederLinesSchema,
    description:
      'Every line’s loading (worst phase current against its ampacity, null when unrated) and current, every step.',
    example: {
      step: 181,
      simTime: '2026-01-15T18:06:00.000Z',
      lines: [
        { line: 'LINE1', loadingPct: 41.7, currentAmps: 112.6 },
        { line: 'LINE2', loadingPct: null, currentAmps: 3.2 },
      ],
    },
  },
  {
    pattern: gridflexTopics.home('<home>'),
    paced: true,
    publisher: 'hub',
    retained: true,
    qos: 0,
    schema: HomeSchema,
    description: 'One home: base load, the assets on its plot, net power and voltage.',
    example: {
      home: 'home-3',
      plot: 'plot-3',
      bus: '13',
      phase: 'C',
      step: 181,
      baseLoadPKw: 0.9,
      assets: [{ asset: 'ev-1', kind: 'ev', pKw: 7 }],
      netPKw: 7.9,
      vVolts: 241.3,
    },
  },
  {
    pattern: gridflexTopics.marketPrices(),
    publisher: 'hub',
    retained: true,
    qos: 1,
    schema: MarketPricesSchema,
    description:
      'Prices in force now (import includes the network charge band); republished when they change.',
    example: {
      simTime: '2026-01-15T18:06:00.000Z',
      importPriceGbpPerKwh: 0.3011,
      exportPriceGbpPerKwh: 0.15,
      standingChargeGbpPerDay: 0.55,
      source: 'octo/night-ev',
      band: 'peak',
      networkBand: 'red',
      networkChargeGbpPerKwh: 0.04,
    },
  },
  {
    pattern: gridflexTopics.marketRules(),
    publisher: 'hub',
    retained: true,
    qos: 1,
    schema: RegulatorRulesInForceSchema,
    description:
      'The regulator’s rules in force, every field filled in (GB defaults until the regulator changes them).',
    example: {
      priceCapGbpPerKwh: 0.2611,
      priceCapAppliesTo: ['flat'],
      standingChargeCapGbpPerDay: 0.5719,
      maxUnitRateGbpPerKwh: 1,
      allowedTariffShapes: ['flat', 'time-of-use'],
      switchingLagMinutes: 60,
      maxExitFeeGbp: 150,
      networkChargeBands: {
        redGbpPerKwh: 0.04,
        amberGbpPerKwh: 0.01,
        greenGbpPerKwh: 0.002,
        periods: [
          { band: 'red', from: '16:00', to: '19:00' },
          { band: 'amber', from: '07:00', to: '16:00' },
        ],
      },
      randomisedStartDelayMinutes: 10,
      networkDataForAgents: 'street',
      setBy: 'regulator',
      setAt: '2026-11-25T09:00:03.000Z',
    },
  },
  {
    pattern: gridflexTopics.marketTariffs(),
    publisher: 'hub',
    retained: true,
    qos: 1,
    schema: MarketTariffsSchema,
    description:
      'Tariffs on offer (each passed the regulator’s rules), the one every table home is on, and a switch waiting out the lag.',
    example: {
      inForce: 'price-cap',
      pending: {
        tariff: 'octo/night-ev',
        effectiveAt: '2026-01-15T19:06:00.000Z',
        reason: 'typical day £2.31 vs £3.18 on price-cap',
      },
      offers: [
        {
          supplier: 'octo',
          tariff: {
            tariffId: 'night-ev',
            name: 'Night EV',
            kind: 'time-of-use',
            importPriceGbpPerKwh: 0.25,
            exportPriceGbpPerKwh: 0.15,
            standingChargeGbpPerDay: 0.55,
            bands: [{ name: 'night', from: '00:30', to: '05:30', importPriceGbpPerKwh: 0.09 }],
          },
          typicalDayGbp: 2.31,
          offeredAt: '2026-11-25T09:00:04.000Z',
        },
      ],
    },
  },
  {
    pattern: gridflexTopics.homePreferences('<home>'),
    publisher: 'hub',
    retained: true,
    qos: 1,
    schema: HomePreferencesSchema,
    description: 'A home’s preferences in force (what the resident set over the defaults), when they change.',
    example: {
      home: 'home-3',
      costWeight: 1,
      carbonWeight: 0,
      autarkyWeight: 0,
      comfortMinCelsius: 19,
      comfortMaxCelsius: 22,
      evReadyByMinute: 450,
      evTargetSocPct: 80,
    },
  },
  {
    pattern: gridflexTopics.agentPlanRequest('<home>'),
    publisher: 'hub',
    retained: false,
    qos: 1,
    schema: AgentPlanRequestSchema,
    description:
      'Policy `external`: the hub asks the home’s outside agent for a plan over the forecast; answer on `gridflex/control/v1/resident/<home>/plan` before the deadline, or the built-in policy plans and the decision says so.',
    example: {
      requestId: 'home-3-412',
      home: 'home-3',
      step: 412,
      stepMinutes: 30,
      minuteOfDay: 1080,
      deadlineMinuteOfDay: 1110,
      horizonSteps: 3,
      importPriceGbpPerKwh: [0.36, 0.36, 0.36],
      exportPriceGbpPerKwh: [0.15, 0.15, 0.15],
      carbonKgPerKwh: [0.25, 0.25, 0.25],
      baseLoadKw: [0.6, 0.7, 0.7],
      pvAvailableKw: [0, 0, 0],
      evAtHome: [1, 1, 1],
      evSocKwh: 16,
      limits: { evMaxChargeKw: 7, evCapacityKwh: 40 },
      preferences: { evReadyByMinute: 450, evTargetSocPct: 80, comfortMinCelsius: 19, comfortMaxCelsius: 22 },
    },
  },
  {
    pattern: gridflexTopics.homeDecision('<home>'),
    paced: true,
    publisher: 'hub',
    retained: true,
    qos: 0,
    schema: HomeDecisionSchema,
    description:
      'A home’s agent’s decision this step: what each asset does and why, with numbers; a boost and its extra cost.',
    example: {
      home: 'home-3',
      plot: 'plot-3',
      step: 181,
      simTime: '2026-01-15T18:06:00.000Z',
      policy: 'selfish',
      explanation:
        'EV 24.0 kWh in 00:30–04:00 at 9.0 p/kWh (day average 22.4 p/kWh) to reach 80 % by 08:00 (weights cost 1/carbon 0/autarky 0)',
      cannotKeep: [],
      assets: [{ asset: 'ev-1', kind: 'ev', pKw: 7, plannedPKw: 0, boosted: true }],
      evSocPct: 41.5,
      importPriceGbpPerKwh: 0.3011,
      plannedAt: '2026-01-15T18:00:00.000Z',
      horizonHours: 24,
      planCostGbp: 2.16,
      planningMs: 3.1,
      boost: {
        asset: 'ev-1',
        kind: 'ev',
        pKw: 7,
        startedAt: '2026-01-15T18:00:00.000Z',
        until: '2026-01-15T19:00:00.000Z',
        minutesLeft: 54,
        extraKwh: 0.7,
        extraCostGbp: 0.21,
        estimatedExtraCostGbp: 2.11,
      },
    },
  },
  {
    pattern: gridflexTopics.sharedBattery(),
    paced: true,
    publisher: 'hub',
    retained: true,
    qos: 0,
    schema: SharedBatterySchema,
    description:
      'The street’s shared battery: the citizens’ assembly’s rules in force and what it does this step.',
    example: {
      step: 181,
      simTime: '2026-01-15T18:06:00.000Z',
      bus: '3',
      phase: 'ABC',
      rules: {
        capacityKwh: 50,
        maxChargeKw: 20,
        maxDischargeKw: 20,
        roundTripEfficiency: 0.9,
        reserveKwh: 5,
        perHomeMaxKw: 3,
        priorityGroups: ['medical'],
        contention: 'priority',
        fairShare: 'equal',
        drawPricePencePerKwh: 15,
        storeCreditPencePerKwh: 10,
        drawWindow: { from: '16:00', to: '20:00' },
        groups: { 'home-2': 'medical' },
      },
      setBy: 'assembly',
      setAt: '2026-11-25T09:00:05.000Z',
      socKwh: 31.2,
      socPct: 62.4,
      chargeKw: 0,
      dischargeKw: 6,
      homes: [
        { home: 'home-2', askedKw: -3, grantedKw: -3 },
        { home: 'home-3', askedKw: -3, grantedKw: -3 },
      ],
    },
  },
  {
    pattern: gridflexTopics.audit(),
    publisher: 'hub',
    retained: false,
    qos: 1,
    schema: AuditEntrySchema,
    description:
      'The answer to every control message (also appended to `<data-dir>/audit.log`): who, what, accepted or refused and why.',
    example: {
      seq: 12,
      at: '2026-11-25T09:00:06.000Z',
      simTime: '2026-01-15T18:06:00.000Z',
      username: 'octo',
      role: 'supplier:octo',
      topic: 'gridflex/control/v1/supplier/octo/tariff',
      action: 'supplier-tariff',
      accepted: false,
      reason: 'import price 35 p/kWh is above the regulator’s cap 26.11 p/kWh',
      requestId: 'tariff-7',
    },
  },
  {
    pattern: gridflexTopics.auditRecent(),
    publisher: 'hub',
    retained: true,
    qos: 1,
    schema: AuditRecentSchema,
    description: 'The latest 50 audit answers, newest last (what a dashboard shows when it (re)connects).',
    example: {
      entries: [
        {
          seq: 11,
          at: '2026-11-25T09:00:05.000Z',
          simTime: '2026-01-15T18:00:00.000Z',
          username: 'table-op',
          role: 'operator',
          topic: 'gridflex/control/v1/clock',
          action: 'clock',
          accepted: true,
          reason: 'paused at 2026-01-15 18:00',
        },
      ],
    },
  },
  {
    pattern: gridflexTopics.events(),
    publisher: 'hub',
    retained: false,
    qos: 1,
    schema: FeedEventSchema,
    description:
      'Things the room should see: assets placed, tariffs offered/refused/switched, limits breached, boosts.',
    example: {
      seq: 40,
      at: '2026-11-25T09:00:07.000Z',
      simTime: '2026-01-15T18:12:00.000Z',
      kind: 'asset-placed',
      severity: 'info',
      message: 'EV ev-1 placed on plot-7 (home-7, bus 17)',
      home: 'home-7',
      asset: 'ev-1',
      plot: 'plot-7',
    },
  },
  {
    pattern: gridflexTopics.eventsRecent(),
    publisher: 'hub',
    retained: true,
    qos: 1,
    schema: FeedEventsRecentSchema,
    description: 'The latest 50 events, newest last.',
    example: {
      events: [
        {
          seq: 41,
          at: '2026-11-25T09:00:08.000Z',
          simTime: '2026-01-15T18:18:00.000Z',
          kind: 'limit-breached',
          severity: 'warning',
          message: 'transformer at 104 % of its rating (limit 100 %)',
        },
      ],
    },
  },
  {
    pattern: gridflexTopics.livePolicy(),
    publisher: 'hub',
    retained: true,
    qos: 1,
    schema: LivePolicySchema,
    description:
      'The policy the residents’ agents run on the table (passive, selfish, nash, cooperative, central, external), the one coming at the next half-hour, and the choices.',
    example: {
      running: 'selfish',
      next: 'cooperative',
      description: 'each home minimises its own cost',
      available: [
        { name: 'selfish', description: 'each home minimises its own cost' },
        { name: 'cooperative', description: 'homes share the street’s headroom' },
      ],
      shadows: ['passive', 'cooperative', 'central'],
    },
  },
  {
    pattern: gridflexTopics.pins(),
    paced: true,
    publisher: 'hub',
    retained: true,
    qos: 0,
    schema: PinsSchema,
    description:
      'Hardware in the loop (table map `pins:`, `gridflex device adopt`): every step, each model variable pinned to a live sensor, whether the sensor or the model drives it (and why), the drift (residual, EWMA, bias estimate, alarm), the bias applied and the last steps for a chart.',
    example: {
      step: 182,
      simTime: '2026-01-15T18:12:00.000Z',
      pins: [
        {
          pin: 'home-1/pv',
          home: 'home-1',
          plot: 'plot-1',
          variable: 'pv',
          device: 'pv-1',
          property: 'pv/light-pct',
          adopted: false,
          control: false,
          source: 'sensor',
          modelKw: -1.1,
          sensorKw: -1.5,
          appliedBiasKw: 0,
          drift: { residualKw: -0.4, ewmaKw: -0.35, biasKw: -0.3, samples: 40, alarm: false, alarmAtKw: 0.5 },
          history: [{ step: 182, modelKw: -1.1, sensorKw: -1.5, ewmaKw: -0.35 }],
        },
      ],
    },
  },
  {
    pattern: gridflexTopics.linksPing('<deviceId>'),
    publisher: 'hub',
    retained: false,
    qos: 0,
    schema: LinkPingSchema,
    description:
      'A ping to one online board, every few seconds of wall time; the board answers at once with the same payload on `gridflex/v1/links/pong/<deviceId>`.',
    example: { seq: 41 },
  },
  {
    pattern: gridflexTopics.linksPong('<deviceId>'),
    publisher: 'device `<deviceId>` (only that board)',
    retained: false,
    qos: 0,
    schema: LinkPingSchema,
    description:
      'A board’s answer to the hub’s ping, its sequence number back. The table map’s `links:` shaper delays or drops it as it does the board’s readings.',
    example: { seq: 41 },
  },
  {
    pattern: gridflexTopics.linksBoards(),
    publisher: 'hub',
    retained: true,
    qos: 0,
    schema: BoardLinksSchema,
    description:
      'After every ping round: each online board’s last round-trip time, its median and 95th percentile and the loss (pings unanswered within the timeout) over the last pings; answers with an unknown sequence number or not JSON are counted and ignored.',
    example: {
      at: '2026-11-25T09:00:10.000Z',
      pingEveryMs: 2000,
      timeoutMs: 1500,
      window: 20,
      unknownAnswers: 0,
      invalidAnswers: 0,
      boards: [
        {
          deviceId: 'pv-1',
          lastRttMs: 3.2,
          medianRttMs: 2.9,
          p95RttMs: 6.1,
          lossPct: 0,
          answered: 20,
          lost: 0,
        },
        {
          deviceId: 'pv-2',
          lastRttMs: null,
          medianRttMs: null,
          p95RttMs: null,
          lossPct: 100,
          answered: 0,
          lost: 20,
        },
      ],
    },
  },
  {
    pattern: gridflexTopics.liveComparison(),
    paced: true,
    publisher: 'hub',
    retained: true,
    qos: 0,
    schema: LiveComparisonSchema,
    description:
      'Every step: the running street’s transformer peak, voltage extremes and bills so far beside the shadow runs of the same table under the other policies, and the running price of anarchy (selfish over central).',
    example: {
      step: 40,
      simTime: '2026-01-15T04:00:00.000Z',
      running: {
        policy: 'selfish',
        steps: 40,
        peakKw: 31.2,
        minVolts: 236.1,
        maxVolts: 249.8,
        stepsOutsideStatutory: 0,
        billsGbp: 12.4,
      },
      shadows: [
        {
          policy: 'central',
          steps: 40,
          peakKw: 24.5,
          minVolts: 238.0,
          maxVolts: 249.8,
          stepsOutsideStatutory: 0,
          billsGbp: 12.9,
        },
      ],
      priceOfAnarchy: { bills: 0.961, peak: 1.273 },
    },
  },
  {
    pattern: gridflexTopics.liveRedTeam(),
    paced: true,
    publisher: 'hub',
    retained: true,
    qos: 0,
    schema: LiveRedTeamSchema,
    description:
      'Every step: the attacks and defences the operator runs on the table, every kind (each with what it does), the attacking homes, what they did, and the street since the last change beside the running policy’s shadow run, which runs without them.',
    example: {
      attacks: [{ kind: 'sync-charge', at: '02:00', durationMinutes: 60 }],
      defences: [],
      pending: false,
      kinds: [
        {
          list: 'attacks',
          kind: 'sync-charge',
          description:
            'N homes charge their EVs and batteries at full power at the same clock time every day',
        },
      ],
      attackers: ['home-3', 'home-5', 'home-7'],
      notes: [],
      clients: [],
      since: '2026-01-16T01:00:00.000Z',
      policy: 'selfish',
      attacked: {
        steps: 30,
        peakKw: 38.4,
        minVolts: 231.2,
        maxVolts: 249.8,
        stepsOutsideStatutory: 0,
        honestBillsGbp: 1.92,
      },
      baseline: {
        steps: 30,
        peakKw: 17.1,
        minVolts: 231.2,
        maxVolts: 249.8,
        stepsOutsideStatutory: 0,
        honestBillsGbp: 1.92,
      },
    },
  },
  {
    pattern: gridflexTopics.tableMap(),
    publisher: 'hub',
    retained: true,
    qos: 1,
    schema: TableMapSchema,
    description: 'Plots → buses and assets → plots, updated live.',
    example: {
      feeder: 'table-street',
      plots: [{ plot: 'plot-3', bus: '13', phase: 'C', home: 'home-3' }],
      assets: [{ asset: 'ev-1', kind: 'ev', plot: 'plot-3', online: true, pKw: 7 }],
      buses: ['1', '2', '3', '11', '12', '13'],
    },
  },
  {
    pattern: gridflexTopics.tableEvent(),
    publisher: 'hub',
    retained: false,
    qos: 1,
    schema: TableEventSchema,
    description: 'An asset was placed, moved or lifted off.',
    example: {
      asset: 'ev-1',
      fromPlot: 'plot-3',
      toPlot: 'plot-6',
      source: 'nfc',
      at: '2026-11-25T09:00:02.000Z',
    },
  },
  {
    pattern: gridflexTopics.metrics(),
    paced: true,
    publisher: 'hub',
    retained: true,
    qos: 0,
    schema: MetricsSchema,
    description: 'Running totals since the hub started.',
    example: {
      step: 181,
      simTime: '2026-01-15T18:06:00.000Z',
      importedKwh: 61.3,
      exportedKwh: 0,
      lossesKwh: 0.7,
      peakSubstationPKw: 38.2,
      peakTransformerLoadingPct: 80.4,
      stepsWithVoltageBreach: 0,
      minVoltsSeen: 236.2,
      maxVoltsSeen: 252.3,
    },
  },
  {
    pattern: controlTopics.regulatorRules(),
    publisher: 'role `regulator`',
    retained: false,
    qos: 1,
    schema: RegulatorRulesSchema,
    description:
      'The rules the regulator changes (others stay); in force at once, tariffs on offer that now break them are withdrawn.',
    example: {
      priceCapGbpPerKwh: 0.25,
      allowedTariffShapes: ['flat', 'time-of-use'],
      switchingLagMinutes: 60,
      requestId: 'rules-3',
    },
  },
  {
    pattern: controlTopics.supplierTariff('<supplier>'),
    publisher: 'role `supplier:<supplier>`',
    retained: false,
    qos: 1,
    schema: SupplierTariffSchema,
    description:
      'A supplier’s tariff offer (time-of-use bands: a CSV of bands uploads as `bands`); refused with the reason when it breaks a rule.',
    example: {
      tariffId: 'night-ev',
      name: 'Night EV',
      kind: 'time-of-use',
      importPriceGbpPerKwh: 0.25,
      exportPriceGbpPerKwh: 0.15,
      standingChargeGbpPerDay: 0.55,
      bands: [
        { name: 'night', from: '00:30', to: '05:30', importPriceGbpPerKwh: 0.09 },
        { name: 'peak', from: '16:00', to: '19:00', importPriceGbpPerKwh: 0.26 },
      ],
      requestId: 'tariff-7',
    },
  },
  {
    pattern: controlTopics.residentPreferences('<home>'),
    publisher: 'role `resident:<home>`',
    retained: false,
    qos: 1,
    schema: ResidentPreferencesSchema,
    description:
      'A resident’s preferences (the fields given change); the home’s agent re-plans at the next step.',
    example: { costWeight: 0.7, carbonWeight: 0.3, evReadyByMinute: 450, evTargetSocPct: 80 },
  },
  {
    pattern: controlTopics.residentBoost('<home>'),
    publisher: 'role `resident:<home>`',
    retained: false,
    qos: 1,
    schema: ResidentBoostSchema,
    description:
      'Run the home’s heat pump or EV at full power for `minutes` (0 cancels); its extra cost shows in the decision.',
    example: { asset: 'heat-pump-1', minutes: 60 },
  },
  {
    pattern: controlTopics.residentTariff('<home>'),
    publisher: 'role `resident:<home>`',
    retained: false,
    qos: 1,
    schema: ResidentTariffSwitchSchema,
    description:
      'Move the home to a tariff on offer: agreed at once, in force after the regulator’s switching lag; the home then keeps it instead of following the street’s tariff.',
    example: { tariff: 'octo/night-ev' },
  },
  {
    pattern: controlTopics.residentAgentCall('<home>'),
    publisher: 'role `resident:<home>` (`gridflex mcp`)',
    retained: false,
    qos: 1,
    schema: ResidentAgentCallSchema,
    description:
      'One tool call of the resident’s AI agent through `gridflex mcp`: kept in the audit log and shown in the event feed.',
    example: {
      tool: 'compare_tariffs',
      outcome: 'ok',
      summary: '3 tariffs on 12.4 kWh: cheapest octo/night-ev',
    },
  },
  {
    pattern: controlTopics.residentPlan('<home>'),
    publisher: 'role `resident:<home>` (the home’s outside agent)',
    retained: false,
    qos: 1,
    schema: ResidentPlanSchema,
    description:
      'Policy `external`: the outside agent’s plan for the request `requestId` (docs/agents.md); refused with the reason when it breaks a device limit or answers an old request.',
    example: {
      requestId: 'home-3-412',
      evKw: [0, 0, 7, 7, 7],
      explanation: 'EV in the cheap night half-hours',
    },
  },
  {
    pattern: controlTopics.tablePlace(),
    publisher: 'role `operator`',
    retained: false,
    qos: 1,
    schema: TablePlaceSchema,
    description: 'Place an asset on a plot, or lift it off (plot null).',
    example: { asset: 'ev-1', plot: 'plot-6' },
  },
  {
    pattern: controlTopics.tableWire(),
    publisher: 'role `operator`',
    retained: false,
    qos: 1,
    schema: TableWireSchema,
    description:
      'Wire a plot to another feeder bus and phase (a bus from `table/map` `buses`): the assets on it draw there from the next step; kept across hub restarts.',
    example: { plot: 'plot-7', bus: '12', phase: 'B', requestId: 'wire-1' },
  },
  {
    pattern: controlTopics.tablePolicy(),
    publisher: 'role `operator`',
    retained: false,
    qos: 1,
    schema: TablePolicySchema,
    description:
      'Switch the residents’ agents on the table to another policy (listed in `live/policy`); it takes effect at the next half-hour and is announced in the event feed.',
    example: { policy: 'cooperative', requestId: 'policy-1' },
  },
  {
    pattern: controlTopics.tableRedTeam(),
    publisher: 'role `operator`',
    retained: false,
    qos: 1,
    schema: TableRedTeamSchema,
    description:
      'Run these attacks and defences on the table from the next step (the whole set: empty lists stop them); each entry is a scenario’s `redTeam:` entry (docs/red-team.md), of a kind that runs live (`live/red-team` `kinds`), naming homes of the table.',
    example: {
      attacks: [{ kind: 'sync-charge', at: '02:00', durationMinutes: 60 }],
      defences: [{ kind: 'start-delay', maxDelayMinutes: 120 }],
      requestId: 'red-team-1',
    },
  },
  {
    pattern: controlTopics.tablePinBias(),
    publisher: 'role `operator`',
    retained: false,
    qos: 1,
    schema: PinBiasSchema,
    description:
      'Correct a pinned sensor by its online bias estimate from the next step (`apply` adds the estimate to the correction in force; `reset` drops it); the drift starts again on the corrected values.',
    example: { pin: 'home-3/load', action: 'apply', requestId: 'bias-1' },
  },
  {
    pattern: controlTopics.clock(),
    publisher: 'roles `operator`, `regulator`',
    retained: false,
    qos: 1,
    schema: ClockControlSchema,
    description:
      'Clock controls: `play`, `pause`, `step` (count), `speed` (stepMs), `jump` (to a simulated time); shown on `gridflex/v1/clock`.',
    example: { action: 'speed', stepMs: 250, requestId: 'clock-2' },
  },
  {
    pattern: controlTopics.assemblyBatteryRules(),
    publisher: 'role `assembly`',
    retained: false,
    qos: 1,
    schema: AssemblyBatteryRulesSchema,
    description:
      'The citizens’ assembly’s rules for the shared battery (fields given change; applied at the next step).',
    example: {
      reserveKwh: 10,
      perHomeMaxKw: 2,
      priorityGroups: ['medical'],
      groups: { 'home-2': 'medical' },
      drawWindow: { from: '16:00', to: '20:00' },
    },
  },
];
