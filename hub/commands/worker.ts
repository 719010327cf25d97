import type { Command } from 'commander';
import { integerFlag } from './flags.js';

interface WorkerFlags {
  queue: string;
  threads: string;
  lockMs: string;
}

/** `gridflex worker --queue redis://…`: takes the runs of queued sweeps (`gridflex study sweep --queue`). */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      'take runs of sweeps queued with gridflex study sweep --queue and run them on this machine (Redis + BullMQ)',
    )
    .requiredOption('--queue <url>', 'the Redis the sweeps are queued on, e.g. redis://10.0.0.5:6379')
    .option('--threads <n>', 'runs at once, each on a worker thread', '1')
    .option('--lock-ms <ms>', 'how long a run may go unconfirmed before other workers take it again', '30000')
    .addHelpText(
      'after',
      '\nRun it from a GridFlex checkout of the same version as the sweep\u2019s (the runs read the scenario\n' +
        'and its data by the paths given to study sweep). Prints "worker ready" once it takes runs;\n' +
        'SIGINT/SIGTERM: finishes the runs in hand, then exits 0. See docs/scale.md.',
    )
    .action((flags: WorkerFlags) => runWorker(flags));
}

async function runWorker(flags: WorkerFlags): Promise<void> {
  const threads = integerFlag(flags.threads, '--threads', 1, 256);
  const lockMs = integerFlag(flags.lockMs, '--lock-ms', 1000, 3_600_000);
  // BullMQ and the run's modules load only here: the rest of the CLI does not need them.
  const { startSweepWorker, SWEEP_QUEUE } = await import('../study/sweep-queue.js');
  const worker = await startSweepWorker({
    queueUrl: flags.queue,
    threads,
    lockMs,
    onJob: (event, message) => process.stdout.write(`${event} ${message.job.id}\n`),
    onError: (error) => process.stderr.write(`queue: ${error.message}\n`),
  });
  process.stdout.write(`worker ready: queue ${SWEEP_QUEUE} on ${flags.queue}, ${threads} threads\n`);
  await new Promise<void>((stop) => {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await worker.close();
}
