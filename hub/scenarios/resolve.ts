/**
 * Turns a validated scenario file into the concrete street a run simulates: one HomeSpec per home with
 * its bus and phase, assets, preferences, policy, tariff, base-load settings and EV habits. Pure: the
 * feeder is passed in. Adoption levels choose which homes get which asset from the seed (a seeded
 * shuffle, so the count is exact and the choice the same run after run).
 */
import { parseClock } from '../../protocol/clock.js';
import { checkLinks, type LinksSection } from '../engine/links.js';
import type { FeederNetwork } from '../feeder/index.js';
import type { EvHabits, HomeSpec } from '../homes/index.js';
import { DEFAULT_VOLT_VAR, DEFAULT_VOLT_WATT, type VoltageCurve } from '../homes/index.js';
import type { TariffCatalogue } from '../market/catalogue.js';
import type { MarketModule } from '../market/modules.js';
import type { RegulatorRules } from '../market/regulator.js';
import { createRng, type Rng } from '../random.js';
import { checkRedTeam, type RedTeamSection } from '../redteam/registry.js';
import { checkSocialGraph, type SocialGraphSection } from '../social/registry.js';
import {
  DEFAULT_BASE_LOAD,
  DEFAULT_BATTERY,
  DEFAULT_EV,
  DEFAULT_HEAT_PUMP,
  DEFAULT_POLICY,
  DEFAULT_PREFERENCES,
  DEFAULT_PV,
} from './defaults.js';
import type { HomeEntry, ScenarioFile } from './schema.js';

/** Where a problem is: the scenario file and a path inside it. */
export type ScenarioProblem = (path: string, expected: string, found: unknown) => Error;

export interface ResolvedHome {
  spec: HomeSpec;
  /** The feeder load the home replaces, when it is one. */
  feederLoad?: string;
  policy: string;
  tariffId: string;
  baseLoad: { annualKwh: number };
  evHabits?: EvHabits;
}

export interface Scenario {
  /** The file it came from (for messages). */
  file: string;
  name: string;
  description?: string;
  feederDir: string;
  yearFile?: string;
  seed: number;
  startDay: number;
  days: number;
  stepMinutes: number;
  valuation: { carbonValueGbpPerKg: number; autarkyValueGbpPerKwh: number };
  homes: ResolvedHome[];
  /** The catalogue narrowed to the suppliers and tariffs on offer, with the scenario's rules. */
  catalogue: TariffCatalogue;
  defaultTariffId: string;
  regulator: RegulatorRules;
  switching: {
    enabled: boolean;
    reviewEveryDays: number;
    reviewSchedule: 'staggered' | 'together';
    minSavingGbpPerYear: number;
    capacityPerWorkingDay: number;
  };
  /** The market module (absent: retail only); set by load.ts, which reads its files. */
  marketModule?: MarketModule;
  /** The red team's attacks and defences (absent: none). */
  redTeam?: RedTeamSection;
  /** Who hears whom, and what spreads along it (absent: nobody copies anybody). */
  socialGraph?: SocialGraphSection;
  /** Latency, jitter, loss and bandwidth of the street's links (absent: every message arrives at once). */
  links?: LinksSection;
}

type AssetKind = 'pv' | 'battery' | 'ev' | 'heatPump';
const ADOPTION_KEYS: Record<AssetKind, 'pvPct' | 'batteryPct' | 'evPct' | 'heatPumpPct'> = {
  pv: 'pvPct',
  battery: 'batteryPct',
  ev: 'evPct',
  heatPump: 'heatPumpPct',
};

export function resolveScenario(
  file: ScenarioFile,
  paths: { file: string; feederDir: string; yearFile?: string },
  feeder: FeederNetwork,
  fullCatalogue: TariffCatalogue,
  problem: ScenarioProblem,
): Scenario {
  const entries = homeEntries(file, feeder);
  const defaults = file.defaults ?? {};
  if (file.time.startDay + file.time.days > 365) {
    throw problem(
      'time.days',
      `at most ${365 - file.time.startDay} days from start day ${file.time.startDay}`,
      file.time.days,
    );
  }
  const rng = createRng(file.seed);
  const chosen = chooseAdopters(file, entries, rng);
  const catalogue = narrowCatalogue(fullCatalogue, file, problem);
  const tariffIds = new Set(catalogue.tariffs.map((tariff) => tariff.id));
  if (!tariffIds.has(file.market.defaultTariff)) {
    throw problem(
      'market.defaultTariff',
      `one of the tariffs on offer (${[...tariffIds].join(', ')})`,
      file.market.defaultTariff,
    );
  }
  const seenIds = new Set<string>();
  const homes = entries.map((entry, index): ResolvedHome => {
    const path = Array.isArray(file.homes) ? `homes.${index}` : `homes (feeder load ${entry.load})`;
    const { bus, phase, feederLoad } = connection(entry, feeder, path, problem);
    const id = entry.id ?? feederLoad ?? `home-${index + 1}`;
    if (seenIds.has(id)) throw problem(`${path}.id`, 'a home id not used before', id);
    seenIds.add(id);
    const drawn = drawVariety(file, entry, rng.fork(`variety-${id}`));
    const preferences = { ...DEFAULT_PREFERENCES, ...defaults.preferences, ...drawn, ...entry.preferences };
    const weights = {
      ...DEFAULT_PREFERENCES.weights,
      ...defaults.preferences?.weights,
      ...drawn.weights,
      ...entry.preferences?.weights,
    };
    if (preferences.comfortMinC >= preferences.comfortMaxC) {
      throw problem(
        `${path}.preferences.comfortMinC`,
        `below comfortMaxC (${preferences.comfortMaxC})`,
        preferences.comfortMinC,
      );
    }
    const spec: HomeSpec = {
      id,
      bus,
      phase,
      baseLoadPowerFactor:
        entry.baseLoad?.powerFactor ?? defaults.baseLoad?.powerFactor ?? DEFAULT_BASE_LOAD.powerFactor,
      preferences: {
        weights,
        comfortMinC: preferences.comfortMinC,
        comfortMaxC: preferences.comfortMaxC,
        evReadyByMinute: parseClock(preferences.evReadyBy),
        evTargetSocPct: preferences.evTargetSocPct,
        switchWillingness: preferences.switchWillingness,
      },
    };
    const has = (kind: AssetKind): boolean => {
      const own = entry[kind];
      if (own !== undefined) return own !== false;
      return chosen[kind].has(index);
    };
    const settings = <T extends object>(kind: AssetKind): Partial<T> => ({
      ...(typeof defaults[kind] === 'object' ? (defaults[kind] as T) : {}),
      ...(typeof entry[kind] === 'object' ? (entry[kind] as T) : {}),
    });
    let evHabits: EvHabits | undefined;
    if (has('pv')) {
      const pv = { ...DEFAULT_PV, ...settings<typeof DEFAULT_PV>('pv') };
      spec.pv = {
        peakKw: pv.peakKw,
        inverterKw: pv.inverterKw,
        inverterKva: Math.max(pv.inverterKva, pv.inverterKw),
        lossFraction: pv.lossFraction,
        voltVar: curve(pv.voltVar as boolean | VoltageCurve, DEFAULT_VOLT_VAR),
        voltWatt: curve(pv.voltWatt as boolean | VoltageCurve, DEFAULT_VOLT_WATT),
        cutOutPct: pv.cutOutPct,
      };
    }
    if (has('battery')) spec.battery = { ...DEFAULT_BATTERY, ...settings<typeof DEFAULT_BATTERY>('battery') };
    if (has('ev')) {
      const ev = { ...DEFAULT_EV, ...settings<typeof DEFAULT_EV & { initialSocPct: number }>('ev') };
      if (ev.awayHoursMin > ev.awayHoursMax)
        throw problem(
          `${path}.ev.awayHoursMin`,
          `at most awayHoursMax (${ev.awayHoursMax})`,
          ev.awayHoursMin,
        );
      if (ev.tripKwhMin > ev.tripKwhMax)
        throw problem(`${path}.ev.tripKwhMin`, `at most tripKwhMax (${ev.tripKwhMax})`, ev.tripKwhMin);
      spec.ev = {
        capacityKwh: ev.capacityKwh,
        maxChargeKw: ev.maxChargeKw,
        maxDischargeKw: 0,
        roundTripEfficiency: ev.roundTripEfficiency,
        // Unless given, the run starts where the resident wants the EV: below it, every plugged-in EV would
        // charge in the first step at once (the first step was the passive year's peak: docs/validation.md).
        initialSocPct: ev.initialSocPct ?? spec.preferences.evTargetSocPct,
      };
      evHabits = {
        readyByMinute: spec.preferences.evReadyByMinute,
        weekdayTripProbability: ev.weekdayTripProbability,
        weekendTripProbability: ev.weekendTripProbability,
        awayHoursMin: ev.awayHoursMin,
        awayHoursMax: ev.awayHoursMax,
        tripKwhMin: ev.tripKwhMin,
        tripKwhMax: ev.tripKwhMax,
      };
    }
    if (has('heatPump')) {
      const hp = { ...DEFAULT_HEAT_PUMP, ...settings<typeof DEFAULT_HEAT_PUMP>('heatPump') };
      spec.heatPump = {
        maxElectricKw: hp.maxElectricKw,
        copAt7C: hp.copAt7C,
        copSlopePerC: hp.copSlopePerC,
        copMin: hp.copMin,
        thermal: {
          resistanceCPerKw: hp.resistanceCPerKw,
          capacitanceKwhPerC: hp.capacitanceKwhPerC,
          gainsKw: hp.gainsKw,
        },
        initialIndoorC: hp.initialIndoorC,
      };
    }
    const tariffId = entry.tariff ?? defaults.tariff ?? file.market.defaultTariff;
    if (!tariffIds.has(tariffId)) {
      throw problem(`${path}.tariff`, `one of the tariffs on offer (${[...tariffIds].join(', ')})`, tariffId);
    }
    return {
      spec,
      ...(feederLoad !== undefined ? { feederLoad } : {}),
      policy: entry.policy ?? defaults.policy ?? DEFAULT_POLICY,
      tariffId,
      baseLoad: {
        annualKwh: entry.baseLoad?.annualKwh ?? defaults.baseLoad?.annualKwh ?? DEFAULT_BASE_LOAD.annualKwh,
      },
      ...(evHabits ? { evHabits } : {}),
    };
  });

  return {
    file: paths.file,
    name: file.name,
    ...(file.description !== undefined ? { description: file.description } : {}),
    feederDir: paths.feederDir,
    ...(paths.yearFile !== undefined ? { yearFile: paths.yearFile } : {}),
    seed: file.seed,
    startDay: file.time.startDay,
    days: file.time.days,
    stepMinutes: file.time.stepMinutes,
    valuation: file.valuation,
    homes,
    catalogue,
    defaultTariffId: file.market.defaultTariff,
    regulator: catalogue.regulator,
    switching: file.market.switching,
    ...(file.redTeam ? { redTeam: checkedRedTeam(file.redTeam, homes, tariffIds, problem) } : {}),
    ...(file.socialGraph ? { socialGraph: checkedSocialGraph(file.socialGraph, homes, problem) } : {}),
    ...(file.links ? { links: checkedLinks(file.links, homes, problem) } : {}),
  };
}

/** The red-team section, once every home and tariff it names is in the scenario. */
function checkedRedTeam(
  section: RedTeamSection,
  homes: readonly ResolvedHome[],
  tariffIds: ReadonlySet<string>,
  problem: ScenarioProblem,
): RedTeamSection {
  checkRedTeam(section, { homeIds: homes.map(({ spec }) => spec.id), tariffIds: [...tariffIds] }, problem);
  return section;
}

/** The social graph section, once its parameters fit the street and every home it names is in it. */
function checkedSocialGraph(
  section: SocialGraphSection,
  homes: readonly ResolvedHome[],
  problem: ScenarioProblem,
): SocialGraphSection {
  checkSocialGraph(
    section,
    homes.map(({ spec }) => spec.id),
    problem,
  );
  return section;
}

/** The links section, once every home it names is in the scenario. */
function checkedLinks(
  section: LinksSection,
  homes: readonly ResolvedHome[],
  problem: ScenarioProblem,
): LinksSection {
  checkLinks(
    section,
    homes.map(({ spec }) => spec.id),
    problem,
  );
  return section;
}

/** The suppliers and tariffs on offer, and the catalogue's rules with the scenario's changes. */
function narrowCatalogue(
  catalogue: TariffCatalogue,
  file: ScenarioFile,
  problem: ScenarioProblem,
): TariffCatalogue {
  const market = file.market;
  const supplierIds = catalogue.suppliers.map((supplier) => supplier.id);
  market.suppliers?.forEach((id, index) => {
    if (!supplierIds.includes(id))
      throw problem(`market.suppliers.${index}`, `a catalogue supplier (${supplierIds.join(', ')})`, id);
  });
  const suppliers = market.suppliers
    ? catalogue.suppliers.filter((supplier) => market.suppliers?.includes(supplier.id))
    : catalogue.suppliers;
  const offered = catalogue.tariffs.filter((tariff) =>
    suppliers.some((supplier) => supplier.id === tariff.supplierId),
  );
  market.tariffs?.forEach((id, index) => {
    if (!offered.some((tariff) => tariff.id === id)) {
      throw problem(
        `market.tariffs.${index}`,
        `a tariff of the suppliers on offer (${offered.map((tariff) => tariff.id).join(', ')})`,
        id,
      );
    }
  });
  const tariffs = market.tariffs ? offered.filter((tariff) => market.tariffs?.includes(tariff.id)) : offered;
  return { ...catalogue, suppliers, tariffs, regulator: { ...catalogue.regulator, ...market.regulator } };
}

/** The homes as listed, or one per feeder load. */
function homeEntries(file: ScenarioFile, feeder: FeederNetwork): HomeEntry[] {
  if (Array.isArray(file.homes)) return file.homes;
  return feeder.loads.map((load) => ({ load: load.name }));
}

function connection(
  entry: HomeEntry,
  feeder: FeederNetwork,
  path: string,
  problem: ScenarioProblem,
): { bus: string; phase: 'A' | 'B' | 'C'; feederLoad?: string } {
  if (entry.load !== undefined) {
    const load = feeder.loads.find((candidate) => candidate.name === entry.load);
    if (!load) {
      const names = feeder.loads.map((candidate) => candidate.name);
      throw problem(
        `${path}.load`,
        `a load of feeder ${feeder.name} (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''})`,
        entry.load,
      );
    }
    if (load.phases.length !== 1) throw problem(`${path}.load`, 'a single-phase load', entry.load);
    return { bus: load.bus, phase: load.phases[0] as 'A' | 'B' | 'C', feederLoad: load.name };
  }
  if (entry.bus === undefined || entry.phase === undefined) {
    throw problem(path, 'either `load` (a feeder load name) or both `bus` and `phase`', entry);
  }
  const bus = String(entry.bus);
  if (!feeder.buses.some((candidate) => candidate.name === bus)) {
    throw problem(`${path}.bus`, `a bus of feeder ${feeder.name}`, entry.bus);
  }
  return { bus, phase: entry.phase };
}

/** Which homes get each asset under the adoption levels: an exact share drawn by a seeded shuffle. */
function chooseAdopters(file: ScenarioFile, entries: HomeEntry[], rng: Rng): Record<AssetKind, Set<number>> {
  const chosen: Record<AssetKind, Set<number>> = {
    pv: new Set(),
    battery: new Set(),
    ev: new Set(),
    heatPump: new Set(),
  };
  for (const kind of Object.keys(ADOPTION_KEYS) as AssetKind[]) {
    const stream = rng.fork(`adoption-${kind}`);
    const order = entries.map((_, index) => index);
    // Fisher–Yates with the home's own stream; homes that set the asset themselves are skipped after.
    for (let i = order.length - 1; i > 0; i--) {
      const j = stream.int(i + 1);
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    const share = (file.adoption?.[ADOPTION_KEYS[kind]] ?? 0) / 100;
    const target = Math.round(share * entries.length);
    const alreadyHave = entries.filter((entry) => entry[kind] !== undefined && entry[kind] !== false).length;
    let needed = Math.max(0, target - alreadyHave);
    for (const index of order) {
      if (needed <= 0) break;
      if ((entries[index] as HomeEntry)[kind] !== undefined) continue;
      chosen[kind].add(index);
      needed--;
    }
  }
  return chosen;
}

/** A resident's draw from the scenario's variety, for the preferences the home does not set itself. */
function drawVariety(
  file: ScenarioFile,
  entry: HomeEntry,
  rng: Rng,
): Partial<NonNullable<HomeEntry['preferences']>> {
  const variety = file.variety;
  const drawn: Partial<NonNullable<HomeEntry['preferences']>> = {};
  if (!variety) return drawn;
  // One draw per option whether used or not, so adding an option does not reshuffle the others.
  const pick = <T>(options: readonly T[] | undefined): T | undefined => {
    const index = rng.int(options?.length ?? 1);
    return options?.[index];
  };
  const own = entry.preferences ?? {};
  const evReadyBy = pick(variety.evReadyBy);
  const evTargetSocPct = pick(variety.evTargetSocPct);
  const comfortMinC = pick(variety.comfortMinC);
  const switchWillingness = pick(variety.switchWillingness);
  const weights = pick(variety.weights);
  if (evReadyBy !== undefined && own.evReadyBy === undefined) drawn.evReadyBy = evReadyBy;
  if (evTargetSocPct !== undefined && own.evTargetSocPct === undefined) drawn.evTargetSocPct = evTargetSocPct;
  if (comfortMinC !== undefined && own.comfortMinC === undefined) drawn.comfortMinC = comfortMinC;
  if (switchWillingness !== undefined && own.switchWillingness === undefined)
    drawn.switchWillingness = switchWillingness;
  if (weights !== undefined && own.weights === undefined) drawn.weights = weights;
  return drawn;
}

function curve(setting: boolean | VoltageCurve, standard: VoltageCurve): VoltageCurve | undefined {
  if (setting === true) return standard;
  if (setting === false) return undefined;
  return setting;
}
