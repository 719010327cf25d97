/**
 * Regulator rules as data, and pure checks against them.
 *
 * API:
 *   RegulatorRulesSchema / type RegulatorRules;  GB_DEFAULT_RULES (Ofgem-like, see uk-energy-facts.md)
 *   ruleBreaches(tariff, rules: TariffRules) -> RuleBreach[]  the one check (price cap, maximum unit rate, allowed
 *       shapes, exit fees), structured: each edge words it (the CLI below, the live table in hub/table/live-market.ts)
 *   tariffViolations(tariff, rules) -> RuleViolation[]     the breaches worded for catalogues and `gridflex tariffs check`
 *   exitFeeGbp(tariff, contractStartMinute, switchMinute, rules) -> number
 *       0 for variable tariffs and in the final `exitFeeWaivedFinalDays` days of a fixed term; else
 *       min(tariff.exitFeeGbp, rules.maxExitFeeGbp)
 *   startDelaySeconds(rules, rng) -> integer in [0, maxStartDelaySeconds]   (smart-charger randomised delay)
 *   startDelaySecondsFor(rules, seed, key) -> the same, from its own stream (order-independent: one per key)
 *
 * The price cap applies to variable (contractMonths 0) tariffs whose import shape is listed in
 * `priceCap.appliesToShapes` (default flat): unit rate and standing charge must not exceed the cap (the
 * standing charge cap may cover other shapes: `priceCap.standingChargeAppliesToShapes`).
 * Every tariff's highest possible import unit rate (a band, or a dynamic cap) must not exceed
 * `maxUnitRatePencePerKwh`.
 */
import { z } from 'zod';
import { MINUTES_PER_DAY } from '../environment/calendar.js';
import { createRng, type Rng } from '../random.js';
import { type RateSchedule, TARIFF_SHAPES, type Tariff, type TariffShape } from './tariff.js';

export const RegulatorRulesSchema = z
  .object({
    priceCap: z
      .object({
        unitRatePencePerKwh: z.number().finite().positive(),
        standingChargePencePerDay: z.number().finite().nonnegative(),
        appliesToShapes: z.array(z.enum(['flat', 'time-of-use', 'dynamic'])).default(['flat']),
        /** Variable tariffs whose standing charge the cap covers; absent: the same as `appliesToShapes`. */
        standingChargeAppliesToShapes: z.array(z.enum(['flat', 'time-of-use', 'dynamic'])).optional(),
      })
      .strict(),
    /** No import unit rate may ever exceed this (dynamic tariffs must cap at or below it). */
    maxUnitRatePencePerKwh: z.number().finite().positive(),
    allowedShapes: z.array(z.enum(['flat', 'time-of-use', 'dynamic'])).min(1),
    /** A switch must complete within this many working days (GB: 5). */
    maxSwitchingLagWorkingDays: z.number().int().positive(),
    /** Paid to a customer whose switch completes late (GB: £30). */
    lateSwitchCompensationGbp: z.number().finite().nonnegative(),
    maxExitFeeGbp: z.number().finite().nonnegative(),
    /** No exit fee in the last N days of a fixed term (GB: 49). */
    exitFeeWaivedFinalDays: z.number().int().nonnegative(),
    /** Randomised delay on scheduled load starts, upper bound (GB smart charge points: 600 s). */
    maxStartDelaySeconds: z.number().int().nonnegative(),
  })
  .strict();
export type RegulatorRules = z.infer<typeof RegulatorRulesSchema>;

/** GB defaults (uk-energy-facts.md: Ofgem cap Jul–Sep 2026, switching rules, smart charge point regulations). */
export const GB_DEFAULT_RULES: RegulatorRules = {
  priceCap: { unitRatePencePerKwh: 26.11, standingChargePencePerDay: 57.19, appliesToShapes: ['flat'] },
  maxUnitRatePencePerKwh: 100,
  allowedShapes: [...TARIFF_SHAPES],
  maxSwitchingLagWorkingDays: 5,
  lateSwitchCompensationGbp: 30,
  maxExitFeeGbp: 150,
  exitFeeWaivedFinalDays: 49,
  maxStartDelaySeconds: 600,
};

/** The rules a tariff is checked against (the live table converts its rules to these at its edge). */
export type TariffRules = Pick<
  RegulatorRules,
  'priceCap' | 'maxUnitRatePencePerKwh' | 'allowedShapes' | 'maxExitFeeGbp'
>;

/** One broken rule with its numbers; each edge words it for its readers. */
export type RuleBreach =
  | {
      readonly check: 'allowed-shape';
      readonly direction: 'import' | 'export';
      readonly shape: TariffShape;
      readonly allowed: readonly TariffShape[];
    }
  | {
      readonly check: 'max-unit-rate' | 'price-cap-unit-rate';
      readonly pencePerKwh: number;
      readonly limitPencePerKwh: number;
      /** The band charging it (its name or "from-to"); undefined: the flat rate or the rate outside the bands. */
      readonly band: string | undefined;
    }
  | {
      readonly check: 'price-cap-standing-charge';
      readonly pencePerDay: number;
      readonly limitPencePerDay: number;
    }
  | { readonly check: 'variable-exit-fee'; readonly feeGbp: number }
  | { readonly check: 'max-exit-fee'; readonly feeGbp: number; readonly limitGbp: number };

/** The highest import unit rate a schedule can charge, p/kWh, and the band charging it (the first, if tied). */
export function highestRate(schedule: RateSchedule): { pencePerKwh: number; band: string | undefined } {
  switch (schedule.shape) {
    case 'flat':
      return { pencePerKwh: schedule.unitRatePencePerKwh, band: undefined };
    case 'time-of-use':
      return schedule.bands.reduce<{ pencePerKwh: number; band: string | undefined }>(
        (top, band) =>
          band.unitRatePencePerKwh > top.pencePerKwh
            ? { pencePerKwh: band.unitRatePencePerKwh, band: band.name ?? `${band.from}-${band.to}` }
            : top,
        { pencePerKwh: schedule.otherTimesPencePerKwh, band: undefined },
      );
    case 'dynamic':
      return { pencePerKwh: schedule.capPencePerKwh, band: undefined };
  }
}

/** Every rule the tariff breaks, in this order: shapes, unit rates, standing charge, exit fees (empty when compliant). */
export function ruleBreaches(tariff: Tariff, rules: TariffRules): RuleBreach[] {
  return [
    ...shapeBreaches(tariff, rules),
    ...chargeBreaches(tariff, rules),
    ...exitFeeBreaches(tariff, rules),
  ];
}

function shapeBreaches(tariff: Tariff, rules: TariffRules): RuleBreach[] {
  const breaches: RuleBreach[] = [];
  for (const [direction, schedule] of [
    ['import', tariff.import],
    ['export', tariff.export],
  ] as const) {
    if (schedule && !rules.allowedShapes.includes(schedule.shape)) {
      breaches.push({
        check: 'allowed-shape',
        direction,
        shape: schedule.shape,
        allowed: rules.allowedShapes,
      });
    }
  }
  return breaches;
}

function chargeBreaches(tariff: Tariff, rules: TariffRules): RuleBreach[] {
  const breaches: RuleBreach[] = [];
  const highest = highestRate(tariff.import);
  if (highest.pencePerKwh > rules.maxUnitRatePencePerKwh) {
    breaches.push({ check: 'max-unit-rate', ...highest, limitPencePerKwh: rules.maxUnitRatePencePerKwh });
  }
  if (tariff.contractMonths !== 0) return breaches;
  const cap = rules.priceCap;
  const shape = tariff.import.shape;
  if (cap.appliesToShapes.includes(shape) && highest.pencePerKwh > cap.unitRatePencePerKwh) {
    breaches.push({ check: 'price-cap-unit-rate', ...highest, limitPencePerKwh: cap.unitRatePencePerKwh });
  }
  const standingCapped = (cap.standingChargeAppliesToShapes ?? cap.appliesToShapes).includes(shape);
  if (standingCapped && tariff.standingChargePencePerDay > cap.standingChargePencePerDay) {
    breaches.push({
      check: 'price-cap-standing-charge',
      pencePerDay: tariff.standingChargePencePerDay,
      limitPencePerDay: cap.standingChargePencePerDay,
    });
  }
  return breaches;
}

function exitFeeBreaches(tariff: Tariff, rules: TariffRules): RuleBreach[] {
  const breaches: RuleBreach[] = [];
  if (tariff.exitFeeGbp > 0 && tariff.contractMonths === 0) {
    breaches.push({ check: 'variable-exit-fee', feeGbp: tariff.exitFeeGbp });
  }
  if (tariff.exitFeeGbp > rules.maxExitFeeGbp) {
    breaches.push({ check: 'max-exit-fee', feeGbp: tariff.exitFeeGbp, limitGbp: rules.maxExitFeeGbp });
  }
  return breaches;
}

/** One broken rule, worded for catalogues and the CLI. */
export interface RuleViolation {
  readonly tariffId: string;
  readonly rule: 'price-cap' | 'max-unit-rate' | 'allowed-shape' | 'exit-fee';
  readonly message: string;
}

/** Every rule the tariff breaks (empty when compliant), in pence as catalogues quote tariffs. */
export function tariffViolations(tariff: Tariff, rules: TariffRules): RuleViolation[] {
  return ruleBreaches(tariff, rules).map((breach) => ({
    tariffId: tariff.id,
    ...violationWording(breach),
  }));
}

function violationWording(breach: RuleBreach): Omit<RuleViolation, 'tariffId'> {
  switch (breach.check) {
    case 'allowed-shape':
      return {
        rule: 'allowed-shape',
        message: `${breach.direction} shape "${breach.shape}" is not allowed (allowed: ${breach.allowed.join(', ')})`,
      };
    case 'max-unit-rate':
      return {
        rule: 'max-unit-rate',
        message: `import unit rate can reach ${breach.pencePerKwh} p/kWh, above the maximum ${breach.limitPencePerKwh} p/kWh`,
      };
    case 'price-cap-unit-rate':
      return {
        rule: 'price-cap',
        message: `unit rate ${breach.pencePerKwh} p/kWh is above the price cap ${breach.limitPencePerKwh} p/kWh`,
      };
    case 'price-cap-standing-charge':
      return {
        rule: 'price-cap',
        message: `standing charge ${breach.pencePerDay} p/day is above the price cap ${breach.limitPencePerDay} p/day`,
      };
    case 'variable-exit-fee':
      return {
        rule: 'exit-fee',
        message: `a variable tariff (contractMonths 0) may not charge an exit fee (has £${breach.feeGbp})`,
      };
    case 'max-exit-fee':
      return {
        rule: 'exit-fee',
        message: `exit fee £${breach.feeGbp} is above the maximum £${breach.limitGbp}`,
      };
  }
}

/** Average month length used for fixed terms, minutes. */
const MINUTES_PER_MONTH = (365 / 12) * MINUTES_PER_DAY;

/** The exit fee due when leaving `tariff` at `switchMinute` after a contract that started at `contractStartMinute`. */
export function exitFeeGbp(
  tariff: Tariff,
  contractStartMinute: number,
  switchMinute: number,
  rules: RegulatorRules,
): number {
  if (tariff.contractMonths === 0 || tariff.exitFeeGbp === 0) return 0;
  const contractEndMinute = contractStartMinute + tariff.contractMonths * MINUTES_PER_MONTH;
  if (switchMinute >= contractEndMinute - rules.exitFeeWaivedFinalDays * MINUTES_PER_DAY) return 0;
  return Math.min(tariff.exitFeeGbp, rules.maxExitFeeGbp);
}

/** A randomised start delay, whole seconds in [0, maxStartDelaySeconds], drawn from `rng`. */
export function startDelaySeconds(rules: RegulatorRules, rng: Rng): number {
  return rng.int(rules.maxStartDelaySeconds + 1);
}

/**
 * The start delay for one event, from a stream keyed by `key` (e.g. `${homeId}/ev/${day}`), so the result
 * does not depend on the order in which homes ask.
 */
export function startDelaySecondsFor(rules: RegulatorRules, seed: number, key: string): number {
  return startDelaySeconds(rules, createRng(seed).fork(key));
}
