import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CredentialStore } from '../auth/credentials.js';
import { refreshMosquittoAuthFiles } from '../auth/mosquitto.js';
import { formatRole, parseRole } from '../auth/roles.js';
import { InputError } from '../errors.js';
import { DEFAULT_DATA_DIR } from '../runs/store.js';

/**
 * `gridflex user add|remove`: credentials for a workshop role (regulator, supplier:<id>, resident:<home>,
 * assembly, operator, viewer). A running hub closes a removed or re-roled user's connections at once.
 */
export function registerUserCommand(program: Command): void {
  const user = program.command('user').description('workshop roles\u2019 credentials');
  user
    .command('add <username>')
    .description('register a user with a role and print its password (shown once)')
    .requiredOption(
      '--role <role>',
      'regulator, supplier:<id>, resident:<home>, assembly, operator or viewer',
    )
    .option('--data-dir <dir>', 'the hub\u2019s data dir', DEFAULT_DATA_DIR)
    .action(async (username: string, flags: { role: string; dataDir: string }) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(username)) {
        throw new InputError(
          '<username>',
          `"${username}" must be letters, digits, dot, underscore or hyphen`,
        );
      }
      const role = parseRole(flags.role, '--role');
      if (role.role === 'device' || role.role === 'hub') {
        throw new InputError('--role', 'boards are added with `gridflex device add`; the hub adds itself');
      }
      const dataDir = resolve(flags.dataDir);
      const store = CredentialStore.open(dataDir);
      const password = await store.add(username, role);
      if (refreshMosquittoAuthFiles(dataDir, store)) {
        process.stderr.write(
          'updated the Mosquitto passwd and acl files: send Mosquitto a SIGHUP to reload them\n',
        );
      }
      process.stdout.write(`username: ${username}\nrole: ${formatRole(role)}\npassword: ${password}\n`);
    });
  user
    .command('remove <username>')
    .description(
      'revoke a user\u2019s credentials (a running hub closes its connections and dashboard sessions)',
    )
    .option('--data-dir <dir>', 'the hub\u2019s data dir', DEFAULT_DATA_DIR)
    .action((username: string, flags: { dataDir: string }) => {
      const dataDir = resolve(flags.dataDir);
      const store = CredentialStore.open(dataDir);
      const role = store.get(username)?.role.role;
      if (role === undefined) throw new InputError('<username>', `no user "${username}" in ${store.file}`);
      if (role === 'device' || role === 'hub') {
        throw new InputError(
          '<username>',
          `"${username}" is a board or the hub: use \`gridflex device remove\``,
        );
      }
      store.remove(username);
      if (refreshMosquittoAuthFiles(dataDir, store)) {
        process.stderr.write(
          'updated the Mosquitto passwd and acl files: send Mosquitto a SIGHUP to reload them\n',
        );
      }
      process.stdout.write(`removed ${username}\n`);
    });
}
