import { type Command, Option } from 'commander';

/**
 * A top-level `gridflex` subcommand. Its module is imported only when the command runs: the modules pull in
 * the feeder, zod schemas, SQLite, the broker or Node-RED, which cost a second before `--help` could print.
 */
export interface LazyCommand {
  name: string;
  /** The description its module gives it, so the root help can list it without importing the module. */
  description: string;
  /** Whether the command itself takes options: the root help then lists it as `name [options]`. */
  hasOptions: boolean;
  /** The module's register function(s), which define the command (and its subcommands) in full. */
  load: () => Promise<Array<(program: Command) => void>>;
}

/** Every subcommand, in the order the root help lists them. */
export const COMMANDS: readonly LazyCommand[] = [
  {
    name: 'powerflow',
    description: 'solve the unbalanced three-phase power flow of a feeder for one snapshot or a whole day',
    hasOptions: true,
    load: async () => [(await import('./powerflow.js')).registerPowerflowCommand],
  },
  {
    name: 'data',
    description: 'generate the data files scenarios use (deterministic from a seed)',
    hasOptions: false,
    load: async () => [(await import('./data.js')).registerDataCommand],
  },
  {
    name: 'tariffs',
    description: 'tariff catalogues (suppliers, tariffs, regulator rules)',
    hasOptions: false,
    load: async () => [(await import('./tariffs.js')).registerTariffsCommand],
  },
  {
    name: 'hub',
    description: 'run the live table hub: MQTT broker, clock, feeder power flow every step, dashboard',
    hasOptions: true,
    load: async () => [(await import('./hub.js')).registerHubCommand],
  },
  {
    name: 'device',
    description: 'register the table\u2019s boards (credentials and config files)',
    hasOptions: false,
    load: async () => [(await import('./device.js')).registerDeviceCommand],
  },
  {
    name: 'user',
    description: 'workshop roles\u2019 credentials',
    hasOptions: false,
    load: async () => [(await import('./user.js')).registerUserCommand],
  },
  {
    name: 'mosquitto-config',
    description:
      'write mosquitto.conf, passwd, acl and dynamic-security.json for the hub\u2019s users, roles and limits; prints the conf path',
    hasOptions: true,
    load: async () => [(await import('./mosquitto.js')).registerMosquittoCommand],
  },
  {
    name: 'protocol-docs',
    description: 'write the wire protocol as JSON Schema (protocol.schema.json) and Markdown (protocol.md)',
    hasOptions: true,
    load: async () => [(await import('./protocol.js')).registerProtocolCommand],
  },
  {
    name: 'run',
    description: 'run a scenario (a year at 30-minute steps by default) with the power flow at every step',
    hasOptions: true,
    load: async () => [(await import('./run.js')).registerRunCommand],
  },
  {
    name: 'study',
    description: 'studies over policies and scenario variants',
    hasOptions: false,
    load: async () => [
      (await import('./study.js')).registerStudyCommand,
      (await import('./redteam.js')).registerRedTeamStudyCommand,
      (await import('./links-study.js')).registerLinksStudyCommand,
    ],
  },
  {
    name: 'hardware',
    description: 'check board pinouts and device configs; draw wiring from a pinout',
    hasOptions: false,
    load: async () => [(await import('./hardware.js')).registerHardwareCommand],
  },
  {
    name: 'flows',
    description: 'run Node-RED with the GridFlex nodes and example flows, connected to the running hub',
    hasOptions: true,
    load: async () => [(await import('./flows.js')).registerFlowsCommand],
  },
  {
    name: 'runs',
    description: 'the run history: every gridflex run and study recorded in the data dir (SQLite)',
    hasOptions: false,
    load: async () => [(await import('./runs.js')).registerRunsCommand],
  },
  {
    name: 'report',
    description:
      'the report of a finished gridflex run, study poa, study links, study redteam or a study sweep over social graphs as ONE self-contained HTML file (opens offline, prints to PDF)',
    hasOptions: true,
    load: async () => [(await import('./report.js')).registerReportCommand],
  },
  {
    name: 'mcp',
    description:
      'MCP server for a resident\u2019s AI agent: their home\u2019s meter, prices, carbon, tariffs and controls',
    hasOptions: true,
    load: async () => [(await import('./mcp.js')).registerMcpCommand],
  },
  {
    name: 'worker',
    description:
      'take runs of sweeps queued with gridflex study sweep --queue and run them on this machine (Redis + BullMQ)',
    hasOptions: true,
    load: async () => [(await import('./worker.js')).registerWorkerCommand],
  },
  {
    name: 'mosaik',
    description: 'co-simulation with mosaik over its remote simulator protocol (docs/cosim.md)',
    hasOptions: false,
    load: async () => [(await import('./mosaik.js')).registerMosaikCommand],
  },
];

/**
 * The command the arguments run (`gridflex NAME ...` or `gridflex help NAME`), or undefined when they
 * run none (root help, version, an unknown name): then the root help is all that may be needed.
 */
export function commandToRun(args: readonly string[]): LazyCommand | undefined {
  // The root's own options (-h, -V) end the run, so the command is the first word or follows `help`.
  const name = args[0] === 'help' ? args[1] : args[0];
  return COMMANDS.find((command) => command.name === name);
}

/**
 * Adds `command` to `program` as the root help lists it: name, description and `[options]`, without
 * importing its module. Running it is never needed: a command that runs is loaded in full instead.
 */
export function listCommand(program: Command, command: LazyCommand): void {
  const listed = program.command(command.name).description(command.description);
  // The root help writes `name [options]` when a command has options; a hidden one keeps that term.
  if (command.hasOptions) listed.addOption(new Option('--listed').hideHelp());
}
