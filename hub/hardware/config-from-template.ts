import { dirname, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { parseYamlInput, readInputFile } from '../read-input.js';
import { checkHardwareFiles } from './check.js';

/** A shipped device config read as a template for `gridflex device add --from`. */
export interface ConfigTemplate {
  file: string;
  config: Record<string, unknown>;
}

/**
 * Reads a shipped device config (e.g. hardware/boards/nano-table-house.yaml) to copy from; with `plot`,
 * the copy stands there instead (the fifth Nano house on plot-5).
 */
export function loadConfigTemplate(file: string, plot?: string): ConfigTemplate {
  const raw = parseYamlInput(readInputFile(file, 'device config'), file);
  if (
    typeof raw !== 'object' ||
    raw === null ||
    Array.isArray(raw) ||
    !Array.isArray((raw as { nodes?: unknown }).nodes)
  ) {
    throw new InputError(file, 'not a device config (it needs `nodes`, see hardware/boards/*.yaml)');
  }
  const config = raw as Record<string, unknown>;
  if (config.board !== undefined && typeof config.board !== 'string') {
    throw new InputError(`${file}: board`, 'the pinout file, as a path');
  }
  // A template that disagrees with its board would only be refused later, on the board: refuse it now.
  const check = checkHardwareFiles([file]);
  const first = [...check.unreadable, ...check.findings][0];
  if (first !== undefined) {
    const more = check.unreadable.length + check.findings.length - 1;
    throw new InputError(
      `${first.file}: ${first.path}`,
      `${first.problem}${more > 0 ? ` (and ${more} more: gridflex hardware check ${file})` : ''}`,
    );
  }
  if (plot !== undefined) config.nodes = withPlot(file, config.nodes as unknown[], plot);
  return { file, config };
}

/** This board's identity and credentials, for {@link configFromTemplate}. */
export interface BoardCredentials {
  deviceId: string;
  brokerUrl: string;
  username: string;
  password: string;
}

/**
 * A ready-to-run device config from a template: its nodes, driver and pin names as they are, with this
 * board's ID and credentials, and its `board` pinout made absolute so the written file finds it from the
 * data dir. The device agent validates the rest when it starts.
 */
export function configFromTemplate(
  template: ConfigTemplate,
  board: BoardCredentials,
): Record<string, unknown> {
  const { broker: _broker, deviceId: _deviceId, ...rest } = template.config;
  return {
    deviceId: board.deviceId,
    ...rest,
    ...(typeof rest.board === 'string' ? { board: resolve(dirname(template.file), rest.board) } : {}),
    broker: { url: board.brokerUrl, username: board.username, password: board.password },
  };
}

/** The template's nodes with its fixed `plot` node set to `plot` (added when it has none). */
function withPlot(file: string, nodes: unknown[], plot: string): unknown[] {
  const kindOf = (node: unknown) => (node as { kind?: unknown } | null)?.kind;
  if (nodes.some((node) => kindOf(node) === 'ev-pad')) {
    throw new InputError('--plot', `the EV pads of ${file} name their own plots: edit a copy of it`);
  }
  const others = nodes.filter((node) => kindOf(node) !== 'plot');
  return [{ kind: 'plot', plot }, ...others];
}
