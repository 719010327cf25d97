import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * A copy of the shipped scenario `file` in the test's own folder `dir`, over `days` from `startDay` (its `time:`
 * line replaced); returns the copy's path. The copy's feeder and data paths resolve as the original's do.
 */
export function scenarioSpan(dir: string, file: string, startDay: number, days: number): string {
  const copy = join(dir, `${basename(file, '.yaml')}-${startDay}-${days}.yaml`);
  const text = readFileSync(file, 'utf8');
  const spanned = text.replace(
    /^time: .*$/m,
    `time: { startDay: ${startDay}, days: ${days}, stepMinutes: 30 }`,
  );
  if (spanned === text) throw new Error(`${file} has no time: line to replace`);
  writeFileSync(copy, spanned);
  return copy;
}
