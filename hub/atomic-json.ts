import { renameSync, writeFileSync } from 'node:fs';

/** Writes JSON through a temp file and a rename: a process killed mid-write leaves the previous file. */
export function atomicWriteJson(file: string, body: unknown): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(body, null, 2)}\n`);
  renameSync(temp, file);
}
