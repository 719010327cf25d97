/** The I/O edge of a run: reads the scenario, its feeder, the year and the base-load profile library. */
import { loadBaseLoadLibrary } from '../environment/load-base-load.js';
import { DEFAULT_YEAR_CSV, loadYearCsv } from '../environment/load-year.js';
import { loadScenario } from '../scenarios/load.js';
import type { RunInputs } from './runner.js';

export function loadRunInputs(scenarioFile: string): RunInputs {
  const { scenario, feeder } = loadScenario(scenarioFile);
  const year = loadYearCsv(scenario.yearFile ?? DEFAULT_YEAR_CSV);
  return { scenario, feeder, year, baseLoadLibrary: loadBaseLoadLibrary() };
}
