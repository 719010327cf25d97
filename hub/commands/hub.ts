import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { SecurityEvent } from '../../protocol/gridflex.js';
import { useBaselineWasmCompiler } from '../agents/highs.js';
import { CredentialStore } from '../auth/credentials.js';
import { knownDevices } from '../auth/known-devices.js';
import { ensureHubSecret, HUB_USERNAME, refreshMosquittoAuthFiles } from '../auth/mosquitto.js';
import { formatRole, parseRole } from '../auth/roles.js';
import type { ClusterNode } from '../broker/cluster.js';
import { EmbeddedBroker, ListenError, listenProblem } from '../broker/embedded-broker.js';
import { DEFAULT_CONTROL_RATE, DEFAULT_HOLD_OFF, DEFAULT_PUBLISH_RATE } from '../broker/rate-limiter.js';
import { DEFAULT_RETAINED_QUOTA } from '../broker/retained-quota.js';
import { startDashboardServer } from '../dashboard/http-server.js';
import { SessionStore } from '../dashboard/sessions.js';
import { InputError } from '../errors.js';
import { loadFeeder } from '../feeder/index.js';
import { type DemoFleet, startDemoFleet } from '../live/demo.js';
import { type HubLogLevel, HubRuntime } from '../live/hub-runtime.js';
import { ExternalLink, type HubLink, InProcessLink } from '../live/link.js';
import { DashboardLinkShaper } from '../live/link-shaper.js';
import {
  DEFAULT_TABLE_MAP,
  lanAddress,
  loadTableMapFrom,
  parsePort,
  parsePositiveInt,
} from '../live/options.js';
import { DEFAULT_DATA_DIR } from '../runs/store.js';
import { checkMapAgainstFeeder } from '../table/map-config.js';

interface HubFlags {
  scenario: string;
  mqttPort: string;
  wsPort: string;
  httpPort: string;
  host: string;
  broker?: string;
  dataDir: string;
  stepMs?: string;
  rateLimit?: string;
  controlRateLimit: string;
  retainedMaxTopics: string;
  retainedMaxKib: string;
  demo?: boolean;
  cluster?: string;
  clusterNodeId?: string;
  /** False with --no-sim: a broker node of a cluster without the simulation core. */
  sim: boolean;
}

/** `gridflex hub`: the live table's hub (broker, clock, feeder physics, dashboard). */
export function registerHubCommand(program: Command): void {
  program
    .command('hub')
    .description('run the live table hub: MQTT broker, clock, feeder power flow every step, dashboard')
    .option('--scenario <file>', 'table map YAML (or a scenario with a table: section)', DEFAULT_TABLE_MAP)
    .option('--mqtt-port <port>', 'embedded broker: MQTT over TCP port (0 = any free port)', '1883')
    .option(
      '--ws-port <port>',
      'embedded broker: MQTT over WebSocket port for browsers (0 = any free port)',
      '8883',
    )
    .option('--http-port <port>', 'dashboard and /api/state (0 = any free port)', '8080')
    .option('--host <address>', 'interface to listen on (127.0.0.1 keeps it to this machine)', '0.0.0.0')
    .option(
      '--broker <url>',
      'use an external broker (e.g. mqtt://127.0.0.1:1883, see `gridflex mosquitto-config`)',
    )
    .option('--data-dir <dir>', 'credentials, device configs and table state', DEFAULT_DATA_DIR)
    .option(
      '--step-ms <ms>',
      'wall-clock milliseconds between clock steps (default: the scenario clock.stepMs)',
    )
    .option(
      '--rate-limit <perSecond>',
      `messages/s one board or user may publish, burst 10x (on --broker: boards only) (default ${DEFAULT_PUBLISH_RATE.perSecond}, burst ${DEFAULT_PUBLISH_RATE.burst})`,
    )
    .option(
      '--control-rate-limit <perSecond>',
      'embedded broker: control commands/s one user may send (burst 4x)',
      String(DEFAULT_CONTROL_RATE.perSecond),
    )
    .option(
      '--retained-max-topics <count>',
      'retained topics one board or user may hold (on --broker: boards only)',
      String(DEFAULT_RETAINED_QUOTA.maxTopics),
    )
    .option(
      '--retained-max-kib <KiB>',
      'retained KiB (topics and payloads) one board or user may hold (on --broker: boards only)',
      String(DEFAULT_RETAINED_QUOTA.maxBytes / 1024),
    )
    .option('--demo', 'also run a simulated device agent (its own process and credentials) for every asset')
    .option(
      '--cluster <url>',
      'embedded broker on several nodes: share subscriptions, retained messages and wills through this Redis (redis://host:port, docs/scale.md)',
    )
    .option('--cluster-node-id <id>', "this node's name in the cluster (default: <hostname>-<pid>)")
    .option(
      '--no-sim',
      'with --cluster: a broker node only; another node runs the simulation core and dashboard',
    )
    .addHelpText(
      'after',
      '\nStops cleanly on SIGINT/SIGTERM (retained hub state "stopped", placements saved).\n' +
        'Prints "hub ready: mqtt=<url> ws=<url> http=<url>" on stdout once it serves.',
    )
    .action((flags: HubFlags) => runHub(flags));
}

/**
 * The cluster's parts (Redis: ioredis, mqemitter-redis, aedes-persistence-redis), imported only with --cluster,
 * as the MQTT client only with --broker: a lone hub does without them (memory, docs/architecture.md).
 */
const clusterParts = () => import('../broker/cluster.js');

async function runHub(flags: HubFlags): Promise<void> {
  // The hub runs for hours: HiGHS's baseline code only, some 70 MB less resident memory (hub/agents/highs.ts).
  useBaselineWasmCompiler();
  const mqttPort = parsePort(flags.mqttPort, '--mqtt-port');
  const wsPort = parsePort(flags.wsPort, '--ws-port');
  const httpPort = parsePort(flags.httpPort, '--http-port');
  const ratePerSecond =
    flags.rateLimit === undefined ? null : parsePositiveInt(flags.rateLimit, '--rate-limit', 10_000_000);
  const rateLimit =
    ratePerSecond === null ? DEFAULT_PUBLISH_RATE : { perSecond: ratePerSecond, burst: ratePerSecond * 10 };
  const controlPerSecond = parsePositiveInt(flags.controlRateLimit, '--control-rate-limit', 10_000);
  const retainedQuota = {
    maxTopics: parsePositiveInt(flags.retainedMaxTopics, '--retained-max-topics', 1_000_000),
    maxBytes: parsePositiveInt(flags.retainedMaxKib, '--retained-max-kib', 1024 * 1024) * 1024,
  };
  const stepMs =
    flags.stepMs === undefined ? undefined : parsePositiveInt(flags.stepMs, '--step-ms', 3_600_000);
  if (flags.broker !== undefined && !/^(mqtts?|wss?|tcp):\/\/[^\s/]+/.test(flags.broker)) {
    throw new InputError('--broker', `"${flags.broker}" is not an mqtt://host:port URL`);
  }
  const clusterNodeId = await clusterNodeOf(flags);
  const map = loadTableMapFrom(flags.scenario);
  const network = loadFeeder(map.feederDir);
  checkMapAgainstFeeder(map, network);
  const dashboardLink = map.links?.hubDashboard;
  if (dashboardLink && flags.broker !== undefined) {
    throw new InputError(
      `${flags.scenario}: links.hubDashboard`,
      "the hub shapes the dashboards' link in its own broker, and with --broker the dashboards connect to that one: remove --broker or the hubDashboard link",
    );
  }

  const dataDir = resolve(flags.dataDir);
  mkdirSync(dataDir, { recursive: true });
  // A broker-only node writes nothing there: nodes on one machine may share the data dir (its credentials).
  const releaseLock = flags.sim ? lockDataDir(dataDir) : () => {};
  const log = (level: HubLogLevel | 'info', message: string) =>
    process.stderr.write(`${new Date().toISOString()} ${level} hub: ${message}\n`);

  const cleanups: (() => Promise<void>)[] = [async () => releaseLock()];
  const cleanup = async () => {
    for (const step of cleanups.reverse())
      await step().catch((error) => log('warn', `shutdown: ${(error as Error).message}`));
  };
  // Signals are ours from the start: a SIGINT while the hub is still starting (boards being spawned) stops what
  // has started, children included, instead of killing the hub and leaving them running.
  let stopSignal: string | null = null;
  let onStop: () => void = () => {};
  const stopped = new Promise<void>((done) => {
    onStop = done;
  });
  const requestStop = (signal: string) => {
    if (stopSignal !== null) return;
    stopSignal = signal;
    log('info', `${signal}: stopping`);
    onStop();
  };
  const onSigint = () => requestStop('SIGINT');
  const onSigterm = () => requestStop('SIGTERM');
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigterm);
  /** Between start-up stages: true once a signal asked the hub to stop. */
  const stopRequested = () => stopSignal !== null;
  try {
    const store = CredentialStore.open(dataDir);
    let broker: EmbeddedBroker | undefined;
    const sessions = new SessionStore({
      currentRole: (username) => {
        store.reloadIfChanged();
        const principal = store.get(username);
        return principal ? formatRole(principal.role) : null;
      },
      onRevoked: () => broker?.closeRevoked(),
    });
    let link: HubLink;
    /** Whether this process runs the simulation core (a cluster node may be a broker only). */
    let simulates = true;
    let runtime: HubRuntime | undefined;
    let mqttUrl: string;
    let wsUrl: string | null = null;
    const displayHost = flags.host === '0.0.0.0' ? '127.0.0.1' : flags.host;
    // Until the runtime runs (on a broker-only node, never) the log is their record.
    const onSecurityEvent = (event: SecurityEvent) =>
      runtime ? runtime.reportSecurity(event) : log('warn', `security: ${JSON.stringify(event)}`);
    if (flags.broker !== undefined) {
      const secret = await ensureHubSecret(dataDir, store);
      link = await ExternalLink.connect({
        url: flags.broker,
        username: HUB_USERNAME,
        password: secret,
        log: (message) => log('warn', message),
      }).catch((error: Error) => {
        throw new InputError('--broker', `cannot connect to ${flags.broker}: ${error.message}`);
      });
      const { MosquittoGuard } = await import('../broker/mosquitto-guard.js');
      const guard = await MosquittoGuard.start({
        url: flags.broker,
        username: HUB_USERNAME,
        password: secret,
        rateLimit,
        holdOff: DEFAULT_HOLD_OFF,
        retainedQuota,
        isBoard: knownDevices(dataDir),
        report: onSecurityEvent,
        log: (message) => log('warn', message),
      });
      cleanups.push(() => guard.close());
      mqttUrl = flags.broker;
    } else {
      let clusterNode: ClusterNode | undefined;
      const holdOffs =
        clusterNodeId === null ? undefined : new (await clusterParts()).ClusterHoldOffs(clusterNodeId);
      if (flags.cluster !== undefined && clusterNodeId !== null) {
        const joined = await (await clusterParts()).joinCluster(
          flags.cluster,
          clusterNodeId,
          '--cluster',
          (error) => log('warn', `cluster: Redis: ${error.message}`),
        );
        clusterNode = joined;
        cleanups.push(() => joined.close());
      }
      broker = await EmbeddedBroker.start({
        host: flags.host,
        mqttPort,
        wsPort,
        credentials: store,
        sessionRole: (username, token) => {
          const session = sessions.forUser(username, token);
          return session ? parseRole(session.role, `session of ${username}`) : null;
        },
        rateLimit,
        controlRateLimit: { perSecond: controlPerSecond, burst: controlPerSecond * 4 },
        retainedQuota,
        onSecurityEvent,
        ...(clusterNode && { cluster: clusterNode.parts, sharedHoldOffs: holdOffs }),
        ...(dashboardLink && { webSocketLinks: new DashboardLinkShaper(dashboardLink) }),
      }).catch((error: Error) => {
        if (!(error instanceof ListenError)) throw error;
        throw new InputError(error.which === 'mqtt' ? '--mqtt-port' : '--ws-port', error.message);
      });
      const started = broker;
      cleanups.push(() => started.close());
      link = clusterNode
        ? new (await import('../live/cluster-link.js')).ClusterLink(broker.aedes)
        : new InProcessLink(broker.aedes);
      await holdOffs?.attach(broker.aedes);
      // Aedes reports a failed Redis read (its periodic wills sweep while Redis is away) as an 'error' event,
      // which without a listener ends the process; the sweep runs again once Redis is back.
      if (clusterNode)
        (broker.aedes as unknown as NodeJS.EventEmitter).on('error', (error: Error) =>
          log('warn', `cluster: broker: ${error.message}`),
        );
      if (flags.cluster !== undefined && clusterNodeId !== null) {
        simulates = await takeSimulation(broker, flags.cluster, clusterNodeId, flags.sim, {
          log,
          stopRequested,
          cleanups,
        });
      }
      mqttUrl = `mqtt://${displayHost}:${broker.mqttPort}`;
      wsUrl = `ws://${displayHost}:${broker.wsPort}`;
    }
    cleanups.push(() => link.close());

    if (!simulates) {
      if (!stopRequested()) {
        process.stdout.write(
          `GridFlex broker node ${clusterNodeId} (cluster ${flags.cluster}): MQTT ${mqttUrl}   (browsers: ${wsUrl})\n` +
            `hub ready: mqtt=${mqttUrl} ws=${wsUrl ?? '-'} http=-\n`,
        );
      }
    } else {
      runtime = new HubRuntime({
        map,
        network,
        link,
        dataDir,
        ...(stepMs === undefined ? {} : { stepMs }),
        log,
        ...(broker && {
          redTeamBroker: { url: `mqtt://127.0.0.1:${broker.mqttPort}`, logins: broker.redTeam },
        }),
      });
      const running = runtime;
      await runtime.start();
      cleanups.push(() => running.stop());

      const status = await startDashboardServer({
        port: httpPort,
        host: flags.host,
        context: {
          snapshot: () => running.snapshot(),
          endpoints: { mqttUrl, wsUrl },
          network,
          map,
          dataDir,
          credentials: store,
          sessions,
          log,
        },
      }).catch((error: NodeJS.ErrnoException) => {
        throw new InputError('--http-port', `dashboard port: ${listenProblem(flags.host, httpPort, error)}`);
      });
      cleanups.push(() => new Promise<void>((done) => status.server.close(() => done())));
      const httpUrl = `http://${displayHost}:${status.port}`;

      let fleet: DemoFleet | undefined;
      if (flags.demo && !stopRequested()) {
        const effectiveStepMs = stepMs ?? map.clock.stepMs;
        fleet = await startDemoFleet({
          map,
          dataDir,
          store,
          brokerUrl: broker ? `mqtt://127.0.0.1:${broker.mqttPort}` : mqttUrl,
          msPerSimMinute: effectiveStepMs / map.clock.stepMinutes,
          log: (message) => log('warn', message),
        });
        const started = fleet;
        cleanups.push(() => started.stop());
        if (!broker && refreshMosquittoAuthFiles(dataDir, store)) {
          log(
            'warn',
            `demo boards added to ${dataDir}/mosquitto/passwd and acl: send Mosquitto a SIGHUP to let them in`,
          );
        }
      }

      if (!stopRequested()) {
        process.stdout.write(
          [
            `GridFlex hub: ${map.plots.length} plots on feeder ${network.name} (${map.file})`,
            `  dashboard     ${httpUrl}/  (JSON: ${httpUrl}/api/state)`,
            `  MQTT broker   ${mqttUrl}${wsUrl ? `   (browsers: ${wsUrl})` : ''}${broker ? '' : ' (external)'}`,
            broker && flags.host === '0.0.0.0'
              ? `  for boards    mqtt://${lanAddress()}:${broker.mqttPort} (this machine on the LAN)`
              : '',
            `  data dir      ${dataDir}`,
            fleet
              ? `  demo          ${fleet.boards.length} simulated boards: ${fleet.boards.map((board) => board.deviceId).join(', ')}`
              : '',
            '  add a board   gridflex device add <id> --from hardware/boards/<board>.yaml --plot <plot> ' +
              `--data-dir ${flags.dataDir}`,
            '                (or --kind pv|ev-pad|heat-pump|battery|meter); guide: docs/makers-guide.md',
            '                then on the board: node dist/devices/cli.js --config <the printed file>',
            `hub ready: mqtt=${mqttUrl} ws=${wsUrl ?? '-'} http=${httpUrl}`,
            '',
          ]
            .filter((line) => line !== '')
            .map((line) => `${line}\n`)
            .join(''),
        );
      }
    }
  } catch (error) {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    await cleanup();
    throw error;
  }

  await stopped;
  await cleanup();
  log('info', 'stopped');
}

/**
 * A cluster node, once its broker serves: relays its clients' controls to the simulation core until it runs the
 * core itself. With `sim`, it takes the core's Redis lock, waiting (as a broker) while another node holds it.
 * Returns whether this node runs the core.
 */
async function takeSimulation(
  broker: EmbeddedBroker,
  clusterUrl: string,
  nodeId: string,
  sim: boolean,
  hub: {
    log: (level: HubLogLevel | 'info', message: string) => void;
    stopRequested: () => boolean;
    cleanups: (() => Promise<void>)[];
  },
): Promise<boolean> {
  const { relaySenders, SimLock, SIM_LOCK_MS } = await clusterParts();
  const stopRelay = relaySenders(broker.aedes);
  if (!sim) {
    hub.log('info', `cluster node ${nodeId}: broker only`);
    return false;
  }
  const lock = await SimLock.take(clusterUrl, nodeId, {
    onLost: (why) => hub.log('error', `cluster: ${why}`),
    onWaiting: (holder) =>
      hub.log(
        'info',
        `cluster node ${nodeId}: node "${holder}" runs the simulation core; serving as a broker until its lock lapses (${SIM_LOCK_MS / 1000} s after it is killed)`,
      ),
    stopRequested: hub.stopRequested,
  });
  if (lock === null) return false;
  hub.cleanups.push(() => lock.release());
  stopRelay();
  hub.log('info', `cluster node ${nodeId}: runs the simulation core`);
  return true;
}

/** This node's cluster ID (null without --cluster), after checking the cluster flags go together. */
async function clusterNodeOf(flags: HubFlags): Promise<string | null> {
  if (flags.cluster === undefined) {
    if (!flags.sim) throw new InputError('--no-sim', 'only with --cluster: a lone hub runs the simulation');
    if (flags.clusterNodeId !== undefined) throw new InputError('--cluster-node-id', 'only with --cluster');
    return null;
  }
  if (!flags.sim && flags.demo) {
    throw new InputError('--demo', 'the demo boards start with the simulation core: leave out --no-sim');
  }
  if (flags.broker !== undefined) {
    throw new InputError('--cluster', 'the embedded broker runs the cluster; leave out --broker');
  }
  return flags.clusterNodeId === undefined
    ? `${hostname()}-${process.pid}`
    : (await clusterParts()).parseNodeId(flags.clusterNodeId, '--cluster-node-id');
}

/** One hub per data dir: a pid file, taken over when its process is gone. Returns the release function. */
function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'hub.pid');
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
      throw new InputError('--data-dir', `${dataDir} is in use by another hub (pid ${pid})`);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
  }
  writeFileSync(file, `${process.pid}\n`);
  return () => rmSync(file, { force: true });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
