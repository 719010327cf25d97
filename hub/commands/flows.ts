import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import mqtt from 'mqtt';
import { listenProblem } from '../broker/embedded-broker.js';
import { InputError } from '../errors.js';
import { PACKAGE_ROOT, parsePort } from '../live/options.js';
import { DEFAULT_DATA_DIR } from '../runs/store.js';

const require = createRequire(import.meta.url);

/** The GridFlex node package Node-RED loads (its examples/ are the palette's examples). */
export const NODE_PACKAGE_DIR = join(PACKAGE_ROOT, 'flows', 'node-red-contrib-gridflex');
/** The hub config node every example names; `npm run flows` puts it in a new user dir's flows. */
export const HUB_CONFIG_NODE_ID = 'gridflex-hub-local';
/** How long the start-up check of the hub's broker waits before carrying on without it. */
const HUB_PROBE_MS = 3000;

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** The part of Node-RED's embedding API this command uses. */
interface NodeRed {
  init(server: Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: Handler;
  httpNode: Handler;
  version(): string;
}

interface FlowsFlags {
  broker: string;
  user?: string;
  passwordFile?: string;
  port: string;
  host: string;
  dataDir: string;
}

/** `gridflex flows`: Node-RED with the GridFlex nodes and examples, connected to the running hub. */
export function registerFlowsCommand(program: Command): void {
  program
    .command('flows')
    .description('run Node-RED with the GridFlex nodes and example flows, connected to the running hub')
    .option('--broker <url>', 'the hub\u2019s MQTT broker', 'mqtt://127.0.0.1:1883')
    .option('--user <name>', 'hub user the nodes log in as (gridflex user add <name> --role operator)')
    .option('--password-file <file>', 'file holding that user\u2019s password (else $GRIDFLEX_PASSWORD)')
    .option('--port <port>', 'Node-RED editor port (0 = any free port)', '1880')
    .option(
      '--host <address>',
      'interface the editor listens on (127.0.0.1 keeps it to this machine)',
      '127.0.0.1',
    )
    .option(
      '--data-dir <dir>',
      'the hub\u2019s data dir; Node-RED keeps its flows in <dir>/node-red',
      DEFAULT_DATA_DIR,
    )
    .addHelpText(
      'after',
      '\nPrints "flows ready: <editor url>" on stdout once Node-RED serves; stops cleanly on SIGINT/SIGTERM.\n' +
        'The examples are in the editor: menu \u2192 Import \u2192 Examples \u2192 node-red-contrib-gridflex.',
    )
    .action((flags: FlowsFlags) => runFlows(flags));
}

async function runFlows(flags: FlowsFlags): Promise<void> {
  const startedAt = performance.now();
  const port = parsePort(flags.port, '--port');
  if (!/^(mqtts?|wss?|tcp):\/\/[^\s/]+/.test(flags.broker)) {
    throw new InputError('--broker', `"${flags.broker}" is not an mqtt://host:port URL`);
  }
  if (flags.host.trim() === '') throw new InputError('--host', 'must not be empty');
  const login = readLogin(flags);
  const hubState = await probeHub(flags.broker, login);

  const userDir = join(resolve(flags.dataDir), 'node-red');
  mkdirSync(userDir, { recursive: true });
  seedFlows(join(userDir, 'flows.json'));

  const red = require('node-red') as NodeRed;
  const server = createServer((request, response) => {
    // The editor and its admin API at /, flows' own HTTP endpoints under /api.
    if (request.url?.startsWith('/api/')) {
      request.url = request.url.slice('/api'.length);
      red.httpNode(request, response);
    } else red.httpAdmin(request, response);
  });
  red.init(server, {
    userDir,
    flowFile: 'flows.json',
    credentialSecret: credentialSecret(userDir),
    nodesDir: [NODE_PACKAGE_DIR],
    httpAdminRoot: '/',
    httpNodeRoot: '/api',
    uiHost: flags.host,
    logging: { console: { level: 'warn', metrics: false, audit: false } },
    // A workshop table is often offline: no pings to nodered.org and no consent dialog in the editor.
    telemetry: { enabled: false, updateNotification: false },
    editorTheme: {
      page: { title: 'GridFlex flows' },
      header: { title: 'GridFlex flows' },
      tours: false,
      // No catalogue download from nodered.org each time the editor opens (workshop tables are often offline).
      palette: { catalogues: [] },
    },
    // Read by the gridflex-hub config node: its blank fields mean this connection.
    gridflex: { brokerUrl: flags.broker, ...(login ?? {}) },
  });
  await new Promise<void>((done, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      fail(new InputError('--port', listenProblem(flags.host, port, error))),
    );
    server.listen(port, flags.host, () => done());
  });
  await red.start();
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${flags.host.includes(':') ? `[${flags.host}]` : flags.host}:${boundPort}/`;
  const startMs = Math.round(performance.now() - startedAt);
  process.stdout.write(
    [
      `GridFlex flows (Node-RED ${red.version()}) with node-red-contrib-gridflex`,
      `  editor     ${url}`,
      `  hub        ${flags.broker}${login ? ` as ${login.username}` : ' (anonymous: read only)'} \u2014 ${hubState}`,
      `  user dir   ${userDir}`,
      '  examples   editor menu \u2192 Import \u2192 Examples \u2192 node-red-contrib-gridflex',
      `flows ready: ${url} (started in ${startMs} ms)`,
      '',
    ].join('\n'),
  );

  await new Promise<void>((done) => {
    const shutdown = () => {
      process.stderr.write('flows: stopping Node-RED\n');
      red
        .stop()
        .catch((error: Error) => process.stderr.write(`flows: ${error.message}\n`))
        .then(() => {
          server.closeAllConnections();
          server.close(() => done());
        });
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
}

/** The user and password from the flags, or null for an anonymous (read-only) connection. */
function readLogin(flags: FlowsFlags): { username: string; password: string } | null {
  if (flags.user === undefined) {
    if (flags.passwordFile !== undefined) throw new InputError('--password-file', 'needs --user');
    return null;
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(flags.user)) {
    throw new InputError('--user', `"${flags.user}" is not a hub user name`);
  }
  if (flags.passwordFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(flags.passwordFile, 'utf8');
    } catch {
      throw new InputError('--password-file', `${flags.passwordFile}: file not found or not readable`);
    }
    const password = text.trim();
    if (password === '') throw new InputError('--password-file', `${flags.passwordFile} is empty`);
    return { username: flags.user, password };
  }
  const password = process.env.GRIDFLEX_PASSWORD;
  if (!password) {
    throw new InputError('--user', `needs a password: set GRIDFLEX_PASSWORD or pass --password-file <file>`);
  }
  return { username: flags.user, password };
}

/**
 * Checks the hub's broker once: a refused login is the user's mistake (exit 2); a hub that is not up
 * yet is fine (the nodes connect when it starts). Returns what to show.
 */
function probeHub(url: string, login: { username: string; password: string } | null): Promise<string> {
  return new Promise((done, fail) => {
    const client = mqtt.connect(url, {
      protocolVersion: 4,
      clientId: `gridflex-flows-probe-${process.pid}`,
      reconnectPeriod: 0,
      connectTimeout: HUB_PROBE_MS,
      ...(login ?? {}),
    });
    const finish = (outcome: () => void) => {
      clearTimeout(timer);
      client.end(true);
      outcome();
    };
    const timer = setTimeout(
      () => finish(() => done('not answering yet (the nodes connect when it does)')),
      HUB_PROBE_MS,
    );
    client.once('connect', () => finish(() => done('connected')));
    client.once('error', (error: Error & { code?: number | string }) => {
      if (error.code === 4 || error.code === 5) {
        const who = login ? `user ${login.username}` : 'anonymous clients';
        finish(() => fail(new InputError('--user', `the hub at ${url} refused ${who}: ${error.message}`)));
      } else finish(() => done(`not reachable yet (${error.message}); the nodes connect when it starts`));
    });
  });
}

/** The key Node-RED encrypts the flows' credentials (hub passwords) with, made once per user dir (mode 0600). */
function credentialSecret(userDir: string): string {
  const file = join(userDir, '.credential-secret');
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** A new user dir starts with the hub config node the examples name (blank fields: this connection). */
function seedFlows(flowFile: string): void {
  if (existsSync(flowFile)) return;
  const hubNode = { id: HUB_CONFIG_NODE_ID, type: 'gridflex-hub', name: 'GridFlex hub', broker: '' };
  writeFileSync(flowFile, `${JSON.stringify([hubNode], null, 2)}\n`);
}
