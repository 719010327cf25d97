import { describe, expect, it } from 'vitest';
import type { FeederLayout } from '../../../hub/dashboard/web/lib/feeder-layout.ts';
import { busDrawKw, lineFlowsKw } from '../../../hub/dashboard/web/lib/flows.ts';
import { formatUkDateTime, parseUkDateTime } from '../../../hub/dashboard/web/lib/format.ts';
import { loadingColour, voltageColour } from '../../../hub/dashboard/web/lib/palette.ts';
import { groupBoardsOnline } from '../../../hub/dashboard/web/live/devices-feed.ts';
import {
  type DecisionFacts,
  decisionSentence,
  headline,
  plainExplanation,
  type StreetMoment,
} from '../../../hub/dashboard/web/live/plain-words.ts';

/** A main cable 1–2–3 with a service cable 3–4 to home-b and one 2–5 to home-a; the transformer at bus 1. */
const layout: FeederLayout = {
  feeder: 'tiny',
  buses: ['1', '2', '3', '4', '5'].map((bus, i) => ({ bus, x: i, y: 0 })),
  lines: [
    { line: 'L12', fromBus: '1', toBus: '2', lengthM: 10, ampacityAmps: 100 },
    // Drawn against the power's direction: the flow still comes out from the substation.
    { line: 'L23', fromBus: '3', toBus: '2', lengthM: 10, ampacityAmps: 100 },
    { line: 'L34', fromBus: '3', toBus: '4', lengthM: 10, ampacityAmps: 100 },
    { line: 'L25', fromBus: '2', toBus: '5', lengthM: 10, ampacityAmps: 100 },
  ],
  transformer: { name: 'tx', lvBus: '1', ratedKva: 50 },
  plots: [
    { plot: 'plot-a', bus: '5', phase: 'A', home: 'home-a' },
    { plot: 'plot-b', bus: '4', phase: 'B', home: 'home-b' },
  ],
};

describe('power flow along the lines', () => {
  it('sums the power beyond each line, gives its direction from the substation and the homes beyond', () => {
    const flows = new Map(
      lineFlowsKw(
        layout,
        busDrawKw(
          [
            { bus: '5', loadPKw: 3 },
            { bus: '4', loadPKw: -5 },
          ],
          { bus: '3', chargeKw: 0, dischargeKw: 1 },
        ),
      ).map((flow) => [flow.line, flow]),
    );
    expect(flows.get('L34')).toMatchObject({ nearBus: '3', farBus: '4', pKw: -5, plotsBeyond: ['home-b'] });
    expect(flows.get('L23')).toMatchObject({ nearBus: '2', farBus: '3', pKw: -6 });
    expect(flows.get('L25')).toMatchObject({ nearBus: '2', farBus: '5', pKw: 3 });
    expect(flows.get('L12')?.pKw).toBeCloseTo(-3);
    expect(flows.get('L12')?.plotsBeyond.sort()).toEqual(['home-a', 'home-b']);
  });
});

describe('residents’ decisions in sentences', () => {
  const facts = (assets: DecisionFacts['assets'], more: Partial<DecisionFacts> = {}): DecisionFacts => ({
    home: 'home-7',
    policy: 'selfish',
    cannotKeep: [],
    assets,
    importPriceGbpPerKwh: 0.12,
    ...more,
  });
  const ev = (pKw: number) => ({ asset: 'ev-2', kind: 'ev', pKw, plannedPKw: pKw, boosted: false });

  it('says what the busiest asset does, with its numbers, and any promise it cannot keep', () => {
    expect(decisionSentence(facts([ev(7)], { evSocPct: 61.6 }))).toBe(
      'home-7 is charging its EV at 7.0 kW (62 % full) while power costs 12.0 p/kWh.',
    );
    expect(
      decisionSentence(facts([ev(0)], { evSocPct: 20, cannotKeep: ['EV short by 3 kWh at 07:30'] })),
    ).toBe(
      "home-7's EV waits (20 % full): its agent plans to charge at a better time. It cannot keep a promise: EV short by 3 kWh at 07:30.",
    );
    expect(
      decisionSentence(
        facts([{ asset: 'b', kind: 'battery', pKw: -0.4, plannedPKw: -0.4, boosted: false }], {
          batterySocPct: 49,
        }),
      ),
    ).toBe("home-7's battery powers the house with 0.4 kW (49 % full) instead of buying at 12.0 p/kWh.");
  });

  it('says the resident’s weights in words instead of "weights cost 1/carbon 0/autarky 0"', () => {
    expect(plainExplanation('nothing to shift (weights cost 1/carbon 0/autarky 0)')).toBe(
      'nothing to shift (the resident cares about cost only)',
    );
    expect(plainExplanation('EV 7 kWh at 12 p (weights cost 1/carbon 0.2/autarky 0)')).toBe(
      'EV 7 kWh at 12 p (the resident weighs cost 1, carbon 0.2)',
    );
  });

  it('has nothing to say for a home with only solar panels or nothing controllable', () => {
    expect(
      decisionSentence(facts([{ asset: 'pv', kind: 'pv', pKw: -1, plannedPKw: -1, boosted: false }])),
    ).toBeNull();
    expect(decisionSentence(facts([]))).toBeNull();
  });
});

describe('the headline', () => {
  const moment = (evKw: number[], price: number, band: string | null, line3Pct: number): StreetMoment => ({
    minuteOfDay: 23 * 60 + 30,
    importPriceGbpPerKwh: price,
    priceBand: band,
    assets: new Map(evKw.map((pKw, i) => [`ev-${i}`, { kind: 'ev', home: 'home-b', pKw }])),
    lineLoadingPct: new Map([
      ['L34', line3Pct],
      ['L12', 40],
    ]),
    transformerPct: 50,
    vMin: { volts: 240, bus: '4' },
  });
  const flows = new Map(lineFlowsKw(layout, new Map([['4', 7]])).map((flow) => [flow.line, flow]));

  it('says what started, why (the price) and what it does to the busiest cable', () => {
    expect(
      headline(moment([0, 0, 0], 0.3, 'peak', 10), moment([7, 7, 7], 0.12, 'cheap', 96), layout, flows),
    ).toBe(
      'Three EVs started charging at 23:30 when the price fell to 12.0 p/kWh (cheap): the cable to home-b is at 96 %.',
    );
  });

  it('names the transformer when it is busier than any cable, and has no headline when nothing changed', () => {
    expect(headline(moment([7], 0.3, null, 10), moment([0], 0.3, null, 10), layout, flows)).toBe(
      'One EV stopped charging at 23:30: the transformer is at 50 %.',
    );
    expect(headline(moment([7], 0.3, null, 10), moment([7], 0.3, null, 10), layout, flows)).toBeNull();
    expect(headline(null, moment([7], 0.3, null, 10), layout, flows)).toBeNull();
  });
});

describe('glitches of issue 17', () => {
  it('reads and writes the clock’s jump time in en-GB (day first), and says what is wrong in words', () => {
    expect(parseUkDateTime('01/07/2026 12:00')).toEqual({ iso: '2026-07-01T12:00:00.000Z' });
    expect(parseUkDateTime('1/7/2026 9:05')).toEqual({ iso: '2026-07-01T09:05:00.000Z' });
    expect(parseUkDateTime('2026-07-01T12:00')).toEqual({ iso: '2026-07-01T12:00:00.000Z' });
    expect(formatUkDateTime('2026-07-01T12:00:00Z')).toBe('01/07/2026 12:00');
    expect(parseUkDateTime('07/31/2026 12:00')).toEqual({
      problem: '"07/31/2026 12:00" is not a real date and time (day 7, month 31, 12:00)',
    });
    expect(parseUkDateTime('tomorrow')).toMatchObject({ problem: expect.stringContaining('day/month/year') });
  });

  it('spends the voltage colours where streets sit and shades lines continuously with their loading', () => {
    const colours = [248, 249.5, 251, 252.5].map(voltageColour);
    expect(new Set(colours).size).toBe(4);
    expect(loadingColour(10)).not.toBe(loadingColour(40));
  });

  it('folds boards coming online one after another into one line', () => {
    const item = (text: string) => ({ text, severity: 'info' });
    expect(
      groupBoardsOnline([
        item('board pv-1 is online'),
        item('board pad-3 (ev-1) is online'),
        item('ev-1 placed on plot-3'),
        item('board pv-2 is online'),
      ]).map((entry) => entry.text),
    ).toEqual(['boards pv-1 and pad-3 (ev-1) are online', 'ev-1 placed on plot-3', 'board pv-2 is online']);
  });
});
