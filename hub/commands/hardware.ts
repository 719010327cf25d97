import { statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parseBoardPinout } from '../../protocol/board-pinout.js';
import { InputError } from '../errors.js';
import { checkHardwareFiles, defaultHardwareFiles } from '../hardware/check.js';
import { wiringSvg } from '../hardware/wiring-svg.js';
import { PACKAGE_ROOT } from '../live/options.js';
import { parseYamlInput, readInputFile } from '../read-input.js';

/** `gridflex hardware check|wiring`: board pinouts, the device configs that use them, wiring drawings. */
export function registerHardwareCommand(program: Command): void {
  const hardware = program
    .command('hardware')
    .description('check board pinouts and device configs; draw wiring from a pinout');
  hardware
    .command('check [files...]')
    .description(
      'check pinouts (pins used twice, I2C clashes, 5 V into 3.3 V pins, current budgets) and that device configs agree with their board',
    )
    .addHelpText(
      'after',
      '\nWithout files: every YAML file under hardware/boards/ of this package; a folder: every YAML file in it.\n' +
        'Prints one line per finding: <file>: <path>: <problem>.\n' +
        'Exit codes: 0 clean, 1 findings, 2 a file cannot be read or is not a valid pinout/config.',
    )
    .action((files: string[]) => {
      process.exitCode = runCheck(files);
    });
  hardware
    .command('wiring <pinouts...>')
    .description('draw each pinout\u2019s wiring as SVG (default: <board>.wiring.svg next to the pinout)')
    .option('--out <file>', 'with one pinout: write the SVG here (- for stdout)')
    .action((pinouts: string[], flags: { out?: string }) => {
      if (flags.out !== undefined && pinouts.length !== 1) {
        throw new InputError('--out', 'give exactly one pinout with --out');
      }
      for (const file of pinouts) {
        const svg = wiringSvg(loadPinout(file));
        const out = flags.out ?? wiringFileFor(file);
        if (out === '-') process.stdout.write(svg);
        else {
          writeFileSync(out, svg);
          process.stderr.write(`wrote ${out}\n`);
        }
      }
    });
}

/** `<dir>/<board>.wiring.svg` for `<dir>/<board>.pinout.yaml`. */
export function wiringFileFor(pinoutFile: string): string {
  return join(dirname(pinoutFile), `${basename(pinoutFile).replace(/(\.pinout)?\.ya?ml$/, '')}.wiring.svg`);
}

function loadPinout(file: string) {
  const parsed = parseBoardPinout(parseYamlInput(readInputFile(file, 'pinout'), file));
  const first = parsed.findings[0];
  if (parsed.pinout === undefined) {
    throw new InputError(file, `${first?.path ?? '(top level)'}: ${first?.problem ?? 'not a pinout'}`);
  }
  return parsed.pinout;
}

function runCheck(files: string[]): number {
  const targets =
    files.length > 0
      ? files.flatMap((file) => (isDirectory(file) ? defaultHardwareFiles(file) : [file]))
      : defaultHardwareFiles(resolve(PACKAGE_ROOT, 'hardware', 'boards'));
  const result = checkHardwareFiles(targets);
  for (const line of [...result.unreadable, ...result.findings]) {
    process.stdout.write(`${line.file}: ${line.path}: ${line.problem}\n`);
  }
  process.stderr.write(
    `checked ${result.checkedFiles.length} files: ${result.findings.length} findings, ${result.unreadable.length} unreadable\n`,
  );
  if (result.unreadable.length > 0) return 2;
  return result.findings.length > 0 ? 1 : 0;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
