/**
 * Should a home switch tariff? A pure helper the residents' agents call with their own forecast.
 *
 * Every catalogue tariff the home is eligible for, the resident accepts and the rules allow is billed on
 * the same forecast (the forecast is not re-optimised per tariff: a conservative estimate for flexible
 * homes). The saving is annualised from the forecast's length; the exit fee (if any) is subtracted once.
 * The agent should switch when the net annual saving reaches the resident's threshold.
 *
 * API:
 *   evaluateSwitch(forecastSteps, currentTariff, catalogue, rules, willingness, options?) -> SwitchEvaluation
 *   switchCandidates(currentTariff, catalogue, rules, willingness) -> Tariff[]   (the alternatives it compares)
 */
import { DAYS_PER_YEAR } from '../environment/calendar.js';
import type { TariffCatalogue } from './catalogue.js';
import { exitFeeGbp, type RegulatorRules, tariffViolations } from './regulator.js';
import { type BillStep, billForSeries, type Eligibility, type Tariff, type TariffShape } from './tariff.js';

/** How willing a resident is to switch, and what the home can use. */
export interface SwitchWillingness {
  /** Net saving per year (after exit fees) below which the resident does not bother, £/yr (>= 0). */
  minSavingGbpPerYear: number;
  /** The home's assets, for tariff eligibility (e.g. ['ev', 'smart-meter']). */
  assets: readonly Eligibility[];
  /** Import shapes the resident accepts (default: all). */
  acceptedShapes?: readonly TariffShape[];
  /** Whether the resident accepts a fixed-term contract (default true). */
  acceptsFixedTerm?: boolean;
}

/** Timing of the forecast and of the current contract. */
export interface SwitchEvaluationOptions {
  /** Length of each forecast step (default 30). */
  stepMinutes?: number;
  /** Minute of year at which the forecast's first step starts (default 0). */
  startMinuteOfYear?: number;
  /** When the current contract started, for exit fees (default 0). */
  contractStartMinute?: number;
  /** When the switch would happen, for exit fees (default startMinuteOfYear). */
  switchMinute?: number;
}

/** The result of comparing tariffs on a forecast. */
export interface SwitchEvaluation {
  /** The tariff to switch to, or null to stay. */
  readonly switchTo: Tariff | null;
  /** The cheapest eligible alternative, even when not worth switching (null if none). */
  readonly bestAlternative: Tariff | null;
  readonly forecastDays: number;
  readonly currentCostGbp: number;
  readonly bestAlternativeCostGbp: number | null;
  /** (current − best alternative) × 365 / forecastDays − exit fee, £/yr (0 without an alternative). */
  readonly netSavingGbpPerYear: number;
  readonly exitFeeGbp: number;
  /** Every candidate billed on the forecast, cheapest first (the current tariff included). */
  readonly ranked: readonly { tariffId: string; costGbp: number }[];
  readonly explanation: string;
}

const money = (gbp: number) => `£${gbp.toFixed(2)}`;

/** The catalogue's tariffs, other than the current one, that the home may take, the resident accepts and the rules allow. */
export function switchCandidates(
  currentTariff: Tariff,
  catalogue: TariffCatalogue,
  rules: RegulatorRules,
  willingness: Omit<SwitchWillingness, 'minSavingGbpPerYear'>,
): Tariff[] {
  return catalogue.tariffs.filter(
    (tariff) =>
      tariff.id !== currentTariff.id &&
      tariff.requires.every((need) => willingness.assets.includes(need)) &&
      (willingness.acceptedShapes ?? [tariff.import.shape]).includes(tariff.import.shape) &&
      (willingness.acceptsFixedTerm !== false || tariff.contractMonths === 0) &&
      tariffViolations(tariff, rules).length === 0,
  );
}

/** Compares the current tariff with every acceptable alternative on the forecast. */
export function evaluateSwitch(
  forecastSteps: readonly BillStep[],
  currentTariff: Tariff,
  catalogue: TariffCatalogue,
  rules: RegulatorRules,
  willingness: SwitchWillingness,
  options: SwitchEvaluationOptions = {},
): SwitchEvaluation {
  const stepMinutes = options.stepMinutes ?? 30;
  const startMinute = options.startMinuteOfYear ?? 0;
  const cost = (tariff: Tariff) => billForSeries(tariff, forecastSteps, stepMinutes, startMinute).totalGbp;
  const forecastDays = (forecastSteps.length * stepMinutes) / 1440;
  const currentCostGbp = cost(currentTariff);

  const candidates = switchCandidates(currentTariff, catalogue, rules, willingness);
  const ranked = [currentTariff, ...candidates]
    .map((tariff) => ({ tariff, costGbp: tariff === currentTariff ? currentCostGbp : cost(tariff) }))
    .sort((a, b) => a.costGbp - b.costGbp || a.tariff.id.localeCompare(b.tariff.id));
  const best = ranked.find((entry) => entry.tariff !== currentTariff);
  const exitFee = exitFeeGbp(
    currentTariff,
    options.contractStartMinute ?? 0,
    options.switchMinute ?? startMinute,
    rules,
  );
  const rankedOut = ranked.map((entry) => ({ tariffId: entry.tariff.id, costGbp: entry.costGbp }));
  if (!best || forecastDays === 0) {
    return {
      switchTo: null,
      bestAlternative: null,
      forecastDays,
      currentCostGbp,
      bestAlternativeCostGbp: null,
      netSavingGbpPerYear: 0,
      exitFeeGbp: exitFee,
      ranked: rankedOut,
      explanation: `Stay on ${currentTariff.id}: no eligible alternative to compare on a ${forecastDays.toFixed(1)}-day forecast.`,
    };
  }
  const grossGbpPerYear = ((currentCostGbp - best.costGbp) * DAYS_PER_YEAR) / forecastDays;
  const netSavingGbpPerYear = grossGbpPerYear - exitFee;
  const worthIt = netSavingGbpPerYear >= willingness.minSavingGbpPerYear && netSavingGbpPerYear > 0;
  const comparison =
    `on a ${forecastDays.toFixed(1)}-day forecast ${currentTariff.id} costs ${money(currentCostGbp)} and ` +
    `${best.tariff.id} ${money(best.costGbp)}, about ${money(grossGbpPerYear)}/yr less` +
    (exitFee > 0 ? ` before a ${money(exitFee)} exit fee (net ${money(netSavingGbpPerYear)}/yr)` : '');
  const explanation = worthIt
    ? `Switch ${currentTariff.id} -> ${best.tariff.id}: ${comparison}, at or above the ${money(willingness.minSavingGbpPerYear)}/yr threshold.`
    : `Stay on ${currentTariff.id}: ${comparison}, below the ${money(willingness.minSavingGbpPerYear)}/yr threshold.`;
  return {
    switchTo: worthIt ? best.tariff : null,
    bestAlternative: best.tariff,
    forecastDays,
    currentCostGbp,
    bestAlternativeCostGbp: best.costGbp,
    netSavingGbpPerYear,
    exitFeeGbp: exitFee,
    ranked: rankedOut,
    explanation,
  };
}
