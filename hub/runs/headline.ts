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

/** What {@link linksHeadline} reads of links.json. */
export interface LinksSummary {
  days: number;
  rows: readonly { latency: number; loss: number; socialCostGbp: number; peakAboveLimitKw: number }[];
  failed: readonly unknown[];
}

/** A `gridflex study links`: social cost without delay or loss, the worst over the grid, and runs failed. */
export function linksHeadline(links: LinksSummary): Record<string, number> {
  const clean = links.rows.find((row) => row.latency === 0 && row.loss === 0);
  return {
    days: links.days,
    runs: links.rows.length + links.failed.length,
    failed: links.failed.length,
    ...(clean ? { cleanLinksSocialCostGbp: clean.socialCostGbp } : {}),
    worstSocialCostGbp: Math.max(...links.rows.map((row) => row.socialCostGbp)),
    worstPeakAboveLimitKw: Math.max(...links.rows.map((row) => row.peakAboveLimitKw)),
  };
}

/** What {@link redTeamHeadline} reads of a red-team study's results.json. */
export interface RedTeamSummary {
  days: number;
  honestHomes: number;
  rows: readonly {
    attack: string | null;
    defences: readonly string[];
    transformerPeakKw: number;
    socialCostGbp: number;
  }[];
}

/**
 * A `gridflex study redteam`: each row's peak and social cost, named `noAttack…`, `attack…` (no defence),
 * `<defence>…` and `allDefences…`.
 */
export function redTeamHeadline(study: RedTeamSummary): Record<string, number> {
  const figures: Record<string, number> = { days: study.days, honestHomes: study.honestHomes };
  for (const row of study.rows) {
    const name =
      row.attack === null
        ? 'noAttack'
        : row.defences.length === 0
          ? 'attack'
          : row.defences.length === 1
            ? (row.defences[0] as string)
            : 'allDefences';
    figures[`${name}PeakKw`] = row.transformerPeakKw;
    figures[`${name}SocialCostGbp`] = row.socialCostGbp;
  }
  return figures;
}
