import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBaseLoadLibrary } from '../../../hub/environment/load-base-load.js';
import { loadYearCsv } from '../../../hub/environment/load-year.js';
import { parseScenario, REPO_ROOT } from '../../../hub/scenarios/load.js';
import { loadRunInputs } from '../../../hub/sim/inputs.js';
import { type RunInputs, runYear } from '../../../hub/sim/runner.js';
import { runWithPassiveBaseline } from '../../../hub/sim/study.js';

const year = loadYearCsv();
const baseLoadLibrary = loadBaseLoadLibrary();

/** Inputs from scenario text placed (for its relative paths) in scenarios/. */
function inputsFrom(text: string): RunInputs {
  const { scenario, feeder } = parseScenario(text, join(REPO_ROOT, 'scenarios', 'test.yaml'));
  return { scenario, feeder, year, baseLoadLibrary };
}

const STREET = `
name: test street
feeder: feeders/table-street
seed: 11
time: { startDay: 10, days: 14 }
defaults:
  preferences: { weights: { cost: 1, carbon: 0, autarky: 0 } }
homes:
  - { load: LOAD1, pv: true, battery: true, tariff: flat-cap }
  - { load: LOAD2, heatPump: true, tariff: heat-pump-tou }
  - { load: LOAD3, ev: true, tariff: ev-tou }
  - { load: LOAD4, ev: true, pv: true, tariff: dynamic-half-hourly }
  - { load: LOAD5, battery: true, heatPump: true, tariff: economy-7 }
  - { load: LOAD6, ev: true, heatPump: true, battery: true, pv: true, tariff: dynamic-half-hourly }
  - { load: LOAD7, tariff: flat-cap }
  - { load: LOAD8, pv: true, ev: true, tariff: economy-7 }
market:
  defaultTariff: flat-cap
  switching: { enabled: false }
`;

describe('runYear', () => {
  it('keeps every home’s energy balance at every step', async () => {
    const inputs = inputsFrom(STREET.replace('days: 14', 'days: 4'));
    const importKwh = new Float64Array(8);
    let checked = 0;
    const result = await runYear(inputs, 'selfish', {
      onHomeStep: (_step, index, flows, state) => {
        const home = inputs.scenario.homes[index]?.spec;
        const drawnKwh =
          (flows.baseLoadKw + flows.batteryKw + flows.evKw + flows.heatPumpKw - flows.pvKw) * 0.5;
        expect(flows.importKwh - flows.exportKwh).toBeCloseTo(drawnKwh, 10);
        expect(flows.pKw * 0.5).toBeCloseTo(drawnKwh, 10);
        expect(Math.min(flows.importKwh, flows.exportKwh)).toBe(0);
        expect(state.batterySocKwh).toBeGreaterThanOrEqual(0);
        expect(state.batterySocKwh).toBeLessThanOrEqual((home?.battery?.capacityKwh ?? 0) + 1e-9);
        expect(state.evSocKwh).toBeLessThanOrEqual((home?.ev?.capacityKwh ?? 0) + 1e-9);
        importKwh[index] = (importKwh[index] ?? 0) + flows.importKwh;
        checked++;
      },
    });
    expect(checked).toBe(8 * 4 * 48);
    result.homes.forEach((home, index) => {
      expect(home.importKwh).toBeCloseTo(importKwh[index] ?? 0, 9);
    });
  });

  it('keeps the comfort band and the EV ready-by promise when they can be kept', async () => {
    const inputs = inputsFrom(STREET);
    for (const policy of ['passive', 'selfish']) {
      const result = await runYear(inputs, policy);
      for (const home of result.homes) {
        expect(home.cannotKeepCount, `${policy} ${home.home}`).toBe(0);
        expect(home.comfortDegreeHoursOutside, `${policy} ${home.home}`).toBeLessThan(1e-6);
        expect(home.evShortfallKwh, `${policy} ${home.home}`).toBeLessThan(1e-6);
      }
      expect(
        result.homes.filter((home) => home.assets.includes('ev')).every((home) => home.evChargeKwh > 0),
      ).toBe(true);
    }
  });

  it('says when a promise cannot be kept, with numbers, and the shortfall shows in the metrics', async () => {
    const inputs = inputsFrom(`
name: impossible street
feeder: feeders/table-street
seed: 3
time: { startDay: 0, days: 5 }
homes:
  - { load: LOAD1, heatPump: { maxElectricKw: 0.3 } }
  - load: LOAD2
    ev: { maxChargeKw: 1, tripKwhMin: 40, tripKwhMax: 45, weekdayTripProbability: 1, awayHoursMin: 12, awayHoursMax: 12 }
    preferences: { evTargetSocPct: 100 }
market: { defaultTariff: flat-cap }
`);
    const result = await runYear(inputs, 'selfish');
    const [cold, ev] = result.homes;
    expect(cold?.comfortDegreeHoursOutside).toBeGreaterThan(1);
    expect(cold?.cannotKeepCount).toBeGreaterThan(0);
    expect(ev?.evShortfallKwh).toBeGreaterThan(1);
    expect(ev?.cannotKeepCount).toBeGreaterThan(0);
    const notes = result.decisions.filter((decision) => decision.kind === 'cannot-keep').map((d) => d.text);
    expect(notes.some((text) => /heat pump cannot hold 19 °C: \d+\.\d\d kWh of heat short/.test(text))).toBe(
      true,
    );
    expect(notes.some((text) => /EV cannot reach 100 % by 07:30: \d+\.\d\d kWh short/.test(text))).toBe(true);
  });

  it.each([10, 180])(
    'never gives a selfish (cost-only) resident a higher bill than passive on the same tariff (from day %i)',
    async (startDay) => {
      const { result, passive, metrics } = await runWithPassiveBaseline(
        inputsFrom(STREET.replace('startDay: 10', `startDay: ${startDay}`)),
        'selfish',
      );
      result.homes.forEach((home, index) => {
        const baseline = passive.homes[index];
        expect(home.tariffAtEnd).toBe(baseline?.tariffAtEnd);
        expect(home.billGbp, home.home).toBeLessThanOrEqual((baseline?.billGbp ?? 0) + 1e-6);
      });
      // Flexible homes on time-varying tariffs actually save.
      expect(metrics.perHome[2]?.vsPassive.billGbp).toBeLessThan(-1);
      expect(metrics.totals.vsPassive.billsGbp).toBeLessThan(0);
    },
  );

  it('gives a heat pump a seasonal performance factor near the GB median (2.8) over the year', async () => {
    const inputs = inputsFrom(`
name: one heat pump
feeder: feeders/table-street
seed: 5
homes:
  - { load: LOAD1, heatPump: true }
market: { defaultTariff: flat-cap }
`);
    const [home] = (await runYear(inputs, 'passive', { recordSeries: false })).homes;
    const spf = (home?.heatPumpHeatKwh ?? 0) / (home?.heatPumpKwh ?? 1);
    expect(spf).toBeGreaterThan(2.6);
    expect(spf).toBeLessThan(3.0);
    // A 200 W/K house in a GB year needs a few MWh of heat.
    expect(home?.heatPumpHeatKwh).toBeGreaterThan(4000);
    expect(home?.heatPumpHeatKwh).toBeLessThan(16000);
    expect(home?.comfortDegreeHoursOutside).toBeLessThan(1e-6);
  });

  it('is deterministic: the same scenario and seed give the same metrics', async () => {
    const inputs = loadRunInputs(join(REPO_ROOT, 'scenarios', 'table.yaml'));
    const first = await runWithPassiveBaseline(inputs, undefined, { days: 3 });
    const second = await runWithPassiveBaseline(
      loadRunInputs(join(REPO_ROOT, 'scenarios', 'table.yaml')),
      undefined,
      {
        days: 3,
      },
    );
    expect(JSON.stringify(second.metrics)).toBe(JSON.stringify(first.metrics));
    expect(first.metrics.perHome.some((home) => home.vsPassive.billGbp !== 0)).toBe(true);
  });
});
