import { describe, expect, it } from 'vitest';
import {
  DEFAULT_VOLT_WATT,
  INVERTER_MAX_PASSES,
  INVERTER_SETTLED_KW,
  type InverterLoop,
  outputGapKw,
  type PvSpec,
  pvOutput,
  settleInverters,
} from '../../../hub/homes/index.js';

const PV: PvSpec = {
  peakKw: 4,
  inverterKw: 3.68,
  inverterKva: 3.68,
  lossFraction: 0,
  voltWatt: DEFAULT_VOLT_WATT,
};

/**
 * Inverters on one cable: each home's voltage rises `voltsPerKw` for every kW any of them exports. At 5.6 V a kW
 * Volt-Watt's slope (0.32 kW a volt) gives a loop gain of 1.8 per home, more with three: answering the
 * voltage it sees, each pass swings the other way and wider.
 */
function cable(homes: number, voltsPerKw: number, output = (volts: number) => pvOutput(PV, 3.68, volts).pKw) {
  const answered = new Float64Array(homes).fill(240);
  const exportKw = Float64Array.from(answered, (volts) => output(volts));
  const volts = () => {
    const total = exportKw.reduce((sum, kw) => sum + kw, 0);
    return Float64Array.from(answered, () => 232 + voltsPerKw * total);
  };
  const loop: InverterLoop = {
    count: homes,
    answeredVolts: (a) => answered[a] as number,
    gapKw: (a, seen) => Math.abs(output(seen) - output(answered[a] as number)),
    answer: (a, seen) => {
      answered[a] = seen;
      exportKw[a] = output(seen);
    },
    volts,
  };
  return { loop, answered, exportKw, volts };
}

describe('settleInverters', () => {
  it.each([1, 3])(
    'settles %i Volt-Watt inverters whose loop gain passes 1, each answering the voltage it brings',
    (homes) => {
      const { loop, answered, exportKw, volts } = cable(homes, 5.6);
      expect(settleInverters(loop, volts())).toBe(true);
      const seen = volts();
      for (let a = 0; a < homes; a++) {
        // Curtailing, on the slope: the fixed point is not at either end of the curve.
        expect(exportKw[a]).toBeGreaterThan(0.2 * PV.inverterKw);
        expect(exportKw[a]).toBeLessThan(PV.inverterKw);
        expect(
          Math.abs(pvOutput(PV, 3.68, seen[a] as number).pKw - (exportKw[a] as number)),
        ).toBeLessThanOrEqual(INVERTER_SETTLED_KW);
        expect(answered[a]).toBeCloseTo(seen[a] as number, 2);
      }
    },
  );

  it('says when there is no fixed point to settle at (an output that jumps across the voltage it brings)', () => {
    // Full export below 245 V, none above, and a full export lifts the voltage to 252.6 V: no answer holds.
    const { loop, volts } = cable(1, 5.6, (volts) => (volts < 245 ? 3.68 : 0));
    let passes = 0;
    const counted: InverterLoop = {
      ...loop,
      volts: () => {
        passes++;
        return loop.volts();
      },
    };
    expect(settleInverters(counted, volts())).toBe(false);
    expect(passes).toBe(INVERTER_MAX_PASSES - 1);
  });

  it('takes no pass when every inverter already answers the voltage it sees', () => {
    const { loop } = cable(2, 0);
    const flat = new Float64Array(2).fill(240);
    expect(settleInverters({ ...loop, volts: () => expect.unreachable() }, flat)).toBe(true);
  });
});

describe('outputGapKw', () => {
  it('is the larger of the active and reactive gaps', () => {
    expect(
      outputGapKw({ pKw: 1, curtailedKw: 0, qKvar: 0.5 }, { pKw: 0.8, curtailedKw: 0.2, qKvar: 0.1 }),
    ).toBeCloseTo(0.4, 12);
  });
});
