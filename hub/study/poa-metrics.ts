/**
 * The price-of-anarchy figures of a study: social cost per policy, the spread of benefits against the
 * no-control baseline, and the ratios that compare selfish, cooperative and central control.
 */
import { STATUTORY_VOLTS } from '../feeder/network.js';
import { type MarketOutcome, marketCounterpartyGainGbp } from '../market/modules.js';
import { decileMeans, gini } from './spread.js';

export { decileMeans, gini };

/** What the study needs of one policy's run (a subset of the year runner's result). */
export interface PolicyRunSummary {
  stepMinutes: number;
  homes: { home: string; billGbp: number; carbonKg: number }[];
  network: { transformerPeakKw: number; busMinutesOutsideStatutoryLimits: number };
  totals: { billsGbp: number; carbonKg: number };
  /** What the suppliers paid for the energy and the network their customers used. */
  suppliers: { wholesaleCostGbp: number; networkCostGbp: number }[];
  networkStress: { lines: { line: string; maxLoadingPct: number; overloadSteps: number }[] };
  /** What the scenario's market module did (absent for retail only). */
  market?: MarketOutcome;
}

/** How network and carbon are priced into social cost. */
export interface SocialCostPricing {
  /** Rating the peak is measured against, kW. */
  transformerRatingKw: number;
  /** Reinforcement cost per kW of peak above the rating, £/kW. */
  reinforcementGbpPerKw: number;
  /** Carbon price, £/kg (0 to leave carbon out). */
  carbonPriceGbpPerKg: number;
}

export interface PolicyFigures {
  socialCostGbp: number;
  billsGbp: number;
  /**
   * What the market module's counterparty gained from the homes (the flexibility auction's operator: minus
   * what it paid them; the community battery's scheme: the members' draw payments less their store credits).
   * The bills count it; social cost does not, as money that only moved between the homes and that party.
   */
  marketCounterpartyGainGbp: number;
  /**
   * The real resource cost within social cost: energy at wholesale and the network charges the suppliers
   * paid, carbon at its price and reinforcement.
   */
  resourceCostGbp: number;
  /** The rest of social cost: suppliers' margins and settlements between homes, which move money only. */
  transfersGbp: number;
  /** Rated lines loaded above 100 % at least once. */
  linesOverRating: number;
  /** Σ over lines of the hours each spent above its rating. */
  lineOverloadHours: number;
  /** The network limits the policy broke, in words (empty when it kept them all). */
  limitsBroken: string[];
  reinforcementGbp: number;
  carbonCostGbp: number;
  transformerPeakKw: number;
  busMinutesOutsideStatutoryLimits: number;
  /**
   * Central and cooperative: whether their plans kept the linearised network rows they plan against, and what
   * the power flow still found, in words ({@link plannedLimitsInWords}).
   */
  plannedLimits?: string;
  /** Gini coefficient of the per-home benefit (passive bill − this policy's bill); null when the mean benefit is ≤ 0. */
  giniOfBenefit: number | null;
  /** Mean benefit per decile of homes, decile 1 = the homes with the smallest passive bills. */
  benefitPerDecileGbp: number[];
}

/** What a run's peak and carbon cost: reinforcement for the peak above the rating, carbon at its price. */
function socialCostParts(
  transformerPeakKw: number,
  carbonKg: number,
  pricing: SocialCostPricing,
): { reinforcementGbp: number; carbonCostGbp: number } {
  const excessKw = Math.max(0, transformerPeakKw - pricing.transformerRatingKw);
  return {
    reinforcementGbp: excessKw * pricing.reinforcementGbpPerKw,
    carbonCostGbp: carbonKg * pricing.carbonPriceGbpPerKg,
  };
}

/** What a run's social cost is summed from: the year runner's result has these fields. */
export interface SocialCostInputs {
  network: { transformerPeakKw: number };
  totals: { billsGbp: number; carbonKg: number };
  market?: MarketOutcome;
}

/**
 * Social cost = bills − what the market module's counterparty gained from them + reinforcement for the peak
 * above the rating + carbon at its price. The one place it is summed: the PoA study and the sweep's rows.
 */
export function socialCostSum(
  run: SocialCostInputs,
  pricing: SocialCostPricing,
): {
  socialCostGbp: number;
  billsNetGbp: number;
  counterpartyGainGbp: number;
  reinforcementGbp: number;
  carbonCostGbp: number;
} {
  const { reinforcementGbp, carbonCostGbp } = socialCostParts(
    run.network.transformerPeakKw,
    run.totals.carbonKg,
    pricing,
  );
  const counterpartyGainGbp = marketCounterpartyGainGbp(run.market);
  const billsNetGbp = run.totals.billsGbp - counterpartyGainGbp;
  return {
    socialCostGbp: billsNetGbp + reinforcementGbp + carbonCostGbp,
    billsNetGbp,
    counterpartyGainGbp,
    reinforcementGbp,
    carbonCostGbp,
  };
}

/** A policy's social cost, its resource and transfer parts and the limits it broke. */
export function socialCost(
  run: PolicyRunSummary,
  pricing: SocialCostPricing,
): Omit<PolicyFigures, 'giniOfBenefit' | 'benefitPerDecileGbp'> {
  const { socialCostGbp, billsNetGbp, counterpartyGainGbp, reinforcementGbp, carbonCostGbp } = socialCostSum(
    run,
    pricing,
  );
  const energyAndNetworkGbp = run.suppliers.reduce(
    (sum, supplier) => sum + supplier.wholesaleCostGbp + supplier.networkCostGbp,
    0,
  );
  const overloaded = run.networkStress.lines.filter((line) => line.overloadSteps > 0);
  const lineOverloadHours =
    (overloaded.reduce((sum, line) => sum + line.overloadSteps, 0) * run.stepMinutes) / 60;
  return {
    socialCostGbp,
    billsGbp: run.totals.billsGbp,
    marketCounterpartyGainGbp: counterpartyGainGbp,
    resourceCostGbp: energyAndNetworkGbp + carbonCostGbp + reinforcementGbp,
    transfersGbp: billsNetGbp - energyAndNetworkGbp,
    linesOverRating: overloaded.length,
    lineOverloadHours,
    limitsBroken: limitsBroken(run, pricing, overloaded.length, lineOverloadHours),
    reinforcementGbp,
    carbonCostGbp,
    transformerPeakKw: run.network.transformerPeakKw,
    busMinutesOutsideStatutoryLimits: run.network.busMinutesOutsideStatutoryLimits,
  };
}

/** The network limits a run broke, in words for the report. */
function limitsBroken(
  run: PolicyRunSummary,
  pricing: SocialCostPricing,
  linesOverRating: number,
  lineOverloadHours: number,
): string[] {
  const broken: string[] = [];
  const { transformerPeakKw, busMinutesOutsideStatutoryLimits } = run.network;
  if (transformerPeakKw > pricing.transformerRatingKw) {
    broken.push(
      `the street limit: peak ${transformerPeakKw.toFixed(1)} kW against ${pricing.transformerRatingKw.toFixed(1)} kW`,
    );
  }
  if (linesOverRating > 0) {
    broken.push(
      `cable ratings: ${linesOverRating} line${linesOverRating === 1 ? '' : 's'} over rating for ${lineOverloadHours.toFixed(1)} line-hours`,
    );
  }
  if (busMinutesOutsideStatutoryLimits > 0) {
    broken.push(
      `the statutory voltage band: ${busMinutesOutsideStatutoryLimits} customer bus-minutes outside ${STATUTORY_VOLTS.min}–${STATUTORY_VOLTS.max} V`,
    );
  }
  return broken;
}

/**
 * Central's social cost may exceed another policy's by this share and still count as the optimum: it is
 * the optimum of each planning window (a day and a half, re-planned daily, on the homes' forecasts), not
 * of the whole year, and its plans leave out what a market module settles after them.
 */
export const OPTIMUM_TOLERANCE_PCT = 1;

/** Whether central, the social optimum by design, has the lowest social cost of all the policies. */
export interface OptimumCheck {
  tolerancePct: number;
  /** Central is within the tolerance of the social cost of every policy that kept the limits it kept. */
  holds: boolean;
  /** The policy, among those that kept the limits central kept, whose social cost is furthest below central's, if any is below it. */
  cheaperPolicy: string | null;
  /** How far central is above that policy, £ and % (0 when none is below). */
  excessGbp: number;
  excessPct: number;
  /**
   * Policies cheaper than central beyond the tolerance that broke a limit central kept and social cost does not
   * price (the voltage band, cable ratings: no cited GB unit cost yet): they are outside central's problem, so
   * they do not count against it; the statement names each and what it broke.
   */
  cheaperByBreakingLimits: string[];
  statement: string;
}

export interface PoaReport {
  pricing: SocialCostPricing;
  policies: Record<string, PolicyFigures>;
  optimumCheck: OptimumCheck;
  /** Social cost of selfish over that of central (≥ 1 when central is the optimum). */
  priceOfAnarchy: number;
  /** (Selfish peak − cooperative peak) as a % of the transformer rating. */
  headroomLostPct: number;
  /** (Cooperative − central) social cost as a % of central's. */
  cooperativeGapPct: number;
}

/**
 * Builds the report from runs of at least `passive`, `selfish`, `cooperative` and `central` on the same
 * inputs. Homes are matched by name.
 */
export function poaReport(
  runs: Readonly<Record<string, PolicyRunSummary>>,
  pricing: SocialCostPricing,
): PoaReport {
  for (const name of ['passive', 'selfish', 'cooperative', 'central']) {
    if (!runs[name]) throw new TypeError(`poaReport needs a "${name}" run`);
  }
  const passive = runs.passive as PolicyRunSummary;
  const passiveBill = new Map(passive.homes.map((home) => [home.home, home.billGbp]));
  const order = passive.homes
    .map((home, index) => ({ index, bill: home.billGbp }))
    .sort((a, b) => a.bill - b.bill || a.index - b.index)
    .map((entry) => entry.index);

  const policies: Record<string, PolicyFigures> = {};
  for (const [name, run] of Object.entries(runs)) {
    const benefits = passive.homes.map((baseline) => {
      const home = run.homes.find((candidate) => candidate.home === baseline.home);
      if (!home) throw new TypeError(`run "${name}" has no home "${baseline.home}"`);
      return (passiveBill.get(baseline.home) as number) - home.billGbp;
    });
    policies[name] = {
      ...socialCost(run, pricing),
      giniOfBenefit: gini(benefits),
      benefitPerDecileGbp: decileMeans(benefits, order),
    };
  }
  const figures = (name: string) => policies[name] as PolicyFigures;
  return {
    pricing,
    policies,
    optimumCheck: optimumCheck(policies),
    priceOfAnarchy: figures('selfish').socialCostGbp / figures('central').socialCostGbp,
    headroomLostPct:
      (100 * (figures('selfish').transformerPeakKw - figures('cooperative').transformerPeakKw)) /
      pricing.transformerRatingKw,
    cooperativeGapPct:
      (100 * (figures('cooperative').socialCostGbp - figures('central').socialCostGbp)) /
      figures('central').socialCostGbp,
  };
}

/**
 * Checks that central has the lowest social cost of `policies`, within {@link OPTIMUM_TOLERANCE_PCT}, among the
 * policies that kept every unpriced limit central kept: central minimises social cost subject to those limits,
 * so a policy that broke one solved an easier problem and may cost less (the statement says by how much).
 */
export function optimumCheck(policies: Readonly<Record<string, PolicyFigures>>): OptimumCheck {
  const central = policies.central as PolicyFigures;
  const others = Object.entries(policies)
    .filter(([name]) => name !== 'central')
    .sort(([, a], [, b]) => a.socialCostGbp - b.socialCostGbp)
    .map(([name, figures]) => {
      const excessGbp = Math.max(0, central.socialCostGbp - figures.socialCostGbp);
      const excessPct = excessGbp > 0 ? (100 * excessGbp) / figures.socialCostGbp : 0;
      const broken = unpricedLimitsKeptOnlyByCentral(central, figures);
      return {
        name,
        excessGbp,
        excessPct,
        brokeToSave: excessPct > OPTIMUM_TOLERANCE_PCT && broken.length > 0,
        broken,
      };
    });
  const breakingLimits = others.filter((other) => other.brokeToSave);
  const cheapest = others.find((other) => !other.brokeToSave);
  const excessGbp = cheapest?.excessGbp ?? 0;
  const excessPct = cheapest?.excessPct ?? 0;
  const holds = excessPct <= OPTIMUM_TOLERANCE_PCT;
  const cheaperPolicy = excessGbp > 0 && cheapest ? cheapest.name : null;
  const comparison =
    cheaperPolicy === null
      ? `central has the lowest social cost of all policies${breakingLimits.length > 0 ? ' that kept the limits it kept' : ''}`
      : `central's social cost is £${excessGbp.toFixed(2)} (${excessPct.toFixed(2)} %) above ${cheaperPolicy}'s, ${holds ? 'within' : 'beyond'} the ${OPTIMUM_TOLERANCE_PCT} % tolerance`;
  const exceptions = breakingLimits.map(
    (other) =>
      `${other.name} cost £${other.excessGbp.toFixed(2)} (${other.excessPct.toFixed(2)} %) less by breaking ${other.broken.join(' and ')}, which central kept and social cost does not price`,
  );
  return {
    tolerancePct: OPTIMUM_TOLERANCE_PCT,
    holds,
    cheaperPolicy,
    excessGbp,
    excessPct,
    cheaperByBreakingLimits: breakingLimits.map((other) => other.name),
    statement: [comparison, ...exceptions].join('; '),
  };
}

/**
 * The unpriced limits `figures` broke and central kept, in words (empty when none): social cost prices the peak
 * above the street limit (reinforcement) but neither the voltage band nor cable ratings.
 */
function unpricedLimitsKeptOnlyByCentral(central: PolicyFigures, figures: PolicyFigures): string[] {
  const broken: string[] = [];
  if (figures.busMinutesOutsideStatutoryLimits > 0 && central.busMinutesOutsideStatutoryLimits === 0) {
    broken.push(
      `the statutory voltage band (${figures.busMinutesOutsideStatutoryLimits} customer bus-minutes outside ${STATUTORY_VOLTS.min}–${STATUTORY_VOLTS.max} V)`,
    );
  }
  if (figures.linesOverRating > 0 && central.linesOverRating === 0) {
    broken.push(
      `cable ratings (${figures.linesOverRating} line${figures.linesOverRating === 1 ? '' : 's'} over rating for ${figures.lineOverloadHours.toFixed(1)} line-hours)`,
    );
  }
  return broken;
}

/** How a street policy's plans fared against the linearised network rows over a run (its FleetReport). */
export interface PlannedLimits {
  windows: number;
  /** Windows whose plans left a row broken (beyond LP round-off). */
  windowsBreakingLimits: number;
  /** The largest violation left, kW or V. */
  maxViolation: number;
  /** Windows whose coordination ran out of rounds before it converged (0 for central). */
  unconvergedWindows: number;
  /** Windows in which the coordinator's master reached its nonzero budget and kept no further rows (cooperative). */
  windowsAtRowBudget?: number;
  /** Windows whose plan, made again at its own reactive power as often as the policy does, still broke a row. */
  windowsOutOfReactivePasses?: number;
  /** The largest duality gap a window's coordination ended with, £ (cooperative): what an unconverged window may cost above its rows' optimum. */
  maxGapGbp?: number;
}

/**
 * Whether a policy kept the linearised voltage and cable rows in every planning window, why not where it did
 * not, and what the full power flow found all the same, in words: "cooperative kept the linearised voltage and
 * cable rows in all 7 planning windows; the power flow still found 1,320 bus-minutes outside 216.2–253 V
 * (linearisation error up to 2.3 V)". `linearisationErrorVolts` null: planned without voltage rows.
 */
export function plannedLimitsInWords(
  name: string,
  planned: PlannedLimits,
  busMinutesOutside: number,
  linearisationErrorVolts: number | null,
): string {
  const band = `${STATUTORY_VOLTS.min}–${STATUTORY_VOLTS.max} V`;
  const rows = linearisationErrorVolts === null ? 'cable rows (no voltage rows)' : 'voltage and cable rows';
  const error =
    linearisationErrorVolts === null
      ? ''
      : ` (linearisation error up to ${linearisationErrorVolts.toFixed(1)} V)`;
  const found =
    busMinutesOutside > 0
      ? `${busMinutesOutside.toLocaleString('en-GB')} bus-minutes outside ${band}${error}`
      : `every customer within ${band}`;
  const {
    windows,
    windowsBreakingLimits: broken,
    unconvergedWindows,
    windowsAtRowBudget = 0,
    windowsOutOfReactivePasses = 0,
  } = planned;
  const windowsWord = (count: number) => `${count} window${count === 1 ? '' : 's'}`;
  const gapGbp = planned.maxGapGbp;
  const gap =
    gapGbp === undefined || unconvergedWindows === 0
      ? ''
      : Number.isFinite(gapGbp)
        ? ` (duality gap up to £${gapGbp.toFixed(2)}: their plans cost at most that above the optimum of their rows)`
        : ' (in some with no lower bound on the optimum of their rows)';
  if (broken === 0) {
    const unconverged =
      unconvergedWindows > 0
        ? `, though its coordination ran out of rounds before converging in ${windowsWord(unconvergedWindows)}${gap}`
        : '';
    return `${name} kept the linearised ${rows} in all ${windows} planning windows${unconverged}; the power flow ${busMinutesOutside > 0 ? 'still ' : ''}found ${found}`;
  }
  const reasons = [
    ...(windowsAtRowBudget > 0
      ? [
          `its coordinator's master LP reached its row budget (HiGHS's memory) in ${windowsWord(windowsAtRowBudget)} and could keep no further rows there`,
        ]
      : []),
    ...(unconvergedWindows > 0
      ? [`its coordination ran out of rounds before converging in ${windowsWord(unconvergedWindows)}${gap}`]
      : []),
    ...(windowsOutOfReactivePasses > 0
      ? [
          `its plans, made again at their own reactive power as often as it does, still broke a voltage row in ${windowsWord(windowsOutOfReactivePasses)}`,
        ]
      : []),
  ];
  const why =
    reasons.length > 0
      ? reasons.join(', and ')
      : "no plan of the homes' devices kept them at less than the cost of breaking them";
  return `${name} could not keep the linearised ${rows} in ${broken} of ${windows} planning windows (by up to ${planned.maxViolation.toFixed(2)} kW or V) because ${why}; the power flow found ${found}`;
}
