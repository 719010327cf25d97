import { describe, expect, it } from 'vitest';
import { poaHeadline, sweepHeadline } from '../../../hub/runs/headline.js';
import { headlineLabel } from '../../../hub/runs/labels.js';

describe('headline labels', () => {
  it('names every figure a PoA study or sweep records in words with its unit', () => {
    const poa = poaHeadline({
      homes: 8,
      days: 1,
      priceOfAnarchy: 1.2,
      headroomLostPct: 10,
      cooperativeGapPct: 1,
      policies: { selfish: { socialCostGbp: 60, transformerPeakKw: 30 } },
    });
    const sweep = sweepHeadline({ total: 2, ranNow: 2, resumed: 0, failed: 0 });
    const labels = Object.keys({ ...poa, ...sweep }).map(headlineLabel);
    expect(labels).toEqual([
      'homes',
      'days',
      'price of anarchy (selfish ÷ central social cost)',
      'headroom lost, selfish vs cooperative (% of rating)',
      'cooperative social cost above central (%)',
      'selfish: social cost (£)',
      'selfish: transformer peak (kW)',
      'runs',
      'runs done in this call',
      'runs resumed from an earlier call',
      'runs failed',
    ]);
  });

  it('labels a run’s figures with their units and keeps an unknown name as it is', () => {
    expect(headlineLabel('busMinutesOutsideStatutoryLimits')).toBe('bus-minutes outside 216.2–253 V');
    expect(headlineLabel('transformerPeakVsPassiveKw')).toBe('transformer peak vs passive (kW)');
    expect(headlineLabel('someNewFigure')).toBe('someNewFigure');
  });
});
