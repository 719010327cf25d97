import { describe, expect, it } from 'vitest';
import type { CentralPolicy } from '../../../hub/agents/central-policy.js';
import type { NashPolicy } from '../../../hub/agents/nash-policy.js';
import type { Policy } from '../../../hub/agents/policy.js';
import type { PolicyContext } from '../../../hub/agents/policy-definition.js';
import { createPolicy } from '../../../hub/agents/registry.js';
import { planTariffChoice } from '../../../hub/engine/participants/tariff-planning.js';
import { eligibility, type TariffReviews } from '../../../hub/engine/participants/tariffs.js';
import type { StepFrame } from '../../../hub/engine/street.js';
import type { StreetHome } from '../../../hub/engine/street-home.js';
import { buildYearStreet, type YearStreet } from '../../../hub/engine/year-street.js';
import { STEPS_PER_DAY } from '../../../hub/environment/calendar.js';
import { switchCandidates } from '../../../hub/market/evaluate-switch.js';
import type { Tariff } from '../../../hub/market/tariff.js';
import { loadRunInputs } from '../../../hub/sim/inputs.js';
import { streetPolicyContext } from '../../../hub/study/street-context.js';

const inputs = loadRunInputs('scenarios/table.yaml');
const { scenario } = inputs;
const REVIEW_DAY = scenario.switching.reviewEveryDays;
const CARBON_PRICE_GBP_PER_KG = 0.08;

/** The table street with every home on `policy`, built as `study poa` builds it. */
async function tableStreet(policy: 'central' | 'cooperative'): Promise<YearStreet> {
  const { context } = await streetPolicyContext(inputs, {
    reinforcementGbpPerKw: 150,
    carbonPriceGbpPerKg: CARBON_PRICE_GBP_PER_KG,
    loadPriceSlopeGbpPerKwhPerKw: 0,
  });
  return buildYearStreet(inputs, policy, {
    days: 3 * REVIEW_DAY,
    recordSeries: false,
    createPolicy: (name) => createPolicy(name, context),
  });
}

function homeOf(street: YearStreet, id: string): StreetHome {
  return street.street.homes.find((home) => home.spec.id === id) as StreetHome;
}

function tariff(id: string): Tariff {
  return scenario.catalogue.tariffs.find((entry) => entry.id === id) as Tariff;
}

/** The planner's review of `home` on the first review day, as if it were on `current` with no exit fee. */
function review(
  street: YearStreet,
  home: StreetHome,
  current: Tariff,
  exitFeeGbp = 0,
  minSavingGbpPerYear = scenario.switching.minSavingGbpPerYear,
) {
  const onCurrent = { ...home, tariff: current };
  const policy = home.policy as Parameters<typeof planTariffChoice>[0]['policy'];
  const candidates = switchCandidates(current, scenario.catalogue, scenario.regulator, {
    assets: eligibility(onCurrent),
  });
  return planTariffChoice({ ...onCurrent, policy }, candidates, street.world, scenario.valuation, {
    step: REVIEW_DAY * STEPS_PER_DAY,
    periodSteps: REVIEW_DAY * STEPS_PER_DAY,
    exitFeeGbp,
    minSavingGbpPerYear,
  });
}

describe("a planner's tariff review plans the home under each tariff", () => {
  it('prices each tariff on use planned for it: the same costs and choice from any current tariff', async () => {
    const street = await tableStreet('central');
    const ev = homeOf(street, 'home-7');
    const fromFlat = review(street, ev, tariff('flat-cap'));
    const fromEconomy7 = review(street, ev, tariff('economy-7'));
    const costs = (ranked: { tariffId: string; costGbp: number }[]) =>
      Object.fromEntries(ranked.map((entry) => [entry.tariffId, entry.costGbp]));
    const flatCosts = costs(fromFlat.ranked);
    const economy7Costs = costs(fromEconomy7.ranked);
    const plannedInBoth = Object.keys(flatCosts).filter((id) => id in economy7Costs);
    expect(plannedInBoth.length).toBeGreaterThanOrEqual(2);
    for (const id of plannedInBoth) expect(economy7Costs[id], id).toBeCloseTo(flatCosts[id] as number, 2);
    // Planned for it, a time-of-use tariff beats the flat one for an EV: the planner leaves flat-cap.
    const best = fromFlat.ranked[0]?.tariffId;
    expect(best).not.toBe('flat-cap');
    expect(fromFlat.switchTo?.id).toBe(best);
    expect(fromEconomy7.ranked[0]?.tariffId).toBe(best);
    expect(fromFlat.explanation).toMatch(
      /^Switch flat-cap -> [a-z0-9-]+: planned a week under each of \d tariffs, then the next 30 days under the 2 cheapest and flat-cap \(/,
    );
    street.finish(0);
  });

  it('stays when the exit fee outweighs the saving', async () => {
    const street = await tableStreet('central');
    const choice = review(street, homeOf(street, 'home-7'), tariff('flat-cap'), 1000);
    expect(choice.ranked[0]?.tariffId).not.toBe('flat-cap');
    expect(choice.switchTo).toBeNull();
    expect(choice.explanation).toMatch(/^Stay on flat-cap: .*; no saving after a £1000\.00 exit fee\.$/);
    street.finish(0);
  });

  it("cooperative switches only at the resident's saving threshold, pro rata; central on any saving", async () => {
    for (const policy of ['central', 'cooperative'] as const) {
      const street = await tableStreet(policy);
      const ev = homeOf(street, 'home-7');
      const { ranked } = review(street, ev, tariff('flat-cap'), 0, 0);
      const flatGbp = ranked.find((entry) => entry.tariffId === 'flat-cap')?.costGbp as number;
      const savingGbp = flatGbp - (ranked[0]?.costGbp as number);
      expect(ranked[0]?.tariffId, policy).not.toBe('flat-cap');
      // A threshold a little above the period's saving, a year's worth.
      const thresholdGbpPerYear = (1.1 * savingGbp * 365) / REVIEW_DAY;
      const choice = review(street, ev, tariff('flat-cap'), 0, thresholdGbpPerYear);
      if (policy === 'central') expect(choice.switchTo?.id).toBe(ranked[0]?.tariffId);
      else {
        expect(choice.switchTo, policy).toBeNull();
        expect(choice.explanation).toMatch(
          /below the resident's £[\d.]+\/yr threshold \(£[\d.]+ over the next 30 days\)\.$/,
        );
        const under = review(street, ev, tariff('flat-cap'), 0, (0.9 * savingGbp * 365) / REVIEW_DAY);
        expect(under.switchTo?.id, policy).toBe(ranked[0]?.tariffId);
      }
      street.finish(0);
    }
  });

  it('central weighs plans by the social cost, cooperative by the resident’s own objective', async () => {
    for (const [policy, weights, carbonValue] of [
      ['central', { cost: 1, carbon: 1, autarky: 0 }, CARBON_PRICE_GBP_PER_KG],
      // home-2 weighs carbon 0.2 at the scenario's value of carbon (£0.25/kg).
      ['cooperative', { cost: 1, carbon: 0.2, autarky: 0 }, scenario.valuation.carbonValueGbpPerKg],
    ] as const) {
      const street = await tableStreet(policy);
      const home = homeOf(street, 'home-2');
      expect(home.policy.tariffChoice, policy).toBe('planner');
      const ranked = review(street, home, home.tariff).ranked;
      expect(ranked.length, policy).toBeGreaterThan(1);
      const plan = home.policy.planAlone?.({
        home: home.spec,
        state: home.state,
        step: 0,
        dtHours: 0.5,
        horizonSteps: STEPS_PER_DAY,
        forecast: home.forecast,
        valuation: scenario.valuation,
      });
      expect(plan?.weights, policy).toEqual(weights);
      expect(plan?.valuation.carbonValueGbpPerKg, policy).toBe(carbonValue);
      street.finish(0);
    }
  });

  it("on its review day every home's agent under central and cooperative reviews by planning, and switches go through the switching system", async () => {
    for (const policy of ['central', 'cooperative'] as const) {
      const street = await tableStreet(policy);
      const tariffs = street.street.participant<TariffReviews>('tariffs') as TariffReviews;
      // Staggered (the scenario's default): home i's first review is on day N + i of the N-day cycle.
      const homeIds = scenario.homes.map(({ spec }) => spec.id);
      // Read on the review's own day: a request completes a few working days later.
      const pendingOnReviewDay = new Map<string, boolean>();
      for (let day = REVIEW_DAY; day < REVIEW_DAY + homeIds.length; day++) {
        const step = day * STEPS_PER_DAY;
        tariffs.step({ step, minuteOfYear: street.world.minuteOfYear(step) } as StepFrame);
        for (const entry of street.decisions.filter((decision) => decision.step === step))
          pendingOnReviewDay.set(entry.home, street.switching.isPending(entry.home));
      }
      const reviews = street.decisions.filter((entry) => entry.kind === 'tariff-review');
      expect(
        reviews.map((entry) => [entry.home, entry.step / STEPS_PER_DAY]),
        policy,
      ).toEqual(homeIds.map((id, index) => [id, REVIEW_DAY + index]));
      for (const entry of reviews) {
        // A home with nothing to shift (home-1, home-8) is planned once and billed on each tariff; the others
        // are screened on a week first.
        const { battery, ev, heatPump } = homeOf(street, entry.home).spec;
        expect(entry.text, policy).toMatch(
          !battery && !ev && !heatPump
            ? /^(Switch|Stay on) [^:]+: planned the next 30 days under each of \d tariffs/
            : /^(Switch|Stay on) [^:]+: planned a week under each of \d tariffs, then the next 30 days under/,
        );
        const switched = entry.text.startsWith('Switch');
        expect(pendingOnReviewDay.get(entry.home), `${policy} ${entry.home}`).toBe(switched);
        if (switched) expect(entry.text).toContain(`The ${policy} policy switches; request sent.`);
      }
      expect(
        reviews.some((entry) => entry.text.startsWith('Switch')),
        policy,
      ).toBe(true);
      street.finish(0);
    }
  });
});

describe("central's tariff choice sees the network's prices", () => {
  // A summer fortnight on the table street under a 5 kW limit where the night binds (measured from day 155 with
  // each day's own EV trips: the expected price at least 65.8 p/kWh from midnight to 08:00, at most 0.12 p by
  // day; from day 150 the night no longer binds), so the network's prices are dearest then. The test checks it.
  const SUMMER_START_DAY = 155;
  const PLANNED_DAYS = 14;
  const LIMIT_KW = 5;
  // The EVs start at 60 %, below their residents' 80 % target, so the first nights' charging binds.
  const summerHomes = scenario.homes.map((home) =>
    home.spec.ev ? { ...home, spec: { ...home.spec, ev: { ...home.spec.ev, initialSocPct: 60 } } } : home,
  );
  const summer = { ...inputs, scenario: { ...scenario, startDay: SUMMER_START_DAY, homes: summerHomes } };
  const reviewStep = PLANNED_DAYS * STEPS_PER_DAY;
  const flat = tariff('flat-cap');
  /** Cheaper than flat-cap in the binding hours by `discountPence`, dearer by half that at other times. */
  const bindingHoursSaver = (discountPence: number): Tariff => {
    const flatPence = (flat.import as { unitRatePencePerKwh: number }).unitRatePencePerKwh;
    return {
      ...flat,
      id: 'binding-hours-saver',
      name: 'Binding-hours saver',
      import: {
        shape: 'time-of-use',
        bands: [{ from: '00:00', to: '08:00', days: 'all', unitRatePencePerKwh: flatPence - discountPence }],
        otherTimesPencePerKwh: flatPence + discountPence / 2,
      },
    };
  };

  async function plannedSummer(
    policy: 'central' | 'nash',
  ): Promise<{ street: YearStreet; context: PolicyContext }> {
    const { context } = await streetPolicyContext(summer, {
      transformerLimitKw: LIMIT_KW,
      reinforcementGbpPerKw: 150,
      carbonPriceGbpPerKg: CARBON_PRICE_GBP_PER_KG,
      loadPriceSlopeGbpPerKwhPerKw: 0,
    });
    const street = await buildYearStreet(summer, policy, {
      days: PLANNED_DAYS + REVIEW_DAY,
      recordSeries: false,
      createPolicy: (name) => createPolicy(name, context),
    });
    for (let k = 0; k < reviewStep; k++) street.street.step(k);
    return { street, context };
  }

  function reviewOn(street: YearStreet, home: StreetHome, policy: Policy, candidate: Tariff) {
    const onFlat = { ...home, tariff: flat };
    return planTariffChoice(
      { ...onFlat, policy } as Parameters<typeof planTariffChoice>[0],
      [candidate],
      street.world,
      scenario.valuation,
      {
        step: reviewStep,
        periodSteps: REVIEW_DAY * STEPS_PER_DAY,
        exitFeeGbp: 0,
        minSavingGbpPerYear: 0,
      },
    );
  }

  it('central refuses a tariff whose cheap hours are the binding hours; planned without the prices, it takes it', async () => {
    const { street, context } = await plannedSummer('central');
    const ev = homeOf(street, 'home-7');
    const central = ev.policy as CentralPolicy;
    const prices = central.expectedNetworkPrices(ev.spec.id, reviewStep, STEPS_PER_DAY) as Float64Array;
    expect(prices).toBeDefined();
    const nightPrices = prices.subarray(0, 16);
    const nightMinPence = 100 * Math.min(...nightPrices);
    const dayMaxPence = 100 * Math.max(...prices.subarray(16));
    expect(nightMinPence).toBeGreaterThan(dayMaxPence);
    // Cheaper at night by less than the network's night price: a saving to the bill, a loss to the street.
    const saver = bindingHoursSaver(0.6 * nightMinPence);
    const withNetwork = reviewOn(street, ev, central, saver);
    const fresh = await createPolicy('central', context);
    const withoutNetwork = reviewOn(street, ev, fresh, saver);
    expect(withoutNetwork.switchTo?.id).toBe(saver.id);
    expect(withoutNetwork.ranked.every((entry) => entry.networkGbp === 0)).toBe(true);
    expect(withNetwork.switchTo).toBeNull();
    const networkOf = (id: string) => withNetwork.ranked.find((entry) => entry.tariffId === id)?.networkGbp;
    expect(networkOf('flat-cap')).toBeGreaterThan(0);
    expect(withNetwork.explanation).toMatch(/^Stay on flat-cap: .*with £\d+\.\d\d at the network's prices/);
    fresh.dispose();
    street.finish(0);
  });

  it("selfish homes choose by their own bills: the network's prices never reach their choice", async () => {
    const { street } = await plannedSummer('nash');
    const ev = homeOf(street, 'home-7');
    expect(ev.policy.tariffChoice).toBe('resident');
    expect(
      (ev.policy as NashPolicy).expectedNetworkPrices(ev.spec.id, reviewStep, STEPS_PER_DAY),
    ).toBeUndefined();
    street.finish(0);
  });
});
