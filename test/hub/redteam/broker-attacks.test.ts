import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPolicy } from '../../../hub/agents/registry.js';
import type { RedTeamSection } from '../../../hub/redteam/registry.js';
import { loadRunInputs } from '../../../hub/sim/inputs.js';
import { type RedTeamRow, runRedTeamStudy } from '../../../hub/study/redteam-study.js';
import { streetPolicyContext } from '../../../hub/study/street-context.js';
import { tempDir } from '../mqtt-helpers.js';

const TABLE = readFileSync('scenarios/table.yaml', 'utf8');
const scratch = tempDir('gridflex-redteam-broker-');
afterAll(() => scratch.remove());

/** The study's rows on the table street (scenarios/table.yaml with this red team), by name. */
async function study(name: string, redTeam: string): Promise<Map<string, RedTeamRow>> {
  const file = join(scratch.dir, `${name}.yaml`);
  writeFileSync(file, `${TABLE}\nredTeam:\n${redTeam}\n`);
  const inputs = loadRunInputs(file);
  const section = inputs.scenario.redTeam as RedTeamSection;
  const street = await streetPolicyContext(inputs, {
    reinforcementGbpPerKw: 150,
    carbonPriceGbpPerKg: 0,
    loadPriceSlopeGbpPerKwhPerKw: 0,
    voltageLimits: true,
  });
  const result = await runRedTeamStudy(inputs, {
    attack: section.attacks[0] as RedTeamSection['attacks'][number],
    defences: section.defences,
    days: 2,
    policy: undefined,
    createPolicy: (policy) => createPolicy(policy, street.context),
    pricing: { transformerRatingKw: 50, reinforcementGbpPerKw: 150, carbonPriceGbpPerKg: 0 },
  });
  return new Map(result.rows.map((row) => [row.name, row]));
}

function row(rows: Map<string, RedTeamRow>, name: string): RedTeamRow {
  const found = rows.get(name);
  if (!found) throw new Error(`no row "${name}" in ${[...rows.keys()].join(', ')}`);
  return found;
}

describe('the broker attacks in the batch engine: a flooding client and a rogue device', () => {
  it('a flood loses the homes readings, so their agents plan on stale states; the rate limit keeps most of them', async () => {
    const redTeam =
      '  attacks: [{ kind: flooding-client, messagesPerSecond: 20000, brokerMessagesPerSecond: 5000 }]\n  defences: [{ kind: rate-limit, perSecond: 200 }]';
    const rows = await study('flood', redTeam);
    const baseline = row(rows, 'no attack');
    const attacked = row(rows, 'flooding-client, no defence');
    const defended = row(rows, 'flooding-client + rate-limit');
    expect(attacked.notes.join()).toMatch(/20000 through .* probability 0\.800, the rest a step late/);
    expect(defended.notes.join()).toMatch(/200 through .* probability 0\.038$/);
    // Plans on stale states cost the honest homes; the rate limit takes the damage (nearly) away.
    const damageGbp = (figures: RedTeamRow) => figures.honestBillsGbp - baseline.honestBillsGbp;
    expect(damageGbp(attacked)).toBeGreaterThan(0.05);
    expect(Math.abs(damageGbp(defended))).toBeLessThan(damageGbp(attacked) / 2);
    expect(attacked.socialCostGbp).toBeGreaterThan(defended.socialCostGbp);
    // Seeded: the same study gives the same rows.
    expect(await study('flood-again', redTeam)).toEqual(rows);
  });

  it("a rogue board's readings for the victim's battery make it charge; the identity check refuses them all", async () => {
    const rows = await study(
      'rogue',
      '  attacks: [{ kind: rogue-device, home: home-5, device: battery }]\n  defences: [{ kind: identity-check }]',
    );
    const baseline = row(rows, 'no attack');
    const attacked = row(rows, 'rogue-device, no defence');
    const defended = row(rows, 'rogue-device + identity-check');
    expect(attacked.notes).toEqual(["home-5's battery reads empty from day 1 (Mon) 00:00"]);
    // The victim is an honest home: its battery charges on a false reading, its bill rises.
    expect(attacked.honestBillsGbp).toBeGreaterThan(baseline.honestBillsGbp + 0.5);
    expect(defended.notes).toEqual([
      "redteam-rogue's readings as home-5's battery: refused (not its own ID)",
    ]);
    const figures = (of: RedTeamRow) => [
      of.transformerPeakKw,
      of.voltageBreachBusMinutes,
      of.honestBillsGbp,
      of.socialCostGbp,
    ];
    expect(figures(defended)).toEqual(figures(baseline));
  });
});
