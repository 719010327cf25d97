import { describe, expect, it } from 'vitest';
import { cableLimitRows, cableRowsAhead, nominalRatingKw } from '../../../hub/agents/cable-rows.js';
import type { CableLimit, NetworkView } from '../../../hub/agents/fleet.js';
import { type InverterResponse, inverterResponses } from '../../../hub/agents/voltage-rows.js';
import { STATUTORY_VOLTS } from '../../../hub/feeder/index.js';
import { baseLoadQKvar } from '../../../hub/homes/index.js';
import { loadRunInputs } from '../../../hub/sim/inputs.js';
import { cableLimits } from '../../../hub/study/cable-limits.js';
import { streetVoltageModel } from '../../../hub/study/street-context.js';
import { fullHome } from '../homes/fixtures.js';
import { context, forecast, STEPS } from './plan-fixtures.js';

// Three homes; the cable carries the first two. At step 5 their inverters absorb 8 and 6 kvar, the first
// home's Volt-Watt holds back 0.5 kW, and the lower of their voltages is 236 V.
const cable: CableLimit = {
  name: 'cable L1 phase A (100 A)',
  homeIds: ['a', 'b'],
  amps: 100,
  limitsImport: true,
  limitsExport: true,
};
const view: NetworkView = { transformerLimitKw: 100, cables: [cable] };
const contexts = ['a', 'b', 'c'].map((id) => context({ home: { ...fullHome(), id }, forecast: forecast() }));
const inverter = (kvar: number, curtailedKw: number, volts: number): InverterResponse => {
  const response = {
    kvar: new Float64Array(STEPS),
    curtailedKw: new Float64Array(STEPS),
    volts: new Float64Array(STEPS).fill(240),
  };
  response.kvar[5] = kvar;
  response.curtailedKw[5] = curtailedKw;
  response.volts[5] = volts;
  return response;
};
const inverters = [inverter(8, 0.5, 236), inverter(6, 0, 238), inverter(9, 9, 200)];

describe('cable rows', () => {
  it("hold the homes' net import at the rating's active power at their voltage and reactive power, each step", () => {
    const [importRow, exportRow] = cableLimitRows(view, STEPS, contexts, inverters);
    expect(importRow?.name).toBe('cable L1 phase A (100 A) import');
    expect(Array.from(importRow?.coefficientByHome ?? [])).toEqual([1, 1, 0]);
    expect(Array.from(exportRow?.coefficientByHome ?? [])).toEqual([-1, -1, 0]);
    const baseKvar = 2 * baseLoadQKvar(fullHome(), 0.4);
    // Step 5: 23.6 kVA at 236 V, less the base loads' and inverters' kvar; the held-back PV is imported besides.
    const kw = Math.sqrt(23.6 ** 2 - (baseKvar + 14) ** 2);
    expect(kw).toBeLessThan(nominalRatingKw(cable));
    expect(importRow?.upperByStep[5]).toBeCloseTo(kw - 0.5, 9);
    expect(exportRow?.upperByStep[5]).toBeCloseTo(kw + 0.5, 9);
    // Step 0: both at 240 V, only their base loads' kvar: the rating there is above 230 V at PF 0.95, which
    // the row keeps.
    expect(Math.sqrt(24 ** 2 - baseKvar ** 2)).toBeGreaterThan(nominalRatingKw(cable));
    expect(importRow?.upperByStep[0]).toBe(nominalRatingKw(cable));
  });

  it('hold the rating at 230 V and PF 0.95 without a voltage model, and at 230 V where no voltage is known', () => {
    const [importRow] = cableLimitRows(view, STEPS, contexts, undefined);
    expect(Array.from(importRow?.upperByStep ?? []).every((kw) => kw === (100 * 230 * 0.95) / 1000)).toBe(
      true,
    );
    // A home without inverter figures (a cold window's guess) counts its base load's kvar; no voltage: 230 V.
    const [cold] = cableLimitRows(view, STEPS, contexts, [inverter(8, 0, 0), undefined, undefined]);
    const baseKvar = 2 * baseLoadQKvar(fullHome(), 0.4);
    expect(cold?.upperByStep[5]).toBeCloseTo(Math.sqrt(23 ** 2 - (baseKvar + 8) ** 2), 9);
  });
});

describe('cable rows ahead', () => {
  // The IEEE 70 % street's trunk (LINE24 phase A, 21 homes), its homes drawing alike every step and the others
  // 0.3 kW, no sun: the inverters' Volt-VAr answers the voltages the plan brings.
  const inputs = loadRunInputs('scenarios/ieee-eu-lv-70.yaml');
  const { model } = streetVoltageModel(inputs.feeder, inputs.scenario);
  const homes = inputs.scenario.homes.map(({ spec }) => spec);
  const trunk = cableLimits(inputs.feeder, homes).find(
    ({ name }) => name === 'cable LINE24 phase A (170 A)',
  ) as CableLimit;
  const street: NetworkView = {
    transformerLimitKw: 1000,
    voltage: {
      model,
      minVolts: STATUTORY_VOLTS.min,
      maxVolts: STATUTORY_VOLTS.max,
      homeIds: homes.map(({ id }) => id),
    },
    cables: [trunk],
  };
  const streetContexts = homes.map((home) => context({ home, forecast: forecast() }));
  const noGuess = streetContexts.map(() => undefined);
  /** The trunk's import row at a plan where its homes draw `trunkKw` between them, and that row ahead, at step 10. */
  const rowsAt = (trunkKw: number) => {
    const nets = homes.map((home) =>
      new Float64Array(STEPS).fill(trunk.homeIds.includes(home.id) ? trunkKw / trunk.homeIds.length : 0.3),
    );
    const inverters = inverterResponses(street, streetContexts, STEPS, nets);
    const atPlan = cableLimitRows(street, STEPS, streetContexts, inverters);
    const [ahead] = cableRowsAhead(street, STEPS, streetContexts, nets, inverters, noGuess, atPlan, 1);
    return { atPlanKw: atPlan[0]?.upperByStep[10] as number, aheadKw: ahead?.upperByStep[10] as number };
  };

  it('move a row the plan breaks to where the plan made again keeps it at its own reactive power', () => {
    const over = rowsAt(40);
    expect(over.atPlanKw).toBeLessThan(40);
    // Drawing less raises the voltages and the inverters absorb more: made again at the row it broke, the plan
    // breaks that row at its own reactive power again.
    const again = rowsAt(over.atPlanKw);
    expect(over.atPlanKw - again.atPlanKw).toBeGreaterThan(0.3);
    // Made again at the row ahead, it keeps it but for a small share of that.
    const ahead = rowsAt(over.aheadKw);
    expect(over.aheadKw).toBeLessThan(again.atPlanKw);
    expect(over.aheadKw - ahead.atPlanKw).toBeLessThan(0.1 * (over.atPlanKw - again.atPlanKw));
  });

  it('leave the rows a plan keeps where they are', () => {
    const kept = rowsAt(20);
    expect(kept.atPlanKw).toBeGreaterThan(20);
    expect(kept.aheadKw).toBe(kept.atPlanKw);
  });
});
