import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { isPolicyName, POLICY_NAMES, unknownPolicy } from '../agents/registry.js';
import { InputError } from '../errors.js';
import { DEFAULT_DATA_DIR, RunStore } from '../runs/index.js';
import { loadRunInputs } from '../sim/inputs.js';
import type { Metrics } from '../sim/metrics.js';
import { runPolicyMaker, saveRun } from '../sim/run-setup.js';
import { runWithPassiveBaseline } from '../sim/study.js';
import {
  formatChange,
  formatGbp,
  linesInWords,
  spanInWords,
  unsettledInWords,
  voltageInWords,
} from '../sim/summary-words.js';
import { type AgentFlags, addAgentOptions, withAgent } from './agent-option.js';
import { addSpanOptions, numberFlag, type SpanFlags, spanOptions } from './flags.js';

/** `gridflex run --scenario FILE --out DIR [--policy NAME] [--start-day D] [--days N] [--warm-up-days W]`: a scenario's year, with its passive baseline. */
export function registerRunCommand(program: Command): void {
  addAgentOptions(
    addSpanOptions(
      program
        .command('run')
        .description(
          'run a scenario (a year at 30-minute steps by default) with the power flow at every step',
        )
        .requiredOption('--scenario <file>', 'scenario YAML file (e.g. scenarios/ieee-eu-lv.yaml)')
        .requiredOption('--out <dir>', 'folder for metrics.json, the per-step CSV series and the logs')
        .option(
          '--policy <name>',
          `policy for every home (${POLICY_NAMES.join(', ')}); default: each home's own`,
        )
        .option(
          '--limit-kw <kW>',
          "street import limit at the transformer for nash, cooperative and central (default: the feeder's hosting capacity by power flow)",
        ),
    ),
  )
    .option('--data-dir <dir>', 'data dir whose run history (runs.sqlite) records this run', DEFAULT_DATA_DIR)
    .action(
      async (
        options: {
          scenario: string;
          out: string;
          policy?: string;
          limitKw?: string;
          dataDir: string;
        } & SpanFlags &
          AgentFlags,
      ) => {
        if (options.policy !== undefined && !isPolicyName(options.policy)) {
          throw new InputError('--policy', unknownPolicy(options.policy));
        }
        const inputs = loadRunInputs(options.scenario);
        const span = spanOptions(options, inputs);
        // Opened before the run, so a bad --data-dir is refused before any work.
        const history = RunStore.open(options.dataDir);
        const bar = process.stdout.isTTY
          ? new SingleBar({
              format: 'running [{bar}] {percentage}% | {value}/{total} steps | ETA {eta_formatted}',
              etaBuffer: 50,
            })
          : undefined;
        const limitKw =
          options.limitKw !== undefined ? numberFlag(options.limitKw, '--limit-kw', 1, 1e6) : undefined;
        const makePolicy = await runPolicyMaker(inputs, limitKw);
        const { result, passive, metrics } = await withAgent(options, () =>
          runWithPassiveBaseline(inputs, options.policy, {
            createPolicy: makePolicy,
            ...span,
            onProgress: (done, total) => {
              if (!bar) return;
              if (done <= 48 && !bar.isActive) bar.start(total, 0);
              bar.update(done);
            },
          }),
        );
        bar?.stop();
        const { files, record } = saveRun(
          history,
          {
            scenarioFile: options.scenario,
            outDir: options.out,
            policy: options.policy ?? 'scenario',
            ...(options.limitKw !== undefined ? { limitKw: Number(options.limitKw) } : {}),
          },
          { result, passive, metrics },
        );
        history.close();
        const t = metrics.totals;
        const n = metrics.network;
        const lines = [
          `${result.scenario}: ${result.homes.length} homes, ${result.days} day${result.days === 1 ? '' : 's'} at ${result.stepMinutes} min, policy ${result.policy} (${spanInWords(result)})`,
          `bills ${formatGbp(t.billsGbp)} (${formatGbp(t.vsPassive.billsGbp, true)} vs passive), carbon ${t.carbonKg.toFixed(1)} kg (${formatChange(t.vsPassive.carbonKg)} kg)`,
          `transformer peak ${n.transformerPeakKw.toFixed(1)} kW (${formatChange(n.vsPassive.transformerPeakKw)} kW), ${n.transformerPeakLoadingPct.toFixed(1)} % of its rating${n.transformerOverloadSteps > 0 ? `: BREACH, over its rating in ${n.transformerOverloadSteps} steps` : ''}`,
          voltageInWords(n, result.networkStress),
          linesInWords(result.networkStress),
          `switches ${metrics.switching.completed + metrics.switching.completedLate} completed, ${metrics.switching.failed} failed; promises not kept ${metrics.cannotKeepCount}`,
          ...marketSummary(metrics),
          ...unsettledInWords(result.timing.inverterUnsettledSteps),
          `time ${(result.timing.totalMs / 1000).toFixed(1)} s (power flow ${(result.timing.powerFlowMs / 1000).toFixed(1)} s in ${result.timing.powerFlowSolves} solves, optimisation ${(result.timing.optimisationMs / 1000).toFixed(1)} s) + passive baseline ${result === passive ? '(same run)' : `${(passive.timing.totalMs / 1000).toFixed(1)} s`}`,
          `wrote ${files.length} files to ${options.out}`,
          `recorded as run ${record.id} in ${history.file}`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      },
    );
}

/** One line on what the scenario's market module did (none for retail only). */
function marketSummary(metrics: Metrics): string[] {
  const flex = metrics.flexAuction;
  if (flex) {
    const price = flex.clearingPriceGbpPerKwh;
    return [
      `flex auction: ${flex.auctionsByDirection.reduce} to turn down and ${flex.auctionsByDirection.increase} to take up reverse flow at the ${flex.limitKw} kW limit (${flex.basis}), ${flex.clearedKwh.toFixed(1)} kWh bought for ${formatGbp(flex.paymentsGbp)}${price ? ` (${formatGbp(price.min, false, 3)}–${formatGbp(price.max, false, 3)}/kWh)` : ''}, ${flex.auctionsWithShortfall} short`,
    ];
  }
  const battery = metrics.sharedAssets?.communityBattery;
  if (battery) {
    return [
      `community battery: ${battery.storedKwh.toFixed(1)} kWh stored, ${battery.drawnKwh.toFixed(1)} kWh drawn by ${battery.perHome.filter((home) => home.drawnKwh > 0).length} homes, state of charge ${battery.socKwh.min.toFixed(1)}–${battery.socKwh.max.toFixed(1)} of ${battery.capacityKwh} kWh`,
    ];
  }
  return [];
}
