import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { CosimWakeEventSchema, TimeoutPolicySchema } from '../../protocol/cosim.js';
import { listenForMosaik } from '../cosim/mosaik.js';
import { MosaikParticipant } from '../cosim/mosaik-participant.js';
import { StreetSimulator } from '../cosim/mosaik-street.js';
import { InputError } from '../errors.js';
import { parsePort } from '../live/options.js';

interface ServeFlags {
  host: string;
  port: string;
}

interface JoinFlags {
  sim: string;
  broker: string;
  id: string;
  passwordFile: string;
  model: string;
  num: string;
  params: string;
  simParams: string;
  attrs: string;
  policy?: string;
  timeoutMs?: string;
  wakeOn?: string;
}

const JsonObjectSchema = z.record(z.string(), z.unknown());

/** `gridflex mosaik serve` (the Street as a mosaik simulator) and `gridflex mosaik join` (a mosaik simulator in a lockstep run). */
export function registerMosaikCommand(program: Command): void {
  const mosaik = program
    .command('mosaik')
    .description('co-simulation with mosaik over its remote simulator protocol (docs/cosim.md)');
  mosaik
    .command('serve')
    .description(
      "offer GridFlex's street to a mosaik scenario: listen for mosaik (its `connect` mode), model Street(scenario, policy, days)",
    )
    .option('--host <address>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'TCP port (0 = any free port)', '5678')
    .action((flags: ServeFlags) => serve(flags));
  mosaik
    .command('join')
    .description('join a hub running the lockstep clock with a mosaik-API simulator listening on --sim')
    .requiredOption('--sim <host:port>', 'the simulator, started in its server mode (mosaik-api: `-r`)')
    .requiredOption('--broker <url>', 'the hub, e.g. mqtt://127.0.0.1:1883')
    .requiredOption(
      '--id <participant>',
      'participant ID, a `device:<id>` user on the hub (gridflex user add)',
    )
    .requiredOption('--password-file <file>', 'file holding that user’s password')
    .requiredOption('--model <name>', 'the model to create')
    .option('--num <n>', 'entities to create', '1')
    .option('--params <json>', 'model parameters (JSON object)', '{}')
    .option('--sim-params <json>', 'simulator parameters for init (JSON object)', '{}')
    .requiredOption('--attrs <list>', 'attributes read from every entity each step, comma-separated')
    .option('--policy <policy>', 'timeout policy: wait, skip-and-flag or drop (default: the hub’s)')
    .option('--timeout-ms <ms>', 'how long the hub waits for this participant (default: the hub’s)')
    .option(
      '--wake-on <json>',
      'hub events that step the simulator before its next time, e.g. \'[{"on":"prices"}]\' (docs/cosim.md)',
    )
    .action((flags: JoinFlags) => join(flags));
}

async function serve(flags: ServeFlags): Promise<void> {
  const port = parsePort(flags.port, '--port');
  const log = (message: string) => process.stderr.write(`${new Date().toISOString()} ${message}\n`);
  const listener = await listenForMosaik(flags.host, port, () => new StreetSimulator(), log).catch(
    (error: Error) => {
      throw new InputError('--port', `cannot listen: ${error.message}`);
    },
  );
  process.stdout.write(`mosaik simulator ready: ${flags.host}:${listener.port}\n`);
  await waitForSignal();
  await listener.close();
}

async function join(flags: JoinFlags): Promise<void> {
  const match = /^([^:\s]+):(\d+)$/.exec(flags.sim);
  if (!match) throw new InputError('--sim', `"${flags.sim}" is not host:port`);
  const simulator = { host: match[1] as string, port: parsePort(match[2] as string, '--sim') };
  const json = (text: string, flag: string) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new InputError(flag, 'not valid JSON');
    }
    const parsed = JsonObjectSchema.safeParse(value);
    if (!parsed.success) throw new InputError(flag, 'expected a JSON object');
    return parsed.data;
  };
  const num = Number(flags.num);
  if (!/^\d+$/.test(flags.num) || num < 1 || num > 10_000)
    throw new InputError('--num', `"${flags.num}" is not 1-10000`);
  const policy = flags.policy === undefined ? undefined : TimeoutPolicySchema.safeParse(flags.policy);
  if (policy && !policy.success)
    throw new InputError('--policy', `"${flags.policy}": expected wait, skip-and-flag or drop`);
  const timeoutMs = flags.timeoutMs === undefined ? undefined : Number(flags.timeoutMs);
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 3_600_000)) {
    throw new InputError('--timeout-ms', `"${flags.timeoutMs}" is not 1-3600000`);
  }
  let password: string;
  try {
    password = readFileSync(flags.passwordFile, 'utf8').trim();
  } catch {
    throw new InputError('--password-file', `${flags.passwordFile}: not readable`);
  }
  const attrs = flags.attrs
    .split(',')
    .map((attr) => attr.trim())
    .filter((attr) => attr !== '');
  if (attrs.length === 0) throw new InputError('--attrs', 'name at least one attribute');
  const wakeOn = flags.wakeOn === undefined ? undefined : parseWakeOn(flags.wakeOn);
  const log = (message: string) => process.stderr.write(`${new Date().toISOString()} ${message}\n`);
  const participant = await MosaikParticipant.start({
    id: flags.id,
    brokerUrl: flags.broker,
    password,
    simulator,
    model: flags.model,
    num,
    modelParams: json(flags.params, '--params'),
    simParams: json(flags.simParams, '--sim-params'),
    attrs,
    ...(policy?.success ? { policy: policy.data } : {}),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(wakeOn === undefined ? {} : { wakeOn }),
    log,
  });
  process.stdout.write(`mosaik participant ${flags.id} joined ${flags.broker}\n`);
  await waitForSignal();
  await participant.stop();
}

const WakeOnSchema = z.array(CosimWakeEventSchema).min(1).max(16);

function parseWakeOn(text: string): z.infer<typeof WakeOnSchema> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError('--wake-on', 'not valid JSON');
  }
  const parsed = WakeOnSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.length ? `[${issue.path.join('.')}] ` : '';
  throw new InputError('--wake-on', `${path}${issue?.message ?? 'invalid'}`);
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
