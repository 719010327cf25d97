import { describe, expect, it } from 'vitest';
import {
  decileMeans,
  gini,
  optimumCheck,
  type PolicyFigures,
  type PolicyRunSummary,
  plannedLimitsInWords,
  poaReport,
  socialCost,
} from '../../../hub/study/poa-metrics.js';

const pricing = { transformerRatingKw: 100, reinforcementGbpPerKw: 50, carbonPriceGbpPerKg: 0.1 };

function run(bills: number[], peakKw: number, carbonKg = 0): PolicyRunSummary {
  const billsGbp = bills.reduce((sum, bill) => sum + bill, 0);
  return {
    stepMinutes: 30,
    homes: bills.map((billGbp, index) => ({ home: `h${index}`, billGbp, carbonKg: carbonKg / bills.length })),
    network: { transformerPeakKw: peakKw, busMinutesOutsideStatutoryLimits: 0 },
    totals: { billsGbp, carbonKg },
    // Suppliers pay 60 % of the bills for energy and 20 % for the network; they keep the rest.
    suppliers: [{ wholesaleCostGbp: 0.6 * billsGbp, networkCostGbp: 0.2 * billsGbp }],
    networkStress: { lines: [] },
  };
}

describe('price-of-anarchy figures', () => {
  it('gini: 0 for equal shares, (n−1)/n when one takes all, null for a non-positive mean', () => {
    expect(gini([5, 5, 5, 5])).toBe(0);
    expect(gini([0, 0, 0, 8])).toBeCloseTo(3 / 4, 12);
    expect(gini([1, 2, 3, 4])).toBeCloseTo(0.25, 12); // Σ|xi−xj| = 20 over 2·16·2.5
    expect(gini([-3, 1])).toBeNull();
    expect(gini([])).toBeNull();
  });

  it('decile means follow the given order and cover every home once', () => {
    const values = Array.from({ length: 20 }, (_, index) => index);
    const order = values.map((_, index) => 19 - index);
    expect(decileMeans(values, order)).toEqual([18.5, 16.5, 14.5, 12.5, 10.5, 8.5, 6.5, 4.5, 2.5, 0.5]);
  });

  it('social cost adds reinforcement above the rating and carbon at its price', () => {
    const figures = socialCost(run([100, 200], 130, 1000), pricing);
    expect(figures).toMatchObject({
      billsGbp: 300,
      reinforcementGbp: 1500,
      carbonCostGbp: 100,
      socialCostGbp: 1900,
    });
    expect(socialCost(run([100], 90), pricing).reinforcementGbp).toBe(0);
  });

  it("nets the market module's settlement with its counterparty out of social cost, not out of the bills", () => {
    // The homes' bills are 300 after the flexibility auction's operator paid them 8 and after they paid the
    // community battery's scheme 5 more in draws than it credited them: money that moved, no resource.
    const auction = {
      ...run([100, 200], 90),
      market: { kind: 'flex-auction', paymentsGbp: 8 } as unknown as PolicyRunSummary['market'],
    };
    const scheme = {
      ...run([100, 200], 90),
      market: { kind: 'community-battery', accountGbp: 5 } as unknown as PolicyRunSummary['market'],
    };
    const plain = socialCost(run([100, 200], 90), pricing);
    expect(socialCost(auction, pricing)).toMatchObject({
      billsGbp: 300,
      marketCounterpartyGainGbp: -8,
      socialCostGbp: 308,
      resourceCostGbp: plain.resourceCostGbp,
    });
    expect(socialCost(scheme, pricing)).toMatchObject({
      billsGbp: 300,
      marketCounterpartyGainGbp: 5,
      socialCostGbp: 295,
      resourceCostGbp: plain.resourceCostGbp,
    });
    expect(socialCost(scheme, pricing).transfersGbp).toBeCloseTo(plain.transfersGbp - 5, 9);
    expect(plain.marketCounterpartyGainGbp).toBe(0);
  });

  it('splits social cost into real resource cost and transfers, and names each limit broken', () => {
    const overloaded: PolicyRunSummary = {
      ...run([100, 200], 130, 1000),
      network: { transformerPeakKw: 130, busMinutesOutsideStatutoryLimits: 90 },
      networkStress: {
        lines: [
          { line: 'L1', maxLoadingPct: 120, overloadSteps: 3 },
          { line: 'L2', maxLoadingPct: 99, overloadSteps: 0 },
          { line: 'L3', maxLoadingPct: 101, overloadSteps: 1 },
        ],
      },
    };
    const figures = socialCost(overloaded, pricing);
    // Energy and network 240 + carbon 100 + reinforcement 1500; the suppliers' 60 is a transfer.
    expect(figures.resourceCostGbp).toBeCloseTo(1840, 9);
    expect(figures.transfersGbp).toBeCloseTo(60, 9);
    expect(figures.resourceCostGbp + figures.transfersGbp).toBeCloseTo(figures.socialCostGbp, 9);
    expect(figures.linesOverRating).toBe(2);
    expect(figures.lineOverloadHours).toBe(2);
    expect(figures.limitsBroken).toEqual([
      'the street limit: peak 130.0 kW against 100.0 kW',
      'cable ratings: 2 lines over rating for 2.0 line-hours',
      'the statutory voltage band: 90 customer bus-minutes outside 216.2–253 V',
    ]);
    expect(socialCost(run([100], 90), pricing).limitsBroken).toEqual([]);
  });

  it('checks that central has the lowest social cost, within the stated tolerance', () => {
    const policy = (socialCostGbp: number, busMinutes = 0, linesOverRating = 0) =>
      ({
        socialCostGbp,
        busMinutesOutsideStatutoryLimits: busMinutes,
        linesOverRating,
        lineOverloadHours: linesOverRating,
      }) as PolicyFigures;
    expect(optimumCheck({ selfish: policy(1010), central: policy(1000) })).toMatchObject({
      holds: true,
      cheaperPolicy: null,
      cheaperByBreakingLimits: [],
      statement: 'central has the lowest social cost of all policies',
    });
    expect(optimumCheck({ selfish: policy(1000), nash: policy(1004), central: policy(1005) })).toMatchObject({
      holds: true,
      cheaperPolicy: 'selfish',
      excessGbp: 5,
      statement: "central's social cost is £5.00 (0.50 %) above selfish's, within the 1 % tolerance",
    });
    expect(optimumCheck({ selfish: policy(1000), central: policy(1020) })).toMatchObject({
      holds: false,
      excessPct: 2,
    });
  });

  it('does not count against central a policy that cost less by breaking an unpriced limit central kept', () => {
    const policy = (socialCostGbp: number, busMinutes = 0, linesOverRating = 0) =>
      ({
        socialCostGbp,
        busMinutesOutsideStatutoryLimits: busMinutes,
        linesOverRating,
        lineOverloadHours: 2 * linesOverRating,
      }) as PolicyFigures;
    // Selfish broke the band central kept (cables both broke): central is compared with cooperative only.
    expect(
      optimumCheck({
        selfish: policy(1000, 90, 2),
        cooperative: policy(1030, 0, 1),
        central: policy(1020, 0, 1),
      }),
    ).toEqual({
      tolerancePct: 1,
      holds: true,
      cheaperPolicy: null,
      excessGbp: 0,
      excessPct: 0,
      cheaperByBreakingLimits: ['selfish'],
      statement:
        'central has the lowest social cost of all policies that kept the limits it kept; selfish cost £20.00 ' +
        '(2.00 %) less by breaking the statutory voltage band (90 customer bus-minutes outside 216.2–253 V), ' +
        'which central kept and social cost does not price',
    });
    // A cheaper policy that kept the same limits still fails the check, whatever another broke.
    expect(
      optimumCheck({ selfish: policy(1000, 0, 3), cooperative: policy(1010), central: policy(1030) }),
    ).toMatchObject({
      holds: false,
      cheaperPolicy: 'cooperative',
      cheaperByBreakingLimits: ['selfish'],
    });
    // Within the tolerance a limit-breaker is simply compared.
    expect(optimumCheck({ selfish: policy(1000, 90), central: policy(1005) })).toMatchObject({
      holds: true,
      cheaperPolicy: 'selfish',
      cheaperByBreakingLimits: [],
    });
    // A broken street limit is priced (reinforcement), so it never excuses central.
    expect(optimumCheck({ selfish: policy(1000), central: policy(1020) }).holds).toBe(false);
  });

  it('reports PoA, headroom lost and the cooperative gap from the four runs', () => {
    const report = poaReport(
      {
        passive: run([500, 600, 700], 120),
        selfish: run([400, 500, 690], 140),
        cooperative: run([420, 510, 680], 105),
        central: run([410, 505, 680], 100),
      },
      pricing,
    );
    // selfish: 1590 + 40·50 = 3590; central: 1595 + 0 = 1595.
    expect(report.priceOfAnarchy).toBeCloseTo(3590 / 1595, 12);
    expect(report.headroomLostPct).toBeCloseTo(35, 12);
    expect(report.cooperativeGapPct).toBeCloseTo((100 * (1610 + 250 - 1595)) / 1595, 12);
    expect(report.policies.passive?.giniOfBenefit).toBe(0);
    expect(report.policies.selfish?.benefitPerDecileGbp).toHaveLength(10);
    expect(() => poaReport({ passive: run([1], 1) }, pricing)).toThrowError(/needs a "selfish" run/);
  });

  it('says per policy whether it kept the linearised rows, why not, and what the power flow found', () => {
    const kept = { windows: 7, windowsBreakingLimits: 0, maxViolation: 0.001, unconvergedWindows: 0 };
    expect(plannedLimitsInWords('cooperative', kept, 1320, 2.2959)).toBe(
      'cooperative kept the linearised voltage and cable rows in all 7 planning windows; the power flow still found 1,320 bus-minutes outside 216.2–253 V (linearisation error up to 2.3 V)',
    );
    // Kept, but not every window's duality gap closed: the words say by how much its plans may miss.
    expect(
      plannedLimitsInWords('cooperative', { ...kept, unconvergedWindows: 7, maxGapGbp: 59.0052 }, 0, 2.2959),
    ).toBe(
      'cooperative kept the linearised voltage and cable rows in all 7 planning windows, though its coordination ran out of rounds before converging in 7 windows (duality gap up to £59.01: their plans cost at most that above the optimum of their rows); the power flow found every customer within 216.2–253 V',
    );
    expect(plannedLimitsInWords('central', kept, 0, 2.2959)).toBe(
      'central kept the linearised voltage and cable rows in all 7 planning windows; the power flow found every customer within 216.2–253 V',
    );
    const broken = { windows: 7, windowsBreakingLimits: 3, maxViolation: 10.42, unconvergedWindows: 2 };
    expect(plannedLimitsInWords('cooperative', broken, 13620, 2.2959)).toBe(
      'cooperative could not keep the linearised voltage and cable rows in 3 of 7 planning windows (by up to 10.42 kW or V) because its coordination ran out of rounds before converging in 2 windows; the power flow found 13,620 bus-minutes outside 216.2–253 V (linearisation error up to 2.3 V)',
    );
    expect(plannedLimitsInWords('cooperative', { ...broken, windowsAtRowBudget: 1 }, 13620, null)).toBe(
      "cooperative could not keep the linearised cable rows (no voltage rows) in 3 of 7 planning windows (by up to 10.42 kW or V) because its coordinator's master LP reached its row budget (HiGHS's memory) in 1 window and could keep no further rows there, and its coordination ran out of rounds before converging in 2 windows; the power flow found 13,620 bus-minutes outside 216.2–253 V",
    );
    // Planned again at its own reactive power as often as the policy does, and still broken.
    expect(
      plannedLimitsInWords(
        'central',
        { ...broken, unconvergedWindows: 0, windowsOutOfReactivePasses: 2 },
        390,
        2.2959,
      ),
    ).toBe(
      'central could not keep the linearised voltage and cable rows in 3 of 7 planning windows (by up to 10.42 kW or V) because its plans, made again at their own reactive power as often as it does, still broke a voltage row in 2 windows; the power flow found 390 bus-minutes outside 216.2–253 V (linearisation error up to 2.3 V)',
    );
    expect(plannedLimitsInWords('central', { ...broken, unconvergedWindows: 0 }, 50, null)).toBe(
      "central could not keep the linearised cable rows (no voltage rows) in 3 of 7 planning windows (by up to 10.42 kW or V) because no plan of the homes' devices kept them at less than the cost of breaking them; the power flow found 50 bus-minutes outside 216.2–253 V",
    );
  });
});
