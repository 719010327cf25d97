/**
 * Resolves a scenario's `market.module` section against its feeder and homes (the I/O edge: a community
 * battery's rules file is read here). Problems name the scenario path, what was expected and what was found.
 *
 * API:
 *   resolveMarketModule(entry | undefined, context) -> MarketModule     throws what context.problem makes, or InputError
 */
import { InputError } from '../errors.js';
import type { FeederNetwork, Phase } from '../feeder/index.js';
import { type CommunityBatteryRules, parseCommunityBatteryRules } from './community-battery.js';
import { loadCommunityBatteryRules } from './load-community-battery.js';
import type { MarketModule, MarketModuleEntry } from './modules.js';

export interface MarketModuleContext {
  /** The scenario file (for messages). */
  file: string;
  feeder: FeederNetwork;
  /** The scenario's home ids, in order. */
  homeIds: readonly string[];
  /** Finds a file named in the scenario (relative to it, else to the repository root); throws if absent. */
  locate: (path: string, key: string) => string;
  /** Makes the error for a scenario path: what was expected, what was found. */
  problem: (path: string, expected: string, found: unknown) => Error;
}

const PATH = 'market.module';

export function resolveMarketModule(
  entry: MarketModuleEntry | undefined,
  context: MarketModuleContext,
): MarketModule {
  if (!entry || entry.kind === 'retail') return { kind: 'retail' };
  const { feeder, homeIds, problem } = context;
  if (entry.kind === 'flex-auction') {
    const ratedKva = feeder.transformers.reduce((sum, transformer) => sum + transformer.ratedKva, 0);
    const limitKw = entry.limitKw ?? ratedKva;
    if (!(limitKw > 0))
      throw problem(`${PATH}.limitKw`, 'a limit in kW (the feeder has no rated transformer)', entry.limitKw);
    return {
      kind: 'flex-auction',
      basis: entry.basis,
      limitKw,
      triggerFraction: entry.triggerFraction,
      targetFraction: entry.targetFraction,
      maxPriceGbpPerKwh: entry.maxPriceGbpPerKwh,
      shiftWindowSteps: entry.shiftWindowSteps,
      premiumGbpPerKwh: entry.premiumGbpPerKwh,
    };
  }

  const rulesFile = context.locate(entry.rules, `${PATH}.rules`);
  let rules: CommunityBatteryRules;
  try {
    rules = loadCommunityBatteryRules(rulesFile);
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`${context.file}: ${PATH}.rules`, error.message);
    throw error;
  }
  const overrides = {
    ...(entry.capacityKwh !== undefined ? { capacityKwh: entry.capacityKwh } : {}),
    ...(entry.maxChargeKw !== undefined ? { maxChargeKw: entry.maxChargeKw } : {}),
    ...(entry.maxDischargeKw !== undefined ? { maxDischargeKw: entry.maxDischargeKw } : {}),
  };
  if (Object.keys(overrides).length > 0) {
    try {
      rules = parseCommunityBatteryRules({ ...rules, ...overrides }, PATH);
    } catch (error) {
      if (error instanceof InputError) {
        throw new InputError(`${context.file}: ${PATH}`, `with the rules of ${rulesFile}: ${error.problem}`);
      }
      throw error;
    }
  }
  const bus = String(entry.bus);
  if (!feeder.buses.some((candidate) => candidate.name === bus)) {
    const names = feeder.buses.map((candidate) => candidate.name);
    throw problem(
      `${PATH}.bus`,
      `a bus of feeder ${feeder.name} (${names.slice(0, 6).join(', ')}${names.length > 6 ? ', …' : ''})`,
      entry.bus,
    );
  }
  const known = new Set(homeIds);
  entry.members?.forEach((id, index) => {
    if (!known.has(id)) throw problem(`${PATH}.members.${index}`, 'a home id of this scenario', id);
  });
  const members = entry.members ? homeIds.filter((id) => entry.members?.includes(id)) : [...homeIds];
  const groupOf: Record<string, string> = {};
  for (const [group, ids] of Object.entries(entry.groups)) {
    ids.forEach((id, index) => {
      const path = `${PATH}.groups.${group}.${index}`;
      if (!members.includes(id)) throw problem(path, 'a member home id', id);
      if (groupOf[id] !== undefined)
        throw problem(path, `a home in one group only (already in ${groupOf[id]})`, id);
      groupOf[id] = group;
    });
  }
  const initialSocKwh =
    entry.initialSocPct !== undefined ? (rules.capacityKwh * entry.initialSocPct) / 100 : rules.reserveKwh;
  const phases: Phase[] = entry.phase === 'ABC' ? ['A', 'B', 'C'] : [entry.phase];
  return {
    kind: 'community-battery',
    rulesFile: entry.rules,
    rules,
    bus,
    phases,
    initialSocKwh,
    members,
    groupOf,
  };
}
