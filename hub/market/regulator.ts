/**
 * Regulator rules as data, and pure checks against them.
 *
 * API:
 *   RegulatorRulesSchema / type RegulatorRules;  GB_DEFAULT_RULES (Ofgem-like, see uk-energy-facts.md)
 *   tariffViolations(tariff, rules) -> RuleViolation[]     price cap, maximum unit rate, allowed shapes, exit fees
 *   exitFeeGbp(tariff, contractStartMinute, switchMinute, rules) -> number
 *       0 for variable tariffs and in the final `exitFeeWaivedFinalDays` days of a fixed term; else
 *       min(tariff.exitFeeGbp, rules.maxExitFeeGbp)
 *   startDelaySeconds(rules, rng) -> integer in [0, maxStartDelaySeconds]   (smart-charger randomised delay)
 *   startDelaySecondsFor(rules, seed, key) -> the same, from its own stream (order-independent: one per key)
 *
 * The price cap applies to variable (contractMonths 0) tariffs whose import shape is listed in
 * `priceCap.appliesToShapes` (default flat): unit rate and standing charge must not exceed the cap.
 * Every tariff's highest possible import unit rate (a band, or a dynamic cap) must not exceed
 * `maxUnitRatePencePerKwh`.
 */
import { z } from 'zod';
import { MINUTES_PER_DAY } from '../environment/calendar.js';
import { createRng, type Rng } from '../random.js';
import { type RateSchedule, TARIFF_SHAPES, type Tariff } from './tariff.js';

export const RegulatorRulesSchema = z
  .object({
    priceCap: z
      .object({
        unitRatePencePerKwh: z.number().finite().positive(),
        standingChargePencePerDay: z.number().finite().nonnegative(),
        appliesToShapes: z.array(z.enum(['flat', 'time-of-use', 'dynamic'])).default(['flat']),
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

/** One broken rule. */
export interface RuleViolation {
  readonly tariffId: string;
  readonly rule: 'price-cap' | 'max-unit-rate' | 'allowed-shape' | 'exit-fee';
  readonly message: string;
}

/** The highest import unit rate a schedule can charge, p/kWh. */
export function highestRatePencePerKwh(schedule: RateSchedule): number {
  switch (schedule.shape) {
    case 'flat':
      return schedule.unitRatePencePerKwh;
    case 'time-of-use':
      return Math.max(
        schedule.otherTimesPencePerKwh,
        ...schedule.bands.map((band) => band.unitRatePencePerKwh),
      );
    case 'dynamic':
      return schedule.capPencePerKwh;
  }
}

/** Every rule the tariff breaks (empty when compliant). */
export function tariffViolations(tariff: Tariff, rules: RegulatorRules): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const add = (rule: RuleViolation['rule'], message: string) =>
    violations.push({ tariffId: tariff.id, rule, message });
  for (const [direction, schedule] of [
    ['import', tariff.import],
    ['export', tariff.export],
  ] as const) {
    if (schedule && !rules.allowedShapes.includes(schedule.shape)) {
      add(
        'allowed-shape',
        `${direction} shape "${schedule.shape}" is not allowed (allowed: ${rules.allowedShapes.join(', ')})`,
      );
    }
  }
  const highest = highestRatePencePerKwh(tariff.import);
  if (highest > rules.maxUnitRatePencePerKwh) {
    add(
      'max-unit-rate',
      `import unit rate can reach ${highest} p/kWh, above the maximum ${rules.maxUnitRatePencePerKwh} p/kWh`,
    );
  }
  const cap = rules.priceCap;
  if (tariff.contractMonths === 0 && cap.appliesToShapes.includes(tariff.import.shape)) {
    if (highest > cap.unitRatePencePerKwh) {
      add('price-cap', `unit rate ${highest} p/kWh is above the price cap ${cap.unitRatePencePerKwh} p/kWh`);
    }
    if (tariff.standingChargePencePerDay > cap.standingChargePencePerDay) {
      add(
        'price-cap',
        `standing charge ${tariff.standingChargePencePerDay} p/day is above the price cap ${cap.standingChargePencePerDay} p/day`,
      );
    }
  }
  if (tariff.exitFeeGbp > 0 && tariff.contractMonths === 0) {
    add(
      'exit-fee',
      `a variable tariff (contractMonths 0) may not charge an exit fee (has £${tariff.exitFeeGbp})`,
    );
  }
  if (tariff.exitFeeGbp > rules.maxExitFeeGbp) {
    add('exit-fee', `exit fee £${tariff.exitFeeGbp} is above the maximum £${rules.maxExitFeeGbp}`);
  }
  return violations;
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
