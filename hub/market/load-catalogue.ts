/**
 * File loading of a tariff catalogue (the I/O edge; validation lives in ./catalogue.ts).
 *
 * API:
 *   loadTariffCatalogue(file = DEFAULT_TARIFF_CATALOGUE) -> TariffCatalogue   throws InputError
 *   DEFAULT_TARIFF_CATALOGUE   path of the shipped scenarios/data/tariffs-gb.yaml
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
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
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError(file, 'file not found or not readable');
  }
  return parseTariffCatalogueYaml(text, file);
}
