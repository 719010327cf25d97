// Market and environment speed: a home-year bill per tariff shape (the peer is the flat tariff, which needs
// no time lookup), the first bill on a fresh tariff object (it builds the week lookup table), evaluateSwitch
// over the catalogue for 55 homes on a 7-day forecast, and the generators (a year; a home-year of base load).
import { createBaseLoadGenerator } from '../dist/hub/environment/base-load.js';
import { generateYear } from '../dist/hub/environment/generate-year.js';
import { loadBaseLoadLibrary } from '../dist/hub/environment/load-base-load.js';
import { loadYearCsv } from '../dist/hub/environment/load-year.js';
import { evaluateSwitch } from '../dist/hub/market/evaluate-switch.js';
import { loadTariffCatalogue } from '../dist/hub/market/load-catalogue.js';
import { billForSeries } from '../dist/hub/market/tariff.js';

const catalogue = loadTariffCatalogue();
const year = loadYearCsv();
const steps = Array.from({ length: 17520 }, (_, index) => ({
  importKwh: 0.15 + 0.1 * Math.sin(index / 7),
  exportKwh: index % 48 > 20 && index % 48 < 30 ? 0.2 : 0,
  wholesaleGbpPerKwh: year.wholesaleGbpPerKwh[index] ?? 0,
}));

function msPer(count, action) {
  for (let i = 0; i < Math.min(count, 5); i++) action(i);
  const start = performance.now();
  for (let i = 0; i < count; i++) action(i);
  return (performance.now() - start) / count;
}

const byId = (id) => catalogue.tariffs.find((tariff) => tariff.id === id);
const flatMs = msPer(40, () => billForSeries(byId('flat-cap'), steps, 30));
console.log('home-year bill (17520 half-hours)');
for (const id of ['flat-cap', 'economy-7', 'heat-pump-tou', 'dynamic-half-hourly', 'network-aware']) {
  const ms = id === 'flat-cap' ? flatMs : msPer(40, () => billForSeries(byId(id), steps, 30));
  console.log(`  ${id.padEnd(20)} ${ms.toFixed(2)} ms  (${(ms / flatMs).toFixed(2)}x flat)`);
}
const coldMs = msPer(10, () => billForSeries(structuredClone(byId('heat-pump-tou')), steps, 30));
console.log(
  `  heat-pump-tou, fresh tariff object (builds its week table): ${coldMs.toFixed(2)} ms (${(coldMs / flatMs).toFixed(2)}x flat)`,
);

const forecast = steps.slice(0, 7 * 48);
const evaluateMs = msPer(5, () => {
  for (let home = 0; home < 55; home++) {
    evaluateSwitch(forecast, byId('flat-cap'), catalogue, catalogue.regulator, {
      minSavingGbpPerYear: 20,
      assets: ['ev', 'heat-pump', 'pv', 'smart-meter'],
    });
  }
});
console.log(
  `evaluateSwitch, 55 homes x ${catalogue.tariffs.length} tariffs on 7 days: ${evaluateMs.toFixed(2)} ms`,
);

const yearMs = msPer(3, (i) => generateYear({ seed: i + 1 }));
const generator = createBaseLoadGenerator(loadBaseLoadLibrary(), { seed: 1 });
const baseLoadMs = msPer(3, (i) => {
  for (let day = 0; day < 365; day++) generator.dayStepKwh(`home-${i}`, day);
});
console.log(`generate a representative year: ${yearMs.toFixed(1)} ms`);
console.log(
  `base load, one home-year of 30-minute steps: ${baseLoadMs.toFixed(1)} ms (${(baseLoadMs / yearMs).toFixed(2)}x the year generator)`,
);
