import { parseDocument } from 'yaml';
import { InputError } from './errors.js';

export { readInputFile } from './read-file.js';

/**
 * Aliases a YAML file may expand. Hand-written files use a few (`*defaults`); an alias bomb (aliases of
 * aliases, each level ten times the last) needs thousands and would take the process's memory and minutes.
 */
export const MAX_YAML_ALIASES = 100;

/** YAML text as a plain value, or an InputError naming the file and the line the parser stopped at. */
export function parseYamlInput(text: string, file: string): unknown {
  const document = parseDocument(text);
  const first = document.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line;
    throw new InputError(line ? `${file}:${line}` : file, `not valid YAML: ${firstLine(first.message)}`);
  }
  try {
    return document.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    // yaml throws a ReferenceError once the aliases expand past the limit (and for an alias to nothing).
    if (!(error instanceof ReferenceError)) throw error;
    throw new InputError(
      file,
      `refused: its YAML aliases (*name) expand past ${MAX_YAML_ALIASES} copies or name no anchor (${firstLine(error.message)})`,
    );
  }
}

/** The yaml parser's message without the code frame it appends (after "at line 4, column 3:"). */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/:\s*$/, '');
}
