/**
 * The cables' ratings as limits on the homes' net imports, for the street policies: on a radial feeder the
 * current in a cable's phase is carried for the homes downstream of it on that phase, so their summed net
 * import (or export) must stay under the rating at the nominal voltage and the homes' power factor. Only the
 * cables some plan could overload become limits. Pure: no I/O.
 */

import { CABLE_NAME_PREFIX, type CableLimit } from '../agents/fleet.js';
import type { FeederNetwork } from '../feeder/index.js';
import { buildRadialTopology } from '../feeder/topology.js';
import { type HomeSpec, homeExportBoundKw, homeImportBoundKw } from '../homes/index.js';

/** Nominal line-to-neutral voltage and power factor a cable's rating is turned into kW with. */
const NOMINAL_VOLTS_LN = 230;
const POWER_FACTOR = 0.95;

/** The cable phases whose rating the homes downstream could exceed, tightest first for each set of homes. */
export function cableLimits(feeder: FeederNetwork, homes: readonly HomeSpec[]): CableLimit[] {
  const topology = buildRadialTopology(feeder);
  const byLinePhase = new Map<string, { line: number; phase: string; homes: HomeSpec[] }>();
  for (const home of homes) {
    let bus = topology.busIndex.get(home.bus) ?? -1;
    while (bus >= 0 && (topology.feedingLine[bus] as number) >= 0) {
      const line = topology.feedingLine[bus] as number;
      const key = `${line}|${home.phase}`;
      const entry = byLinePhase.get(key) ?? { line, phase: home.phase, homes: [] };
      entry.homes.push(home);
      byLinePhase.set(key, entry);
      bus = topology.parent[bus] as number;
    }
  }
  const tightest = new Map<string, CableLimit>();
  for (const { line, phase, homes: downstream } of byLinePhase.values()) {
    const section = feeder.lines[line];
    const amps = section ? feeder.lineCodes.get(section.lineCode)?.ampacityAmps : undefined;
    if (!section || amps === undefined) continue;
    const ratingKw = (amps * NOMINAL_VOLTS_LN * POWER_FACTOR) / 1000;
    const limitsImport = sum(downstream, homeImportBoundKw) > ratingKw;
    const limitsExport = sum(downstream, homeExportBoundKw) > ratingKw;
    if (!limitsImport && !limitsExport) continue;
    const homeIds = downstream.map((home) => home.id);
    const key = homeIds.join(',');
    const known = tightest.get(key);
    if (known && known.ratingKw <= ratingKw) continue;
    const name = `${CABLE_NAME_PREFIX}${section.name} phase ${phase} (${amps} A)`;
    tightest.set(key, { name, homeIds, amps, ratingKw, limitsImport, limitsExport });
  }
  return [...tightest.values()];
}

function sum(homes: readonly HomeSpec[], kw: (home: HomeSpec) => number): number {
  return homes.reduce((total, home) => total + kw(home), 0);
}
