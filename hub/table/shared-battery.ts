import { inClockWindow } from '../../protocol/clock.js';
import type { AssemblyBatteryRules, SharedBattery, SharedBatteryRules } from '../../protocol/gridflex.js';
import { InputError } from '../errors.js';
import {
  type BatteryRequest,
  CommunityBattery,
  type CommunityBatteryRules,
  parseCommunityBatteryRules,
} from '../market/community-battery.js';
import type { LoadedTableMap } from './map-config.js';

type SharedBatteryConfig = NonNullable<LoadedTableMap['sharedBattery']>;

/** Rules a shared battery starts with when the map gives none (scenarios/data/community-battery-assembly.yaml, sized for a street). */
const DEFAULT_RULES = {
  capacityKwh: 30,
  maxChargeKw: 10,
  maxDischargeKw: 10,
  perHomeMaxKw: 3.5,
} as const;

/** One home's net power this step, which decides what it asks of the shared battery. */
export interface HomeNetPower {
  home: string;
  netPKw: number;
}

/**
 * The street's shared battery on the live table, under the citizens' assembly's rules (hub/market's
 * community battery: priority groups, fair shares, per-home caps, a reserve). Each step a home exporting
 * asks to store its surplus and a home importing asks to draw (inside the draw window, if the rules set
 * one); the grants' net power sits at the battery's bus in the power flow. Pure: no I/O.
 */
export class LiveSharedBattery {
  private battery: CommunityBattery;
  private groups: Record<string, string>;
  private setBy: string | undefined;
  private setAt: string | undefined;
  private last: { chargeKw: number; dischargeKw: number; homes: SharedBattery['homes'] } = {
    chargeKw: 0,
    dischargeKw: 0,
    homes: [],
  };

  constructor(readonly config: SharedBatteryConfig) {
    const { groups, ...rules } = config.rules;
    const parsed = parseCommunityBatteryRules(
      { ...DEFAULT_RULES, ...rules },
      'table map: sharedBattery.rules',
    );
    this.groups = groups ?? {};
    this.battery = new CommunityBattery(parsed, (parsed.capacityKwh * config.initialSocPct) / 100);
  }

  get rules(): SharedBatteryRules {
    return { ...this.battery.rules, groups: this.groups };
  }

  /**
   * The assembly changes some rules; they apply from the next step. Throws InputError naming the rule when
   * the result is not a valid set of rules (e.g. a reserve above the capacity). Energy stored is kept (up to
   * the new capacity); the day's per-home draw records start again.
   */
  setRules(update: AssemblyBatteryRules, by: string, at: Date): string[] {
    const { requestId: _requestId, groups, drawWindow, ...changes } = update;
    const { drawWindow: oldWindow, ...current } = this.battery.rules;
    const window = drawWindow === null ? undefined : (drawWindow ?? oldWindow);
    const next: CommunityBatteryRules = parseCommunityBatteryRules(
      { ...current, ...changes, ...(window ? { drawWindow: window } : {}) },
      'assembly rules',
    );
    const groupNames = new Set(next.priorityGroups);
    for (const [home, group] of Object.entries(groups ?? this.groups)) {
      if (!groupNames.has(group)) {
        throw new InputError(
          'assembly rules',
          `groups: ${home} is in "${group}", which is not one of the priority groups (${next.priorityGroups.join(', ') || 'none'})`,
        );
      }
    }
    this.battery = new CommunityBattery(next, Math.min(this.battery.socKwh, next.capacityKwh));
    if (groups) this.groups = groups;
    this.setBy = by;
    this.setAt = at.toISOString();
    return Object.keys(update).filter((key) => key !== 'requestId');
  }

  /** Grants this step's asks; returns the battery's net power drawn from the grid at its bus (kW). */
  step(simTime: Date, stepMinutes: number, homes: readonly HomeNetPower[]): number {
    const rules = this.battery.rules;
    const minute = simTime.getUTCHours() * 60 + simTime.getUTCMinutes();
    const drawOpen = !rules.drawWindow || inClockWindow(minute, rules.drawWindow.from, rules.drawWindow.to);
    const requests: BatteryRequest[] = [];
    for (const { home, netPKw } of homes) {
      const group = this.groups[home];
      if (netPKw < -1e-6) requests.push({ homeId: home, chargeKw: -netPKw, ...(group ? { group } : {}) });
      else if (netPKw > 1e-6 && drawOpen)
        requests.push({ homeId: home, dischargeKw: netPKw, ...(group ? { group } : {}) });
    }
    const minuteOfYear = minuteOfYearOf(simTime);
    const result = this.battery.step(minuteOfYear, stepMinutes, requests);
    const asked = new Map(
      requests.map((request) => [request.homeId, (request.chargeKw ?? 0) - (request.dischargeKw ?? 0)]),
    );
    let chargeKw = 0;
    let dischargeKw = 0;
    const grants: SharedBattery['homes'] = [];
    for (const grant of result.grants) {
      chargeKw += grant.chargeKw;
      dischargeKw += grant.dischargeKw;
      grants.push({
        home: grant.homeId,
        askedKw: round3(asked.get(grant.homeId) ?? 0),
        grantedKw: round3(grant.chargeKw - grant.dischargeKw),
      });
    }
    this.last = { chargeKw, dischargeKw, homes: grants };
    return result.netChargeKw;
  }

  /** The `gridflex/v1/shared-battery` payload. */
  snapshot(step: number, simTime: string): SharedBattery {
    const rules = this.battery.rules;
    return {
      step,
      simTime,
      bus: this.config.bus,
      phase: this.config.phase,
      rules: this.rules,
      ...(this.setBy ? { setBy: this.setBy } : {}),
      ...(this.setAt ? { setAt: this.setAt } : {}),
      socKwh: round3(this.battery.socKwh),
      socPct: round3((100 * this.battery.socKwh) / rules.capacityKwh),
      chargeKw: round3(this.last.chargeKw),
      dischargeKw: round3(this.last.dischargeKw),
      homes: this.last.homes,
    };
  }
}

/** Minutes since 1 January of the simulated time's year (the community battery counts days with it). */
function minuteOfYearOf(time: Date): number {
  return Math.floor((time.getTime() - Date.UTC(time.getUTCFullYear(), 0, 1)) / 60_000);
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
