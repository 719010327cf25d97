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
  /** `hub`: the board follows the hub's simulated clock, its script counting from `simOrigin`. */
  clock?: 'hub';
  simOrigin?: string;
}

/**
 * The boards that bring the table map's assets to life: a PV, heat-pump or battery board per asset on
 * its plot, and an EV pad under each EV with the EV's tag on it. PV boards follow the hub's simulated
 * clock (`clock: hub`) with a scripted sun in simulated seconds from the midnight of the map's clock start,
 * so a paused or sped-up hub pauses or speeds up their sun. (`msPerSimMinute` is kept for callers; the
 * script no longer depends on it.)
 */
export function demoBoards(map: LoadedTableMap, _msPerSimMinute?: number): DemoBoard[] {
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
        ...(asset.kind === 'pv'
          ? { simEvents: sunScript(), clock: 'hub' as const, simOrigin: simulatedMidnight(map.clock.start) }
          : {}),
      });
    }
  }
  return boards;
}

/** Light on a mini PV panel (0…1) in the simulated hour of the day: a winter day, sun from 08:00 to 16:00. */
export function demoSunLight(hourOfDay: number): number {
  const light = hourOfDay >= 8 && hourOfDay < 16 ? Math.sin((Math.PI * (hourOfDay - 8 + 0.5)) / 8) * 0.6 : 0;
  return Math.round(light * 1000) / 1000;
}

/** The sun as scripted events, one per simulated hour, at simulated seconds from midnight. */
function sunScript(): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  for (let hour = 0; hour < DEMO_SUN_DAYS * 24; hour++) {
    events.push({ atS: hour * 3600, do: 'set-input', node: 'pv', value: demoSunLight(hour % 24) });
  }
  return events;
}

/** The midnight (UTC) of a simulated time, as the script's origin. */
function simulatedMidnight(iso: string): string {
  return `${iso.slice(0, 10)}T00:00:00.000Z`;
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
  let stopping = false;
  const stopAll = async () => {
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
  };
  try {
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
      const file = writeBoardConfig(options.dataDir, board.deviceId, followingTheHub(config, board));
      // The IPC channel ties the board to the hub: when the hub ends, however it ends (even SIGKILL), the
      // channel closes and the agent stops (devices/cli.ts), so no demo board outlives its hub.
      const child = spawn(process.execPath, [DEVICE_AGENT_CLI, '--config', file, '--log-level', 'warn'], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      child.on('exit', (code, signal) => {
        if (!stopping) options.log(`demo: board ${board.deviceId} exited (${signal ?? code})`);
      });
      children.push(child);
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  return { boards, stop: stopAll };
}

/** A board config that follows the hub's clock, with its script's origin, when the board says so. */
export function followingTheHub(config: Record<string, unknown>, board: DemoBoard): Record<string, unknown> {
  if (board.clock !== 'hub') return config;
  const sim = (config.sim as Record<string, unknown> | undefined) ?? { events: [] };
  return {
    ...config,
    clock: 'hub',
    sim: { ...sim, ...(board.simOrigin ? { origin: board.simOrigin } : {}) },
  };
}
