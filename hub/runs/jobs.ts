/**
 * Short runs started from the dashboard: each is a child `gridflex run` process (so the hub's event loop
 * never carries a simulation), writing into the data dir and recording itself in the run history.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export type JobState = 'running' | 'done' | 'failed';

export interface RunJob {
  id: string;
  state: JobState;
  scenarioName: string;
  /** The name the user gave the file. */
  fileName: string;
  days: number;
  policy: string | null;
  startedAt: string;
  finishedAt: string | null;
  /** The history's id of the finished run. */
  runId: number | null;
  /** Why it failed, in the CLI's words. */
  error: string | null;
}

export interface StartJobOptions {
  scenarioFile: string;
  scenarioName: string;
  fileName: string;
  days: number;
  policy?: string;
  outDir: string;
  dataDir: string;
}

/** Jobs kept for the page to poll (the newest; older finished ones are forgotten). */
const KEPT_JOBS = 50;

export class RunJobs {
  private readonly jobs = new Map<string, RunJob>();
  private counter = 0;

  /**
   * @param cliPath - the built CLI (dist/hub/cli.js).
   * @param maxRunning - jobs allowed at once (the hub shares its cores with the live table).
   */
  constructor(
    private readonly cliPath: string,
    readonly maxRunning = 1,
    private readonly log: (level: 'info' | 'warn', message: string) => void = () => {},
  ) {}

  running(): number {
    return [...this.jobs.values()].filter((job) => job.state === 'running').length;
  }

  get(id: string): RunJob | undefined {
    return this.jobs.get(id);
  }

  start(options: StartJobOptions): RunJob {
    this.counter++;
    const job: RunJob = {
      id: `job-${Date.now().toString(36)}-${this.counter}`,
      state: 'running',
      scenarioName: options.scenarioName,
      fileName: options.fileName,
      days: options.days,
      policy: options.policy ?? null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      runId: null,
      error: null,
    };
    this.remember(job);
    const args = [
      this.cliPath,
      'run',
      '--scenario',
      options.scenarioFile,
      '--days',
      String(options.days),
      '--out',
      options.outDir,
      '--data-dir',
      options.dataDir,
      ...(options.policy ? ['--policy', options.policy] : []),
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const finish = (code: number | null, problem?: string) => {
      job.finishedAt = new Date().toISOString();
      const recorded = /recorded as run (\d+) in /.exec(stdout);
      if (code === 0 && recorded) {
        job.state = 'done';
        job.runId = Number(recorded[1]);
        this.log(
          'info',
          `run job ${job.id} (${job.fileName}, ${job.days} days) finished as run ${job.runId}`,
        );
      } else {
        job.state = 'failed';
        job.error =
          problem ??
          (stderr
            .split('\n')
            .find((line) => line.startsWith('error: '))
            ?.slice(7) ||
            `gridflex run exited with code ${code}`);
        this.log('warn', `run job ${job.id} (${job.fileName}) failed: ${job.error}`);
      }
    };
    child.on('error', (error) => finish(null, error.message));
    child.on('exit', (code) => finish(code));
    return job;
  }

  private remember(job: RunJob): void {
    this.jobs.set(job.id, job);
    for (const [id, old] of this.jobs) {
      if (this.jobs.size <= KEPT_JOBS) break;
      if (old.state !== 'running') this.jobs.delete(id);
    }
  }
}

/** Where a dashboard-started run writes: one folder per run under the data dir. */
export function uploadedRunDir(dataDir: string, stamp: string): string {
  return join(dataDir, 'dashboard-runs', stamp);
}
