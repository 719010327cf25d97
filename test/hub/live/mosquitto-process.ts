import { type ChildProcess, spawn } from 'node:child_process';

/** Debian's Mosquitto 2, the external broker of the tests that run the hub with `--broker`. */
export const MOSQUITTO = '/usr/sbin/mosquitto';

/** Starts Mosquitto on a config file (`gridflex mosquitto-config`'s); resolves once it says it is running. */
export async function startMosquitto(conf: string): Promise<ChildProcess> {
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('running')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`mosquitto exited with ${code}: ${log}`)));
  });
  return child;
}

/** SIGTERM, and resolves once it exited. */
export function stopMosquitto(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  return exited;
}
