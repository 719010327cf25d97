/** The headline figures the run history keeps per kind of run (what `runs list` and `runs compare` show). */
import type { Metrics } from '../sim/metrics.js';

/** A `gridflex run`: bills, carbon and network figures, each with its change against passive. */
export function runHeadline(metrics: Metrics): Record<string, number> {
  const { totals, network } = metrics;
  return {
    homes: metrics.perHome.length,
    days: metrics.days,
    billsGbp: totals.billsGbp,
    billsVsPassiveGbp: totals.vsPassive.billsGbp,
    carbonKg: totals.carbonKg,
    carbonVsPassiveKg: totals.vsPassive.carbonKg,
    transformerPeakKw: network.transformerPeakKw,
    transformerPeakVsPassiveKw: network.vsPassive.transformerPeakKw,
    transformerPeakLoadingPct: network.transformerPeakLoadingPct,
    minVoltageV: network.minVoltageV,
    maxVoltageV: network.maxVoltageV,
    busMinutesOutsideStatutoryLimits: network.busMinutesOutsideStatutoryLimits,
    lossesKwh: network.lossesKwh,
    switchesCompleted: metrics.switching.completed + metrics.switching.completedLate,
  };
}

/** What {@link poaHeadline} reads of poa.json. */
export interface PoaSummary {
  homes: number;
  days: number;
  priceOfAnarchy: number;
  headroomLostPct: number;
  cooperativeGapPct: number;
  policies: Record<string, { socialCostGbp: number; transformerPeakKw: number }>;
}

/** A `gridflex study poa`: the ratios and each policy's social cost and peak. */
export function poaHeadline(poa: PoaSummary): Record<string, number> {
  const figures: Record<string, number> = {
    homes: poa.homes,
    days: poa.days,
    priceOfAnarchy: poa.priceOfAnarchy,
    headroomLostPct: poa.headroomLostPct,
    cooperativeGapPct: poa.cooperativeGapPct,
  };
  for (const [policy, values] of Object.entries(poa.policies)) {
    figures[`${policy}SocialCostGbp`] = values.socialCostGbp;
    figures[`${policy}PeakKw`] = values.transformerPeakKw;
  }
  return figures;
}

/** A `gridflex study sweep`: how many runs, how many failed. */
export function sweepHeadline(summary: {
  total: number;
  ranNow: number;
  resumed: number;
  failed: number;
}): Record<string, number> {
  return { runs: summary.total, ranNow: summary.ranNow, resumed: summary.resumed, failed: summary.failed };
}
