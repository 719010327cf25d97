/**
 * The homes' physics: what each home sees this step (from the world), and each home's step under its
 * setpoints (clamped to what the equipment can do). Also notes what an EV lacked when it left.
 */
import {
  type HomeSetpoints,
  type HomeState,
  type HomeStepInputs,
  type HomeStepResult,
  stepHome,
} from '../../homes/index.js';
import type { StepFrame, StreetParticipant } from '../street.js';
import type { StreetHome } from '../street-home.js';
import type { InputSource } from '../world.js';

/** Called after every home step with the home, its flows (its inverter settled) and its new state (tests, live views). */
export type OnHomeStep = (
  step: number,
  homeIndex: number,
  result: HomeStepResult,
  state: Readonly<HomeState>,
) => void;

/** Fills the frame's inputs: the world each home sees during the step. Runs before the market module. */
export class WorldInputs implements StreetParticipant {
  readonly name = 'world';

  constructor(
    private readonly homes: readonly StreetHome[],
    private readonly world: InputSource,
  ) {}

  step(frame: StepFrame): void {
    frame.inputs = this.homes.map((home) => this.world.stepInputs(home, frame.step));
  }
}

export class HomePhysics implements StreetParticipant {
  readonly name = 'homes';

  constructor(
    private readonly homes: readonly StreetHome[],
    private readonly world: InputSource,
  ) {}

  step(frame: StepFrame): void {
    for (const home of this.homes) {
      const { spec, state } = home;
      if (spec.ev && this.world.evTripKwh(home, frame.step) > 0) {
        const targetKwh = (spec.ev.capacityKwh * spec.preferences.evTargetSocPct) / 100;
        frame.evShortfallKwh[home.index] = Math.max(0, targetKwh - state.evSocKwh);
      }
      const result = stepHome(
        spec,
        state,
        frame.setpoints[home.index] as HomeSetpoints,
        frame.inputs[home.index] as HomeStepInputs,
      );
      frame.results[home.index] = result;
    }
  }
}

/** Hands each home's step to `onHomeStep` once the power flow has settled its PV inverter (placed after it). */
export class HomeStepWatch implements StreetParticipant {
  readonly name = 'home-steps';

  constructor(
    private readonly homes: readonly StreetHome[],
    private readonly onHomeStep: OnHomeStep,
  ) {}

  step(frame: StepFrame): void {
    for (const home of this.homes) {
      this.onHomeStep(frame.step, home.index, frame.results[home.index] as HomeStepResult, home.state);
    }
  }
}
