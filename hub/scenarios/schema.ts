/**
 * The scenario file (YAML), validated by zod. Everything a run needs: the feeder, the homes and their
 * assets, residents' preferences, each home's agent policy and tariff, the market, time span, step and seed.
 * Sizes that a file leaves out come from `defaults`; asset adoption levels expand into per-home assets
 * deterministically from the seed (see ./expand.ts), so a 55-home street stays a short file.
 */
import { z } from 'zod';
import { PolicyNameSchema } from '../agents/policy-name-schema.js';
import { LinksSchema } from '../engine/links.js';
import { MarketModuleSchema } from '../market/modules.js';
import { RegulatorRulesSchema } from '../market/regulator.js';
import { RedTeamSchema } from '../redteam/registry.js';
import { SocialGraphSchema } from '../social/registry.js';

const clockPattern = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
const ClockSchema = z.string().regex(clockPattern, 'expected a clock time "HH:MM"');
const pct = () => z.number().min(0).max(100);
const positive = () => z.number().finite().positive();
const nonNegative = () => z.number().finite().nonnegative();

export const WeightsSchema = z
  .object({
    cost: nonNegative().default(1),
    carbon: nonNegative().default(0),
    autarky: nonNegative().default(0),
  })
  .strict();

export const PreferencesSchema = z
  .object({
    /** Weights of the resident's objective: £ cost, carbon, autarky (imports). */
    weights: WeightsSchema.optional(),
    comfortMinC: z.number().min(5).max(30).optional(),
    comfortMaxC: z.number().min(5).max(35).optional(),
    evReadyBy: ClockSchema.optional(),
    evTargetSocPct: pct().optional(),
    /** Chance the resident accepts a tariff switch the agent recommends (0–1). */
    switchWillingness: z.number().min(0).max(1).optional(),
  })
  .strict();

const VoltageCurveSchema = z
  .object({ volts: z.array(positive()).min(1), values: z.array(z.number().finite()).min(1) })
  .strict()
  .refine(
    (curve) => curve.volts.length === curve.values.length,
    'volts and values must have the same length',
  );

export const PvSchema = z
  .object({
    peakKw: positive().optional(),
    inverterKw: positive().optional(),
    inverterKva: positive().optional(),
    lossFraction: z.number().min(0).max(0.9).optional(),
    /** true = the IEEE 1547 default curve, false = off, or a curve of your own. */
    voltVar: z.union([z.boolean(), VoltageCurveSchema]).optional(),
    voltWatt: z.union([z.boolean(), VoltageCurveSchema]).optional(),
    /** % of the inverter's kVA the panels must offer for it to be on (and give reactive power). */
    cutOutPct: pct().optional(),
  })
  .strict();

export const BatterySchema = z
  .object({
    capacityKwh: positive().optional(),
    maxChargeKw: positive().optional(),
    maxDischargeKw: positive().optional(),
    roundTripEfficiency: z.number().gt(0).max(1).optional(),
    initialSocPct: pct().optional(),
  })
  .strict();

export const EvSchema = z
  .object({
    capacityKwh: positive().optional(),
    maxChargeKw: positive().optional(),
    roundTripEfficiency: z.number().gt(0).max(1).optional(),
    /** State of charge at the run's start, %; default the resident's `evTargetSocPct`. */
    initialSocPct: pct().optional(),
    weekdayTripProbability: z.number().min(0).max(1).optional(),
    weekendTripProbability: z.number().min(0).max(1).optional(),
    awayHoursMin: nonNegative().optional(),
    awayHoursMax: nonNegative().optional(),
    tripKwhMin: nonNegative().optional(),
    tripKwhMax: nonNegative().optional(),
  })
  .strict();

export const HeatPumpSchema = z
  .object({
    maxElectricKw: positive().optional(),
    copAt7C: positive().optional(),
    copSlopePerC: nonNegative().optional(),
    copMin: positive().optional(),
    /** House thermal model: resistance to outdoors (°C/kW), capacitance (kWh/°C), steady gains (kW). */
    resistanceCPerKw: positive().optional(),
    capacitanceKwhPerC: positive().optional(),
    gainsKw: nonNegative().optional(),
    initialIndoorC: z.number().min(-10).max(40).optional(),
  })
  .strict();

/** An asset in a home: `true` = the defaults, an object = the defaults with these changes, `false` = none. */
const assetEntry = <T extends z.ZodType>(schema: T) => z.union([z.boolean(), schema]).optional();

export const BaseLoadSchema = z
  .object({
    /** Annual base consumption of the home (GB TDCV 2,700 kWh; 2,500 from July 2026). */
    annualKwh: positive().optional(),
    powerFactor: z.number().gt(0).max(1).optional(),
  })
  .strict();

export const HomeSchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'expected an id of letters, digits, - and _')
      .optional(),
    /** The feeder load this home is (its bus and phase), e.g. LOAD7. */
    load: z.string().min(1).optional(),
    bus: z.union([z.string().min(1), z.number()]).optional(),
    phase: z.enum(['A', 'B', 'C']).optional(),
    pv: assetEntry(PvSchema),
    battery: assetEntry(BatterySchema),
    ev: assetEntry(EvSchema),
    heatPump: assetEntry(HeatPumpSchema),
    baseLoad: BaseLoadSchema.optional(),
    preferences: PreferencesSchema.optional(),
    policy: PolicyNameSchema.optional(),
    tariff: z.string().min(1).optional(),
  })
  .strict();

export const AdoptionSchema = z
  .object({
    pvPct: pct().default(0),
    batteryPct: pct().default(0),
    evPct: pct().default(0),
    heatPumpPct: pct().default(0),
  })
  .strict();

export const VarietySchema = z
  .object({
    evReadyBy: z.array(ClockSchema).min(1).optional(),
    evTargetSocPct: z.array(pct()).min(1).optional(),
    comfortMinC: z.array(z.number().min(5).max(30)).min(1).optional(),
    switchWillingness: z.array(z.number().min(0).max(1)).min(1).optional(),
    weights: z.array(WeightsSchema).min(1).optional(),
  })
  .strict();

export const ScenarioFileSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    /** Feeder folder: relative to this file, or to the repository root (e.g. feeders/ieee-eu-lv/csv). */
    feeder: z.string().min(1),
    /** Representative-year CSV (relative like `feeder`); default: the shipped UK-like year. */
    year: z.string().min(1).optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1),
    time: z
      .object({
        /** 0-based first day of the year (day 0 is a Monday in January). */
        startDay: z.number().int().min(0).max(364).default(0),
        days: z.number().int().min(1).max(365).default(365),
        stepMinutes: z.literal(30).default(30),
      })
      .strict()
      .default({ startDay: 0, days: 365, stepMinutes: 30 }),
    /** How the resident's carbon and autarky weights are put in £ for one objective. */
    valuation: z
      .object({
        carbonValueGbpPerKg: nonNegative().default(0.25),
        autarkyValueGbpPerKwh: nonNegative().default(0.1),
      })
      .strict()
      .default({ carbonValueGbpPerKg: 0.25, autarkyValueGbpPerKwh: 0.1 }),
    /** Settings every home starts from; a home's own entries override them. */
    defaults: HomeSchema.omit({ id: true, load: true, bus: true, phase: true }).optional(),
    /** Share of homes given each asset (homes that set the asset themselves keep their choice). */
    adoption: AdoptionSchema.optional(),
    /** Residents differ: each home without its own setting draws one of these from the seed. */
    variety: VarietySchema.optional(),
    homes: z.union([z.literal('all-feeder-loads'), z.array(HomeSchema).min(1)]).default('all-feeder-loads'),
    market: z
      .object({
        /** Tariff catalogue (suppliers, tariffs, network charges, rules); default: the shipped GB catalogue. */
        catalogue: z.string().min(1).optional(),
        /** Suppliers on offer in this street (default: all in the catalogue). */
        suppliers: z.array(z.string().min(1)).min(1).optional(),
        /** Tariffs on offer (default: all of the suppliers on offer). */
        tariffs: z.array(z.string().min(1)).min(1).optional(),
        /** Tariff id a home is on unless it says otherwise. */
        defaultTariff: z.string().min(1),
        /** Market module: retail only (default), flex-auction or community-battery (hub/market/modules.ts). */
        module: MarketModuleSchema.optional(),
        /** Changes to the catalogue's regulator rules. */
        regulator: RegulatorRulesSchema.partial().optional(),
        switching: z
          .object({
            enabled: z.boolean().default(true),
            /** Agents review their tariff every N days on the last N days' metered use. */
            reviewEveryDays: z.number().int().min(1).max(365).default(30),
            /**
             * staggered: each home reviews on its own day of the cycle (home i on days ≡ i mod N), as contracts
             * renew on different days in life; together: every home on the same days. Either way a home's first
             * review is after N days of metered use.
             */
            reviewSchedule: z.enum(['staggered', 'together']).default('staggered'),
            /** Saving per year below which a resident does not bother to switch, £. */
            minSavingGbpPerYear: nonNegative().default(30),
            /** Switches the industry processes per working day (finite capacity → queues). */
            capacityPerWorkingDay: z.number().int().min(0).default(20),
          })
          .strict()
          .default({
            enabled: true,
            reviewEveryDays: 30,
            reviewSchedule: 'staggered',
            minSavingGbpPerYear: 30,
            capacityPerWorkingDay: 20,
          }),
      })
      .strict(),
    /** Attacks and defences (docs/red-team.md): none unless listed. */
    redTeam: RedTeamSchema.optional(),
    /** Who hears whom, and what spreads along it (docs/social-graph.md): none unless given. */
    socialGraph: SocialGraphSchema.optional(),
    /** Latency, jitter, loss and bandwidth of the device–hub and agent–coordinator links (docs/links.md). */
    links: LinksSchema.optional(),
  })
  .strict();

export type ScenarioFile = z.infer<typeof ScenarioFileSchema>;
export type HomeEntry = z.infer<typeof HomeSchema>;
