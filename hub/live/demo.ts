import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CredentialStore } from '../auth/credentials.js';
import { type BoardKind, boardConfig, writeBoardConfig } from '../table/board-config.js';
import type { LoadedTableMap } from '../table/map-config.js';
import { PACKAGE_ROOT } from './options.js';

/** The device agent's entry point in the built package. */
export const DEVICE_AGENT_CLI = join(PACKAGE_ROOT, 'dist', 'devices', 'cli.js');

/** Simulated days of scripted sunlight given to each demo PV board (the script is finite). */
const DEMO_SUN_DAYS = 30;

/** One simulated board of the demo street. */
export interface DemoBoard {
  deviceId: string;
  kind: BoardKind;
  plot: string;
  tags?: Record<string, string>;
  simEvents?: Record<string, unknown>[];
}

/**
 * The boards that bring the table map's assets to life: a PV, heat-pump or battery board per asset on
 * its plot, and an EV pad under each EV with the EV's tag on it. PV boards get a scripted sun following
 * the hub's clock (`msPerSimMinute` of wall time per simulated minute, from midnight).
 */
export function demoBoards(map: LoadedTableMap, msPerSimMinute: number): DemoBoard[] {
  const boards: DemoBoard[] = [];
  for (const asset of map.assets) {
    if (asset.plot === undefined) continue;
    if (asset.kind === 'ev') {
      const tag = asset.nfcTag?.toUpperCase();
      const padId = `pad-${asset.plot}`;
      boards.push({
        deviceId: padId,
        kind: 'ev-pad',
        plot: asset.plot,
        tags: tag ? { [tag]: asset.asset } : {},
        simEvents: tag ? [{ atS: 0, do: 'place-tag', node: 'ev-pad', tagUid: tag }] : [],
      });
    } else if (asset.kind === 'pv' || asset.kind === 'heat-pump' || asset.kind === 'battery') {
      boards.push({
        deviceId: asset.asset,
        kind: asset.kind,
        plot: asset.plot,
        ...(asset.kind === 'pv' ? { simEvents: sunScript(msPerSimMinute) } : {}),
      });
    }
  }
  return boards;
}

/** Light on a mini PV panel by simulated hour: a winter day, sun from 08:00 to 16:00. */
function sunScript(msPerSimMinute: number): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  for (let hour = 0; hour < DEMO_SUN_DAYS * 24; hour++) {
    const hourOfDay = hour % 24;
    const light =
      hourOfDay >= 8 && hourOfDay < 16 ? Math.sin((Math.PI * (hourOfDay - 8 + 0.5)) / 8) * 0.6 : 0;
    const atS = Math.round((hour * 60 * msPerSimMinute) / 10) / 100;
    events.push({ atS, do: 'set-input', node: 'pv', value: Math.round(light * 1000) / 1000 });
  }
  return events;
}

/** A running demo: the agent processes, stopped together. */
export interface DemoFleet {
  boards: DemoBoard[];
  stop(): Promise<void>;
}

/**
 * Registers every demo board (fresh credentials), writes its config to `<dataDir>/devices/`, and runs
 * each as its own device agent process connected to `brokerUrl`.
 */
export async function startDemoFleet(options: {
  map: LoadedTableMap;
  dataDir: string;
  store: CredentialStore;
  brokerUrl: string;
  msPerSimMinute: number;
  log: (message: string) => void;
}): Promise<DemoFleet> {
  if (!existsSync(DEVICE_AGENT_CLI)) {
    options.log(`demo: ${DEVICE_AGENT_CLI} not found (run npm run build); no simulated boards`);
    return { boards: [], stop: async () => {} };
  }
  const boards = demoBoards(options.map, options.msPerSimMinute);
  const children: ChildProcess[] = [];
  for (const board of boards) {
    const password = await options.store.add(board.deviceId, { role: 'device', deviceId: board.deviceId });
    const config = boardConfig({
      deviceId: board.deviceId,
      kind: board.kind,
      plot: board.plot,
      brokerUrl: options.brokerUrl,
      username: board.deviceId,
      password,
      driver: 'sim',
      ...(board.tags ? { tags: board.tags } : {}),
      ...(board.simEvents ? { simEvents: board.simEvents } : {}),
    });
    const file = writeBoardConfig(options.dataDir, board.deviceId, config);
    const child = spawn(process.execPath, [DEVICE_AGENT_CLI, '--config', file, '--log-level', 'warn'], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code, signal) => {
      if (!stopping) options.log(`demo: board ${board.deviceId} exited (${signal ?? code})`);
    });
    children.push(child);
  }
  let stopping = false;
  return {
    boards,
    stop: async () => {
      stopping = true;
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              const force = setTimeout(() => child.kill('SIGKILL'), 5000);
              child.once('exit', () => {
                clearTimeout(force);
                resolve();
              });
              child.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
