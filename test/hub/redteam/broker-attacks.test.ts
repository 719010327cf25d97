import { describe, expect, it } from 'vitest';
import type { RedTeamRow } from '../../../hub/study/redteam-study.js';
import { row, tableRedTeam } from './table-study.js';

const { tableWith, study: tableStudy } = tableRedTeam('redteam-broker');

/** The study's rows over two days on the table street with this red team, by name. */
const study = (name: string, redTeam: string) => tableStudy(tableWith(name, redTeam), { days: 2 });

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
