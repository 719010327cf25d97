/**
 * A community shared battery run by rules a citizens' assembly sets (rules are data: zod schema).
 *
 * Each step, homes ask to store energy (chargeKw, e.g. surplus PV) or draw it (dischargeKw). The battery
 * grants what its rules and physics allow:
 * - physics: total charge <= maxChargeKw, total discharge <= maxDischargeKw (power at the homes' side);
 *   state of charge stays within [reserve, capacity]: charging stores kWh × √η, discharging removes
 *   kWh / √η (η = roundTripEfficiency). Charges and discharges are limited separately (never netted), so
 *   the limits hold whatever mix of requests arrives.
 * - caps per home: at most perHomeMaxKw, and at most perHomeDailyDischargeKwh drawn per day (clock day).
 * - contention (when asks exceed what is available):
 *     'priority'   serve priority groups in `priorityGroups` order (homes in no listed group come last);
 *                  within a group share by `fairShare`;
 *     'shared'     ignore groups; share among everyone by `fairShare`.
 * - fairShare: 'equal' (max-min fair water-filling: nobody gets more than an equal share unless others need
 *   less) or 'proportional' (in proportion to what each asked, capped).
 * Each home's use (stored, drawn, per day) is recorded for the metrics of shared-asset use.
 * The rules also carry the scheme's internal prices and draw window, which the run applies
 * (hub/market/modules/community-battery.ts): this class grants asks, it does not price them.
 *
 * API:
 *   CommunityBatteryRulesSchema / type CommunityBatteryRules;  parseCommunityBatteryRules(value, where)
 *   class CommunityBattery(rules, initialSocKwh = reserve)
 *     step(minuteOfYear, stepMinutes, requests: BatteryRequest[]) -> BatteryStepResult
 *     socKwh (getter); usage() -> ReadonlyMap<homeId, HomeBatteryUsage>
 *   shareFairly(poolKw, claims: {id, wantKw}[], fairShare) -> Map<id, kW>   (pure; used by the battery)
 */
import { z } from 'zod';
import { dayOfYear } from '../environment/calendar.js';
import { InputError } from '../errors.js';
import { formatZodIssues } from './tariff.js';

export const CommunityBatteryRulesSchema = z
  .object({
    capacityKwh: z.number().finite().positive(),
    maxChargeKw: z.number().finite().nonnegative(),
    maxDischargeKw: z.number().finite().nonnegative(),
    roundTripEfficiency: z.number().gt(0).max(1).default(0.9),
    /** Energy kept back (e.g. for a community emergency), kWh. */
    reserveKwh: z.number().finite().nonnegative().default(0),
    perHomeMaxKw: z.number().finite().positive(),
    perHomeDailyDischargeKwh: z.number().finite().positive().optional(),
    /** Highest priority first, e.g. ["medical", "fuel-poor"]. */
    priorityGroups: z.array(z.string().min(1)).default([]),
    contention: z.enum(['priority', 'shared']).default('priority'),
    fairShare: z.enum(['equal', 'proportional']).default('equal'),
    /** What a member pays per kWh drawn (netted off its supplier import), pence. */
    drawPricePencePerKwh: z.number().finite().nonnegative().default(15),
    /** What a member is credited per kWh stored (netted off its supplier export), pence. */
    storeCreditPencePerKwh: z.number().finite().nonnegative().default(10),
    /** Members ask to draw only within this daily window (e.g. the evening peak); absent: at any time. */
    drawWindow: z
      .object({
        from: z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'expected a clock time "HH:MM"'),
        to: z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'expected a clock time "HH:MM"'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((rules) => rules.reserveKwh <= rules.capacityKwh, {
    message: 'reserveKwh must not exceed capacityKwh',
    path: ['reserveKwh'],
  });
export type CommunityBatteryRules = z.infer<typeof CommunityBatteryRulesSchema>;

/** Validates the assembly's rules; errors name `where` and the field. */
export function parseCommunityBatteryRules(value: unknown, where: string): CommunityBatteryRules {
  const result = CommunityBatteryRulesSchema.safeParse(value);
  if (!result.success) throw new InputError(where, formatZodIssues(result.error));
  return result.data;
}

/** A home's ask for this step (one direction; both > 0 is refused). */
export interface BatteryRequest {
  readonly homeId: string;
  /** Priority group as the assembly registered the home (absent: no group). */
  readonly group?: string;
  readonly chargeKw?: number;
  readonly dischargeKw?: number;
}

/** What one home got. */
export interface BatteryGrant {
  readonly homeId: string;
  readonly chargeKw: number;
  readonly dischargeKw: number;
  /** Why it got less than it asked, or "granted in full". */
  readonly reason: string;
}

export interface BatteryStepResult {
  readonly grants: readonly BatteryGrant[];
  readonly socKwhBefore: number;
  readonly socKwhAfter: number;
  /** Total granted charge minus discharge at the homes' side, kW. */
  readonly netChargeKw: number;
}

/** Recorded use by one home. */
export interface HomeBatteryUsage {
  storedKwh: number;
  drawnKwh: number;
  /** Drawn kWh per clock day (day index 0-based). */
  readonly drawnKwhByDay: Map<number, number>;
}

const EPSILON = 1e-12;

/** Divides a pool among claims (each capped at what it wants) by the fair-share rule. */
export function shareFairly(
  poolKw: number,
  claims: readonly { id: string; wantKw: number }[],
  fairShare: 'equal' | 'proportional',
): Map<string, number> {
  const result = new Map<string, number>(claims.map((claim) => [claim.id, 0]));
  const totalWant = claims.reduce((sum, claim) => sum + claim.wantKw, 0);
  if (poolKw <= 0 || totalWant <= 0) return result;
  if (totalWant <= poolKw) {
    for (const claim of claims) result.set(claim.id, claim.wantKw);
    return result;
  }
  if (fairShare === 'proportional') {
    for (const claim of claims) result.set(claim.id, (poolKw * claim.wantKw) / totalWant);
    return result;
  }
  // Max-min fair water-filling: satisfy the smallest asks fully, split the rest equally.
  const sorted = [...claims].sort((a, b) => a.wantKw - b.wantKw || a.id.localeCompare(b.id));
  let remaining = poolKw;
  sorted.forEach((claim, index) => {
    const equalShare = remaining / (sorted.length - index);
    const granted = Math.min(claim.wantKw, equalShare);
    result.set(claim.id, granted);
    remaining -= granted;
  });
  return result;
}

/** A shared battery with recorded per-home use (see the module note for the rules). */
export class CommunityBattery {
  private soc: number;
  private readonly homes = new Map<string, HomeBatteryUsage>();
  private readonly chargeEfficiency: number;

  constructor(
    readonly rules: CommunityBatteryRules,
    initialSocKwh: number = rules.reserveKwh,
  ) {
    if (!(initialSocKwh >= 0 && initialSocKwh <= rules.capacityKwh)) {
      throw new RangeError(`initialSocKwh ${initialSocKwh} must be within 0..${rules.capacityKwh}`);
    }
    this.soc = initialSocKwh;
    this.chargeEfficiency = Math.sqrt(rules.roundTripEfficiency);
  }

  get socKwh(): number {
    return this.soc;
  }

  /** Every home's recorded use so far. */
  usage(): ReadonlyMap<string, HomeBatteryUsage> {
    return this.homes;
  }

  /** Grants this step's requests and updates the state of charge and the use records. */
  step(minuteOfYear: number, stepMinutes: number, requests: readonly BatteryRequest[]): BatteryStepResult {
    if (!(stepMinutes > 0)) throw new RangeError(`stepMinutes must be positive, got ${stepMinutes}`);
    const hours = stepMinutes / 60;
    const day = dayOfYear(minuteOfYear);
    const rules = this.rules;
    const eta = this.chargeEfficiency;
    const socBefore = this.soc;
    const notes = new Map<string, string[]>();
    const note = (homeId: string, text: string) => notes.set(homeId, [...(notes.get(homeId) ?? []), text]);

    const seen = new Set<string>();
    const charge: Claim[] = [];
    const discharge: Claim[] = [];
    for (const request of requests) {
      const chargeKw = request.chargeKw ?? 0;
      const dischargeKw = request.dischargeKw ?? 0;
      if (seen.has(request.homeId)) {
        note(request.homeId, 'a second request this step was ignored');
        continue;
      }
      seen.add(request.homeId);
      if (
        !(chargeKw >= 0 && dischargeKw >= 0 && Number.isFinite(chargeKw + dischargeKw)) ||
        (chargeKw > 0 && dischargeKw > 0)
      ) {
        note(request.homeId, 'refused: ask for one direction with finite kW >= 0');
        continue;
      }
      const group = request.group ?? '';
      const want = Math.max(chargeKw, dischargeKw);
      let capKw = Math.min(want, rules.perHomeMaxKw);
      if (capKw < want) note(request.homeId, `capped at ${rules.perHomeMaxKw} kW per home`);
      if (dischargeKw > 0 && rules.perHomeDailyDischargeKwh !== undefined) {
        const drawnToday = this.homes.get(request.homeId)?.drawnKwhByDay.get(day) ?? 0;
        const leftKw = Math.max(0, rules.perHomeDailyDischargeKwh - drawnToday) / hours;
        if (leftKw < capKw) {
          capKw = leftKw;
          note(
            request.homeId,
            `daily cap ${rules.perHomeDailyDischargeKwh} kWh (${drawnToday.toFixed(2)} kWh drawn today)`,
          );
        }
      }
      if (capKw > 0) {
        const direction = dischargeKw > 0 ? 'discharge' : 'charge';
        (direction === 'discharge' ? discharge : charge).push({
          id: request.homeId,
          group,
          wantKw: capKw,
          direction,
        });
      }
    }

    // Physics: power limits and state-of-charge room, at the homes' side.
    const dischargePoolKw = Math.min(
      rules.maxDischargeKw,
      (Math.max(0, this.soc - rules.reserveKwh) * eta) / hours,
    );
    const chargePoolKw = Math.min(rules.maxChargeKw, Math.max(0, rules.capacityKwh - this.soc) / eta / hours);
    const dischargeGrants = this.allocate(dischargePoolKw, discharge);
    const chargeGrants = this.allocate(chargePoolKw, charge);

    let dischargeTotal = 0;
    let chargeTotal = 0;
    for (const claim of [...discharge, ...charge]) {
      const granted = (claim.direction === 'discharge' ? dischargeGrants : chargeGrants).get(claim.id) ?? 0;
      if (claim.direction === 'discharge') dischargeTotal += granted;
      else chargeTotal += granted;
      if (granted + EPSILON < claim.wantKw) {
        note(
          claim.id,
          `battery ${claim.direction} limit shared (${rules.contention}, ${rules.fairShare}): ${granted.toFixed(3)} of ${claim.wantKw.toFixed(3)} kW`,
        );
      }
    }
    // The pools keep the state of charge within [reserve, capacity]; the clamp only absorbs rounding.
    const floorKwh = Math.min(rules.reserveKwh, socBefore);
    const socAfter = socBefore + chargeTotal * hours * eta - (dischargeTotal * hours) / eta;
    this.soc = Math.min(rules.capacityKwh, Math.max(floorKwh, socAfter));

    const grants: BatteryGrant[] = [];
    for (const homeId of seen) {
      const dischargeKw = dischargeGrants.get(homeId) ?? 0;
      const chargeKw = chargeGrants.get(homeId) ?? 0;
      grants.push({
        homeId,
        chargeKw,
        dischargeKw,
        reason: (notes.get(homeId) ?? ['granted in full']).join('; '),
      });
      if (chargeKw > 0 || dischargeKw > 0) this.record(homeId, day, chargeKw * hours, dischargeKw * hours);
    }
    return {
      grants,
      socKwhBefore: socBefore,
      socKwhAfter: this.soc,
      netChargeKw: chargeTotal - dischargeTotal,
    };
  }

  private allocate(poolKw: number, claims: readonly Claim[]): Map<string, number> {
    if (this.rules.contention === 'shared') return shareFairly(poolKw, claims, this.rules.fairShare);
    const groups = this.rules.priorityGroups;
    const rank = (group: string) => {
      const index = groups.indexOf(group);
      return index === -1 ? groups.length : index;
    };
    const result = new Map<string, number>();
    let remaining = poolKw;
    for (let level = 0; level <= groups.length; level++) {
      const tier = claims.filter((claim) => rank(claim.group) === level);
      const shares = shareFairly(remaining, tier, this.rules.fairShare);
      for (const [id, kw] of shares) {
        result.set(id, kw);
        remaining -= kw;
      }
      remaining = Math.max(0, remaining);
    }
    return result;
  }

  private record(homeId: string, day: number, storedKwh: number, drawnKwh: number): void {
    let usage = this.homes.get(homeId);
    if (!usage) {
      usage = { storedKwh: 0, drawnKwh: 0, drawnKwhByDay: new Map() };
      this.homes.set(homeId, usage);
    }
    usage.storedKwh += storedKwh;
    usage.drawnKwh += drawnKwh;
    if (drawnKwh > 0) usage.drawnKwhByDay.set(day, (usage.drawnKwhByDay.get(day) ?? 0) + drawnKwh);
  }
}

interface Claim {
  readonly id: string;
  readonly group: string;
  /** After per-home caps. */
  readonly wantKw: number;
  readonly direction: 'charge' | 'discharge';
}
