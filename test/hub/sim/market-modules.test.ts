import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBaseLoadLibrary } from '../../../hub/environment/load-base-load.js';
import { loadYearCsv } from '../../../hub/environment/load-year.js';
import type { SharedBatteryOutcome } from '../../../hub/market/modules/community-battery.js';
import type { FlexAuctionOutcome } from '../../../hub/market/modules/flex-auction.js';
import { MARKET_OUTPUT_FILES } from '../../../hub/market/modules.js';
import { parseScenario, REPO_ROOT } from '../../../hub/scenarios/load.js';
import { type RunInputs, runYear } from '../../../hub/sim/runner.js';

const year = loadYearCsv();
const baseLoadLibrary = loadBaseLoadLibrary();
const tempDir = () => mkdtempSync(join(tmpdir(), 'gridflex-market-'));
const readScenario = (name: string) => readFileSync(join(REPO_ROOT, 'scenarios', name), 'utf8');
const FLEX = readScenario('table-flex-auction.yaml');
const BATTERY = readScenario('table-community-battery.yaml');

/** Inputs from scenario text placed (for its relative paths) in scenarios/. */
function inputsFrom(text: string): RunInputs {
  const { scenario, feeder } = parseScenario(text, join(REPO_ROOT, 'scenarios', 'test.yaml'));
  return { scenario, feeder, year, baseLoadLibrary };
}

/** The scenario with its market.module section replaced (YAML text from "  module:" to the end). */
const withModule = (text: string, module: string) =>
  text.replace(/ {2}module:[\s\S]*$/, `  module: ${module}\n`);

describe('market module: community battery', () => {
  it('`gridflex run` writes sharedAssets per home, and the battery keeps its limits and the per-home caps', () => {
    const out = tempDir();
    const run = spawnSync(
      'node',
      [
        'dist/hub/cli.js',
        'run',
        '--scenario',
        'scenarios/table-community-battery.yaml',
        '--days',
        '2',
        '--out',
        out,
      ],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    const battery = metrics.sharedAssets.communityBattery;
    expect(battery.perHome.map((home: { home: string }) => home.home)).toEqual(
      metrics.perHome.map((home: { home: string }) => home.home),
    );
    expect(battery.perHome.find((home: { home: string }) => home.home === 'home-6').group).toBe('medical');
    for (const home of battery.perHome) {
      for (const key of ['storedKwh', 'drawnKwh', 'paidGbp', 'creditedGbp', 'valueGbp']) {
        expect(typeof home[key], key).toBe('number');
      }
      expect(home.paidGbp).toBeCloseTo(home.drawnKwh * 0.15, 3);
      expect(home.creditedGbp).toBeCloseTo(home.storedKwh * 0.1, 3);
    }
    expect(battery.storedKwh).toBeGreaterThan(1);
    expect(battery.drawnKwh).toBeGreaterThan(1);

    // Per step: SoC within [reserve, capacity], totals within the power limits, each grant within its ask
    // (same direction) and the per-home cap, each home's daily draw within the daily cap.
    const lines = readFileSync(join(out, MARKET_OUTPUT_FILES.sharedBattery), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1 + 2 * 48);
    const header = (lines[0] as string).split(',');
    const homes = battery.perHome.map((home: { home: string }) => home.home) as string[];
    const drawnByDay = new Map<string, number>();
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      const value = (name: string) => Number(cells[header.indexOf(name)]);
      const step = value('step');
      expect(value('soc_kwh')).toBeGreaterThanOrEqual(battery.reserveKwh - 1e-3);
      expect(value('soc_kwh')).toBeLessThanOrEqual(battery.capacityKwh + 1e-3);
      let chargeKw = 0;
      let dischargeKw = 0;
      for (const home of homes) {
        const asked = value(`${home}_asked_kw`);
        const granted = value(`${home}_granted_kw`);
        expect(Math.abs(granted)).toBeLessThanOrEqual(Math.abs(asked) + 1e-3);
        expect(Math.abs(granted)).toBeLessThanOrEqual(battery.perHomeMaxKw + 1e-3);
        if (granted !== 0) expect(Math.sign(granted)).toBe(Math.sign(asked));
        if (granted > 0) chargeKw += granted;
        else dischargeKw -= granted;
        const key = `${home}|${Math.floor(step / 48)}`;
        drawnByDay.set(key, (drawnByDay.get(key) ?? 0) + Math.max(0, -granted) * 0.5);
      }
      expect(chargeKw).toBeLessThanOrEqual(battery.maxChargeKw + 1e-3);
      expect(dischargeKw).toBeLessThanOrEqual(battery.maxDischargeKw + 1e-3);
      expect(value('net_charge_kw')).toBeCloseTo(chargeKw - dischargeKw, 2);
    }
    for (const [key, kwh] of drawnByDay) {
      expect(kwh, key).toBeLessThanOrEqual(battery.perHomeDailyDischargeKwh + 1e-3);
    }
  });

  it('serves the priority groups first at contention and settles draws and stores in the bills', async () => {
    const dir = tempDir();
    const rulesFile = join(dir, 'assembly.yaml');
    // A small battery that cannot serve the evening's asks: contention every evening.
    writeFileSync(
      rulesFile,
      [
        'capacityKwh: 40',
        'maxChargeKw: 10',
        'maxDischargeKw: 2',
        'reserveKwh: 2',
        'perHomeMaxKw: 3',
        'priorityGroups: [medical, fuel-poor]',
        'contention: priority',
        'fairShare: equal',
        'drawWindow: { from: "16:00", to: "22:00" }',
      ].join('\n'),
    );
    const text = withModule(
      BATTERY.replace('days: 14', 'days: 3'),
      `{ kind: community-battery, rules: ${JSON.stringify(rulesFile)}, bus: 3, initialSocPct: 100, groups: { medical: [home-6], fuel-poor: [home-2, home-3] } }`,
    );
    const inputs = inputsFrom(text);
    const result = await runYear(inputs, undefined);
    const battery = result.market as SharedBatteryOutcome;
    expect(battery.kind).toBe('community-battery');
    const rank = (home: string) => (home === 'home-6' ? 0 : home === 'home-2' || home === 'home-3' ? 1 : 2);
    const members = battery.perHome.map((record) => record.home);
    let contentionSteps = 0;
    for (let k = 0; k < result.stepCount; k++) {
      const draws = members.map((home, index) => ({
        rank: rank(home),
        askedKw: Math.max(0, -(battery.series.askedKw[index]?.[k] ?? 0)),
        grantedKw: Math.max(0, -(battery.series.grantedKw[index]?.[k] ?? 0)),
      }));
      const cut = draws.filter((draw) => draw.grantedKw + 1e-9 < Math.min(draw.askedKw, 3));
      if (cut.length === 0) continue;
      contentionSteps++;
      // Nobody of a lower priority got anything while a higher-priority home was cut.
      const highestCut = Math.min(...cut.map((draw) => draw.rank));
      for (const draw of draws) if (draw.rank > highestCut) expect(draw.grantedKw, `step ${k}`).toBe(0);
    }
    expect(contentionSteps).toBeGreaterThan(5);
    const byHome = new Map(battery.perHome.map((record) => [record.home, record]));
    expect(byHome.get('home-6')?.drawnKwh).toBeGreaterThan(byHome.get('home-1')?.drawnKwh ?? 0);

    // The same street on retail only: stores and draws move money from suppliers to the scheme.
    const retail = await runYear(inputsFrom(withModule(text, '{ kind: retail }')), undefined);
    expect(retail.market).toBeUndefined();
    expect(battery.accountGbp).toBeCloseTo(
      battery.perHome.reduce((sum, record) => sum + record.paidGbp - record.creditedGbp, 0),
      9,
    );
    const drawer = result.homes.find((home) => home.home === 'home-6');
    const drawerRetail = retail.homes.find((home) => home.home === 'home-6');
    // Same flows (the battery does not change what the homes do); the bill differs by the settlement.
    expect(drawer?.importKwh).toBeCloseTo(drawerRetail?.importKwh ?? 0, 6);
    expect(drawer?.billGbp).toBeLessThan(drawerRetail?.billGbp ?? 0);
    expect((drawerRetail?.billGbp ?? 0) - (drawer?.billGbp ?? 0)).toBeCloseTo(
      byHome.get('home-6')?.valueGbp ?? 0,
      6,
    );
  });
});

describe('market module: flexibility auction', () => {
  it('runs when the street nears its limit, clears at a uniform price and lowers the transformer peak', async () => {
    const text = FLEX.replace('days: 14', 'days: 3');
    const result = await runYear(inputsFrom(text), undefined);
    const retail = await runYear(inputsFrom(withModule(text, '{ kind: retail }')), undefined);
    const flex = result.market as FlexAuctionOutcome;
    expect(flex.kind).toBe('flex-auction');
    expect(flex.limitKw).toBe(20);
    expect(flex.auctions).toBeGreaterThan(0);
    expect(flex.clearedKwh).toBeGreaterThan(0);
    for (const auction of flex.history) {
      expect(auction.forecastKw).toBeGreaterThan(flex.triggerKw);
      expect(auction.requestedKw).toBeCloseTo(auction.forecastKw - flex.targetKw, 9);
      const price = auction.clearingPriceGbpPerKwh;
      if (price === null) continue;
      expect(price).toBeLessThanOrEqual(flex.maxPriceGbpPerKwh);
      // Uniform price: every award is paid the clearing price for its energy.
      for (const award of auction.awards) expect(award.paymentGbp).toBeCloseTo(award.kw * 0.5 * price, 12);
      // The power flow saw the reduced load (the substation also carries the losses).
      const substationKw = result.series?.substationKw[auction.step] ?? Number.NaN;
      expect(substationKw).toBeLessThan(auction.forecastKw - auction.acceptedKw + 0.5);
    }
    const payments = flex.perHome.reduce((sum, home) => sum + home.paymentGbp, 0);
    expect(payments).toBeCloseTo(flex.paymentsGbp, 9);
    expect(result.network.transformerPeakKw).toBeLessThan(retail.network.transformerPeakKw - 3);
    expect(retail.network.transformerPeakKw).toBeGreaterThan(flex.limitKw);
  });

  it('defends each phase with its own homes on the per-phase basis', async () => {
    const text = FLEX.replace('days: 14', 'days: 3').replace(
      'limitKw: 20',
      'limitKw: 42\n    basis: per-phase',
    );
    const inputs = inputsFrom(text);
    const result = await runYear(inputs, undefined);
    const retail = await runYear(inputsFrom(withModule(text, '{ kind: retail }')), undefined);
    const flex = result.market as FlexAuctionOutcome;
    expect(flex.basis).toBe('per-phase');
    expect(flex.triggerKw).toBeCloseTo((0.95 * 42) / 3, 9);
    expect(flex.auctions).toBeGreaterThan(0);
    const phaseOf = new Map(inputs.scenario.homes.map((home) => [home.spec.id, home.spec.phase]));
    for (const auction of flex.history) {
      expect(auction.phase).not.toBeNull();
      for (const award of auction.awards) expect(phaseOf.get(award.home)).toBe(auction.phase);
    }
    expect(result.network.transformerPeakLoadingPct).toBeLessThan(
      retail.network.transformerPeakLoadingPct - 5,
    );
  });

  it('buys extra demand from EVs and batteries when the street exports past the limit', async () => {
    const text = withModule(BATTERY.replace('days: 14', 'days: 3'), '{ kind: flex-auction, limitKw: 6 }');
    const result = await runYear(inputsFrom(text), undefined);
    const retail = await runYear(inputsFrom(withModule(text, '{ kind: retail }')), undefined);
    const flex = result.market as FlexAuctionOutcome;
    const increases = flex.history.filter((auction) => auction.direction === 'increase');
    expect(increases.length).toBe(flex.auctionsByDirection.increase);
    expect(increases.length).toBeGreaterThan(0);
    for (const auction of increases) {
      expect(-auction.forecastKw).toBeGreaterThan(flex.triggerKw);
      for (const award of auction.awards) expect(['ev', 'battery']).toContain(award.asset);
      // Less export through the transformer by what was bought (losses aside).
      const substationKw = result.series?.substationKw[auction.step] ?? Number.NaN;
      expect(substationKw).toBeGreaterThan(auction.forecastKw + auction.acceptedKw - 0.5);
    }
    // Energy exported past the 6 kW limit: the auction cannot buy where no EV is home and every battery is full
    // (its worst step may be one of those), but over the days it keeps most of the export within the limit.
    const pastLimitKwh = (run: typeof result) =>
      Array.from(run.series?.substationKw ?? []).reduce(
        (sum, kw) => sum + (Math.max(0, -kw - 6) * run.stepMinutes) / 60,
        0,
      );
    expect(pastLimitKwh(result)).toBeLessThan(pastLimitKwh(retail) / 2);
  });

  it('writes the auctions’ history and the flexAuction metrics', () => {
    const out = tempDir();
    const run = spawnSync(
      'node',
      [
        'dist/hub/cli.js',
        'run',
        '--scenario',
        'scenarios/table-flex-auction.yaml',
        '--days',
        '2',
        '--out',
        out,
      ],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.flexAuction.auctions).toBeGreaterThan(0);
    expect(metrics.flexAuction.perHome).toHaveLength(8);
    expect(metrics.sharedAssets).toBeUndefined();
    const history = readFileSync(join(out, MARKET_OUTPUT_FILES.flexAuctions), 'utf8').trim().split('\n');
    expect(history).toHaveLength(metrics.flexAuction.auctions);
    expect(JSON.parse(history[0] as string)).toHaveProperty('clearingPriceGbpPerKwh');
    expect(existsSync(join(out, MARKET_OUTPUT_FILES.sharedBattery))).toBe(false);
  });
});

describe('market module: bad sections', () => {
  const file = join(REPO_ROOT, 'scenarios', 'test.yaml');
  it.each([
    [
      '{ kind: auction }',
      'market.module.kind: expected a module kind: retail, flex-auction or community-battery, found "auction"',
    ],
    [
      '{ kind: flex-auction, triggerFraction: 0.8, targetFraction: 0.9 }',
      'market.module.targetFraction: expected a fraction at most triggerFraction, found 0.9',
    ],
    ['{ kind: flex-auction, limitKw: -3 }', 'market.module.limitKw: expected number to be >0, found -3'],
    [
      '{ kind: flex-auction, colour: red }',
      'market.module: expected only known keys, found unknown key "colour"',
    ],
    [
      '{ kind: community-battery, rules: data/community-battery-assembly.yaml, bus: 99 }',
      'market.module.bus: expected a bus of feeder table-street',
    ],
    ['{ kind: community-battery, bus: 3 }', 'market.module.rules: expected string, found nothing'],
    [
      '{ kind: community-battery, rules: data/nope.yaml, bus: 3 }',
      'market.module.rules: expected a path that exists',
    ],
    [
      '{ kind: community-battery, rules: data/community-battery-assembly.yaml, bus: 3, groups: { medical: [home-66] } }',
      'market.module.groups.medical.0: expected a member home id, found "home-66"',
    ],
    [
      '{ kind: community-battery, rules: data/community-battery-assembly.yaml, bus: 3, capacityKwh: 5 }',
      `market.module: with the rules of ${join(REPO_ROOT, 'scenarios/data/community-battery-assembly.yaml')}: reserveKwh: reserveKwh must not exceed capacityKwh`,
    ],
  ])('%s', (module, message) => {
    expect(() => parseScenario(withModule(BATTERY, module), file)).toThrow(`${file}: ${message}`);
  });

  it('`gridflex run` exits 2 naming the file and the path', () => {
    const dir = tempDir();
    const scenario = join(dir, 'bad.yaml');
    writeFileSync(
      scenario,
      withModule(BATTERY, '{ kind: community-battery, rules: data/nope.yaml, bus: 3 }').replace(
        'feeders/table-street',
        join(REPO_ROOT, 'feeders/table-street'),
      ),
    );
    const run = spawnSync('node', ['dist/hub/cli.js', 'run', '--scenario', scenario, '--out', dir], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${scenario}: market.module.rules: expected a path that exists`);
  });
});
