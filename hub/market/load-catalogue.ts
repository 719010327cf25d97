/**
 * File loading of a tariff catalogue (the I/O edge; validation lives in ./catalogue.ts).
 *
 * API:
 *   loadTariffCatalogue(file = DEFAULT_TARIFF_CATALOGUE) -> TariffCatalogue   throws InputError
 *   DEFAULT_TARIFF_CATALOGUE   path of the shipped scenarios/data/tariffs-gb.yaml
 */
import { fileURLToPath } from 'node:url';
import { readInputFile } from '../read-input.js';
import { parseTariffCatalogueYaml, type TariffCatalogue } from './catalogue.js';

/** The shipped GB catalogue (resolved from this module, so it works from src and from dist). */
export const DEFAULT_TARIFF_CATALOGUE = fileURLToPath(
  new URL(
    import.meta.url.includes('/dist/')
      ? '../../../scenarios/data/tariffs-gb.yaml'
      : '../../scenarios/data/tariffs-gb.yaml',
    import.meta.url,
  ),
);

/** Reads and validates a catalogue YAML file. */
export function loadTariffCatalogue(file: string = DEFAULT_TARIFF_CATALOGUE): TariffCatalogue {
  const text = readInputFile(file);
  return parseTariffCatalogueYaml(text, file);
}
