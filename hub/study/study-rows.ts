/**
 * The figures of one row of `study redteam` and `study links` that their results files carry and the report
 * page draws. Types only, with no imports, so the browser's report page can share them with the studies.
 */

/** One run of the red-team study: the damage it did. */
export interface RedTeamDamage {
  name: string;
  transformerPeakKw: number;
  /** Energy the street drew above the rating the study prices the peak against, kWh. */
  overRatingKwh: number;
  /** The street's largest rise in import from one step to the next, kW (what switching on together does). */
  largestRiseKw: number;
  /** Σ over steps of customer bus-phases outside the statutory band × step minutes. */
  voltageBreachBusMinutes: number;
  /** Bills of the homes whose agents do not attack (the same homes in every row). */
  honestBillsGbp: number;
  socialCostGbp: number;
  /** kWh the EVs lacked against their residents' targets at departures. */
  evShortfallKwh: number;
}

/** One run of the links study: a latency and a loss, and what cooperative control did under them. */
export interface LinksFigures {
  latency: number;
  loss: number;
  socialCostGbp: number;
  billsGbp: number;
  transformerPeakKw: number;
  /** Peak above the street limit, kW (0 when the limit was kept). */
  peakAboveLimitKw: number;
  busMinutesOutsideStatutoryLimits: number;
}
