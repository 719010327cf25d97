import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createPolicy } from '../../../hub/agents/registry.js';
import type { RedTeamSection } from '../../../hub/redteam/registry.js';
import { loadRunInputs } from '../../../hub/sim/inputs.js';
import { type RedTeamRow, runRedTeamStudy } from '../../../hub/study/redteam-study.js';
import { streetPolicyContext } from '../../../hub/study/street-context.js';
import { tempDir } from '../mqtt-helpers.js';

/** The table street's scenario, as text. */
export const TABLE = readFileSync('scenarios/table.yaml', 'utf8');

/**
 * The red-team study in the batch engine on the table street (scenarios/table.yaml with a redTeam section),
 * its scenarios written to a scratch folder of `name` that goes in afterAll.
 */
export function tableRedTeam(name: string) {
  const scratch = tempDir(`gridflex-${name}-`);
  afterAll(() => scratch.remove());

  /** scenarios/table.yaml with a redTeam section (and a few changes), written to the scratch folder. */
  function tableWith(name: string, redTeam: string, replace: [string, string][] = []): string {
    const text = replace.reduce((current, [from, to]) => current.replace(from, to), TABLE);
    const file = join(scratch.dir, `${name}.yaml`);
    writeFileSync(file, `${text}\nredTeam:\n${redTeam}\n`);
    return file;
  }

  /** The study's rows on the table street, by name. */
  async function study(
    file: string,
    options: { days: number; policy?: string; limitKw?: number },
  ): Promise<Map<string, RedTeamRow>> {
    const inputs = loadRunInputs(file);
    const section = inputs.scenario.redTeam as RedTeamSection;
    const ratingKw = options.limitKw ?? 50;
    const street = await streetPolicyContext(inputs, {
      ...(options.limitKw !== undefined ? { transformerLimitKw: options.limitKw } : {}),
      reinforcementGbpPerKw: 150,
      carbonPriceGbpPerKg: 0,
      loadPriceSlopeGbpPerKwhPerKw: 0,
      voltageLimits: true,
    });
    const result = await runRedTeamStudy(inputs, {
      attack: section.attacks[0] as RedTeamSection['attacks'][number],
      defences: section.defences,
      days: options.days,
      policy: options.policy,
      createPolicy: (policy) => createPolicy(policy, street.context),
      pricing: { transformerRatingKw: ratingKw, reinforcementGbpPerKw: 150, carbonPriceGbpPerKg: 0 },
    });
    return new Map(result.rows.map((row) => [row.name, row]));
  }

  return { scratch, tableWith, study };
}

/** The row of a name (an error lists the rows there are). */
export function row(rows: Map<string, RedTeamRow>, name: string): RedTeamRow {
  const found = rows.get(name);
  if (!found) throw new Error(`no row "${name}" in ${[...rows.keys()].join(', ')}`);
  return found;
}
