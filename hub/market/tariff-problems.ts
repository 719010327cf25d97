/**
 * The regulator's check of one tariff offer in the live table's words: the hub's market refuses an offer with
 * these problems and the supplier's editor in the dashboard shows the same ones before sending. Imports only the
 * market's rules and the wire's types, so the browser's type-check and bundle reach no server code through it.
 */
import { inClockWindow } from '../../protocol/clock.js';
import type { RegulatorRulesInForce, TariffBand } from '../../protocol/gridflex.js';
import { MINUTES_PER_DAY } from '../environment/calendar.js';
import { type RuleBreach, ruleBreaches } from './regulator.js';
import { coreTariffFromWire, tariffRulesFromWire, type WireTariff, wireGbp } from './wire-tariff.js';

/** The supplier of a tariff checked on its own (the regulator's rules do not depend on who offers it). */
const ANY_SUPPLIER = 'supplier';

export function bandLabel(band: { name?: string | undefined; from: string; to: string }): string {
  return band.name ?? `${band.from}-${band.to}`;
}

/** A number as people read it: at most 4 decimals, no trailing zeros. */
function plain(value: number): string {
  return String(Number(value.toFixed(4)));
}

/**
 * A unit rate in pence per kWh, as GB tariffs are quoted and the dashboard shows them: 26.11 → `26.11 p/kWh`
 * (rounded to 2 decimals from the pounds the wire quoted, 0.2611).
 */
function pencePerKwh(pence: number): string {
  return `${Number((wireGbp(pence / 100) * 100).toFixed(2))} p/kWh`;
}

/**
 * Every rule a tariff offer breaks, in words people read (empty when it may be offered): the regulator's
 * checks (hub/market/regulator.ts, through the core tariff) and the wire form's own structure (bands for
 * time-of-use, no overlaps), so the supplier gets one clear answer.
 */
export function tariffProblems(tariff: WireTariff, rules: RegulatorRulesInForce): string[] {
  const breaches = ruleBreaches(coreTariffFromWire(ANY_SUPPLIER, tariff, rules), tariffRulesFromWire(rules));
  // The wire has one shape (`kind`): the import's; the export terms follow it.
  const shapes = breaches.filter(
    (breach) => breach.check === 'allowed-shape' && breach.direction === 'import',
  );
  const others = breaches.filter((breach) => breach.check !== 'allowed-shape');
  return [
    ...shapes.map((breach) => breachWording(breach, tariff)),
    ...structureProblems(tariff),
    ...others.map((breach) => breachWording(breach, tariff)),
  ];
}

/** A broken rule in the live table's words, in pounds as the wire quotes them. */
function breachWording(breach: RuleBreach, tariff: WireTariff): string {
  switch (breach.check) {
    case 'allowed-shape':
      return `tariff shape "${breach.shape}" is not allowed by the regulator (allowed: ${breach.allowed.join(', ')})`;
    case 'max-unit-rate':
    case 'price-cap-unit-rate': {
      const where = breach.band
        ? ` in band ${breach.band}`
        : tariff.bands?.length
          ? ' outside the bands'
          : '';
      const limit = breach.check === 'max-unit-rate' ? 'maximum unit rate' : 'cap';
      return `import price ${pencePerKwh(breach.pencePerKwh)}${where} is above the regulator's ${limit} ${pencePerKwh(breach.limitPencePerKwh)}`;
    }
    case 'price-cap-standing-charge':
      return `standing charge ${plain(wireGbp(breach.pencePerDay / 100))} £/day is above the regulator's cap ${plain(wireGbp(breach.limitPencePerDay / 100))} £/day`;
    case 'variable-exit-fee':
      return `a variable tariff (contractMonths 0) may not charge an exit fee (this one charges £${plain(breach.feeGbp)})`;
    case 'max-exit-fee':
      return `exit fee £${plain(breach.feeGbp)} is above the regulator's maximum £${plain(breach.limitGbp)}`;
  }
}

/** What is wrong with the wire form itself: bands where they do not belong or missing, whole-day bands, overlaps. */
function structureProblems(tariff: WireTariff): string[] {
  const problems: string[] = [];
  if (tariff.kind === 'dynamic') {
    problems.push(
      'the live table has no wholesale price feed, so it cannot run a dynamic tariff: offer flat or time-of-use bands',
    );
  }
  const bands = tariff.bands ?? [];
  if (tariff.kind === 'flat' && bands.length > 0) {
    problems.push('a flat tariff has no bands: send kind "time-of-use" to offer bands');
  }
  if (tariff.kind === 'time-of-use' && bands.length === 0) {
    problems.push('a time-of-use tariff needs at least one band (from, to, importPriceGbpPerKwh)');
  }
  for (const band of bands) {
    if (band.from === band.to) {
      problems.push(`band ${bandLabel(band)} covers the whole day (from = to): use a flat tariff instead`);
    }
  }
  const overlap = firstOverlap(bands);
  if (overlap) problems.push(overlap);
  return problems;
}

/** The bands that overlap at the first minute of the day two or more cover, in words (undefined when none do). */
export function firstOverlap(bands: readonly TariffBand[]): string | undefined {
  for (let minute = 0; minute < MINUTES_PER_DAY; minute++) {
    const covering = bands.filter(
      (band) => band.from !== band.to && inClockWindow(minute, band.from, band.to),
    );
    if (covering.length > 1) {
      return `bands ${covering.map((band) => `${bandLabel(band)} (${band.from}-${band.to})`).join(' and ')} overlap`;
    }
  }
  return undefined;
}
