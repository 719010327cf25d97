/** The I/O edge of a run: reads the scenario, its feeder, the year and the base-load profile library. */
import { STEPS_PER_DAY } from '../environment/calendar.js';
import { loadBaseLoadLibrary } from '../environment/load-base-load.js';
import { DEFAULT_YEAR_CSV, loadYearCsv } from '../environment/load-year.js';
import { InputError } from '../errors.js';
import { loadScenario } from '../scenarios/load.js';
import type { RunInputs } from './runner.js';

export function loadRunInputs(scenarioFile: string): RunInputs {
  const { scenario, feeder } = loadScenario(scenarioFile);
  const yearFile = scenario.yearFile ?? DEFAULT_YEAR_CSV;
  const year = loadYearCsv(yearFile);
  const neededSteps = (scenario.startDay + scenario.days) * STEPS_PER_DAY;
  if (year.stepCount < neededSteps) {
    throw new InputError(
      `${scenarioFile}: year`,
      `${yearFile} has ${year.stepCount / STEPS_PER_DAY} days; the scenario runs to day ${scenario.startDay + scenario.days}`,
    );
  }
  return { scenario, feeder, year, baseLoadLibrary: loadBaseLoadLibrary() };
}
