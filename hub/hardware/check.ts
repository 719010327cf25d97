/**
 * `gridflex hardware check`: board pinouts and the device configs that name them. A file is a pinout
 * when it has `pins`, a device config when it has `deviceId`; a config's `board` pinout is checked
 * with it. Findings are wiring mistakes (exit 1); files that cannot be read, parsed or validated are
 * unreadable (exit 2).
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import {
  type BoardPinout,
  checkBoardPinout,
  parseBoardPinout,
  resolveBoardPins,
} from '../../protocol/board-pinout.js';
import { InputError } from '../errors.js';
import { parseYamlInput, readInputFile } from '../read-input.js';

/** One line of the report: `file: path: problem`. */
export interface FileFinding {
  file: string;
  path: string;
  problem: string;
}

export interface HardwareCheckResult {
  /** Every file looked at (given, and pinouts the configs name), as shown in the report. */
  checkedFiles: string[];
  /** Wiring mistakes. */
  findings: FileFinding[];
  /** Files that could not be read, parsed or validated. */
  unreadable: FileFinding[];
}

/** Every YAML file under `dir` (recursively), sorted: what `hardware check` looks at by default. */
export function defaultHardwareFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.yaml') || name.endsWith('.yml')) files.push(path);
    }
  };
  walk(dir);
  return files;
}

/** Checks each file once (a pinout named by several configs too); `display` shortens paths in the report. */
export function checkHardwareFiles(
  files: string[],
  display: (file: string) => string = (file) => relative(process.cwd(), file) || file,
): HardwareCheckResult {
  const result: HardwareCheckResult = { checkedFiles: [], findings: [], unreadable: [] };
  const pinouts = new Map<string, BoardPinout | undefined>();

  const readYaml = (file: string): unknown => {
    try {
      return parseYamlInput(readInputFile(file, 'hardware file'), file);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      result.unreadable.push({ file: display(error.where), path: '(top level)', problem: error.problem });
      return undefined;
    }
  };
  const loadPinout = (file: string, raw: unknown = readYaml(file)): BoardPinout | undefined => {
    const key = resolve(file);
    if (pinouts.has(key)) return pinouts.get(key);
    pinouts.set(key, undefined);
    result.checkedFiles.push(display(file));
    if (raw === undefined) return undefined;
    const parsed = parseBoardPinout(raw);
    const shown = display(file);
    for (const finding of parsed.findings) result.unreadable.push({ file: shown, ...finding });
    if (parsed.pinout === undefined) return undefined;
    for (const finding of checkBoardPinout(parsed.pinout)) result.findings.push({ file: shown, ...finding });
    pinouts.set(key, parsed.pinout);
    return parsed.pinout;
  };
  const checkConfig = (file: string, raw: Record<string, unknown>) => {
    result.checkedFiles.push(display(file));
    if (raw.board === undefined) return;
    if (typeof raw.board !== 'string') {
      result.unreadable.push({ file: display(file), path: 'board', problem: 'the pinout file, as a path' });
      return;
    }
    const pinoutFile = resolve(dirname(file), raw.board);
    const pinout = loadPinout(pinoutFile);
    if (pinout === undefined) {
      result.findings.push({
        file: display(file),
        path: 'board',
        problem: `its pinout ${raw.board} cannot be used (see ${display(pinoutFile)})`,
      });
      return;
    }
    for (const finding of resolveBoardPins(raw, pinout).findings) {
      result.findings.push({ file: display(file), ...finding });
    }
  };

  for (const file of files) {
    const raw = readYaml(file);
    if (raw === undefined) {
      result.checkedFiles.push(display(file));
      continue;
    }
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
      const record = raw as Record<string, unknown>;
      if ('pins' in record) {
        loadPinout(file, raw);
        continue;
      }
      if ('deviceId' in record) {
        checkConfig(file, record);
        continue;
      }
    }
    result.checkedFiles.push(display(file));
    result.unreadable.push({
      file: display(file),
      path: '(top level)',
      problem: 'neither a board pinout (has `pins`) nor a device config (has `deviceId`)',
    });
  }
  return result;
}
