import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { HomieIdSchema } from '../../protocol/homie.js';
import { atomicWriteJson } from '../atomic-json.js';
import { CredentialStore } from '../auth/credentials.js';
import { refreshMosquittoAuthFiles } from '../auth/mosquitto.js';
import { InputError } from '../errors.js';
import { DEFAULT_TABLE_MAP, loadTableMapFrom } from '../live/options.js';
import { DEFAULT_DATA_DIR } from '../runs/store.js';
import { ADOPTIONS_FILE, type Adoption, PropertyPathSchema, readAdoptions } from '../table/pins-config.js';

interface AdoptFlags {
  plot?: string;
  power?: string;
  grantControl?: boolean;
  dataDir: string;
  scenario: string;
  force?: boolean;
}

/**
 * `gridflex device adopt <homie-id> --plot <plot>`: maps any Homie 5 device on the broker (someone else's)
 * onto a plot: its measured power drives that home's demand in the live power flow (hardware in the loop,
 * hub/live/extensions/pins.ts). Kept in `<data-dir>/adoptions.json`; a running hub takes it at its next start.
 */
export function registerDeviceAdoptCommand(device: Command): void {
  device
    .command('adopt <homie-id>')
    .description(
      'map any Homie 5 device on the broker onto a plot: its measured power drives that home in the power flow',
    )
    .option('--plot <plot>', 'the plot whose home it stands for (see the table map)')
    .option(
      '--power <node/property>',
      'its power property (default: the first property in W or kW of its $description)',
    )
    .option('--grant-control', 'let the hub command it (without, the hub never publishes to its /set topics)')
    .option('--data-dir <dir>', 'the hub\u2019s data dir', DEFAULT_DATA_DIR)
    .option('--scenario <file>', 'table map to check the plot against', DEFAULT_TABLE_MAP)
    .option('--force', 'replace an adoption of this device or of this plot')
    .addHelpText(
      'after',
      '\nA device with no login on this hub\u2019s broker gets one (the password is printed once).\nRestart the hub to take the adoption.',
    )
    .action(async (id: string, flags: AdoptFlags) => {
      process.stdout.write(await adoptDevice(id, flags));
    });
}

async function adoptDevice(id: string, flags: AdoptFlags): Promise<string> {
  const adoption = checkedAdoption(id, flags);
  const dataDir = resolve(flags.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const adoptions = readAdoptions(dataDir);
  const clash = adoptions.find((entry) => entry.device === id || entry.plot === adoption.plot);
  if (clash && !flags.force) {
    throw new InputError(
      clash.device === id ? '<homie-id>' : '--plot',
      `${clash.device} is already adopted on ${clash.plot} (${join(dataDir, ADOPTIONS_FILE)}); add --force to replace it`,
    );
  }
  const kept = adoptions.filter((entry) => entry.device !== id && entry.plot !== adoption.plot);
  atomicWriteJson(join(dataDir, ADOPTIONS_FILE), { adoptions: [...kept, adoption] });
  const lines = [
    `adopted ${id} on ${adoption.plot}: ${adoption.power ?? 'its first property in W or kW'} drives the home's demand${adoption.control ? '; the hub may command it' : ' (read-only)'}`,
  ];
  const store = CredentialStore.open(dataDir);
  if (!store.has(id)) {
    const password = await store.add(id, { role: 'device', deviceId: id });
    refreshMosquittoAuthFiles(dataDir, store);
    lines.push(`username: ${id}`, `password: ${password}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Forgets a device's adoption (`gridflex device remove`); nothing when it was not adopted. */
export function dropAdoption(dataDir: string, id: string): void {
  const adoptions = readAdoptions(dataDir);
  const kept = adoptions.filter((entry) => entry.device !== id);
  if (kept.length < adoptions.length) atomicWriteJson(join(dataDir, ADOPTIONS_FILE), { adoptions: kept });
}

/** Every argument checked, each error naming the argument. */
function checkedAdoption(id: string, flags: AdoptFlags): Adoption {
  if (!HomieIdSchema.safeParse(id).success)
    throw new InputError('<homie-id>', `"${id}" must be lower-case letters, digits and hyphens (a Homie ID)`);
  if (flags.plot === undefined)
    throw new InputError('--plot', 'give the plot whose home the device stands for');
  const map = loadTableMapFrom(flags.scenario);
  const plot = map.plots.find((entry) => entry.plot === flags.plot);
  if (!plot)
    throw new InputError(
      '--plot',
      `"${flags.plot}" is not a plot of ${map.file} (${map.plots.map((entry) => entry.plot).join(', ')})`,
    );
  if (plot.home === undefined) throw new InputError('--plot', `${flags.plot} has no home in ${map.file}`);
  if (flags.power !== undefined && !PropertyPathSchema.safeParse(flags.power).success)
    throw new InputError('--power', `"${flags.power}" is not <node>/<property> (e.g. meter/active-power)`);
  return {
    device: id,
    plot: plot.plot,
    ...(flags.power === undefined ? {} : { power: flags.power }),
    control: flags.grantControl === true,
    adoptedAt: new Date().toISOString(),
  };
}
