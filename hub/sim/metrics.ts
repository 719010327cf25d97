/**
 * metrics.json: a run's figures per home, for the network, per supplier and in total, each with its change
 * against the passive (no-control) baseline on the same scenario. Deterministic: no timings, fixed rounding.
 */

import type { LinksOutcome } from '../engine/links.js';
import type { InfluenceOutcome } from '../engine/participants/influence.js';
import { type MarketMetrics, marketMetrics } from '../market/modules.js';
import type { HomeOutcome, NetworkOutcome, SupplierOutcome, YearResult } from './runner.js';

const HOME_FIGURES = [
  'billGbp',
  'importKwh',
  'exportKwh',
  'carbonKg',
  'comfortDegreeHoursOutside',
  'evShortfallKwh',
  'switches',
] as const;
const NETWORK_FIGURES = [
  'transformerPeakKw',
  'transformerPeakLoadingPct',
  'minVoltageV',
  'maxVoltageV',
  'busMinutesOutsideStatutoryLimits',
  'lossesKwh',
  'transformerOverloadSteps',
] as const;
const SUPPLIER_FIGURES = ['profitGbp', 'customers'] as const;
const TOTAL_FIGURES = ['billsGbp', 'carbonKg', 'importKwh', 'exportKwh'] as const;

type Deltas<K extends string> = Record<K, number>;

export interface HomeMetrics extends HomeOutcome {
  vsPassive: Deltas<(typeof HOME_FIGURES)[number]>;
}
export interface NetworkMetrics extends NetworkOutcome {
  vsPassive: Deltas<(typeof NETWORK_FIGURES)[number]>;
}
export interface SupplierMetrics extends SupplierOutcome {
  vsPassive: Deltas<(typeof SUPPLIER_FIGURES)[number]>;
}

/** metrics.json; the market module adds its keys (MarketMetrics: flexAuction, sharedAssets, …). */
export interface Metrics extends MarketMetrics {
  scenario: string;
  policy: string;
  seed: number;
  startDay: number;
  days: number;
  /** Days simulated before the start and left out of every figure (absent: none). */
  warmUpDays?: number;
  stepMinutes: number;
  perHome: HomeMetrics[];
  network: NetworkMetrics;
  suppliers: SupplierMetrics[];
  totals: YearResult['totals'] & { vsPassive: Deltas<(typeof TOTAL_FIGURES)[number]> };
  switching: { requests: number; completed: number; completedLate: number; failed: number; rejected: number };
  /** Decisions in which an agent said it could not keep a promise (comfort band, EV ready-by). */
  cannotKeepCount: number;
  /** What spread along the scenario's social graph: the adoption curve, tariff copies (absent without one). */
  influence?: InfluenceOutcome;
  /** What the scenario's links delayed, lost and dropped (absent without a `links:` section). */
  links?: LinksOutcome;
}

/** The run's metrics with deltas against `passive` (a passive run of the same scenario and span). */
export function buildMetrics(result: YearResult, passive: YearResult): Metrics {
  if (passive.stepCount !== result.stepCount || passive.homes.length !== result.homes.length) {
    throw new RangeError('the passive baseline must cover the same homes and steps as the run');
  }
  const outcomes = (outcome: string) =>
    result.switchingLog.filter((entry) => entry.outcome === outcome).length;
  const metrics: Metrics = {
    scenario: result.scenario,
    policy: result.policy,
    seed: result.seed,
    startDay: result.startDay,
    days: result.days,
    ...(result.warmUpDays ? { warmUpDays: result.warmUpDays } : {}),
    stepMinutes: result.stepMinutes,
    perHome: result.homes.map((home, index) => ({
      ...home,
      vsPassive: deltas(home, passive.homes[index] as HomeOutcome, HOME_FIGURES),
    })),
    network: { ...result.network, vsPassive: deltas(result.network, passive.network, NETWORK_FIGURES) },
    suppliers: result.suppliers.map((supplier) => {
      const baseline = passive.suppliers.find((candidate) => candidate.supplier === supplier.supplier) ?? {
        ...supplier,
        profitGbp: 0,
        customers: 0,
      };
      return { ...supplier, vsPassive: deltas(supplier, baseline, SUPPLIER_FIGURES) };
    }),
    totals: { ...result.totals, vsPassive: deltas(result.totals, passive.totals, TOTAL_FIGURES) },
    switching: {
      requests: result.switchingLog.length,
      completed: outcomes('completed'),
      completedLate: outcomes('completed-late'),
      failed: outcomes('failed'),
      rejected: outcomes('rejected'),
    },
    cannotKeepCount: result.homes.reduce((sum, home) => sum + home.cannotKeepCount, 0),
    ...marketMetrics(result.market),
    ...(result.influence ? { influence: result.influence } : {}),
    ...(result.links ? { links: result.links } : {}),
  };
  return roundNumbers(metrics);
}

function deltas<T extends Record<K, number>, K extends string>(
  value: T,
  baseline: T,
  keys: readonly K[],
): Deltas<K> {
  const out = {} as Deltas<K>;
  for (const key of keys) out[key] = value[key] - baseline[key];
  return out;
}

/** Rounds every number to 4 decimals (and −0 to 0) so files are readable and diff cleanly. */
export function roundNumbers<T>(value: T): T {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return value;
    const rounded = Math.round(value * 1e4) / 1e4;
    return (Object.is(rounded, -0) ? 0 : rounded) as T;
  }
  if (Array.isArray(value)) return value.map((item) => roundNumbers(item)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = roundNumbers(item);
    return out as T;
  }
  return value;
}
