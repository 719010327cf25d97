import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { HomieIdSchema } from '../../protocol/homie.js';
import { CredentialStore } from '../auth/credentials.js';
import { refreshMosquittoAuthFiles } from '../auth/mosquitto.js';
import { formatRole } from '../auth/roles.js';
import { InputError } from '../errors.js';
import { configFromTemplate, loadConfigTemplate } from '../hardware/config-from-template.js';
import { DEFAULT_TABLE_MAP, lanAddress, loadTableMapFrom } from '../live/options.js';
import { DEFAULT_DATA_DIR } from '../runs/store.js';
import {
  BOARD_DRIVERS,
  BOARD_KINDS,
  type BoardDriver,
  type BoardKind,
  boardConfig,
  writeBoardConfig,
} from '../table/board-config.js';
import { dropAdoption, registerDeviceAdoptCommand } from './device-adopt.js';

interface DeviceAddFlags {
  kind?: string;
  from?: string;
  plot?: string;
  dataDir: string;
  brokerUrl?: string;
  driver: string;
  serialPort?: string;
  tag: string[];
  scenario: string;
  force?: boolean;
}

/** `gridflex device add|list|remove|adopt`: register boards and write their ready-to-run configs; adopt others' devices. */
export function registerDeviceCommand(program: Command): void {
  const device = program
    .command('device')
    .description('register the table\u2019s boards (credentials and config files)');
  device
    .command('add <id>')
    .description(
      'register a board and write its device agent config (broker, username, password, kind, pins)',
    )
    .option('--kind <kind>', `what the board drives: ${BOARD_KINDS.join(', ')}`)
    .option(
      '--from <config>',
      'instead of --kind: a shipped board config (hardware/boards/*.yaml) with its pinout; keeps its nodes and pins',
    )
    .option('--plot <plot>', 'the table plot it sits on (see the table map; an EV pad needs one)')
    .option('--data-dir <dir>', 'the hub\u2019s data dir', DEFAULT_DATA_DIR)
    .option('--broker-url <url>', 'the broker URL the board connects to (default: this machine on port 1883)')
    .option('--driver <backend>', `hardware backend with default pins: ${BOARD_DRIVERS.join(', ')}`, 'sim')
    .option('--serial-port <path>', 'johnny-five: the board\u2019s serial port', '/dev/ttyACM0')
    .option('--tag <uid=ev>', 'ev-pad: an NFC tag UID and the EV it names (repeatable)', collect, [])
    .option('--scenario <file>', 'table map to check the plot against', DEFAULT_TABLE_MAP)
    .option(
      '--force',
      'replace a board already registered under this ID: a new password and config (the old ones stop working)',
    )
    .addHelpText(
      'after',
      '\nPrints the config file path; copy it to the board and run:\n  node dist/devices/cli.js --config <file>',
    )
    .action(async (id: string, flags: DeviceAddFlags) => {
      process.stdout.write(`${await addDevice(id, flags)}\n`);
    });
  device
    .command('list')
    .description('list registered users and boards with their roles')
    .option('--data-dir <dir>', 'the hub\u2019s data dir', DEFAULT_DATA_DIR)
    .action((flags: { dataDir: string }) => {
      for (const principal of CredentialStore.open(resolve(flags.dataDir)).list()) {
        process.stdout.write(`${principal.username}\t${formatRole(principal.role)}\n`);
      }
    });
  device
    .command('remove <id>')
    .description(
      'revoke a board\u2019s credentials and delete its config file (and its adoption, if adopted)',
    )
    .option('--data-dir <dir>', 'the hub\u2019s data dir', DEFAULT_DATA_DIR)
    .action((id: string, flags: { dataDir: string }) => {
      const dataDir = resolve(flags.dataDir);
      if (!CredentialStore.open(dataDir).remove(id)) throw new InputError(id, 'no such device');
      rmSync(join(dataDir, 'devices', `${id}.yaml`), { force: true });
      dropAdoption(dataDir, id);
      process.stdout.write(`removed ${id}\n`);
    });
  registerDeviceAdoptCommand(device);
}

async function addDevice(id: string, flags: DeviceAddFlags): Promise<string> {
  if (!HomieIdSchema.safeParse(id).success) {
    throw new InputError('<id>', `"${id}" must be lower-case letters, digits and hyphens (a Homie ID)`);
  }
  if ((flags.kind === undefined) === (flags.from === undefined)) {
    throw new InputError('--kind/--from', 'give either --kind or --from');
  }
  if (flags.kind !== undefined && !(BOARD_KINDS as readonly string[]).includes(flags.kind)) {
    throw new InputError('--kind', `"${flags.kind}" is not one of ${BOARD_KINDS.join(', ')}`);
  }
  if (!(BOARD_DRIVERS as readonly string[]).includes(flags.driver)) {
    throw new InputError('--driver', `"${flags.driver}" is not one of ${BOARD_DRIVERS.join(', ')}`);
  }
  const map = loadTableMapFrom(flags.scenario);
  if (flags.plot === undefined && flags.kind === 'ev-pad') {
    throw new InputError('--plot', 'an EV pad needs the plot it sits on');
  }
  if (flags.plot !== undefined && !map.plots.some((plot) => plot.plot === flags.plot)) {
    throw new InputError(
      '--plot',
      `"${flags.plot}" is not a plot of ${map.file} (${map.plots.map((plot) => plot.plot).join(', ')})`,
    );
  }
  const brokerUrl = flags.brokerUrl ?? `mqtt://${lanAddress()}:1883`;
  if (!/^(mqtts?|wss?|tcp):\/\/[^\s/]+/.test(brokerUrl)) {
    throw new InputError('--broker-url', `"${brokerUrl}" is not an mqtt://host:port URL`);
  }
  const tags: Record<string, string> = {};
  for (const entry of flags.tag) {
    const match = /^([0-9A-Fa-f:]{8,29})=([a-z0-9][a-z0-9-]*)$/.exec(entry);
    if (!match) throw new InputError('--tag', `"${entry}" is not UID=ev-id (e.g. 04A1B2C3=ev-1)`);
    tags[(match[1] as string).replaceAll(':', '').toUpperCase()] = match[2] as string;
  }
  const template = flags.from === undefined ? undefined : loadConfigTemplate(flags.from, flags.plot);
  const dataDir = resolve(flags.dataDir);
  const store = CredentialStore.open(dataDir);
  const configFile = join(dataDir, 'devices', `${id}.yaml`);
  const replacing = store.has(id) || existsSync(configFile);
  if (!flags.force && replacing) {
    // Re-adding would silently change the board's password: the board in use could no longer connect.
    throw new InputError(
      id,
      `already registered (${existsSync(configFile) ? configFile : `in ${join(dataDir, 'credentials.json')}`}); add --force to replace it with a new password and config (the board must then get the new file), or choose another ID`,
    );
  }
  const password = await store.add(id, { role: 'device', deviceId: id });
  const config = template
    ? configFromTemplate(template, { deviceId: id, brokerUrl, username: id, password })
    : boardConfig({
        deviceId: id,
        kind: flags.kind as BoardKind,
        ...(flags.plot === undefined ? {} : { plot: flags.plot }),
        brokerUrl,
        username: id,
        password,
        driver: flags.driver as BoardDriver,
        ...(flags.serialPort ? { serialPort: flags.serialPort } : {}),
        tags,
      });
  const file = writeBoardConfig(dataDir, id, config);
  if (replacing) {
    process.stderr.write(
      `replaced ${id}: its old password no longer works; copy ${file} to the board and restart its agent\n`,
    );
  }
  if (refreshMosquittoAuthFiles(dataDir, store)) {
    process.stderr.write(
      `updated ${join(dataDir, 'mosquitto')}/passwd and acl: send Mosquitto a SIGHUP to reload them\n`,
    );
  }
  return file;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
