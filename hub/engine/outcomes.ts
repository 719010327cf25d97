/** What a street run reports: per home, the network, the suppliers, decisions and timing. */
import type { SwitchLogEntry } from '../market/switching.js';
import type { MarketOutcome } from '../sim/market-step.js';
import type { NetworkStress } from '../sim/network-stress.js';
import type { LinksOutcome } from './links.js';
import type { InfluenceOutcome } from './participants/influence.js';

/** One logged decision of a resident's agent, with its explanation. */
export interface DecisionEntry {
  step: number;
  time: string;
  home: string;
  policy: string;
  /** `agent-call`: a call of the home's outside agent over MCP (`gridflex mcp --scenario`). */
  kind: 'plan' | 'cannot-keep' | 'tariff-review' | 'agent-call';
  text: string;
}

export interface HomeOutcome {
  home: string;
  bus: string;
  phase: string;
  policy: string;
  assets: string[];
  tariffAtStart: string;
  tariffAtEnd: string;
  billGbp: number;
  importKwh: number;
  exportKwh: number;
  carbonKg: number;
  /** °C·h spent outside the comfort band (heat-pump homes; 0 otherwise). */
  comfortDegreeHoursOutside: number;
  /** kWh the EV lacked against the resident's target at departures. */
  evShortfallKwh: number;
  switches: number;
  /** Plans that said they could not keep a promise (comfort, EV ready-by). */
  cannotKeepCount: number;
  pvKwh: number;
  pvCurtailedKwh: number;
  heatPumpKwh: number;
  /** Heat the heat pump delivered; heatPumpHeatKwh / heatPumpKwh is its seasonal performance factor. */
  heatPumpHeatKwh: number;
  evChargeKwh: number;
  baseLoadKwh: number;
}

export interface NetworkOutcome {
  transformerPeakKw: number;
  transformerPeakLoadingPct: number;
  minVoltageV: number;
  maxVoltageV: number;
  /**
   * Σ over steps of (customer bus-phases outside 216.2–253 V) × step minutes: the statutory limits apply at
   * the customers' supply points, so buses with no home on that phase are not counted.
   */
  busMinutesOutsideStatutoryLimits: number;
  lossesKwh: number;
  /** Steps in which the transformer was loaded above 100 %. */
  transformerOverloadSteps: number;
}

export interface SupplierOutcome {
  supplier: string;
  profitGbp: number;
  /** Customers at the end of the run. */
  customers: number;
  billRevenueGbp: number;
  wholesaleCostGbp: number;
  networkCostGbp: number;
}

/** Per-step series; per-home arrays follow `homes` order. */
export interface RunSeries {
  substationKw: Float64Array;
  transformerLoadingPct: Float64Array;
  minVoltageV: Float64Array;
  maxVoltageV: Float64Array;
  homePKw: Float64Array[];
  /** Battery, else EV, state of charge in % (NaN for homes with neither). */
  homeSocPct: Float64Array[];
  /** Indoor temperature (NaN for homes without a heat pump). */
  homeIndoorC: Float64Array[];
}

export interface RunTiming {
  totalMs: number;
  powerFlowMs: number;
  optimisationMs: number;
  bookkeepingMs: number;
  plans: number;
  powerFlowSolves: number;
  /** Steps whose inverters and flow had not settled within INVERTER_MAX_PASSES (hub/homes/inverter-loop.ts). */
  inverterUnsettledSteps: number;
}

export interface YearResult {
  scenario: string;
  /** The policy every home ran, or "scenario" when each home ran its own. */
  policy: string;
  seed: number;
  startDay: number;
  days: number;
  /** Days simulated before `startDay` and left out of every figure (absent: none). */
  warmUpDays?: number;
  stepMinutes: number;
  stepCount: number;
  homes: HomeOutcome[];
  network: NetworkOutcome;
  suppliers: SupplierOutcome[];
  totals: { billsGbp: number; carbonKg: number; importKwh: number; exportKwh: number };
  series?: RunSeries;
  switchingLog: SwitchLogEntry[];
  decisions: DecisionEntry[];
  timing: RunTiming;
  /** What the scenario's market module did (absent for retail only). */
  market?: MarketOutcome;
  /** Voltage-band violations by bus and hour, line overloads (for the year report). */
  networkStress: NetworkStress;
  /** What spread along the scenario's social graph (absent without one). */
  influence?: InfluenceOutcome;
  /** What the scenario's links delayed, lost and dropped (absent without a `links:` section). */
  links?: LinksOutcome;
}

/** Timing figures at the start of a run. */
export function emptyTiming(): RunTiming {
  return {
    totalMs: 0,
    powerFlowMs: 0,
    optimisationMs: 0,
    bookkeepingMs: 0,
    plans: 0,
    powerFlowSolves: 0,
    inverterUnsettledSteps: 0,
  };
}
