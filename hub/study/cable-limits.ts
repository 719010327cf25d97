/**
 * The cables' ratings as limits on the homes' net imports, for the street policies: on a radial feeder the
 * current in a cable's phase is carried for the homes downstream of it on that phase, so their summed net
 * import (or export) must stay under the rating's kW. Only the cables some plan could overload become limits.
 * Pure: no I/O.
 *
 * The kW are what the rating allows at every voltage of the statutory band (which central and cooperative
 * keep), with the reactive power the homes draw there: their base loads' at its power factor and their
 * inverters' Volt-VAr. Above 234.6 V the inverters absorb up to 44 % of their kVA even at night, so on the
 * IEEE 70 % street in winter (source at 1.05 pu) the trunk's 21 homes on phase A drew 37.1 kW at a power factor
 * of 0.78 (median over 28 days of central): at the nominal 230 V and PF 0.95 (the rating here before) that is
 * 170 A, the power flow found 200 A.
 */

import type { CableLimit } from '../agents/fleet.js';
import type { FeederNetwork } from '../feeder/index.js';
import { STATUTORY_VOLTS } from '../feeder/network.js';
import { buildRadialTopology } from '../feeder/topology.js';
import { evaluateCurve, type HomeSpec, homeExportBoundKw, homeImportBoundKw } from '../homes/index.js';

/** Steps the band is checked in, V: fine enough for the Volt-VAr curves' 13.8 V slopes. */
const BAND_STEP_VOLTS = 0.1;

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
    const ratingKw = cableRatingKw(amps, downstream);
    const limitsImport = sum(downstream, homeImportBoundKw) > ratingKw;
    const limitsExport = sum(downstream, homeExportBoundKw) > ratingKw;
    if (!limitsImport && !limitsExport) continue;
    const homeIds = downstream.map((home) => home.id);
    const key = homeIds.join(',');
    const known = tightest.get(key);
    if (known && known.ratingKw <= ratingKw) continue;
    const name = `cable ${section.name} phase ${phase} (${amps} A)`;
    tightest.set(key, { name, homeIds, ratingKw, limitsImport, limitsExport });
  }
  return [...tightest.values()];
}

/**
 * The largest net import (or export) of `homes`, kW, that keeps the cable phase under `amps` at any voltage in
 * the statutory band, the same at every home: the current there is √(P² + Q²) / V, where Q is the inverters'
 * Volt-VAr at V plus up to P times the base loads' reactive ratio (all of P base load at worst).
 */
export function cableRatingKw(amps: number, homes: readonly HomeSpec[]): number {
  const baseQPerKw = Math.max(0, ...homes.map((home) => Math.tan(Math.acos(home.baseLoadPowerFactor))));
  let ratingKw = Number.POSITIVE_INFINITY;
  const steps = Math.round((STATUTORY_VOLTS.max - STATUTORY_VOLTS.min) / BAND_STEP_VOLTS);
  for (let step = 0; step <= steps; step++) {
    const volts = STATUTORY_VOLTS.min + step * BAND_STEP_VOLTS;
    const inverterKvar = homes.reduce(
      (total, { pv }) => total + (pv?.voltVar ? pv.inverterKva * evaluateCurve(pv.voltVar, volts) : 0),
      0,
    );
    ratingKw = Math.min(ratingKw, activeKwWithin((amps * volts) / 1000, inverterKvar, baseQPerKw));
  }
  return ratingKw;
}

/** The largest P ≥ 0 with P² + (q + t·x·P)² ≤ S² for every share x in [0, 1] of P that is base load. */
function activeKwWithin(apparentKva: number, inverterKvar: number, baseQPerKw: number): number {
  const s2 = apparentKva * apparentKva;
  const q = inverterKvar;
  const t = baseQPerKw;
  if (q * q >= s2) return 0;
  // x = 0: P² + q² ≤ S². x = 1: (1 + t²)P² + 2tqP + q² − S² ≤ 0, up to its larger root.
  const withoutBase = Math.sqrt(s2 - q * q);
  const a = 1 + t * t;
  const withBase = (-t * q + Math.sqrt(t * t * q * q - a * (q * q - s2))) / a;
  return Math.min(withoutBase, withBase);
}

function sum(homes: readonly HomeSpec[], kw: (home: HomeSpec) => number): number {
  return homes.reduce((total, home) => total + kw(home), 0);
}
