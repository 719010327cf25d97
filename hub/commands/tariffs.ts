import type { Command } from 'commander';
import { DEFAULT_TARIFF_CATALOGUE, loadTariffCatalogue } from '../market/load-catalogue.js';

/** `gridflex tariffs check [file]`: validate a tariff catalogue against its schema and its regulator rules. */
export function registerTariffsCommand(program: Command): void {
  const tariffs = program
    .command('tariffs')
    .description('tariff catalogues (suppliers, tariffs, regulator rules)');
  tariffs
    .command('check')
    .description(
      'validate a tariff catalogue YAML (schema, ids, suppliers, regulator rules) and list its tariffs',
    )
    .argument('[file]', 'catalogue YAML', DEFAULT_TARIFF_CATALOGUE)
    .action((file: string) => {
      const catalogue = loadTariffCatalogue(file);
      const lines = catalogue.tariffs.map(
        (tariff) =>
          `  ${tariff.id.padEnd(22)} ${tariff.import.shape.padEnd(12)} ${tariff.supplierId.padEnd(16)} ${tariff.name}`,
      );
      process.stdout.write(
        `${file}: valid, ${catalogue.tariffs.length} tariffs from ${catalogue.suppliers.length} suppliers\n${lines.join('\n')}\n`,
      );
    });
}
