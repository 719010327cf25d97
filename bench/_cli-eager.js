// Preloaded with `node --import` by bench/cli-startup.js: imports every subcommand's module before the CLI
// starts, as hub/cli.ts did before the commands loaded lazily (the peer the lazy start is compared with).
import { COMMANDS } from '../dist/hub/commands/index.js';

await Promise.all(COMMANDS.map((command) => command.load()));
