import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CredentialStore } from '../auth/credentials.js';
import { DEFAULT_MAX_CONNECTIONS, ensureHubSecret, writeMosquittoConfig } from '../auth/mosquitto.js';
import { parsePort, parsePositiveInt } from '../live/options.js';
import { DEFAULT_DATA_DIR } from '../runs/store.js';

interface MosquittoFlags {
  dataDir: string;
  port: string;
  host: string;
  wsPort?: string;
  maxConnections: string;
}

/** `gridflex mosquitto-config`: an external Mosquitto that enforces the hub's users and roles. */
export function registerMosquittoCommand(program: Command): void {
  program
    .command('mosquitto-config')
    .description(
      'write mosquitto.conf, passwd, acl and dynamic-security.json for the hub\u2019s users, roles and limits; prints the conf path',
    )
    .option('--data-dir <dir>', 'the hub\u2019s data dir', DEFAULT_DATA_DIR)
    .option('--port <port>', 'MQTT listener port', '1883')
    .option('--host <address>', 'listener address', '0.0.0.0')
    .option('--ws-port <port>', 'also a WebSocket listener on this port')
    .option('--max-connections <count>', 'clients at once on each listener', String(DEFAULT_MAX_CONNECTIONS))
    .addHelpText(
      'after',
      '\nThen: mosquitto -c <conf> and gridflex hub --broker mqtt://<host>:<port> --data-dir <dir>.\n' +
        'Run it again after adding devices or users (or send Mosquitto SIGHUP after rewriting).',
    )
    .action(async (flags: MosquittoFlags) => {
      const dataDir = resolve(flags.dataDir);
      const store = CredentialStore.open(dataDir);
      await ensureHubSecret(dataDir, store);
      const file = writeMosquittoConfig(dataDir, store, {
        port: parsePort(flags.port, '--port'),
        host: flags.host,
        maxConnections: parsePositiveInt(flags.maxConnections, '--max-connections', 1_000_000),
        ...(flags.wsPort === undefined ? {} : { wsPort: parsePort(flags.wsPort, '--ws-port') }),
      });
      process.stdout.write(`${file}\n`);
    });
}
