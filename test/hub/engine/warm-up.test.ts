import { describe, expect, it } from 'vitest';
import { buildYearStreet } from '../../../hub/engine/year-street.js';
import { STEPS_PER_DAY } from '../../../hub/environment/calendar.js';
import { InputError } from '../../../hub/errors.js';
import { loadRunInputs } from '../../../hub/sim/inputs.js';
import { type RunInputs, runYear, type YearResult } from '../../../hub/sim/runner.js';
import { runStudyPolicy, type StudySpan } from '../../../hub/study/poa-study.js';
import { streetPolicyContext } from '../../../hub/study/street-context.js';

const inputs = loadRunInputs('scenarios/table.yaml');
const START_DAY = 100;
const DAYS = 3;
const WARM_UP_DAYS = 2;
const FIRST_COUNTED_STEP = WARM_UP_DAYS * STEPS_PER_DAY;

/** The same days run as one span with nothing left out: from the warm-up's first day to the span's last. */
function wholeRun(policy: string): Promise<YearResult> {
  return runYear(inputs, policy, { startDay: START_DAY - WARM_UP_DAYS, days: WARM_UP_DAYS + DAYS });
}

function warmedRun(policy: string, runInputs: RunInputs = inputs): Promise<YearResult> {
  return runYear(runInputs, policy, { startDay: START_DAY, days: DAYS, warmUpDays: WARM_UP_DAYS });
}

const tail = (values: Float64Array) => Array.from(values.subarray(FIRST_COUNTED_STEP));

function seriesOf(run: YearResult): NonNullable<YearResult['series']> {
  if (!run.series) throw new Error('the run records its series');
  return run.series;
}

describe('a run with a warm-up', () => {
  it('steps the same street as the whole run and counts only the span: its series are the whole run’s tail', async () => {
    const [whole, warmed] = [await wholeRun('selfish'), await warmedRun('selfish')];
    expect(warmed.startDay).toBe(START_DAY);
    expect(warmed.days).toBe(DAYS);
    expect(warmed.warmUpDays).toBe(WARM_UP_DAYS);
    expect(warmed.stepCount).toBe(DAYS * STEPS_PER_DAY);
    const w = seriesOf(warmed);
    const all = seriesOf(whole);
    expect(Array.from(w.substationKw)).toEqual(tail(all.substationKw));
    expect(Array.from(w.minVoltageV)).toEqual(tail(all.minVoltageV));
    for (const [index, homePKw] of w.homePKw.entries()) {
      expect(Array.from(homePKw)).toEqual(tail(all.homePKw[index] as Float64Array));
      expect(Array.from(w.homeSocPct[index] as Float64Array)).toEqual(
        tail(all.homeSocPct[index] as Float64Array),
      );
    }
    // The network's figures are the span's own, not the warm-up's.
    expect(warmed.network.transformerPeakKw).toBe(Math.max(...tail(all.substationKw)));
    expect(warmed.network.minVoltageV).toBe(Math.min(...tail(all.minVoltageV)));
    // Counted over the whole run, the losses would be the whole run's (the same steps).
    expect(warmed.network.lossesKwh).toBeLessThan(whole.network.lossesKwh);
    expect(warmed.network.lossesKwh).toBeGreaterThan(0);
  });

  it("books each home's energy, and nothing else, over the span alone", async () => {
    const [whole, warmed] = [await wholeRun('selfish'), await warmedRun('selfish')];
    const dtHours = whole.stepMinutes / 60;
    for (const [index, home] of warmed.homes.entries()) {
      const pKw = (seriesOf(whole).homePKw[index] as Float64Array).subarray(FIRST_COUNTED_STEP);
      // Every table home has a net meter: its import is the positive part of its power.
      const importKwh = Array.from(pKw).reduce((sum, kw) => sum + Math.max(0, kw) * dtHours, 0);
      expect(home.importKwh).toBeCloseTo(importKwh, 9);
      const wholeHome = whole.homes[index];
      expect(home.billGbp).toBeLessThan(wholeHome?.billGbp ?? 0);
      expect(home.billGbp).toBeGreaterThan(0);
    }
    // Decisions are the span's, their steps counted from its first.
    expect(warmed.decisions.length).toBe(
      whole.decisions.filter((entry) => entry.step >= FIRST_COUNTED_STEP).length,
    );
    expect(warmed.decisions[0]?.time).toBe(
      whole.decisions.find((entry) => entry.step >= FIRST_COUNTED_STEP)?.time,
    );
    expect(Math.min(...warmed.decisions.map((entry) => entry.step))).toBe(0);
  });

  it('a passive bill is the whole run’s less its warm-up days’ (passive plans nothing ahead)', async () => {
    const whole = await wholeRun('passive');
    const warmUpOnly = await runYear(inputs, 'passive', {
      startDay: START_DAY - WARM_UP_DAYS,
      days: WARM_UP_DAYS,
    });
    const warmed = await warmedRun('passive');
    for (const [index, home] of warmed.homes.entries()) {
      const expected = (whole.homes[index]?.billGbp ?? 0) - (warmUpOnly.homes[index]?.billGbp ?? 0);
      expect(home.billGbp).toBeCloseTo(expected, 9);
    }
  });

  it('counts a switch where it takes effect: the tariff each home starts the span on, and the span’s switches', async () => {
    // Staggered reviews start a cycle (30 days) into the run, so a 35-day warm-up holds some and the span others.
    const reviewing = { startDay: 40, days: 10, recordSeries: false };
    const whole = await runYear(inputs, 'selfish', { ...reviewing, startDay: 5, days: 45 });
    const warmed = await runYear(inputs, 'selfish', { ...reviewing, warmUpDays: 35 });
    const spanStartMinute = 40 * 24 * 60;
    const completed = whole.switchingLog.filter((entry) => entry.outcome === 'completed');
    const before = completed.filter((entry) => (entry.effectiveMinute as number) < spanStartMinute);
    const during = completed.filter((entry) => (entry.effectiveMinute as number) >= spanStartMinute);
    expect(before.length).toBeGreaterThan(0);
    expect(during.some((entry) => entry.requestMinute < spanStartMinute)).toBe(true);
    expect(warmed.switchingLog).toEqual(during);
    for (const home of warmed.homes) {
      const switchedBefore = before.filter((entry) => entry.homeId === home.home).at(-1);
      const initial = whole.homes.find((candidate) => candidate.home === home.home)?.tariffAtStart;
      expect(home.tariffAtStart, home.home).toBe(switchedBefore?.toTariffId ?? initial);
      expect(home.switches, home.home).toBe(during.filter((entry) => entry.homeId === home.home).length);
    }
  });

  it("counts a fleet policy's planning windows over the span alone", async () => {
    const street = await streetPolicyContext(inputs, {
      reinforcementGbpPerKw: 150,
      carbonPriceGbpPerKg: 0,
      loadPriceSlopeGbpPerKwhPerKw: 0,
      voltageLimits: true,
    });
    const windows = async (span: StudySpan) =>
      (await runStudyPolicy(inputs, 'central', street.context, span)).extras.coordination?.windows;
    // Central plans a window a day: the span's 3, though the street stepped 5 days.
    expect(await windows({ startDay: START_DAY, days: DAYS, warmUpDays: WARM_UP_DAYS })).toBe(DAYS);
    expect(await windows({ startDay: START_DAY - WARM_UP_DAYS, days: WARM_UP_DAYS + DAYS })).toBe(
      WARM_UP_DAYS + DAYS,
    );
  });

  it("changes the span's state, not its inputs: the EVs' trips are the same with a warm-up or without", async () => {
    const tripsFrom = async (warmUpDays: number) => {
      const year = await buildYearStreet(inputs, 'passive', { startDay: START_DAY, days: DAYS, warmUpDays });
      const first = warmUpDays * STEPS_PER_DAY;
      const trips = year.street.homes.map((home) =>
        Array.from({ length: DAYS * STEPS_PER_DAY }, (_, k) => year.world.evTripKwh(home, first + k)),
      );
      year.finish(0);
      return trips;
    };
    const warmed = await tripsFrom(WARM_UP_DAYS);
    expect(warmed).toEqual(await tripsFrom(0));
    expect(warmed.flat().some((kwh) => kwh > 0)).toBe(true);
  });

  it('refuses a span it cannot run, naming the scenario and what is wrong', async () => {
    const refusal = (options: Parameters<typeof runYear>[2]) =>
      runYear(inputs, 'passive', options).then(
        () => 'ran',
        (error: unknown) => (error instanceof InputError ? error.message : String(error)),
      );
    expect(await refusal({ startDay: 1, warmUpDays: 2 })).toBe(
      "scenarios/table.yaml: warm-up days 2: the warm-up would begin before the year's first day (the span starts on day 1)",
    );
    expect(await refusal({ startDay: 365 })).toMatch(/start day 365: expected a whole day from 0 to 364/);
    expect(await refusal({ startDay: 10, warmUpDays: 1.5 })).toMatch(
      /warm-up days 1.5: expected a whole number/,
    );
    const auction = loadRunInputs('scenarios/table-flex-auction.yaml');
    expect(
      await warmedRun('passive', auction).then(
        () => 'ran',
        (error: Error) => error.message,
      ),
    ).toMatch(/not with the scenario's market module flex-auction/);
  });

  it('runs to the end of the year at most, from any start day', async () => {
    const result = await runYear(inputs, 'passive', { startDay: 363, days: 7, recordSeries: false });
    expect(result.days).toBe(2);
  });
});
