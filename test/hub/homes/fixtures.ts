import { DEFAULT_VOLT_VAR, DEFAULT_VOLT_WATT, type HomeSpec } from '../../../hub/homes/index.js';

/** A home with every asset, sized like a GB semi with an EV. */
export function fullHome(overrides: Partial<HomeSpec> = {}): HomeSpec {
  return {
    id: 'home-1',
    bus: '34',
    phase: 'A',
    baseLoadPowerFactor: 0.95,
    pv: {
      peakKw: 4,
      inverterKw: 3.68,
      inverterKva: 4,
      lossFraction: 0.14,
      voltVar: DEFAULT_VOLT_VAR,
      voltWatt: DEFAULT_VOLT_WATT,
    },
    battery: {
      capacityKwh: 10,
      maxChargeKw: 5,
      maxDischargeKw: 5,
      roundTripEfficiency: 0.9,
      initialSocPct: 50,
    },
    ev: {
      capacityKwh: 60,
      maxChargeKw: 7,
      maxDischargeKw: 0,
      roundTripEfficiency: 0.9,
      initialSocPct: 40,
    },
    heatPump: {
      maxElectricKw: 3,
      copAt7C: 3,
      copSlopePerC: 0.08,
      copMin: 1.5,
      thermal: { resistanceCPerKw: 5, capacitanceKwhPerC: 10, gainsKw: 0.3 },
      initialIndoorC: 20,
    },
    preferences: {
      weights: { cost: 1, carbon: 0, autarky: 0 },
      comfortMinC: 19,
      comfortMaxC: 22,
      evReadyByMinute: 7 * 60 + 30,
      evTargetSocPct: 80,
      switchWillingness: 0.5,
    },
    ...overrides,
  };
}
