import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildYearStreet } from '../../../hub/engine/year-street.js';
import { baseLoadQKvar, INVERTER_SETTLED_KW, pvAvailableKw, pvOutput } from '../../../hub/homes/index.js';
import { loadRunInputs } from '../../../hub/sim/inputs.js';
import { scenarioSpan } from '../scenario-span.js';

// The IEEE 70 % street's midsummer day, every home for itself: at midday the far homes' Volt-Watt holds PV back.
const dir = mkdtempSync(join(tmpdir(), 'gridflex-inverters-'));
const scenario = scenarioSpan(dir, 'scenarios/ieee-eu-lv-70.yaml', 172, 1);

describe("the engine's PV inverters", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("answer the power flow's voltage at their home in the same step (Volt-VAr and Volt-Watt settled with the flow)", async () => {
    const { street, stepCount, finish } = await buildYearStreet(loadRunInputs(scenario), 'selfish');
    let curtailing = 0;
    let absorbing = 0;
    for (let k = 0; k < stepCount; k++) {
      const frame = street.step(k);
      for (const home of street.homes) {
        const pv = home.spec.pv;
        const result = frame.results[home.index];
        if (!pv || !result) continue;
        const volts = frame.flow?.busVoltsMag[home.voltageIndex] as number;
        expect(home.voltsLn).toBe(volts);
        const inputs = frame.inputs[home.index];
        const answer = pvOutput(pv, pvAvailableKw(pv, inputs?.irradianceWPerM2 ?? 0), volts);
        expect(Math.abs(result.pvKw - answer.pKw)).toBeLessThanOrEqual(INVERTER_SETTLED_KW);
        expect(Math.abs(result.pvCurtailedKw - answer.curtailedKw)).toBeLessThanOrEqual(INVERTER_SETTLED_KW);
        const reactiveKvar = baseLoadQKvar(home.spec, result.baseLoadKw) + answer.qKvar;
        expect(Math.abs(result.qKvar - reactiveKvar)).toBeLessThanOrEqual(INVERTER_SETTLED_KW);
        if (result.pvCurtailedKw > 0.01) curtailing++;
        if (answer.qKvar > 0.01) absorbing++;
      }
    }
    // Both curves were on their slopes in this day, so the check is not of idle inverters only.
    expect(curtailing).toBeGreaterThan(0);
    expect(absorbing).toBeGreaterThan(0);
    expect(finish(0).timing.inverterUnsettledSteps).toBe(0);
  }, 120_000);
});
