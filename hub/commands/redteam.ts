/** `gridflex study redteam`: one attack on a scenario, without and with each defence, in one table. */
import { join } from 'node:path';
import type { Command } from 'commander';
import { createPolicy, isPolicyName, unknownPolicy } from '../agents/registry.js';
import { InputError } from '../errors.js';
import { PACKAGE_ROOT } from '../live/options.js';
import {
  ATTACK_KINDS,
  type AttackEntry,
  DEFENCE_KINDS,
  DEFENCES,
  type DefenceEntry,
  defaultEntry,
} from '../redteam/registry.js';
import { DEFAULT_DATA_DIR, gridflexVersion, RunStore, redTeamHeadline } from '../runs/index.js';
import type { Scenario } from '../scenarios/resolve.js';
import { loadRunInputs } from '../sim/inputs.js';
import { roundNumbers } from '../sim/metrics.js';
import { redTeamReport, runRedTeamStudy } from '../study/redteam-study.js';
import { streetPolicyContext } from '../study/street-context.js';
import { integerFlag, makeOutputDir, numberFlag, writeOutput } from './flags.js';

interface RedTeamFlags {
  scenario: string;
  attack: string;
  defence?: string[];
  days: string;
  out: string;
  policy?: string;
  limitKw?: string;
  reinforcementGbpPerKw: string;
  carbonPriceGbpPerTonne: string;
  dataDir: string;
}

/** Adds `redteam` under the `study` command. */
export function registerRedTeamStudyCommand(program: Command): void {
  const study = program.commands.find((command) => command.name() === 'study');
  if (!study) throw new Error('the study command must be registered first');
  study
    .command('redteam')
    .description(
      'one attack on a scenario without and with each defence: peak, voltage breaches, honest bills, social cost (report.md, results.json)',
    )
    .requiredOption(
      '--scenario <file>',
      'scenario YAML file (its redTeam: section sets the attacks and defences)',
    )
    .requiredOption('--attack <kind>', `attack (${ATTACK_KINDS.join(', ')})`)
    .option(
      '--defence <kind>',
      `a defence to try (${DEFENCE_KINDS.join(', ')}); repeat for more; default: those meant for the attack`,
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--days <n>', 'days to simulate from the scenario start', '2')
    .requiredOption('--out <dir>', 'output folder')
    .option('--policy <name>', "policy for every home (default: each home's own)")
    .option('--limit-kw <kW>', "rating the peak is priced against (default: the feeder's transformers' kVA)")
    .option('--reinforcement-gbp-per-kw <gbp>', 'reinforcement cost per kW of peak above the rating', '150')
    .option('--carbon-price-gbp-per-tonne <gbp>', 'carbon price in the social cost', '0')
    .option(
      '--data-dir <dir>',
      'data dir whose run history (runs.sqlite) records this study',
      DEFAULT_DATA_DIR,
    )
    .action(async (flags: RedTeamFlags) => {
      if (flags.policy !== undefined && !isPolicyName(flags.policy))
        throw new InputError('--policy', unknownPolicy(flags.policy));
      const days = integerFlag(flags.days, '--days', 1, 365);
      const inputs = loadRunInputs(flags.scenario);
      const attack = attackEntry(inputs.scenario, flags.attack);
      const defences = defenceEntries(inputs.scenario, attack.kind, flags.defence);
      const pricing = {
        transformerRatingKw:
          flags.limitKw !== undefined
            ? numberFlag(flags.limitKw, '--limit-kw', 1, 1e6)
            : inputs.feeder.transformers.reduce((sum, transformer) => sum + transformer.ratedKva, 0),
        reinforcementGbpPerKw: numberFlag(flags.reinforcementGbpPerKw, '--reinforcement-gbp-per-kw', 0, 1e6),
        carbonPriceGbpPerKg:
          numberFlag(flags.carbonPriceGbpPerTonne, '--carbon-price-gbp-per-tonne', 0, 1e5) / 1000,
      };
      const history = RunStore.open(flags.dataDir);
      makeOutputDir(flags.out);
      const street = await streetPolicyContext(inputs, {
        ...(flags.limitKw !== undefined ? { transformerLimitKw: pricing.transformerRatingKw } : {}),
        reinforcementGbpPerKw: pricing.reinforcementGbpPerKw,
        carbonPriceGbpPerKg: pricing.carbonPriceGbpPerKg,
        loadPriceSlopeGbpPerKwhPerKw: 0,
        voltageLimits: true,
      });
      const result = roundNumbers(
        await runRedTeamStudy(inputs, {
          attack,
          defences,
          days,
          policy: flags.policy,
          createPolicy: (name) => createPolicy(name, street.context),
          pricing,
        }),
      );
      const report = redTeamReport(result);
      writeOutput(join(flags.out, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
      writeOutput(join(flags.out, 'report.md'), report);
      const record = history.record(
        {
          kind: 'study-redteam',
          scenarioFile: flags.scenario,
          scenarioName: result.scenario,
          seed: result.seed,
          parameters: {
            attack,
            defences,
            days,
            ...(flags.policy ? { policy: flags.policy } : {}),
            ...pricing,
          },
          headline: redTeamHeadline(result),
          outDir: flags.out,
        },
        gridflexVersion(PACKAGE_ROOT),
      );
      history.close();
      process.stdout.write(
        `${report}\nwrote ${join(flags.out, 'report.md')} and results.json\nrecorded as run ${record.id} in ${history.file}\n`,
      );
    });
}

/** The scenario's entry for the attack, else the attack with its defaults. */
function attackEntry(scenario: Scenario, kind: string): AttackEntry {
  if (!ATTACK_KINDS.includes(kind))
    throw new InputError('--attack', `expected one of ${ATTACK_KINDS.join(', ')}, found "${kind}"`);
  const listed = scenario.redTeam?.attacks.find((entry) => entry.kind === kind);
  return listed ?? (defaultsOf('attacks', kind, '--attack') as AttackEntry);
}

/** The defences named (else those meant for the attack), each the scenario's entry or its defaults. */
function defenceEntries(scenario: Scenario, attack: string, named: string[] | undefined): DefenceEntry[] {
  const kinds =
    named ?? DEFENCES.filter((defence) => defence.counters.includes(attack)).map(({ kind }) => kind);
  return kinds.map((kind) => {
    if (!DEFENCE_KINDS.includes(kind))
      throw new InputError('--defence', `expected one of ${DEFENCE_KINDS.join(', ')}, found "${kind}"`);
    const listed = scenario.redTeam?.defences.find((entry) => entry.kind === kind);
    return listed ?? (defaultsOf('defences', kind, '--defence') as DefenceEntry);
  });
}

function defaultsOf(list: 'attacks' | 'defences', kind: string, flag: string): AttackEntry | DefenceEntry {
  try {
    return defaultEntry(list, kind);
  } catch (error) {
    throw new InputError(
      flag,
      `${kind} has settings without defaults (${(error as Error).message}): give them in the scenario's redTeam.${list}`,
    );
  }
}
