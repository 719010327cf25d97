/**
 * Opens the board a config names. Hardware backends are imported on demand, so a sim board never
 * loads serialport, johnny-five or the Linux addons (less memory on a Pi Zero, and no native code).
 */
import type { DriverConfig } from '../config.js';
import type { SimWorld } from './sim.js';
import type { Board } from './types.js';

export interface OpenBoardOptions {
  /** The sim backend's world (kept by the agent so it survives driver restarts). */
  simWorld: SimWorld;
  /** Longest a serial request may take before it counts as failed. */
  requestTimeoutMs: number;
}

export async function openBoard(driver: DriverConfig, options: OpenBoardOptions): Promise<Board> {
  switch (driver.backend) {
    case 'sim':
      return options.simWorld.openBoard();
    case 'johnny-five': {
      const { openJohnnyFiveBoard } = await import('./johnny-five.js');
      return openJohnnyFiveBoard({ port: driver.port });
    }
    case 'serial-json': {
      const { openSerialJsonBoard } = await import('./serial-json.js');
      return openSerialJsonBoard({
        path: driver.port,
        baudRate: driver.baudRate,
        requestTimeoutMs: options.requestTimeoutMs,
      });
    }
    case 'linux': {
      const { openLinuxBoard } = await import('./linux.js');
      return openLinuxBoard(driver);
    }
  }
}
