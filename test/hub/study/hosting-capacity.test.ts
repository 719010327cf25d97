import { describe, expect, it } from 'vitest';
import { PHASES, PowerFlowSolver, STATUTORY_VOLTS } from '../../../hub/feeder/index.js';
import { loadRunInputs } from '../../../hub/sim/inputs.js';
import { hostingCapacity } from '../../../hub/study/hosting-capacity.js';
import { homeLoadConnections } from '../../../hub/study/street-context.js';

const inputs = loadRunInputs('scenarios/ieee-eu-lv.yaml');

/** The full power flow with `perHomeKw` at 0.95 PF on every home. */
function flowAt(perHomeKw: number) {
  const solver = new PowerFlowSolver(inputs.feeder, homeLoadConnections(inputs.scenario), {
    maxIterations: 50,
  });
  solver.loadPKw.fill(perHomeKw);
  solver.loadQKvar.fill(perHomeKw * Math.tan(Math.acos(0.95)));
  return solver.solve('test');
}

function withinLimits(perHomeKw: number): boolean {
  const flow = flowAt(perHomeKw);
  const busIndex = new Map(inputs.feeder.buses.map((bus, index) => [bus.name, index]));
  const voltsOk = inputs.scenario.homes.every(({ spec }) => {
    const volts = flow.busVoltsMag[(busIndex.get(spec.bus) ?? 0) * 3 + PHASES.indexOf(spec.phase)] as number;
    return volts >= STATUTORY_VOLTS.min && volts <= STATUTORY_VOLTS.max;
  });
  const linesOk = [...flow.lineLoadingPct].every((pct) => Number.isNaN(pct) || pct <= 100);
  return voltsOk && linesOk && flow.transformerLoadingPct <= 100;
}

describe('hosting capacity', () => {
  const capacity = hostingCapacity(inputs.feeder, inputs.scenario);

  it("is the largest even load on the IEEE street's 55 homes that keeps every limit, far below the nameplate", () => {
    expect(capacity.homeCount).toBe(55);
    expect(capacity.streetKw).toBeCloseTo(55 * capacity.perHomeKw, 9);
    expect(capacity.streetKw).toBeLessThan(capacity.nameplateKva / 2);
    expect(withinLimits(capacity.perHomeKw)).toBe(true);
    expect(withinLimits(capacity.perHomeKw * 1.01)).toBe(false);
  });

  it('names the limit that binds and what the transformer then carries', () => {
    expect(capacity.binding).toMatch(/^the (voltage at bus \S+ phase [ABC]|rating of line \S+) \(/);
    const flow = flowAt(capacity.perHomeKw);
    expect(capacity.substationKw).toBeCloseTo(flow.substationPTotalKw, 3);
    expect(capacity.substationKw).toBeGreaterThan(capacity.streetKw);
    expect(capacity.method).toContain('bisection on the full power flow');
  });
});
