import { PV_CUT_OUT_PCT } from '../homes/pv.js';

/**
 * Default asset sizes and resident preferences (GB-typical; uk-energy-facts.md where it has a figure).
 * Every value can be overridden in a scenario's `defaults` or per home.
 */
export const DEFAULT_PV = {
  peakKw: 4,
  /** 16 A per phase: the G98 limit for connecting without asking the DNO. */
  inverterKw: 3.68,
  inverterKva: 4,
  lossFraction: 0.14,
  voltVar: false,
  voltWatt: false,
  cutOutPct: PV_CUT_OUT_PCT,
} as const;

export const DEFAULT_BATTERY = {
  capacityKwh: 5,
  maxChargeKw: 2.5,
  maxDischargeKw: 2.5,
  roundTripEfficiency: 0.9,
  initialSocPct: 50,
} as const;

export const DEFAULT_EV = {
  capacityKwh: 60,
  maxChargeKw: 7,
  roundTripEfficiency: 0.9,
  weekdayTripProbability: 0.8,
  weekendTripProbability: 0.5,
  awayHoursMin: 4,
  awayHoursMax: 10,
  tripKwhMin: 4,
  tripKwhMax: 15,
} as const;

/** A 2.5 kW(e) air-source heat pump (about 7 kW of heat) in a house losing 200 W/K. */
export const DEFAULT_HEAT_PUMP = {
  maxElectricKw: 2.5,
  /** With the slope below, a GB year gives a seasonal performance factor of about 2.8 (GB median 2.80). */
  copAt7C: 2.9,
  copSlopePerC: 0.08,
  copMin: 1.5,
  resistanceCPerKw: 5,
  capacitanceKwhPerC: 8,
  gainsKw: 0.3,
  initialIndoorC: 20,
} as const;

export const DEFAULT_PREFERENCES = {
  weights: { cost: 1, carbon: 0, autarky: 0 },
  comfortMinC: 19,
  comfortMaxC: 23,
  evReadyBy: '07:30',
  evTargetSocPct: 80,
  switchWillingness: 0.5,
} as const;

export const DEFAULT_BASE_LOAD = {
  /** Ofgem typical domestic consumption value. */
  annualKwh: 2700,
  powerFactor: 0.95,
} as const;

export const DEFAULT_POLICY = 'selfish';
