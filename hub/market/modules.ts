/**
 * Market modules a scenario chooses (`market.module` in the scenario YAML): retail only (the default), a
 * local flexibility auction the network operator runs when the street nears its limit, or a community
 * battery shared under a citizens' assembly's rules. Schemas (zod) and the resolved forms a run uses; the
 * run-time logic is hub/sim/market-step.ts, file loading hub/market/load-market-module.ts.
 *
 * API:
 *   MarketModuleSchema / type MarketModuleEntry    the YAML section (discriminated by `kind`)
 *   type MarketModule                              resolved: retail | FlexAuctionModule | CommunityBatteryModule
 *   FLEX_ASSETS                                    the assets a home may offer to turn down ('ev', 'heatPump', 'battery')
 */
import { z } from 'zod';
import type { Phase } from '../feeder/index.js';
import type { CommunityBatteryRules } from './community-battery.js';

const fraction = () => z.number().gt(0).max(2);
const nonNegative = () => z.number().finite().nonnegative();
const homeId = () => z.string().min(1);

export const FLEX_ASSETS = ['ev', 'heatPump', 'battery'] as const;
export type FlexAsset = (typeof FLEX_ASSETS)[number];

export const RetailModuleSchema = z.object({ kind: z.literal('retail') }).strict();

export const FlexAuctionModuleSchema = z
  .object({
    kind: z.literal('flex-auction'),
    /** Street import limit the operator defends, kW (default: the transformers' rating, kVA read as kW). */
    limitKw: z.number().finite().positive().optional(),
    /** `total`: the street's import against limitKw; `per-phase`: each phase against a third of it. */
    basis: z.enum(['total', 'per-phase']).default('total'),
    /** An auction is called when the forecast street import passes this fraction of the limit. */
    triggerFraction: fraction().default(0.95),
    /** ... and buys enough to bring the forecast down to this fraction. */
    targetFraction: fraction().default(0.9),
    /** The most the operator pays, £/kWh turned down (its avoided cost). */
    maxPriceGbpPerKwh: nonNegative().default(0.6),
    /** A home prices its offer by the cheapest import price within this many steps after now. */
    shiftWindowSteps: z.number().int().min(1).max(96).default(16),
    /** Added to every offer of that asset, £/kWh: the resident's nuisance of putting it off. */
    premiumGbpPerKwh: z
      .object({
        ev: nonNegative().default(0.02),
        heatPump: nonNegative().default(0.05),
        battery: nonNegative().default(0.01),
      })
      .strict()
      .default({ ev: 0.02, heatPump: 0.05, battery: 0.01 }),
  })
  .strict()
  .refine((module) => module.targetFraction <= module.triggerFraction, {
    message: 'a fraction at most triggerFraction',
    path: ['targetFraction'],
  });

export const CommunityBatteryModuleSchema = z
  .object({
    kind: z.literal('community-battery'),
    /** The assembly's rules YAML (relative to the scenario file, or to the repository root). */
    rules: z.string().min(1),
    /** Feeder bus the battery is connected to. */
    bus: z.union([z.string().min(1), z.number()]),
    /** One phase, or ABC for a balanced three-phase connection. */
    phase: z.enum(['A', 'B', 'C', 'ABC']).default('ABC'),
    /** The physical battery, if it differs from the rules file. */
    capacityKwh: z.number().finite().positive().optional(),
    maxChargeKw: nonNegative().optional(),
    maxDischargeKw: nonNegative().optional(),
    /** State of charge at the start of the run, % of capacity (default: the reserve). */
    initialSocPct: z.number().min(0).max(100).optional(),
    /** Homes that belong to the scheme (default: every home). */
    members: z.array(homeId()).min(1).optional(),
    /** The assembly's register of priority groups: group name -> home ids. */
    groups: z.record(z.string().min(1), z.array(homeId())).default({}),
  })
  .strict();

export const MarketModuleSchema = z.discriminatedUnion(
  'kind',
  [RetailModuleSchema, FlexAuctionModuleSchema, CommunityBatteryModuleSchema],
  { error: 'a module kind: retail, flex-auction or community-battery' },
);
export type MarketModuleEntry = z.infer<typeof MarketModuleSchema>;

export interface RetailModule {
  kind: 'retail';
}

export interface FlexAuctionModule {
  kind: 'flex-auction';
  basis: 'total' | 'per-phase';
  limitKw: number;
  triggerFraction: number;
  targetFraction: number;
  maxPriceGbpPerKwh: number;
  shiftWindowSteps: number;
  premiumGbpPerKwh: Record<FlexAsset, number>;
}

export interface CommunityBatteryModule {
  kind: 'community-battery';
  /** The rules file as the scenario names it (for reports: no machine-specific absolute path). */
  rulesFile: string;
  rules: CommunityBatteryRules;
  bus: string;
  phases: Phase[];
  initialSocKwh: number;
  /** Member home ids, in the scenario's home order. */
  members: string[];
  /** Priority group of each registered member. */
  groupOf: Record<string, string>;
}

export type MarketModule = RetailModule | FlexAuctionModule | CommunityBatteryModule;
