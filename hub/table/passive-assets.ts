import type { Clock } from '../../protocol/gridflex.js';
import type { LoadedTableMap } from './map-config.js';
import type { TableState } from './table-state.js';

/** The passive EV: away 08:00–18:00 (the trip empties part of the battery), charges flat out when plugged in. */
const EV_DEFAULTS = { capacityKwh: 40, chargeKw: 7, initialSocPct: 40, targetSocPct: 100 } as const;
const EV_AWAY = { fromMinute: 8 * 60, untilMinute: 18 * 60, tripKwh: 12 } as const;

/** The passive heat pump: a morning and an evening heating block, a low background otherwise (kW). */
export function heatPumpScheduleKw(minuteOfDay: number): number {
  if (minuteOfDay >= 6 * 60 && minuteOfDay < 9 * 60) return 2.5;
  if (minuteOfDay >= 16 * 60 && minuteOfDay < 22 * 60) return 2;
  return 0.6;
}

interface EvState {
  capacityKwh: number;
  chargeKw: number;
  socPct: number;
  away: boolean;
}

/**
 * What the live table's assets do until residents' agents drive them: "passive" (no control).
 * EVs charge as soon as they are home and on a pad; heat pumps follow a fixed schedule (the hub sends it
 * to the board as a `/set`); PV and batteries report their own power. Pure: call {@link step} each clock step.
 */
export class PassiveAssets {
  private readonly evs = new Map<string, EvState>();

  constructor(
    map: LoadedTableMap,
    private readonly table: TableState,
  ) {
    for (const asset of map.assets) {
      if (asset.kind !== 'ev') continue;
      this.evs.set(asset.asset, {
        capacityKwh: asset.capacityKwh ?? EV_DEFAULTS.capacityKwh,
        chargeKw: asset.chargeKw ?? EV_DEFAULTS.chargeKw,
        socPct: asset.initialSocPct ?? EV_DEFAULTS.initialSocPct,
        away: false,
      });
    }
  }

  socPct(evId: string): number | undefined {
    return this.evs.get(evId)?.socPct;
  }

  /**
   * Moves every EV on by one step (driving, charging) and sets its power on the table; returns the heat-pump
   * set-points for this step (asset → kW).
   */
  step(clock: Clock): Map<string, number> {
    const hours = clock.stepMinutes / 60;
    const away = clock.minuteOfDay >= EV_AWAY.fromMinute && clock.minuteOfDay < EV_AWAY.untilMinute;
    for (const asset of this.table.assets) {
      if (asset.kind !== 'ev') continue;
      let ev = this.evs.get(asset.asset);
      if (!ev) {
        ev = { ...EV_DEFAULTS, socPct: EV_DEFAULTS.initialSocPct, away: false };
        this.evs.set(asset.asset, ev);
      }
      if (away && !ev.away) ev.socPct = Math.max(0, ev.socPct - (100 * EV_AWAY.tripKwh) / ev.capacityKwh);
      ev.away = away;
      let pKw = 0;
      if (!away && asset.online && asset.plot !== null && ev.socPct < EV_DEFAULTS.targetSocPct) {
        const neededKwh = ((EV_DEFAULTS.targetSocPct - ev.socPct) / 100) * ev.capacityKwh;
        pKw = Math.min(ev.chargeKw, neededKwh / hours);
        ev.socPct = Math.min(EV_DEFAULTS.targetSocPct, ev.socPct + (100 * pKw * hours) / ev.capacityKwh);
      }
      this.table.setPower(asset.asset, pKw);
    }
    const heatPumps = new Map<string, number>();
    for (const asset of this.table.assets) {
      if (asset.kind === 'heat-pump') heatPumps.set(asset.asset, heatPumpScheduleKw(clock.minuteOfDay));
    }
    return heatPumps;
  }
}
