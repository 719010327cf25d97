/**
 * The tariff catalogue: suppliers, their tariffs, the network charges suppliers pay, and the regulator's
 * rules, validated together (scenarios/data/tariffs-gb.yaml is the shipped GB default).
 *
 * API:
 *   TariffCatalogueSchema / type TariffCatalogue {suppliers, tariffs, networkCharges?, regulator}
 *   parseTariffCatalogue(value, file) -> TariffCatalogue   schema + unique ids + known suppliers + rules; InputError
 *   parseTariffCatalogueYaml(text, file) -> TariffCatalogue
 *   tariffById(catalogue, id) -> Tariff (throws InputError naming the id and the known ids)
 *   tariffsOfSupplier(catalogue, supplierId) -> Tariff[]
 *   eligibleTariffs(catalogue, assets: Eligibility[]) -> Tariff[]   tariffs whose `requires` the home meets
 * File loading: loadTariffCatalogue(file = DEFAULT_TARIFF_CATALOGUE) in ./load-catalogue.ts.
 */

import { z } from 'zod';
import { InputError } from '../errors.js';
import { parseYamlInput } from '../read-input.js';
import { RegulatorRulesSchema, tariffViolations } from './regulator.js';
import { SupplierSchema } from './supplier.js';
import {
  type Eligibility,
  formatZodIssues,
  NetworkChargeScheduleSchema,
  type Tariff,
  TariffSchema,
} from './tariff.js';

export const TariffCatalogueSchema = z
  .object({
    version: z.literal(1),
    /** The network charges every supplier pays on its customers' import (DUoS-style bands). */
    networkCharges: NetworkChargeScheduleSchema.optional(),
    suppliers: z.array(SupplierSchema).min(1),
    tariffs: z.array(TariffSchema).min(1),
    regulator: RegulatorRulesSchema,
  })
  .strict();
export type TariffCatalogue = z.infer<typeof TariffCatalogueSchema>;

/** Validates a catalogue object; every problem names the file and the path inside it. */
export function parseTariffCatalogue(value: unknown, file: string): TariffCatalogue {
  const result = TariffCatalogueSchema.safeParse(value);
  if (!result.success) throw new InputError(file, formatZodIssues(result.error));
  const catalogue = result.data;
  const supplierIds = new Set<string>();
  catalogue.suppliers.forEach((supplier, index) => {
    if (supplierIds.has(supplier.id)) {
      throw new InputError(file, `suppliers.${index}.id: duplicate supplier id "${supplier.id}"`);
    }
    supplierIds.add(supplier.id);
  });
  const tariffIds = new Set<string>();
  catalogue.tariffs.forEach((tariff, index) => {
    if (tariffIds.has(tariff.id))
      throw new InputError(file, `tariffs.${index}.id: duplicate tariff id "${tariff.id}"`);
    tariffIds.add(tariff.id);
    if (!supplierIds.has(tariff.supplierId)) {
      throw new InputError(
        file,
        `tariffs.${index}.supplierId: unknown supplier "${tariff.supplierId}" (known: ${[...supplierIds].join(', ')})`,
      );
    }
    const violations = tariffViolations(tariff, catalogue.regulator);
    if (violations.length > 0) {
      throw new InputError(
        file,
        `tariffs.${index} (${tariff.id}) breaks regulator rules: ${violations.map((v) => `${v.rule}: ${v.message}`).join('; ')}`,
      );
    }
  });
  return catalogue;
}

/** Parses YAML text (anchors and aliases allowed) and validates it as a catalogue. */
export function parseTariffCatalogueYaml(text: string, file: string): TariffCatalogue {
  return parseTariffCatalogue(parseYamlInput(text, file), file);
}

/** The tariff with this id. */
export function tariffById(catalogue: TariffCatalogue, id: string): Tariff {
  const tariff = catalogue.tariffs.find((candidate) => candidate.id === id);
  if (!tariff) {
    throw new InputError(
      `tariff "${id}"`,
      `not in the catalogue (known: ${catalogue.tariffs.map((t) => t.id).join(', ')})`,
    );
  }
  return tariff;
}

/** The tariffs a supplier offers. */
export function tariffsOfSupplier(catalogue: TariffCatalogue, supplierId: string): Tariff[] {
  return catalogue.tariffs.filter((tariff) => tariff.supplierId === supplierId);
}

/** The tariffs whose requirements a home with these assets meets. */
export function eligibleTariffs(catalogue: TariffCatalogue, assets: readonly Eligibility[]): Tariff[] {
  return catalogue.tariffs.filter((tariff) => tariff.requires.every((need) => assets.includes(need)));
}
