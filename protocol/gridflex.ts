/**
 * The hub's world on the wire: topics under `gridflex/v1/…` (published only by the hub) and the
 * workshop roles' control topics under `gridflex/control/v1/…`, with a zod schema for every payload.
 * Imported by the hub (to publish) and by any client (to validate what it reads).
 */
import { z } from 'zod';

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
  /** A table operator (or an NFC pad board) places or lifts an asset. */
  tablePlace: () => `${CONTROL_ROOT}/table/place`,
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
  running: z.boolean(),
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
});
export type Home = z.infer<typeof HomeSchema>;

export const MarketPricesSchema = z.object({
  simTime: IsoTimeSchema,
  importPriceGbpPerKwh: z.number(),
  exportPriceGbpPerKwh: z.number(),
  standingChargeGbpPerDay: z.number().nonnegative(),
  /** Where the price comes from (e.g. `price-cap` or a supplier's tariff ID). */
  source: z.string(),
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

export const RegulatorRulesSchema = z.strictObject({
  priceCapGbpPerKwh: z.number().positive().max(10).optional(),
  standingChargeCapGbpPerDay: z.number().nonnegative().max(10).optional(),
  /** Steps between a switching request and the switch taking effect. */
  switchingLagSteps: z.number().int().nonnegative().max(10_000).optional(),
  /** Upper bound of the randomised start delay smart chargers must use. */
  randomisedStartDelayMinutes: z.number().int().nonnegative().max(1440).optional(),
});
export type RegulatorRules = z.infer<typeof RegulatorRulesSchema>;

export const SupplierTariffSchema = z.strictObject({
  tariffId: TopicIdSchema,
  kind: z.enum(['flat', 'time-of-use', 'dynamic']),
  importPriceGbpPerKwh: z.number().min(-1).max(10),
  exportPriceGbpPerKwh: z.number().min(-1).max(10),
  standingChargeGbpPerDay: z.number().nonnegative().max(10),
});
export type SupplierTariff = z.infer<typeof SupplierTariffSchema>;

export const ResidentPreferencesSchema = z.strictObject({
  costWeight: z.number().min(0).max(1).optional(),
  carbonWeight: z.number().min(0).max(1).optional(),
  autarkyWeight: z.number().min(0).max(1).optional(),
  comfortMinCelsius: z.number().min(5).max(30).optional(),
  comfortMaxCelsius: z.number().min(5).max(30).optional(),
  /** Minute of day by which the EV should be charged. */
  evReadyByMinute: z.number().int().min(0).max(1439).optional(),
  evTargetSocPct: z.number().min(0).max(100).optional(),
});
export type ResidentPreferences = z.infer<typeof ResidentPreferencesSchema>;

export const ResidentBoostSchema = z.strictObject({
  asset: z.string(),
  /** How long the override lasts in simulated minutes. */
  minutes: z.number().int().positive().max(1440),
});
export type ResidentBoost = z.infer<typeof ResidentBoostSchema>;

export const TablePlaceSchema = z.strictObject({
  asset: z.string().min(1).max(64),
  /** The plot to put the asset on, or null to lift it off the table. */
  plot: z.string().min(1).max(64).nullable(),
});
export type TablePlace = z.infer<typeof TablePlaceSchema>;

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
    },
  },
  {
    pattern: gridflexTopics.feederSummary(),
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
    pattern: gridflexTopics.home('<home>'),
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
    description: 'Prices in force.',
    example: {
      simTime: '2026-01-15T18:06:00.000Z',
      importPriceGbpPerKwh: 0.2611,
      exportPriceGbpPerKwh: 0.15,
      standingChargeGbpPerDay: 0.5719,
      source: 'price-cap',
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
    description: 'Rules the regulator sets.',
    example: { priceCapGbpPerKwh: 0.25, randomisedStartDelayMinutes: 10 },
  },
  {
    pattern: controlTopics.supplierTariff('<supplier>'),
    publisher: 'role `supplier:<supplier>`',
    retained: false,
    qos: 1,
    schema: SupplierTariffSchema,
    description: 'A supplier’s tariff offer.',
    example: {
      tariffId: 'night-ev',
      kind: 'time-of-use',
      importPriceGbpPerKwh: 0.22,
      exportPriceGbpPerKwh: 0.15,
      standingChargeGbpPerDay: 0.55,
    },
  },
  {
    pattern: controlTopics.residentPreferences('<home>'),
    publisher: 'role `resident:<home>`',
    retained: false,
    qos: 1,
    schema: ResidentPreferencesSchema,
    description: 'A resident’s preferences.',
    example: { costWeight: 0.7, carbonWeight: 0.3, evReadyByMinute: 450, evTargetSocPct: 80 },
  },
  {
    pattern: controlTopics.residentBoost('<home>'),
    publisher: 'role `resident:<home>`',
    retained: false,
    qos: 1,
    schema: ResidentBoostSchema,
    description: 'A resident’s boost override.',
    example: { asset: 'heat-pump-1', minutes: 60 },
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
];
