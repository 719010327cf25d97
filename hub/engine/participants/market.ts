/**
 * The scenario's market module inside the street: it sees every home's setpoints for the step, may change
 * them (flexibility auction) and says how each home's step settles (shared battery, flexibility payments).
 */
import { isFleetPolicy } from '../../agents/fleet.js';
import type { MarketRun } from '../../sim/market-step.js';
import type { StepFrame, StreetParticipant } from '../street.js';
import type { StreetHome } from '../street-home.js';
import type { StreetWorld } from '../world.js';

export class MarketModuleStep implements StreetParticipant {
  readonly name = 'market';

  constructor(
    private readonly homes: readonly StreetHome[],
    private readonly world: StreetWorld,
    readonly run: MarketRun,
  ) {}

  step(frame: StepFrame): void {
    const { homes, world } = this;
    const stepCount = world.stepCount;
    frame.settlements = this.run.step({
      step: frame.step,
      minuteOfYear: frame.minuteOfYear,
      setpoints: frame.setpoints,
      inputs: frame.inputs,
      states: homes.map((home) => home.state),
      importPriceGbpPerKwh: (index, j) =>
        world.prices((homes[index] as StreetHome).tariff).importGbpPerKwh[j % stepCount] ?? 0,
      exportPriceGbpPerKwh: (index, j) =>
        world.prices((homes[index] as StreetHome).tariff).exportGbpPerKwh[j % stepCount] ?? 0,
    });
    // A home whose setpoints the market changed re-plans at the next step (fleet plans stay shared).
    for (const home of homes) {
      if (frame.settlements[home.index]?.replan && !isFleetPolicy(home.policy)) home.plan = undefined;
    }
  }
}
