export { defineFeederFormat, FEEDER_FORMATS, type FeederFormat } from './feeder-format.js';
export { loadFeeder } from './load-feeder.js';
export * from './network.js';
export { profilePowerKw } from './profiles.js';
export {
  buildVoltageSensitivity,
  linearisationErrorVolts,
  predictVolts,
  type VoltageSensitivity,
} from './sensitivity.js';
export {
  type BusPhaseVolts,
  type PowerFlowOptions,
  type PowerFlowResult,
  PowerFlowSolver,
  type TransformerResult,
} from './solver.js';
