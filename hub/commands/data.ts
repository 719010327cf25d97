import type { Command } from 'commander';
import { createBaseLoadGenerator, TDCV_KWH_PER_YEAR } from '../environment/base-load.js';
import { clockTime, DAYS_PER_YEAR } from '../environment/calendar.js';
import { DEFAULT_YEAR_SEED, generateYear, yearCsvComments } from '../environment/generate-year.js';
import { DEFAULT_BASE_LOAD_DIR, loadBaseLoadLibrary } from '../environment/load-base-load.js';
import { yearToCsv } from '../environment/year.js';
import { InputError } from '../errors.js';
import { integerFlag, numberFlag, writeOutput } from './flags.js';

interface BaseLoadFlags {
  out: string;
  homes: string;
  days: string;
  seed: string;
  annualKwh: string;
  spread: string;
  stepMinutes: string;
  profiles: string;
}

interface YearFlags {
  out: string;
  seed: string;
  latitude: string;
  longitude: string;
}

/** `gridflex data ...`: deterministic generators of the environment data the scenarios ship. */
export function registerDataCommand(program: Command): void {
  const data = program
    .command('data')
    .description('generate the data files scenarios use (deterministic from a seed)');
  data
    .command('year')
    .description(
      'write a UK-like representative year (irradiance, temperature, wholesale price, carbon) at 30-minute steps',
    )
    .requiredOption('--out <file>', 'output CSV (17520 rows)')
    .option('--seed <n>', 'random seed (integer)', String(DEFAULT_YEAR_SEED))
    .option('--latitude <deg>', 'site latitude, degrees north', '52')
    .option('--longitude <deg>', 'site longitude, degrees east', '-1.5')
    .action((flags: YearFlags) => {
      const seed = integerFlag(flags.seed, '--seed');
      const latitudeDeg = numberFlag(flags.latitude, '--latitude', -66, 66);
      const longitudeDeg = numberFlag(flags.longitude, '--longitude', -180, 180);
      const options = { seed, latitudeDeg, longitudeDeg };
      writeOutput(flags.out, yearToCsv(generateYear(options), yearCsvComments(options)));
      process.stdout.write(`wrote ${flags.out} (17520 steps, seed ${seed})\n`);
    });
  data
    .command('base-load')
    .description(
      'write synthetic domestic base-load days derived from the IEEE EU LV profiles, scaled to an annual energy',
    )
    .requiredOption(
      '--out <file>',
      'output CSV: home,day,time,energy_kwh,mean_kw (one row per home, day and step)',
    )
    .option('--homes <n>', 'number of homes (ids home-1..home-N)', '1')
    .option('--days <first-last>', '1-based day range of the representative year, e.g. 1-7', '1-1')
    .option('--seed <n>', 'random seed (integer)', '1')
    .option('--annual-kwh <kwh>', 'typical annual consumption per home', String(TDCV_KWH_PER_YEAR))
    .option('--spread <fraction>', 'household variation of annual energy, 0..0.9', '0')
    .option('--step-minutes <m>', 'step length, a divisor of 1440', '30')
    .option('--profiles <dir>', 'folder of Load_profile_<N>.csv daily profiles', DEFAULT_BASE_LOAD_DIR)
    .action((flags: BaseLoadFlags) => writeBaseLoad(flags));
}

function writeBaseLoad(flags: BaseLoadFlags): void {
  const homes = integerFlag(flags.homes, '--homes');
  if (homes < 1) throw new InputError('--homes', `must be at least 1, found "${flags.homes}"`);
  const range = /^(\d+)(?:-(\d+))?$/.exec(flags.days.trim());
  const firstDay = Number(range?.[1]);
  const lastDay = Number(range?.[2] ?? range?.[1]);
  if (!range || firstDay < 1 || lastDay > DAYS_PER_YEAR || lastDay < firstDay) {
    throw new InputError('--days', `must be a day or range within 1-365 such as 1-7, found "${flags.days}"`);
  }
  const stepMinutes = integerFlag(flags.stepMinutes, '--step-minutes');
  if (stepMinutes < 1 || 1440 % stepMinutes !== 0) {
    throw new InputError(
      '--step-minutes',
      `must divide 1440 (1, 5, 30, 60...), found "${flags.stepMinutes}"`,
    );
  }
  const generator = createBaseLoadGenerator(loadBaseLoadLibrary(flags.profiles), {
    seed: integerFlag(flags.seed, '--seed'),
    annualKwh: numberFlag(flags.annualKwh, '--annual-kwh', 1, 1e6),
    householdSpread: numberFlag(flags.spread, '--spread', 0, 0.9),
  });
  const lines = ['home,day,time,energy_kwh,mean_kw'];
  for (let home = 1; home <= homes; home++) {
    for (let day = firstDay; day <= lastDay; day++) {
      generator.dayStepKwh(`home-${home}`, day - 1, stepMinutes).forEach((kwh, step) => {
        const mean = (kwh * 60) / stepMinutes;
        lines.push(
          `home-${home},${day},${clockTime(step * stepMinutes)},${kwh.toFixed(5)},${mean.toFixed(4)}`,
        );
      });
    }
  }
  writeOutput(flags.out, `${lines.join('\n')}\n`);
  process.stdout.write(
    `wrote ${flags.out} (${homes} homes, days ${firstDay}-${lastDay}, ${stepMinutes}-minute steps)\n`,
  );
}
